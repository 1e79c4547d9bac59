"""Authoring profiles: every SQL write biogen makes to profiles, and the reads the
profile commands and `biogen export` need.

Writes run inside `transaction()` (BEGIN IMMEDIATE ... COMMIT): another program
writing at the same time waits for it, or it waits for them (the busy timeout of
generator.data.db), and a failure leaves the database as it was. The change journal's
triggers record every write here, as they do for any other program.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from generator.data.biodata import biodata_json
from generator.data.db import CHILD_TABLES, LIST_TABLES
from generator.errors import BiogenError, DatabaseError
from generator.data.item_details import COLUMNS as DETAIL_COLUMNS
from generator.data.model import CHILDREN, Profile, load_profiles
from generator.data.profile_settings import COLUMNS as SETTINGS_COLUMNS, is_default
from generator.data.validate import username_problem

# The columns each child table gets from a BioData document, in the Worker's key order.
CHILD_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(f for f in row_type._fields if f not in ("id", "profile_id", "order_index"))
    for table, row_type in CHILDREN
}
PROFILE_CONTENT = ("display_name", "tagline", "avatar_url", "cover_url")

# Profiles loaded per query while exporting a whole site: memory stays flat.
EXPORT_CHUNK = 1000


class ProfileError(BiogenError):
    """A profile command names a profile that does not exist, or a name that is taken."""


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (Ctrl-C included)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        raise DatabaseError(f"the database is busy ({error}): another program holds its write lock; "
                            "close it (or wait for it to finish) and try again") from None
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def timestamp() -> str:
    """Now as SQLite's CURRENT_TIMESTAMP writes it, or SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def new_id() -> str:
    """A new row id (a UUID, as the current site's admin panel makes them)."""
    return str(uuid.uuid4())


def find_profile(conn: sqlite3.Connection, username: str) -> Profile | None:
    """The profile named `username` with its children, or None."""
    row = conn.execute("SELECT id FROM profiles WHERE username = ?", (username,)).fetchone()
    if row is None:
        return None
    return next(load_profiles(conn, ids=[row[0]]), None)


def require_profile(conn: sqlite3.Connection, username: str) -> Profile:
    """The profile named `username`; ProfileError saying how to list them if there is none."""
    profile = find_profile(conn, username)
    if profile is None:
        raise ProfileError(f"no profile named {username!r}; `biogen profile list` shows every username")
    return profile


