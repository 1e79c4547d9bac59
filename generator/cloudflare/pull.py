"""`biogen d1 pull`: the local rows of every profile made equal to D1's, in one transaction.

Pull mirrors rows; it does not re-import content. The current site's admin panel
saves a profile by updating its row and re-inserting every child with a new UUID;
bringing that in through import's rules gave the local children ids of their own
and a local updated_at, so the next `verify` found the profile different and the
next push rewrote rows D1 already had (13 written and 12 deleted for one profile)
and changed their ids under the admin panel. Now, for every profile whose rows
differ:

- profiles only in D1 are created, and profiles in both take D1's row, with D1's
  ids, order_index, created_at, updated_at and every other column;
- their local children are deleted and D1's inserted in D1's rowid order (so ties
  in order_index keep D1's insertion order), which also removes children D1 no
  longer has; profiles only in the local database are removed, children first;
- the hashes D1 holds are recorded as pushed (`biogen_d1_pushed`), so the next push
  sees neither a conflict nor anything to send.

What differs is found as push finds it (d1push.differences: SQLite joins each table
with its twin in D1 on the primary key, ~0.25 s for 240,000 rows), and only those
profiles are read into Python and hashed; reading and hashing every row of both
sides took ~5 s at 10,000 profiles. Profiles whose rows are equal are not written,
so the change journal names only the pulled ones and the next build re-renders only
them. Before anything is written, the build's rules (data/validate.py, and every
child's profile_id naming a profile) run over D1's rows of the profiles to write; a
row that breaks them raises ValidationError naming table, row and column, and the
transaction writes nothing. Local-only tables (biogen_*) are left alone, except
biogen_d1_pushed and biogen_d1_pushing of this D1 database.

The local D1 is read from its SQLite file, in place and read-only, in the same read
transaction as the local database (no wrangler call); remote D1 with one `wrangler
d1 execute --json` (d1push.read_remote: one more call per 20,000 rows of the largest
table), before the local write lock is taken.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field

from generator.cloudflare.d1 import D1, D1Error, pushed_hashes, write_hashes
from generator.cloudflare.d1push import (attach_local_d1, attach_rows, clear_pushing, content_of, differences,
                                         open_pair, pushing_hashes, read_remote, settle)
from generator.data.content import Content, table_columns
from generator.data.content_hash import plain_row
from generator.data.db import CHILD_TABLES, KEYS, PROFILE_TABLES, owner_column
from generator.data.store import transaction
from generator.errors import DatabaseError, Problem, ValidationError

log = logging.getLogger(__name__)

# The start of a username no profile can hold (validate.username_problem allows no
# NUL and no space), followed by the profile's id, which is unique.
_PARKED = "\x00pulling "


@dataclass(frozen=True)
class ProfileChange:
    """What pull does to one profile: create, change or remove it."""

    action: str                                         # "create", "change" or "remove"
    profile_id: str
    username: str                                       # D1's username (the local one when removed)
    previous: str | None = None                         # the local username, when D1's differs
    columns: tuple[str, ...] = ()                       # columns of the profile's row that differ
    tables: tuple[tuple[str, int, int, int], ...] = ()  # (child table, rows removed, added, changed)
    written: int = 0                                    # rows written: the profile's own if it differs, children
    deleted: int = 0                                    # rows deleted: children D1 lacks; all of a removed profile's

    def describe(self, *, dry_run: bool) -> str:
        """`changed    ana  profiles: tagline, updated_at; social_links: 3 removed, 2 added`."""
        verb = {"create": "created", "change": "changed", "remove": "removed"}[self.action]
        parts = []
        if self.columns:
            parts.append(f"profiles: {', '.join(self.columns)}")
        for table, removed, added, changed in self.tables:
            counts = [f"{n} {word}" for n, word in ((removed, "removed"), (added, "added"), (changed, "changed")) if n]
            parts.append(f"{table}: {', '.join(counts)}")
        name = self.username if self.previous is None else f"{self.username} (was {self.previous})"
        return f"{self.action if dry_run else verb:<9}  {name}  {'; '.join(parts)}".rstrip()


@dataclass
class PullResult:
    """What a pull did (or, on a dry run, would do)."""

    changes: list[ProfileChange] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def lines(self) -> list[str]:
        return [change.describe(dry_run=self.dry_run) for change in self.changes]

    def summary(self) -> str:
        """`created 1, changed 1, removed 1, unchanged 4 profiles; 11 rows written, 9 deleted`."""
        count = {action: sum(c.action == action for c in self.changes) for action in ("create", "change", "remove")}
        written = sum(c.written for c in self.changes)
        deleted = sum(c.deleted for c in self.changes)
        total = len(self.changes) + self.unchanged
        profiles = f"profile{'s' if total != 1 else ''}"
        if self.dry_run:
            return (f"would create {count['create']}, change {count['change']}, remove {count['remove']} and leave "
                    f"{self.unchanged} unchanged {profiles}; would write {written} rows and delete {deleted} "
                    "(dry run: nothing was written)")
        return (f"created {count['create']}, changed {count['change']}, removed {count['remove']}, unchanged "
                f"{self.unchanged} {profiles}; {written} rows written, {deleted} deleted")


def pull(conn: sqlite3.Connection, d1: D1, *, dry_run: bool = False) -> PullResult:
    """Make the local rows of every profile equal D1's, in one transaction (nothing on a dry run)."""
    columns = table_columns(conn)
    # Remote D1 is read before the local write lock is taken: wrangler takes seconds.
    fetched = read_remote(d1, columns) if d1.remote else None
    if dry_run:
        return _pull(conn, d1, columns, fetched, dry_run=True)
    try:
        with transaction(conn):     # taken before reading: nobody writes between the read and the write
            return _pull(conn, d1, columns, fetched, dry_run=False)
    except sqlite3.Error as error:
        raise DatabaseError(f"the pull from {d1.describe()} failed in the local database ({error}); it was rolled "
                            "back and nothing was written") from None


