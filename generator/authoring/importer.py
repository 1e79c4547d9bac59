"""`biogen import`: compare incoming profiles with the stored ones and write them in one
transaction (documents.py reads and checks the files)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass

from generator.authoring import domains as site_domains
from generator.authoring.documents import CHILD_FIELDS, CHILD_NOUNS, PROFILE_FIELDS, Incoming
from generator.data import store
from generator.data.biodata import to_biodata
from generator.data.model import CHILDREN, Profile, load_profiles
from generator.data.profile_settings import is_default
from generator.errors import DatabaseError, ValidationError


@dataclass(frozen=True)
class Change:
    """What importing one profile does: create, change or leave it."""

    action: str  # "create", "change" or "unchanged"
    incoming: Incoming
    existing: Profile | None
    fields: tuple[str, ...] = ()  # the profile's own BioData keys that change, and settings/seo
    tables: tuple[tuple[str, int, int], ...] = ()  # (child table, rows removed, rows added)

    def describe(self) -> str:
        """One line for the report: `change  ana  name, tagline; links: 1 removed, 2 added`."""
        parts = []
        if self.action == "create":
            parts.append(", ".join(counted({t: len(rows) for t, rows in self.incoming.children.items()})))
            if not is_default(self.incoming.settings):
                parts.append("settings")
            if self.incoming.domains:
                parts.append(f"{len(self.incoming.domains)} hostname{'s' if len(self.incoming.domains) != 1 else ''}")
        elif self.action == "change":
            if self.fields:
                parts.append(", ".join(self.fields))
            parts += [f"{CHILD_NOUNS[t]}s: {removed} removed, {added} added" for t, removed, added in self.tables]
        return f"{self.action:<9}  {self.incoming.username}  {'; '.join(parts)}".rstrip()


def counted(counts: dict[str, int]) -> list[str]:
    """`["2 social links", "1 link", ...]` for {child table: count}."""
    return [f"{n} {CHILD_NOUNS[table]}{'s' if n != 1 else ''}" for table, n in counts.items()]


def plan_import(conn: sqlite3.Connection, incoming: list[Incoming]) -> list[Change]:
    """Compare each incoming profile's BioData with the stored one's."""
    existing = {}
    for start in range(0, len(incoming), store.EXPORT_CHUNK):
        names = [entry.username for entry in incoming[start:start + store.EXPORT_CHUNK]]
        ids = [row[0] for row in conn.execute(
            "SELECT id FROM profiles WHERE username IN (SELECT value FROM json_each(?))", (json.dumps(names),))]
        existing.update({p.username: p for p in load_profiles(conn, ids=ids)})
    hostnames = {entry.username: entry.domains for entry in incoming if entry.domains is not None}
    problems = site_domains.hostname_conflicts(conn, hostnames)
    if problems:
        raise ValidationError(problems, heading="the file's hostnames clash with the database")
    return [_compare(entry, existing.get(entry.username)) for entry in incoming]


def _compare(entry: Incoming, current: Profile | None) -> Change:
    if current is None:
        return Change("create", entry, None)
    new, old = to_biodata(entry.as_profile()), to_biodata(current)
    fields = tuple(f.key for f in PROFILE_FIELDS if new["profile"][f.key] != old["profile"][f.key])
    # A document without settings means every setting at its default, as it exports.
    fields += tuple(key for key in SETTINGS_KEYS if new.get(key) != old.get(key))
    # An export's hostnames (none: the file leaves them alone).
    if entry.domains is not None and entry.domains != tuple(sorted((d.hostname, d.kind) for d in current.domains)):
        fields += ("domains",)
    tables = []
    for table, _ in CHILDREN:
        key = CHILD_FIELDS[table][0]
        new_rows, old_rows = _section(new, key), _section(old, key)
        if new_rows != old_rows:
            removed, added = Counter(old_rows) - Counter(new_rows), Counter(new_rows) - Counter(old_rows)
            tables.append((table, sum(removed.values()), sum(added.values())))
    if fields or tables:
        return Change("change", entry, current, fields, tuple(tables))
    return Change("unchanged", entry, current)


SETTINGS_KEYS = ("settings", "seo")


def _section(document: dict, key: str) -> list[str]:
    rows = document["profile"][key] if key == "socialLinks" else document[key]
    # As JSON text: an item's detailContent is an object, which a Counter cannot count.
    return [json.dumps({k: v for k, v in row.items() if k != "id"}, ensure_ascii=False) for row in rows]


def import_profiles(conn: sqlite3.Connection, incoming: list[Incoming], *, dry_run: bool = False) -> list[Change]:
    """Plan and (unless dry_run) write every profile in one transaction: all of it or nothing."""
    try:
        if dry_run:
            return plan_import(conn, incoming)
        with store.transaction(conn):
            plan = plan_import(conn, incoming)
            _apply(conn, plan, store.timestamp())
        return plan
    except sqlite3.Error as error:
        raise DatabaseError(f"the import failed in the database ({error}); it was rolled back and nothing "
                            "was written") from None


def _apply(conn: sqlite3.Connection, plan: list[Change], now: str) -> None:
    hostnames = {}  # profile id -> its hostnames, written last: one may move between two imported profiles
    for change in plan:
        entry = change.incoming
        if change.action == "create":
            profile_id = store.insert_profile(conn, entry.username, entry.content, entry.children, now, entry.details)
            if not is_default(entry.settings):
                store.write_settings(conn, profile_id, entry.settings)
            if entry.domains:
                hostnames[profile_id] = entry.domains
        elif change.action == "change":
            store.update_profile(conn, change.existing.id, entry.content, now)
            if any(key in change.fields for key in SETTINGS_KEYS):
                store.write_settings(conn, change.existing.id, entry.settings)
            for table, _, _ in change.tables:
                store.replace_children(conn, change.existing.id, table, entry.children[table],
                                       entry.details.get(table))
            if "domains" in change.fields:
                hostnames[change.existing.id] = entry.domains
    for profile_id in hostnames:
        conn.execute("DELETE FROM domains WHERE profile_id = ?", (profile_id,))
    for profile_id, rows in hostnames.items():
        site_domains.insert_hostnames(conn, profile_id, rows)


def summary(plan: list[Change], *, dry_run: bool) -> str:
    """`created 1, changed 2, unchanged 3 profiles` (or what a dry run would do)."""
    counts = Counter(change.action for change in plan)
    removed = sum(r for change in plan for _, r, _ in change.tables)
    words = ("would create", "change", "leave unchanged") if dry_run else ("created", "changed", "unchanged")
    text = (f"{words[0]} {counts['create']}, {words[1]} {counts['change']}, {words[2]} {counts['unchanged']} "
            f"profile{'s' if len(plan) != 1 else ''}")
    if removed:
        text += f"; {removed} child row{'s' if removed != 1 else ''} {'would be ' if dry_run else ''}removed"
    return text + (" (dry run: nothing was written)" if dry_run else "")
