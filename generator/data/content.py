"""The content of the profile tables: their rows, grouped by profile, with each
profile's hash (content_hash), whether read from the local database or from D1.

The build records the hashes of the profiles it rendered (profile_hashes); `biogen d1`
compares the local Content with D1's to find what differs.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass, field

from generator.data.content_hash import content_version
from generator.data.content_hash import digest as _digest
from generator.data.content_hash import plain_row as _plain_row
from generator.data.db import CHILD_TABLES, KEYS, PROFILE_TABLES, owner_column


# Columns a first push may ignore (Content.loose_hashes).
TIMESTAMPS = ("created_at", "updated_at")


def table_columns(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """The columns of each profile table, in the schema's order."""
    return {table: [row[1] for row in conn.execute(f"PRAGMA table_info({table})")] for table in PROFILE_TABLES}


def local_rows(conn: sqlite3.Connection, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the profile tables, in rowid order (children of missing profiles left out)."""
    rows = {}
    for table in PROFILE_TABLES:
        names = ", ".join(columns[table])
        where = "" if table == "profiles" else " WHERE profile_id IN (SELECT id FROM profiles)"
        rows[table] = [tuple(row) for row in conn.execute(f"SELECT {names} FROM {table}{where} ORDER BY rowid")]
    return rows


@dataclass
class Content:
    """Rows of the profile tables grouped by profile, with a content hash per profile."""

    columns: dict[str, list[str]]
    rows: dict[str, list[tuple]]
    usernames: dict[str, str] = field(default_factory=dict)       # profile id -> username
    hashes: dict[str, str] = field(default_factory=dict)          # profile id -> content hash

    def __post_init__(self) -> None:
        self._parts = self._grouped()
        self.hashes = {profile_id: _digest(part) for profile_id, part in self._parts.items()}

    @functools.cached_property
    def loose_hashes(self) -> dict[str, str]:
        """The hashes without created_at/updated_at (needed only on a first push)."""
        kept = [i for i, c in enumerate(self.columns["profiles"]) if c not in TIMESTAMPS]
        return {profile_id: _digest([[part[0][i] for i in kept], *part[1:]])
                for profile_id, part in self._parts.items()}

    def _grouped(self) -> dict[str, list]:
        profile_columns = self.columns["profiles"]
        key, user = profile_columns.index("id"), profile_columns.index("username")
        parts: dict[str, list] = {}
        for row in self.rows["profiles"]:
            self.usernames[row[key]] = row[user]
            parts[row[key]] = [_plain_row(row)]
        for table in CHILD_TABLES:
            owner, ident = self.columns[table].index("profile_id"), self.columns[table].index(KEYS[table])
            by_profile: dict[str, list] = {}
            for row in self.rows[table]:
                by_profile.setdefault(row[owner], []).append(_plain_row(row))
            for profile_id, children in by_profile.items():
                if profile_id in parts:
                    parts[profile_id].append([table, sorted(children, key=lambda r: str(r[ident]))])
        return parts

    @property
    def version(self) -> str:
        """One content version for the whole database: a digest of every profile's hash."""
        return content_version(self.hashes)


def local_content(conn: sqlite3.Connection) -> Content:
    """The local database's profile content."""
    columns = table_columns(conn)
    return Content(columns, local_rows(conn, columns))


def profile_hashes(conn: sqlite3.Connection, changed: list[str] | None = None,
                   previous: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """{profile id: [username, content hash]}: all computed, or `previous` with the `changed` ids redone.

    Hashing every row costs ~1.3 s at 10,000 profiles; a build that rendered a few
    profiles redoes only theirs (the change journal names every profile written to)."""
    if changed is None or previous is None:
        content = local_content(conn)
        return {p: [content.usernames[p], h] for p, h in content.hashes.items()}
    result = {p: v for p, v in previous.items() if p not in set(changed)}
    columns = table_columns(conn)
    rows = {}
    chosen = json.dumps(sorted(changed))
    for table in PROFILE_TABLES:
        rows[table] = [tuple(r) for r in conn.execute(
            f"SELECT {', '.join(columns[table])} FROM {table} WHERE {owner_column(table)} IN (SELECT value FROM json_each(?)) "
            "ORDER BY rowid", (chosen,))]
    content = Content(columns, rows)
    result.update({p: [content.usernames[p], h] for p, h in content.hashes.items()})
    return result
