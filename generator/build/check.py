"""check_database(): the build's rules over every profile (their themes, accents and button
shapes too), writing nothing."""

from __future__ import annotations

import sqlite3

from generator.build import translations
from generator.build.plan import build_time
from generator.build.themes import Looks, load_themes, look_problems
from generator.config import Config
from generator.data.db import CHILD_TABLES, KEYS
from generator.data.domains import site_address_problems, site_domain_problems
from generator.data.item_details import schedule_warnings
from generator.errors import Problem, ValidationError
from generator.data.migrate import open_migrated
from generator.data.model import load_profiles, tie_warnings
from generator.data.validate import profile_problems


def check_database(config: Config) -> tuple[int, list[str]]:
    """(profiles checked, warnings); raises ValidationError listing every problem.

    A profile's language without a translation file is a problem; the words missing
    in a language that some page uses (the site's, or a profile's) are warnings: those
    pages show them in English."""
    catalog = translations.check_site(config)
    conn = open_migrated(config.database, config.migrations_dir)
    looks = Looks(load_themes(config), config)  # the settings' rules; no stylesheet is written
    problems, warnings, count = [], [], 0
    languages = {config.language}
    now = build_time()  # an item past its end is a warning, as the build would leave it out
    try:
        for profile in load_profiles(conn):
            count += 1
            rules = profile_problems(profile, config.content_dir)
            problems += rules + look_problems(profile, looks.of(profile.settings)[2], rules)
            language = translations.language_problems(profile, catalog)
            problems += language
            if not language:
                languages.add(translations.profile_language(profile) or config.language)
            warnings += [f"profile {profile.username!r}: {w}" for w in tie_warnings(profile)]
            if profile.item_details:
                warnings += schedule_warnings(profile, now)
        problems += orphan_problems(conn) + site_domain_problems(conn) + site_address_problems(conn, config.base_url)
    finally:
        conn.close()
    if problems:
        raise ValidationError(problems)
    return count, translations.missing_words_warnings(catalog, sorted(languages)) + warnings


def orphan_problems(conn: sqlite3.Connection) -> list[Problem]:
    """Child rows whose profile_id names no profile: tools that leave foreign keys off (sqlite-utils,
    many GUIs) let them in, and neither the build nor the Worker would ever show them."""
    problems = []
    for table in CHILD_TABLES:
        key = KEYS[table]
        rows = conn.execute(f"SELECT {key}, profile_id FROM {table} WHERE profile_id NOT IN (SELECT id FROM profiles) "
                            f"ORDER BY {key}")
        problems += [Problem(str(profile_id), table, str(row_id), "profile_id",
                             "names no profile; use the id of an existing profile (`biogen profile show USERNAME` "
                             "shows it) or delete the row") for row_id, profile_id in rows]
    return problems