def _pull(conn: sqlite3.Connection, d1: D1, columns: dict[str, list[str]],
          fetched: tuple[list[str], dict[str, list[tuple]]] | None, *, dry_run: bool) -> PullResult:
    """Compare, check, and (unless dry_run) write, inside the caller's transaction."""
    pushed = None if dry_run else pushed_hashes(conn, d1.target)
    pending = {} if dry_run else pushing_hashes(conn, d1.target)
    pair = open_pair(d1.config.database)
    try:
        _attach(pair, conn, d1, columns, fetched)
        pair.execute("BEGIN")       # one snapshot of both files for every read below
        ids = differences(pair, columns).touched | set(pending)
        if pushed is None and not dry_run:
            # Never pushed to or pulled from here: every profile's hash is recorded, so
            # those of the profiles not written must be known too (as on a first push).
            ids |= {row[0] for row in pair.execute("SELECT id FROM d1.profiles UNION SELECT id FROM here.profiles")}
        theirs, mine = content_of(pair, "d1", columns, ids), content_of(pair, "here", columns, ids)
        total = pair.execute("SELECT count(*) FROM d1.profiles").fetchone()[0]
    finally:
        pair.close()
    result = _plan(d1, theirs, mine, total, dry_run=dry_run)
    _check(conn, d1, theirs, {c.profile_id for c in result.changes if c.action != "remove"})
    if dry_run:
        return result
    _write(conn, theirs, [c.profile_id for c in result.changes if c.action != "remove"],
           [c.profile_id for c in result.changes if c.action == "remove"])
    # What D1 holds is now known, for every profile that differed or that a push left
    # pending (the others are equal on both sides): recorded as if biogen had pushed it.
    if pushed is None:
        write_hashes(conn, d1.target, theirs.hashes)
        clear_pushing(conn, d1.target)
    else:
        settle(conn, d1.target, {p: theirs.hashes.get(p) for p in ids})
    return result


def _attach(pair: sqlite3.Connection, conn: sqlite3.Connection, d1: D1, columns: dict[str, list[str]],
            fetched: tuple[list[str], dict[str, list[tuple]]] | None) -> None:
    """D1 attached to `pair` as `d1` (its file in place, or the rows read from remote D1);
    D1Error when D1 lacks a migration the local database has applied."""
    from generator.data.migrate import applied_names
    if fetched is None:
        attach_local_d1(pair, d1)
        has_table = pair.execute("SELECT 1 FROM d1.sqlite_master WHERE name = 'd1_migrations'").fetchone()
        migrations = [row[0] for row in pair.execute("SELECT name FROM d1.d1_migrations")] if has_table else []
    else:
        migrations, rows = fetched
        attach_rows(pair, rows, columns)
    lacking = [name for name in applied_names(conn) if name not in set(migrations)]
    if lacking:
        raise D1Error(f"{d1.describe()} lacks {', '.join(lacking)}, which the local database has applied: apply "
                      f"it first (`npx wrangler d1 migrations apply {d1.binding.binding} {d1.mode}`, or "
                      f"`biogen d1 push {d1.mode}`, which does), then pull")


# ---- what differs, and the build's rules -------------------------------------------------------

def _by_profile(content: Content, ids: set[str]) -> dict[str, dict[str, list[tuple]]]:
    """{profile id: {table: rows}} for `ids`, rows in the order `content` holds them (rowid order)."""
    grouped: dict[str, dict[str, list[tuple]]] = {p: {t: [] for t in PROFILE_TABLES} for p in ids}
    for table in PROFILE_TABLES:
        key = content.columns[table].index(owner_column(table))
        for row in content.rows[table]:
            if row[key] in grouped:
                grouped[row[key]][table].append(row)
    return grouped