def insert_profile(conn: sqlite3.Connection, username: str, content: dict, children: dict[str, list[tuple]],
                   now: str, details: dict[str, list[dict | None]] | None = None) -> str:
    """Insert a new profile and its children (in list order), with the details of its links
    and products ({table: [{item_details column: value} or None, one per row]}); returns its id."""
    profile_id = new_id()
    conn.execute(f"INSERT INTO profiles (id, username, {', '.join(PROFILE_CONTENT)}, created_at, updated_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (profile_id, username, *(content[c] for c in PROFILE_CONTENT), now, now))
    for table, rows in children.items():
        insert_children(conn, profile_id, table, rows, (details or {}).get(table))
    return profile_id


def update_profile(conn: sqlite3.Connection, profile_id: str, content: dict, now: str) -> None:
    """Set a profile's own columns and its updated_at."""
    assignments = ", ".join(f"{c} = ?" for c in PROFILE_CONTENT)
    conn.execute(f"UPDATE profiles SET {assignments}, updated_at = ? WHERE id = ?",
                 (*(content[c] for c in PROFILE_CONTENT), now, profile_id))


def replace_children(conn: sqlite3.Connection, profile_id: str, table: str, rows: list[tuple],
                     details: list[dict | None] | None = None) -> None:
    """Replace every row of `table` belonging to the profile with `rows`, in that order,
    and the old rows' details with `details` (one per row, None for a row without)."""
    conn.execute(f"DELETE FROM item_details WHERE profile_id = ? AND item_id IN "
                 f"(SELECT id FROM {_child(table)} WHERE profile_id = ?)", (profile_id, profile_id))
    conn.execute(f"DELETE FROM {_child(table)} WHERE profile_id = ?", (profile_id,))
    insert_children(conn, profile_id, table, rows, details)


def insert_children(conn: sqlite3.Connection, profile_id: str, table: str, rows: list[tuple],
                    details: list[dict | None] | None = None) -> None:
    """Insert `rows` (values in CHILD_COLUMNS order) with order_index 0..n-1 and new ids,
    and each row's details (item_details columns) where `details` has them."""
    columns = CHILD_COLUMNS[_child(table)]
    ids = [new_id() for _ in rows]
    conn.executemany(
        f"INSERT INTO {table} (id, profile_id, {', '.join(columns)}, order_index) "
        f"VALUES (?, ?, {', '.join('?' for _ in columns)}, ?)",
        [(ids[index], profile_id, *row, index) for index, row in enumerate(rows)])
    conn.executemany(
        f"INSERT INTO item_details (item_id, profile_id, {', '.join(DETAIL_COLUMNS)}) "
        f"VALUES (?, ?, {', '.join('?' for _ in DETAIL_COLUMNS)})",
        [(item_id, profile_id, *(values.get(c) for c in DETAIL_COLUMNS))
         for item_id, values in zip(ids, details or ()) if values])


def insert_item(conn: sqlite3.Connection, table: str, item_id: str, profile_id: str, values: dict,
                order_index: int) -> None:
    """Insert one row of a profile's list (`values` by CHILD_COLUMNS) at `order_index`."""
    columns = CHILD_COLUMNS[_child(table)]
    conn.execute(f"INSERT INTO {table} (id, profile_id, {', '.join(columns)}, order_index) "
                 f"VALUES (?, ?, {', '.join('?' for _ in columns)}, ?)",
                 (item_id, profile_id, *(values[c] for c in columns), order_index))


def update_item(conn: sqlite3.Connection, table: str, item_id: str, values: dict) -> None:
    """Set the columns in `values` of one row of a profile's list."""
    columns = [c for c in CHILD_COLUMNS[_child(table)] if c in values]
    conn.execute(f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                 (*(values[c] for c in columns), item_id))


def delete_item(conn: sqlite3.Connection, table: str, item_id: str) -> None:
    """Delete one row of a profile's list and its row of item_details: item_details.item_id
    is no foreign key (it names a row of one of two tables), so nothing else would."""
    conn.execute("DELETE FROM item_details WHERE item_id = ?", (item_id,))
    conn.execute(f"DELETE FROM {_child(table)} WHERE id = ?", (item_id,))


def reorder_items(conn: sqlite3.Connection, table: str, ids: list[str]) -> None:
    """Give the rows `ids` of one list order_index 0..n-1 in that order."""
    conn.executemany(f"UPDATE {_child(table)} SET order_index = ? WHERE id = ?",
                     [(index, item_id) for index, item_id in enumerate(ids)])


def write_settings(conn: sqlite3.Connection, profile_id: str, values: dict[str, object]) -> None:
    """Make the profile's settings row hold `values` ({column: value}, missing columns NULL);
    with every value NULL the row is deleted, as no row means the same."""
    if is_default(values):
        conn.execute("DELETE FROM profile_settings WHERE profile_id = ?", (profile_id,))
        return
    # An upsert, never INSERT OR REPLACE: the row is kept and updated in place.
    conn.execute(f"INSERT INTO profile_settings (profile_id, {', '.join(SETTINGS_COLUMNS)}) "
                 f"VALUES (?, {', '.join('?' for _ in SETTINGS_COLUMNS)}) ON CONFLICT (profile_id) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in SETTINGS_COLUMNS),
                 (profile_id, *(values.get(c) for c in SETTINGS_COLUMNS)))


def write_item_details(conn: sqlite3.Connection, profile_id: str, item_id: str, values: dict[str, object]) -> None:
    """Make the item's item_details row hold `values` ({column: value}, missing columns NULL);
    with every value NULL the row is deleted, as no row means the same."""
    if all(values.get(c) is None for c in DETAIL_COLUMNS):
        conn.execute("DELETE FROM item_details WHERE item_id = ? AND profile_id = ?", (item_id, profile_id))
        return
    conn.execute(f"INSERT INTO item_details (item_id, profile_id, {', '.join(DETAIL_COLUMNS)}) "
                 f"VALUES (?, ?, {', '.join('?' for _ in DETAIL_COLUMNS)}) ON CONFLICT (item_id) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in DETAIL_COLUMNS),
                 (item_id, profile_id, *(values.get(c) for c in DETAIL_COLUMNS)))


def touch_profile(conn: sqlite3.Connection, profile_id: str, now: str) -> None:
    """Give the profile a new updated_at (its sitemap lastmod), as every edit of its content does."""
    conn.execute("UPDATE profiles SET updated_at = ? WHERE id = ?", (now, profile_id))


def delete_profile(conn: sqlite3.Connection, profile_id: str) -> None:
    """Delete a profile and its children (explicitly, even where foreign keys were off)."""
    for table in CHILD_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE profile_id = ?", (profile_id,))
    conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,))


