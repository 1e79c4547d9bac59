"""Connections to the site database, and the change journal kept inside it.

Every connection enforces foreign keys, waits for other writers instead of failing,
and keeps the database in WAL mode so a preview can read while an editor writes.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from generator.errors import DatabaseError

# An editor (Datasette, sqlite-utils, a GUI) may hold the write lock for a moment;
# wait this long before reporting the database as busy.
BUSY_TIMEOUT_SECONDS = 10.0

# Every table of a profile's content: what the build renders, the content hash covers,
# the journal watches and `biogen d1` keeps equal in D1, parents first.
PROFILE_TABLES = ("profiles", "social_links", "bio_links", "products", "carousel_items", "profile_settings", "domains",
                  "item_details")
# The tables whose rows belong to one profile (profile_id), each row keyed by KEYS.
CHILD_TABLES = PROFILE_TABLES[1:]
# The lists a profile shows, in order_index order: the BioData's socialLinks, links,
# products and aiTools.
LIST_TABLES = ("social_links", "bio_links", "products", "carousel_items")
# Each table's primary key: a row's identity when comparing two databases.
KEYS = {"profiles": "id", **{table: "id" for table in LIST_TABLES}, "profile_settings": "profile_id",
        "domains": "hostname", "item_details": "item_id"}


def owner_column(table: str) -> str:
    """The column naming the profile a row of `table` belongs to."""
    return "id" if table == "profiles" else "profile_id"


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open the database at `path` with foreign keys on, WAL mode and a busy timeout."""
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                                   check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: cannot open the database: {error}") from None
    return conn


def table_names(conn: sqlite3.Connection) -> set[str]:
    """Names of the ordinary tables in the database."""
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# The change journal: triggers record which profile each write touched, with a
# sequence number, so a rebuild reads only the profiles changed since the last
# one, whatever program made the change (biogen, sqlite-utils, Datasette, a GUI).
# Finding them by scanning instead costs ~1 s at 100,000 profiles (2.4 M rows)
# against a 0.1 s budget for a one-profile rebuild. The journal lives only in the
# local database: biogen never sends biogen_* objects to D1.
JOURNAL_VERSION = "1"


def _journal_triggers() -> dict[str, str]:
    upsert = ("INSERT INTO biogen_journal (profile_id, seq) VALUES ({key}, "
              "(SELECT coalesce(max(seq), 0) + 1 FROM biogen_journal)) "
              "ON CONFLICT (profile_id) DO UPDATE SET seq = excluded.seq;")
    triggers = {}
    for table in PROFILE_TABLES:
        column = owner_column(table)
        keys = {"insert": ["NEW"], "update": ["OLD", "NEW"], "delete": ["OLD"]}
        for operation, rows in keys.items():
            name = f"biogen_journal_{table}_{operation}"
            body = " ".join(upsert.format(key=f"{row}.{column}") for row in rows)
            triggers[name] = f"CREATE TRIGGER {name} AFTER {operation.upper()} ON {table} BEGIN {body} END"
    return triggers


JOURNAL_TRIGGERS = _journal_triggers()


def journal_intact(conn: sqlite3.Connection) -> bool:
    """True when every journal trigger exists exactly as biogen writes it."""
    found = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'biogen_journal_%'"))
    return found == JOURNAL_TRIGGERS and "biogen_journal" in table_names(conn)


def install_journal(conn: sqlite3.Connection) -> bool:
    """Create the journal and its triggers where missing; True if anything was (re)made."""
    if journal_intact(conn):
        return False
    if not set(PROFILE_TABLES) <= table_names(conn):
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS biogen_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS biogen_journal (profile_id TEXT PRIMARY KEY, seq INTEGER NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS biogen_journal_seq ON biogen_journal (seq)")
        conn.execute("INSERT OR IGNORE INTO biogen_meta (key, value) VALUES ('database_id', ?)", (str(uuid.uuid4()),))
        # A trigger that was missing means writes went unrecorded: a new journal
        # epoch tells every output tree to rebuild everything once.
        conn.execute("INSERT INTO biogen_meta (key, value) VALUES ('journal_epoch', ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(uuid.uuid4()),))
        for name, sql in JOURNAL_TRIGGERS.items():
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def journal_position(conn: sqlite3.Connection) -> tuple[str, int]:
    """(epoch, highest sequence number): where the journal stands now."""
    epoch = conn.execute("SELECT value FROM biogen_meta WHERE key = 'journal_epoch'").fetchone()
    seq = conn.execute("SELECT coalesce(max(seq), 0) FROM biogen_journal").fetchone()[0]
    return (epoch[0] if epoch else ""), seq


def journal_since(conn: sqlite3.Connection, seq: int) -> list[str]:
    """Ids of the profiles written to after sequence number `seq`."""
    return [row[0] for row in conn.execute("SELECT profile_id FROM biogen_journal WHERE seq > ? ORDER BY profile_id", (seq,))]
