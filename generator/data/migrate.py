"""migrations/*.sql, applied in wrangler's order and tracked in wrangler's table.

biogen and `wrangler d1 migrations apply` read the same folder and the same
`d1_migrations` table, so each agrees with the other about what is applied.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from generator.data import db
from generator.errors import DatabaseError, MigrationError

log = logging.getLogger(__name__)

# Exactly the statement wrangler 4.x runs (workers-sdk, d1/migrations/helpers.ts),
# so a table made by either tool is the same table.
TRACKING_TABLE_SQL = """CREATE TABLE IF NOT EXISTS d1_migrations(
\t\tid         INTEGER PRIMARY KEY AUTOINCREMENT,
\t\tname       TEXT UNIQUE,
\t\tapplied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);"""

_NUMBERED = re.compile(r"^(\d+)_.*\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    number: int
    name: str
    path: Path


def discover(folder: Path) -> list[Migration]:
    """The migration files of `folder`, ordered by the number before the first `_`."""
    migrations = []
    for path in folder.glob("*.sql"):
        match = _NUMBERED.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named NNNN_description.sql (like 0006_add_theme.sql)")
        migrations.append(Migration(int(match.group(1)), path.name, path))
    migrations.sort(key=lambda m: (m.number, m.name))
    for before, after in zip(migrations, migrations[1:]):
        if before.number == after.number:
            raise MigrationError(f"{before.path} and {after.name} share the number {before.number}; renumber the newer one")
    return migrations


def applied_names(conn: sqlite3.Connection) -> list[str]:
    """Names recorded in d1_migrations, in the order they were applied."""
    if "d1_migrations" not in db.table_names(conn):
        return []
    return [row[0] for row in conn.execute("SELECT name FROM d1_migrations ORDER BY id")]


def pending(conn: sqlite3.Connection, folder: Path) -> list[Migration]:
    """The migrations of `folder` that the database has not applied yet."""
    done = set(applied_names(conn))
    return [m for m in discover(folder) if m.name not in done]


def apply_pending(conn: sqlite3.Connection, folder: Path) -> list[Migration]:
    """Apply each pending migration with its tracking row in one transaction."""
    conn.execute(TRACKING_TABLE_SQL)
    applied = []
    for migration in pending(conn, folder):
        _apply_one(conn, migration)
        log.info("applied %s", migration.name)
        applied.append(migration)
    db.install_journal(conn)
    return applied


def split_statements(sql: str) -> list[str]:
    """The complete SQL statements of a script (a trigger's BEGIN ... END stays whole)."""
    statements, buffer = [], ""
    # Every `;` may end a statement (two can share a line); complete_statement()
    # knows when one really does (not inside a string, a comment or a trigger body).
    for piece in re.split(r"(?<=;)", sql):
        buffer += piece
        if sqlite3.complete_statement(buffer):
            if _strip_comments(buffer).strip(" \t\r\n;"):
                statements.append(buffer.strip())
            buffer = ""
    if _strip_comments(buffer).strip(" \t\r\n;"):
        statements.append(buffer.strip())
    return statements


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql, flags=re.S)


_TRANSACTION = re.compile(r"^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> None:
    sql = migration.path.read_text(encoding="utf-8")
    for statement in split_statements(sql):
        if _TRANSACTION.match(_strip_comments(statement)):
            raise MigrationError(f"{migration.path}: {statement.split()[0]} is not allowed in a migration: each file "
                                 "already runs in its own transaction, and D1 refuses transaction statements. "
                                 "Remove it; the database is unchanged")
    # executescript() commits any open transaction before it starts, so the
    # transaction is opened inside the script itself; on an error it is still open
    # and is rolled back here, leaving the database exactly as it was.
    try:
        conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n;")
        if not conn.in_transaction:
            raise sqlite3.OperationalError("the file ended the transaction itself")
        conn.execute("INSERT INTO d1_migrations (name) VALUES (?)", (migration.name,))
        conn.execute("COMMIT")
    except sqlite3.Error as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(f"{migration.path}: {error}; the migration was rolled back and the database is unchanged. "
                             "Fix the file (or add a new numbered one) and run `biogen migrate` again") from None


def create_database(path: Path, folder: Path) -> list[Migration]:
    """Create a new database at `path` from every migration in `folder`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = db.connect(path)
    try:
        return apply_pending(conn, folder)
    except BaseException:
        conn.close()
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    finally:
        conn.close()


def open_migrated(path: Path, folder: Path) -> sqlite3.Connection:
    """Open the site database, creating it if missing; refuse one with pending migrations."""
    if not path.exists():
        log.warning("notice: %s did not exist; created it from %d migrations in %s",
                    path, len(discover(folder)), folder)
        create_database(path, folder)
    conn = db.connect(path)
    waiting = pending(conn, folder)
    if waiting:
        conn.close()
        names = ", ".join(m.name for m in waiting)
        raise DatabaseError(f"{path} has {len(waiting)} pending migration(s): {names}. "
                            "Run `biogen migrate` to apply them (see `biogen migrate --list`)")
    db.install_journal(conn)
    return conn