def rename_profile(conn: sqlite3.Connection, old: str, new: str) -> Profile:
    """Give the profile `old` the username `new`; refuses an invalid or taken name."""
    problem = username_problem(new)
    if problem:
        raise ProfileError(f"cannot rename {old!r}: the new username {problem}")
    with transaction(conn):
        profile = require_profile(conn, old)
        if new != old and conn.execute("SELECT 1 FROM profiles WHERE username = ?", (new,)).fetchone():
            raise ProfileError(f"cannot rename {old!r} to {new!r}: another profile is already named {new!r}; "
                               f"remove or rename that one first")
        conn.execute("UPDATE profiles SET username = ?, updated_at = ? WHERE id = ?", (new, timestamp(), profile.id))
    return profile


def remove_profile(conn: sqlite3.Connection, username: str) -> Profile:
    """Delete the profile `username` and its children in one transaction; returns what was removed."""
    with transaction(conn):
        profile = require_profile(conn, username)
        delete_profile(conn, profile.id)
    return profile


@dataclass(frozen=True)
class Summary:
    """One line of `biogen profile list`."""

    username: str
    display_name: str
    social_links: int
    bio_links: int
    products: int
    carousel_items: int
    updated_at: str


def summaries(conn: sqlite3.Connection) -> list[Summary]:
    """Every profile with the number of each kind of child, by username."""
    counts = ", ".join(f"(SELECT count(*) FROM {t} WHERE profile_id = profiles.id)" for t in LIST_TABLES)
    rows = conn.execute(f"SELECT username, display_name, {counts}, coalesce(updated_at, '') FROM profiles "
                        "ORDER BY username")
    return [Summary(str(row[0]), "" if row[1] is None else str(row[1]), *row[2:6], str(row[6])) for row in rows]


def export_one(conn: sqlite3.Connection, username: str) -> str:
    """The BioData of `username`: the same text as the built api/profiles/<username>.json."""
    return biodata_json(require_profile(conn, username))


def export_all(conn: sqlite3.Connection) -> Iterator[str]:
    """`{"bioData": {username: BioData, ...}}` in pieces, usernames sorted: export -> import -> export is stable.

    A site with hostnames (the table domains) gets `"domains": {hostname: {"username",
    "kind"}}` after bioData, sorted by hostname: they are the site's, not part of any
    BioData, so the documents stay the Worker's; a site without them exports as before."""
    from generator.data.biodata import dumps
    ids = [row[0] for row in conn.execute("SELECT id FROM profiles ORDER BY username")]
    yield '{"bioData":{'
    first = True
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start:start + EXPORT_CHUNK]
        loaded = {p.id: p for p in load_profiles(conn, ids=chunk)}
        for profile_id in chunk:
            profile = loaded[profile_id]
            yield ("" if first else ",") + dumps(str(profile.username)) + ":" + biodata_json(profile)
            first = False
    yield "}"
    hostnames = conn.execute("SELECT d.hostname, p.username, d.kind FROM domains d JOIN profiles p "
                             "ON p.id = d.profile_id ORDER BY d.hostname").fetchall()
    if hostnames:
        yield ',"domains":{' + ",".join(dumps(str(hostname)) + ":" + dumps({"username": username, "kind": kind})
                                        for hostname, username, kind in hostnames) + "}"
    yield "}"


def _child(table: str) -> str:
    if table not in CHILD_COLUMNS:
        raise ValueError(f"not a child table: {table!r}")
    return table
