"""What the editor's forms do to the database: each action reads or writes in one
transaction (generator.data.store.transaction) and says what happened as a value the
page shows; a refused action writes nothing.

A profile's content hash is the one `biogen d1` and `api/version.json` use
(generator.data.content.profile_hashes: every column of its row and its children's),
so an edit made anywhere else (another tab, sqlite-utils, `biogen d1 pull`) changes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.data import store
from generator.data.content import profile_hashes
from generator.data.model import Profile
from generator.data.validate import profile_problems, username_problem
from generator.editor import forms
from generator.errors import Problem

# The list shows at most this many profiles; a search narrows it (a site may hold 100,000).
LIST_LIMIT = 200


def content_hash(conn: sqlite3.Connection, profile_id: str) -> str | None:
    """The profile's content hash now, or None when it no longer exists."""
    found = profile_hashes(conn, [profile_id], {}).get(profile_id)
    return found[1] if found else None


def as_shown(conn: sqlite3.Connection, username: str) -> tuple[Profile | None, str | None]:
    """The profile named `username` and its content hash, read in one snapshot of the
    database (None, None when there is none). A page's form carries the hash as what it
    shows; read apart (the connection autocommits: each of the ~10 queries sees the
    database as it is then), a write committed between them would give the form a hash
    newer than its values, and a save over that write would pass the hash check."""
    conn.execute("BEGIN")   # deferred: a read snapshot, no lock against writers (WAL)
    try:
        profile = store.find_profile(conn, username)
        return profile, (content_hash(conn, profile.id) if profile else None)
    finally:
        conn.execute("COMMIT")


@dataclass(frozen=True)
class Listed:
    username: str
    display_name: str


def search(conn: sqlite3.Connection, query: str) -> tuple[list[Listed], int]:
    """(profiles whose username or display name contains `query`, by username, at most
    LIST_LIMIT; how many match in all). Case-insensitive for ASCII letters, as SQLite's LIKE."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where = "WHERE username LIKE ?1 ESCAPE '\\' OR display_name LIKE ?1 ESCAPE '\\'" if query else ""
    params = (pattern,) if query else ()
    total = conn.execute(f"SELECT count(*) FROM profiles {where}", params).fetchone()[0]
    rows = conn.execute(f"SELECT username, coalesce(display_name, '') FROM profiles {where} ORDER BY username "
                        f"LIMIT {LIST_LIMIT}", params)
    return [Listed(str(username), str(name)) for username, name in rows], total


@dataclass
class Outcome:
    """What an action did: done, or refused with the problems to show by field
    ({form field: messages}) and those no field holds."""

    done: bool = False
    username: str = ""
    by_field: dict[str, list[str]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)
    not_found: bool = False
    conflict: list[forms.Change] | None = None   # what changed since the form was opened
    current: Profile | None = None               # the profile as it is now (a refused save, a conflict)
    current_hash: str | None = None


def create(conn: sqlite3.Connection, username: str, display_name: str) -> Outcome:
    """Add a profile with this username and display name (the build's rules first)."""
    draft = Profile(id="new", username=username, display_name=display_name, tagline=None, avatar_url=None,
                    cover_url=None, created_at=None, updated_at=None)
    with store.transaction(conn):
        outcome = _refusals(profile_problems(draft))
        if not username_problem(username) and store.find_profile(conn, username) is not None:
            outcome.by_field.setdefault("username", []).append(
                f"another profile is already named {username!r}; choose another username")
        if outcome.by_field or outcome.others:
            return outcome
        now = store.timestamp()
        store.insert_profile(conn, username, {"display_name": display_name, "tagline": None, "avatar_url": None,
                                              "cover_url": None}, {}, now)
    return Outcome(done=True, username=username)


def rename(conn: sqlite3.Connection, old: str, new: str) -> Outcome:
    """Give `old` the username `new` (store.rename_profile's rules and messages)."""
    if store.find_profile(conn, old) is None:
        return Outcome(not_found=True)
    try:
        store.rename_profile(conn, old, new)
    except store.ProfileError as error:
        return Outcome(by_field={"username": [str(error)]})
    return Outcome(done=True, username=new)


def delete(conn: sqlite3.Connection, username: str, opened_hash: str) -> Outcome:
    """Delete the profile and everything that goes with it, if it is still what the
    confirmation showed (else refuse, with the profile as it is now)."""
    with store.transaction(conn):
        profile = store.find_profile(conn, username)
        if profile is None:
            return Outcome(not_found=True)
        now_hash = content_hash(conn, profile.id)
        if now_hash != opened_hash:
            return Outcome(conflict=[], current=profile, current_hash=now_hash)
        store.delete_profile(conn, profile.id)
    return Outcome(done=True, username=username)


def save(conn: sqlite3.Connection, username: str, form: Mapping[str, str], content_dir: Path | None,
         refused: Mapping[str, list[str]] | None = None) -> Outcome:
    """Write the profile's own fields from `form`: refused when the database changed
    since the form was opened (its hash), when the build's rules fail a field, or when
    `refused` ({file field: messages}: uploads that failed their checks) is not empty;
    a refusal shows all of them at once."""
    refused = dict(refused or {})
    with store.transaction(conn):
        profile = store.find_profile(conn, username)
        if profile is None:
            return Outcome(not_found=True)
        now_hash = content_hash(conn, profile.id)
        values = forms.submitted_values(profile, form)
        unchanged = all(values[column] == getattr(profile, column) for column in forms.COLUMNS)
        if form.get(forms.HASH_FIELD) != now_hash:
            if unchanged and not refused:
                return Outcome(done=True, username=username)  # sent twice, or made equal elsewhere: nothing to do
            return Outcome(conflict=forms.changes_since(form, profile), current=profile, current_hash=now_hash,
                           by_field=refused)
        by_field, rest = forms.located_problems(forms.would_be(profile, values), content_dir)
        if by_field or refused:
            outcome = Outcome(current=profile, current_hash=now_hash,
                              by_field={column: [p.message for p in found] for column, found in by_field.items()}
                              | refused)
            outcome.others = [str(problem) for problem in rest]
            return outcome
        if not unchanged:
            store.update_profile(conn, profile.id, values, store.timestamp())
    return Outcome(done=True, username=username)


def _refusals(problems: list[Problem]) -> Outcome:
    outcome = Outcome()
    for problem in problems:
        if problem.table == "profiles" and problem.column in ("username", *forms.COLUMNS):
            outcome.by_field.setdefault(problem.column, []).append(problem.message)
        else:
            outcome.others.append(str(problem))
    return outcome
