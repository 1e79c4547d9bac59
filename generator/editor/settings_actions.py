"""What the settings and details forms do to the database: each save runs in one
transaction (generator.data.store.transaction), refused with nothing written when the
profile changed since the form was opened (its content hash) or when the would-be
profile breaks the build's rules, which here are `biogen check`'s whole set: the data's
(generator.data.validate), the look's (a theme of this site, an accent that keeps 4.5:1
where it carries text) and the language's (a translation file serves it).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Mapping

from generator.build import translations
from generator.build.themes import Looks, load_themes, look_problems
from generator.config import Config
from generator.data import store
from generator.data.item_details import unique_slug
from generator.data.model import BioLink, Product, Profile
from generator.data.profile_settings import COLUMNS as SETTINGS_COLUMNS
from generator.data.validate import profile_problems
from generator.editor import settings_forms
from generator.editor.actions import Outcome, content_hash
from generator.errors import Problem


class SiteRules:
    """The build's rules for one site, read once per request: its themes and translations."""

    def __init__(self, config: Config):
        self.content_dir = config.content_dir
        self.looks = Looks(load_themes(config), config)  # checks only; no stylesheet is written
        self.catalog = translations.Catalog(config.translation_dirs)

    def problems(self, profile: Profile) -> list[Problem]:
        """Every problem `biogen check` would find in `profile`."""
        rules = profile_problems(profile, self.content_dir)
        return (rules + look_problems(profile, self.looks.of(profile.settings)[2], rules)
                + translations.language_problems(profile, self.catalog))


def find_item(profile: Profile, item_id: str) -> BioLink | Product | None:
    """The profile's link or product with this id, or None."""
    return next((item for item in (*profile.bio_links, *profile.products) if item.id == item_id), None)


def _locate(problems: list[Problem], table: str, row_id: str, columns: set[str]) -> Outcome:
    """The problems as an Outcome: those of the form's fields by field, the rest apart."""
    outcome = Outcome()
    for problem in problems:
        if problem.table == table and problem.row_id == row_id and problem.column in columns:
            outcome.by_field.setdefault(problem.column, []).append(problem.message)
        else:
            outcome.others.append(str(problem))
    return outcome


def save_settings(conn: sqlite3.Connection, username: str, form: Mapping[str, str], rules: SiteRules) -> Outcome:
    """Write the profile's settings from `form` (all default: no row at all)."""
    with store.transaction(conn):
        profile = store.find_profile(conn, username)
        if profile is None:
            return Outcome(not_found=True)
        now_hash = content_hash(conn, profile.id)
        stored = settings_forms.stored_settings(profile.settings)
        values = settings_forms.submitted_settings(stored, form)
        unchanged = values == stored
        if form.get("opened_hash") != now_hash:
            if unchanged:
                return Outcome(done=True, username=username)  # sent twice, or made equal elsewhere
            return Outcome(conflict=[], current=profile, current_hash=now_hash)
        would_be = dataclasses.replace(profile, profile_settings=settings_forms.settings_row(values, profile.id))
        outcome = _locate(rules.problems(would_be), "profile_settings", str(profile.id), set(SETTINGS_COLUMNS))
        if outcome.by_field:
            outcome.current, outcome.current_hash = profile, now_hash
            return outcome
        if not unchanged:
            store.write_settings(conn, profile.id, values)
            store.touch_profile(conn, profile.id, store.timestamp())
    return Outcome(done=True, username=username)


def save_details(conn: sqlite3.Connection, username: str, item_id: str, form: Mapping[str, str],
                 rules: SiteRules) -> Outcome:
    """Write one link's or product's details from `form` (every field empty: no row)."""
    with store.transaction(conn):
        profile = store.find_profile(conn, username)
        item = find_item(profile, item_id) if profile is not None else None
        if item is None:
            return Outcome(not_found=True)
        now_hash = content_hash(conn, profile.id)
        is_product = isinstance(item, Product)
        stored = settings_forms.stored_details(profile.details().get(item_id))
        values = settings_forms.submitted_details(stored, form, is_product)
        if values["content"] is not None and values["slug"] is None:
            # As the importer does: a page needs an address, made from the item's name.
            taken = {row.slug for row in profile.item_details if row.item_id != item_id and row.slug is not None}
            values["slug"] = unique_slug(item.name or "", taken)
        unchanged = values == stored
        if form.get("opened_hash") != now_hash:
            if unchanged:
                return Outcome(done=True, username=username)
            return Outcome(conflict=[], current=profile, current_hash=now_hash)
        empty = all(value is None for value in values.values())
        new_row = None if empty else settings_forms.with_details(values, item_id, profile.id)
        would_be = dataclasses.replace(profile, item_details=settings_forms.replace_row(profile.item_details,
                                                                                      item_id, new_row))
        outcome = _locate(rules.problems(would_be), "item_details", item_id,
                          set(settings_forms.form_columns(is_product)))
        if outcome.by_field:
            outcome.current, outcome.current_hash = profile, now_hash
            return outcome
        if not unchanged:
            store.write_item_details(conn, profile.id, item_id, values)
            store.touch_profile(conn, profile.id, store.timestamp())
    return Outcome(done=True, username=username)
