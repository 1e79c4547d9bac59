"""What `biogen export` and `biogen profile ...` do: open the site's database, call
generator.data.store, and lay out the answer as text for the command line.

`biogen profile set` changes a profile's settings (the table profile_settings, see
generator.data.profile_settings) by their BioData or column names, checked with the
build's rules before anything is written, in one transaction with the profile's
updated_at."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from generator.data import store
from generator.data.biodata import to_biodata
from generator.config import Config
from generator.authoring.documents import CHILD_FIELDS
from generator.authoring.importer import counted
from generator.data.migrate import open_migrated
from generator.data.item_details import ITEM_KEYS
from generator.data.model import CHILDREN, ProfileSettings
from generator.data.profile_settings import BY_COLUMN, COLUMNS as SETTINGS_COLUMNS, SETTINGS, Setting, \
    parse_assignment, setting_problem
from generator.errors import Problem, ValidationError


@contextlib.contextmanager
def _database(config: Config) -> Iterator[sqlite3.Connection]:
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        yield conn
    finally:
        conn.close()


def export_text(config: Config, username: str | None, *, output: Path | None, stdout: TextIO) -> None:
    """Write one profile's BioData (or, with username None, every profile's) to `output` or `stdout`."""
    with _database(config) as conn:
        # Read everything inside one transaction, so a concurrent writer cannot mix two states.
        conn.execute("BEGIN")
        try:
            pieces = [store.export_one(conn, username)] if username is not None else list(store.export_all(conn))
        finally:
            conn.execute("ROLLBACK")
    if output is None:
        for piece in pieces:
            stdout.write(piece)
        if stdout.isatty():
            stdout.write("\n")  # the document itself ends without one, as the built file does
        stdout.flush()
        return
    write_atomically(output, pieces)


def write_atomically(path: Path, pieces: list[str]) -> None:
    """Write `pieces` (UTF-8) to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            for piece in pieces:
                file.write(piece)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def profile_table(config: Config) -> str:
    """Every profile as aligned columns: username, name, counts of each kind of child, updated."""
    with _database(config) as conn:
        rows = store.summaries(conn)
    header = ("USERNAME", "NAME", "SOCIAL", "LINKS", "PRODUCTS", "TOOLS", "UPDATED")
    table = [header] + [(s.username, _one_line(s.display_name), str(s.social_links), str(s.bio_links),
                         str(s.products), str(s.carousel_items), s.updated_at) for s in rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    numeric = {2, 3, 4, 5}
    lines = []
    for row in table:
        cells = [_pad(cell, widths[i], right=i in numeric and row is not header) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.append(f"{len(rows)} profile{'s' if len(rows) != 1 else ''}")
    return "\n".join(lines)


def _one_line(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: wide (CJK, emoji) characters take two, marks none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    space = " " * (width - _width(text))
    return space + text if right else text + space


def profile_text(config: Config, username: str, *, as_json: bool = False) -> str:
    """One profile for people to read (or its BioData, indented, with as_json)."""
    with _database(config) as conn:
        profile = store.require_profile(conn, username)
    document = to_biodata(profile)
    if as_json:
        return json.dumps(document, ensure_ascii=False, indent=2)
    head = document["profile"]
    lines = [f"{profile.username}  (id {profile.id}; created {profile.created_at or '-'}, "
             f"updated {profile.updated_at or '-'})"]
    for key in ("name", "tagline", "avatar", "coverImage"):
        lines.append(f"  {key + ':':<11} {head[key]}")
    lines += settings_lines(profile.settings)
    for table, _ in CHILDREN:
        key = CHILD_FIELDS[table][0]
        items = head[key] if key == "socialLinks" else document[key]
        lines.append(f"{key} ({len(items)})")
        extra = ITEM_KEYS.get(table, ())
        for position, item in enumerate(items, 1):
            values = [_item_value(profile.username, k, v) if k in extra else str(v)
                      for k, v in item.items() if k != "id" and v != ""]
            lines.append(f"  {position}. " + "  |  ".join(values))
    return "\n".join(lines)


def _item_value(username: str, key: str, value: object) -> str:
    """An item's detail (generator.data.item_details) named: `badge: hot`, `page: /ana/course`."""
    if key == "detailContent":
        return f"page: /{username}/{value.get('slug', '?')}"
    return f"{key}: {value}"


def settings_lines(row: ProfileSettings | None) -> list[str]:
    """The settings that are set, one `  name: value` line each, under a `settings` heading."""
    chosen = [(setting, value) for setting, value in zip(SETTINGS, row[1:]) if value is not None] if row else []
    if not chosen:
        return ["settings: none set (every setting at its default)"]
    width = max(len(setting.name) for setting, _ in chosen) + 1
    return ["settings"] + [f"  {setting.name + ':':<{width}} {_shown(setting, value, quote=False)}"
                           for setting, value in chosen]


def set_settings(config: Config, username: str, assignments: list[str] | tuple[str, ...]) -> list[str]:
    """Apply `key=value` assignments to the settings of `username` in one transaction;
    a line per setting that changed (none: "nothing changed")."""
    wanted = _assignments(username, assignments)
    with _database(config) as conn, store.transaction(conn):
        profile = store.require_profile(conn, username)
        problems = [Problem(username, "profile_settings", profile.id, column, message + _named(column))
                    for column, value in wanted.items() if (message := setting_problem(column, value))]
        if problems:
            raise ValidationError(problems, heading=f"cannot change the settings of {username!r}")
        row = profile.settings[1:] if profile.settings else [None] * len(SETTINGS_COLUMNS)
        before = dict(zip(SETTINGS_COLUMNS, row))
        after = {**before, **wanted}
        changed = [setting for setting in SETTINGS if after[setting.column] != before[setting.column]]
        if not changed:
            return [f"{username}: nothing changed"]
        store.write_settings(conn, profile.id, after)
        store.touch_profile(conn, profile.id, store.timestamp())
    return [f"{username}: {setting.name} {_shown(setting, after[setting.column])} "
            f"(was {_shown(setting, before[setting.column])})" for setting in changed]


def _assignments(username: str, assignments: list[str] | tuple[str, ...]) -> dict[str, object]:
    """{column: value} of the command's `key=value` words; ProfileError naming every wrong one."""
    wanted, errors = {}, []
    for text in assignments:
        try:
            setting, value = parse_assignment(text)
        except ValueError as error:
            errors.append(str(error))
            continue
        if setting.column in wanted:
            errors.append(f"{setting.name} is given more than once; give it once")
        wanted[setting.column] = value
    if errors or not wanted:
        raise store.ProfileError(f"cannot change the settings of {username!r}: "
                                 + ("; ".join(errors) or "give at least one key=value, such as theme=bold"))
    return wanted


def _named(column: str) -> str:
    name = BY_COLUMN[column].name
    return f" (the setting {name})" if name != column else ""


def _shown(setting: Setting, value: object, *, quote: bool = True) -> str:
    """A setting's value as people read it: switches as true/false, as the BioData writes them."""
    if value is None:
        return "the default"
    if setting.kind == "switch":
        return "false" if value == 0 else "true"
    return repr(value) if quote else str(value)


def child_counts(config: Config, username: str) -> str:
    """`2 social links, 3 links, 1 product and 0 tools` of the profile `username`."""
    with _database(config) as conn:
        profile = store.require_profile(conn, username)
    parts = counted({table: len(getattr(profile, table)) for table, _ in CHILDREN})
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def remove(config: Config, username: str) -> None:
    """Delete the profile `username` and its children."""
    with _database(config) as conn:
        store.remove_profile(conn, username)


def rename(config: Config, old: str, new: str) -> None:
    """Give the profile `old` the username `new`."""
    with _database(config) as conn:
        store.rename_profile(conn, old, new)
