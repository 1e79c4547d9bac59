"""What the forms of a profile's lists do to the database: add, save, move and remove a
row of social links, links, products or tools, and give a list a whole new order (a drag
and drop). Each is one transaction that first checks
the profile's content hash is the one its form was opened on (else nothing is written
and the answer says the profile changed), then applies the build's rules to the profile
as it would be (a problem on the row's fields refuses it), then writes the row and the
profile's updated_at (its sitemap lastmod), as `biogen import` does.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.data import store
from generator.data.model import Profile
from generator.editor import item_forms
from generator.editor.actions import as_shown, content_hash
from generator.editor.forms import HASH_FIELD
from generator.editor.item_forms import Kind


@dataclass
class ItemOutcome:
    """What an action on a list did: done, or why not (the profile or the row is gone, the
    profile changed since the form was opened, problems by field and elsewhere)."""

    done: bool = False
    notice_query: str = ""          # the profile page's query and fragment that say what was done
    profile_gone: bool = False
    item_gone: bool = False
    changed: bool = False           # the content hash is not the one the form was opened on
    opened_hash: str | None = None  # ... the one it was opened on (changed)
    by_field: dict[str, list[str]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)
    current: Profile | None = None  # the profile as it is now (refused actions)
    current_hash: str | None = None


def _opened(conn: sqlite3.Connection, username: str, form: Mapping[str, str]) -> tuple[Profile | None, str | None,
                                                                                          ItemOutcome | None]:
    """(the profile, its hash now, None) when it exists and is as the form was opened on;
    else an outcome saying why not."""
    profile = store.find_profile(conn, username)
    if profile is None:
        return None, None, ItemOutcome(profile_gone=True)
    now_hash = content_hash(conn, profile.id)
    if form.get(HASH_FIELD) != now_hash:
        return profile, now_hash, ItemOutcome(changed=True, current=profile, current_hash=now_hash,
                                              opened_hash=form.get(HASH_FIELD))
    return profile, now_hash, None


def _checked(profile: Profile, draft: Profile, now_hash: str | None, kind: Kind, item_id: str, stored,
             form: Mapping[str, str], content_dir: Path | None,
             refused: Mapping[str, list[str]]) -> ItemOutcome | None:
    """A refusal when the row `item_id` of the would-be profile `draft` breaks the build's
    rules (or its icon is none of the picker's), or when a file was refused; else None."""
    by_field, rest = item_forms.located_problems(draft, kind, item_id, content_dir)
    if kind.icon_picker:
        problem = item_forms.icon_problem(None if stored is None else stored.icon, form.get(item_forms.ICON_FIELD, ""))
        if problem:
            by_field.setdefault(item_forms.ICON_FIELD, []).append(problem)
    if not by_field and not refused:
        return None
    return ItemOutcome(by_field=by_field | dict(refused), others=rest, current=profile, current_hash=now_hash)


def _with_refused(refusal: ItemOutcome, refused: Mapping[str, list[str]]) -> ItemOutcome:
    """A refusal for a change made elsewhere that also shows the files refused at their fields."""
    refusal.by_field = refusal.by_field | dict(refused)
    return refusal


def add(conn: sqlite3.Connection, username: str, kind: Kind, form: Mapping[str, str],
        content_dir: Path | None, refused: Mapping[str, list[str]] | None = None) -> ItemOutcome:
    """Append a row to the list `kind` of the profile, from `form`. Refused, writing
    nothing, when `refused` ({file field: messages}: uploads that failed their checks)
    is not empty; a refusal shows those and the build's problems at once."""
    refused = refused or {}
    with store.transaction(conn):
        profile, now_hash, refusal = _opened(conn, username, form)
        if refusal:
            return _with_refused(refusal, refused)
        item_id = store.new_id()
        draft = item_forms.would_be(profile, kind, item_id, item_forms.submitted(kind, None, form))
        refusal = _checked(profile, draft, now_hash, kind, item_id, None, form, content_dir, refused)
        if refusal:
            return refusal
        added = item_forms.find_row(draft, kind, item_id)
        store.insert_item(conn, kind.table, item_id, profile.id, added._asdict(), added.order_index)
        store.touch_profile(conn, profile.id, store.timestamp())
    return ItemOutcome(done=True, notice_query=item_forms.notice_query("added", kind, item_forms.title(kind, added),
                                                                        item_id))


def save(conn: sqlite3.Connection, username: str, kind: Kind, item_id: str, form: Mapping[str, str],
         content_dir: Path | None, refused: Mapping[str, list[str]] | None = None) -> ItemOutcome:
    """Write the row `item_id` of the list `kind` from `form`. A form sent again, or one
    whose values are already stored, writes nothing and is done; unless `refused` (as
    for `add`) is not empty: then it is refused, whatever else the form holds."""
    refused = refused or {}
    with store.transaction(conn):
        profile, now_hash, refusal = _opened(conn, username, form)
        if profile is None:
            return refusal
        stored = item_forms.find_row(profile, kind, item_id)
        if stored is None:
            return ItemOutcome(item_gone=True, current=profile)
        values = item_forms.submitted(kind, stored, form)
        saved = item_forms.notice_query("saved", kind, item_forms.title(kind, stored._replace(**values)), item_id)
        unchanged = all(getattr(stored, column) == value for column, value in values.items())
        if unchanged and not refused:
            return ItemOutcome(done=True, notice_query=saved)  # sent twice, or made equal elsewhere
        if refusal:
            return _with_refused(refusal, refused)
        draft = item_forms.would_be(profile, kind, item_id, values)
        refusal = _checked(profile, draft, now_hash, kind, item_id, stored, form, content_dir, refused)
        if refusal:
            return refusal
        store.update_item(conn, kind.table, item_id, values)
        store.touch_profile(conn, profile.id, store.timestamp())
    return ItemOutcome(done=True, notice_query=saved)


def move(conn: sqlite3.Connection, username: str, kind: Kind, item_id: str, direction: str,
         form: Mapping[str, str]) -> ItemOutcome:
    """Move the row one place up or down; the list's order_index becomes 0..n-1. The first
    row moved up (the last down) stays where it is, and nothing is written."""
    with store.transaction(conn):
        profile, _, refusal = _opened(conn, username, form)
        if refusal:
            return refusal
        row = item_forms.find_row(profile, kind, item_id)
        if row is None:
            return ItemOutcome(item_gone=True, current=profile)
        name = item_forms.title(kind, row)
        order = item_forms.moved_order(item_forms.rows_of(profile, kind), item_id, direction)
        if order is None:
            at_end = "first" if direction == "up" else "last"
            return ItemOutcome(done=True, notice_query=item_forms.notice_query(at_end, kind, name, item_id))
        store.reorder_items(conn, kind.table, order)
        store.touch_profile(conn, profile.id, store.timestamp())
    return ItemOutcome(done=True, notice_query=item_forms.notice_query(direction, kind, name, item_id))


def reorder(conn: sqlite3.Connection, username: str, kind: Kind, ids: list[str], moved: str,
            form: Mapping[str, str]) -> ItemOutcome:
    """Give the list `kind` the order `ids` (each of its rows' ids exactly once, else
    refused with `others` saying why): its order_index becomes 0..n-1. `moved` names the
    row that was dragged, for the notice ("" or an id not in the list: the list's notice).
    An order equal to the stored one writes nothing and is done."""
    with store.transaction(conn):
        profile, _, refusal = _opened(conn, username, form)
        if refusal:
            return refusal
        rows = item_forms.rows_of(profile, kind)
        current = [row.id for row in rows]
        problem = item_forms.order_problem(kind, current, ids)
        if problem:
            return ItemOutcome(others=[problem], current=profile)
        unchanged = ids == current
        if not unchanged:
            store.reorder_items(conn, kind.table, ids)
            store.touch_profile(conn, profile.id, store.timestamp())
    row = item_forms.find_row(profile, kind, moved) if moved else None
    if row is None:
        return ItemOutcome(done=True, notice_query=item_forms.notice_query("reordered", kind, kind.heading))
    place = (ids.index(moved) + 1, len(ids))
    return ItemOutcome(done=True, notice_query=item_forms.notice_query("kept" if unchanged else "placed", kind,
                                                                        item_forms.title(kind, row), moved,
                                                                        place=place))


def remove(conn: sqlite3.Connection, username: str, kind: Kind, item_id: str, form: Mapping[str, str]) -> ItemOutcome:
    """Delete the row and its details (item_details)."""
    with store.transaction(conn):
        profile, _, refusal = _opened(conn, username, form)
        if refusal:
            return refusal
        row = item_forms.find_row(profile, kind, item_id)
        if row is None:
            return ItemOutcome(item_gone=True, current=profile)
        had_details = item_id in profile.details()
        store.delete_item(conn, kind.table, item_id)
        store.touch_profile(conn, profile.id, store.timestamp())
    return ItemOutcome(done=True, notice_query=item_forms.notice_query("removed", kind, item_forms.title(kind, row),
                                                                        details=had_details))


def look(conn: sqlite3.Connection, username: str) -> tuple[Profile | None, str | None]:
    """The profile and its content hash now, in one snapshot (None, None when there is none)."""
    return as_shown(conn, username)
