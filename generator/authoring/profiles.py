"""What `biogen export` and `biogen profile ...` do: open the site's database, call
generator.data.store, and lay out the answer as text for the command line."""

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
from generator.data.model import CHILDREN


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
    for table, _ in CHILDREN:
        key = CHILD_FIELDS[table][0]
        items = head[key] if key == "socialLinks" else document[key]
        lines.append(f"{key} ({len(items)})")
        for position, item in enumerate(items, 1):
            values = [str(v) for k, v in item.items() if k != "id" and v != ""]
            lines.append(f"  {position}. " + "  |  ".join(values))
    return "\n".join(lines)


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