def _plan(d1: D1, theirs: Content, mine: Content, total: int, *, dry_run: bool) -> PullResult:
    """What pull does to each profile of `mine` and `theirs` (D1's) whose rows differ."""
    columns = theirs.columns
    differ = {p for p, h in theirs.hashes.items() if mine.hashes.get(p) != h}
    gone = set(mine.hashes) - set(theirs.hashes)
    new_rows, old_rows = _by_profile(theirs, differ), _by_profile(mine, differ | gone)
    changes = []
    for profile_id in sorted(differ, key=lambda p: theirs.usernames[p]):
        changes.append(_change(columns, profile_id, new_rows[profile_id], old_rows[profile_id],
                               theirs.usernames[profile_id], mine.usernames.get(profile_id)))
    for profile_id in sorted(gone, key=lambda p: mine.usernames[p]):
        rows = sum(map(len, old_rows[profile_id].values()))
        changes.append(ProfileChange("remove", profile_id, mine.usernames[profile_id], deleted=rows))
    return PullResult(changes, total - len(differ), dry_run)


def _change(columns: dict[str, list[str]], profile_id: str, theirs: dict[str, list[tuple]],
            mine: dict[str, list[tuple]], username: str, previous: str | None) -> ProfileChange:
    if previous is None:
        children = sum(len(theirs[t]) for t in CHILD_TABLES)
        tables = tuple((t, 0, len(theirs[t]), 0) for t in CHILD_TABLES if theirs[t])
        return ProfileChange("create", profile_id, username, tables=tables, written=1 + children)
    new, old = plain_row(theirs["profiles"][0]), plain_row(mine["profiles"][0])
    differing = tuple(c for c, a, b in zip(columns["profiles"], new, old) if a != b)
    tables, written, deleted = [], int(bool(differing)), 0
    for table in CHILD_TABLES:
        key = columns[table].index(KEYS[table])
        now = {row[key]: plain_row(row) for row in theirs[table]}
        before = {row[key]: plain_row(row) for row in mine[table]}
        removed, added = len(before.keys() - now.keys()), len(now.keys() - before.keys())
        changed = sum(now[i] != before[i] for i in now.keys() & before.keys())
        if removed or added or changed:
            tables.append((table, removed, added, changed))
        written, deleted = written + added + changed, deleted + removed
    return ProfileChange("change", profile_id, username, previous if previous != username else None, differing,
                         tuple(tables), written, deleted)


def _check(conn: sqlite3.Connection, d1: D1, theirs: Content, written: set[str]) -> None:
    """ValidationError when D1's rows of the profiles `written` break the build's rules, or when
    D1 holds children whose profile_id names no profile (the Worker never shows them, and the
    next push would delete them: D1 would not hold what was pulled)."""
    from generator.data.model import load_profiles, tie_warnings
    from generator.data.validate import profile_problems
    problems = []
    for table in CHILD_TABLES:
        key, owner = theirs.columns[table].index(KEYS[table]), theirs.columns[table].index("profile_id")
        problems += [Problem(str(row[owner]), table, str(row[key]), "profile_id",
                             "names no profile in D1; delete the row in D1 or give it the id of a profile there")
                     for row in theirs.rows[table] if row[owner] not in theirs.usernames]
    # load_profiles() reads rows from SQLite: D1's rows of those profiles, in the local schema, in memory.
    scratch = sqlite3.connect(":memory:")
    try:
        for table in PROFILE_TABLES:
            scratch.execute(conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                         (table,)).fetchone()[0])
            names = theirs.columns[table]
            key = names.index(owner_column(table))
            scratch.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                                [row for row in theirs.rows[table] if row[key] in written])
        for profile in load_profiles(scratch):
            problems += profile_problems(profile, d1.config.content_dir)
            for warning in tie_warnings(profile):
                log.warning("profile %r in %s: %s", profile.username, d1.describe(), warning)
    finally:
        scratch.close()
    if problems:
        raise ValidationError(problems, heading=f"{d1.describe()} holds rows that break the build's rules; fix them "
                                                "there (or push the local rows with --force)")


# ---- writing ---------------------------------------------------------------------------------

def _write(conn: sqlite3.Connection, remote: Content, ids: list[str], gone: list[str]) -> None:
    """Make the local rows of the profiles `ids` equal D1's, and delete the profiles `gone`.

    Never `INSERT OR REPLACE`: its delete would cascade to the profile's children.
    Parents and children are upserted on their id, so a local row that holds an id D1
    gives to another profile's child (an orphan written with foreign keys off) is
    taken over rather than failing the transaction."""
    columns = remote.columns
    # Children first, explicitly (foreign keys may have been off when they were written).
    for table in CHILD_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE profile_id IN (SELECT value FROM json_each(?))",
                     (json.dumps(ids + gone),))
    conn.execute("DELETE FROM profiles WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(gone),))
    # A profile whose username moves parks it first: usernames swapped in D1 never meet
    # the UNIQUE constraint half-way.
    moving = [p for p, name in conn.execute("SELECT id, username FROM profiles WHERE id IN "
                                             "(SELECT value FROM json_each(?))", (json.dumps(ids),))
              if name != remote.usernames[p]]
    conn.executemany("UPDATE profiles SET username = ? WHERE id = ?", [(_PARKED + p, p) for p in moving])
    chosen = set(ids)
    for table in PROFILE_TABLES:
        names = columns[table]
        key, ident = names.index(owner_column(table)), KEYS[table]
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != ident)
        conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
                         f"ON CONFLICT({ident}) DO UPDATE SET {updates}",
                         [row for row in remote.rows[table] if row[key] in chosen])
