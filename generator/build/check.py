"""check_database(): the build's rules over every profile (their themes, accents and button
shapes too), writing nothing."""

from __future__ import annotations

import sqlite3

from generator.build.themes import Looks, load_themes
from generator.config import Config
from generator.data.db import CHILD_TABLES, KEYS
from generator.errors import Problem, ValidationError
from generator.data.migrate import open_migrated
from generator.data.model import load_profiles, tie_warnings
from generator.data.validate import profile_problems


def check_database(config: Config) -> tuple[int, list[str]]:
    """(profiles checked, warnings); raises ValidationError listing every problem."""
    conn = open_migrated(config.database, config.migrations_dir)
    looks = Looks(load_themes(config), config)  # the settings' rules; no stylesheet is written
    problems, warnings, count = [], [], 0
    try:
        for profile in load_profiles(conn):
            count += 1
            problems += profile_problems(profile, config.content_dir)
            problems += [Problem(profile.username, "profile_settings", profile.id, column, message)
                         for column, message in looks.of(profile.settings)[2]]
            warnings += [f"profile {profile.username!r}: {w}" for w in tie_warnings(profile)]
        problems += orphan_problems(conn)
    finally:
        conn.close()
    if problems:
        raise ValidationError(problems)
    return count, warnings


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
