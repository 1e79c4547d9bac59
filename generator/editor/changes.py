"""What changed in a profile since a page was opened, in plain words, for a refused save.

Every form carries the content hash of the profile it was opened on; a save whose hash
is no longer the profile's is refused (409) and nothing is written. To say what changed,
a page that carries such a form remembers the profile it showed, keyed by that hash
(Snapshots, one per editor: the last SNAPSHOTS_KEPT, in memory only), and the refusal
compares the remembered profile with the profile now (between, a pure function).

The words are grouped by part: the profile's own fields, each of its four lists (a row
added, removed or renamed, a field of a row changed, the order changed), its settings,
the details and schedule of each link or product, and its hostnames. Values are user
text: the templates escape them; here they are shortened to SHORT characters on one line.

A hash the editor does not remember (it was restarted since the page was opened, or
opened SNAPSHOTS_KEPT other pages since) gives WhatChanged(known=False): the page says
so, and still offers to reload or to apply the form anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from generator.data.model import Profile
from generator.data.profile_settings import COLUMNS as SETTINGS_COLUMNS
from generator.editor import forms, item_forms, settings_forms
from generator.editor.item_forms import Kind

# A value longer than this many characters is cut, with "…" (a page's Markdown body
# runs to thousands; 80 keeps one line of the 390 px wide page to about two).
SHORT = 80
# An order shows at most this many names, then "and N more" (a list of 40 links stays readable).
NAMES_SHOWN = 10
# Snapshots kept: a few profiles' pages, each opened a few times in a session, fit many
# times over; a profile with its rows is a few kilobytes, so this stays around a megabyte.
SNAPSHOTS_KEPT = 256


@dataclass(frozen=True)
class Part:
    """The changes to one part of the profile (its fields, a list, its settings, ...)."""

    key: str                    # "profile", a list's slug, "settings", "details", "hostnames"
    heading: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class WhatChanged:
    """What a refused page says changed: known or not, and the parts that changed."""

    known: bool
    parts: tuple[Part, ...] = ()

    def without(self, key: str) -> WhatChanged:
        """The same, leaving out a part the page shows in its own way (the profile form's table)."""
        return WhatChanged(self.known, tuple(part for part in self.parts if part.key != key))


# -- values in words ------------------------------------------------------------------------

def shortened(text: str) -> str:
    """`text` on one line (runs of spaces and line breaks as one space), cut at SHORT characters with "…"."""
    flat = " ".join(text.split())
    return flat if len(flat) <= SHORT else flat[:SHORT - 1].rstrip() + "…"


def quoted(value: object, empty: str = "empty") -> str:
    """A stored value as the change lines show it: “text”, or `empty` for NULL and ""."""
    if value is None or value == "":
        return empty
    return f"“{shortened(str(value))}”"


def _from_to(label: str, before: str, after: str) -> str:
    """`Label: before → after`; a change that shortening hides is still named."""
    if before == after:
        return f"{label}: changed (after its first {SHORT} characters, or in its spaces or line breaks)"
    return f"{label}: {before} → {after}"


# -- the parts ------------------------------------------------------------------------------

def profile_changes(before: Profile, after: Profile) -> list[str]:
    """The profile's own fields (those of its form) that differ."""
    return [_from_to(field.label, quoted(getattr(before, field.column)), quoted(getattr(after, field.column)))
            for field in forms.PROFILE_FIELDS if getattr(before, field.column) != getattr(after, field.column)]


def _icon(value: object) -> str:
    return quoted(value, "automatic")


def list_changes(kind: Kind, before: Sequence, after: Sequence) -> list[str]:
    """Rows of one list added, removed or renamed, their fields changed, and the order changed
    (rows are matched by id, so a row renamed is not one removed and one added)."""
    old = {row.id: row for row in before}
    new = {row.id: row for row in after}
    lines = [f"Removed “{shortened(item_forms.title(kind, row))}”" for row in before if row.id not in new]
    lines += [f"Added “{shortened(item_forms.title(kind, row))}”" for row in after if row.id not in old]
    for row in after:
        was = old.get(row.id)
        if was is None:
            continue
        name = shortened(item_forms.title(kind, row))
        if getattr(was, kind.title_column) != getattr(row, kind.title_column):
            lines.append(f"Renamed “{shortened(item_forms.title(kind, was))}” to “{name}”")
        for field in kind.fields:
            if field.column != kind.title_column and getattr(was, field.column) != getattr(row, field.column):
                lines.append(_from_to(f"{field.label} of “{name}”", quoted(getattr(was, field.column)),
                                      quoted(getattr(row, field.column))))
        if kind.icon_picker and was.icon != row.icon:
            lines.append(_from_to(f"Icon of “{name}”", _icon(was.icon), _icon(row.icon)))
    kept_before = [row.id for row in before if row.id in new]
    kept_after = [row.id for row in after if row.id in old]
    if kept_before != kept_after:
        lines.append("Order changed: now " + _names([item_forms.title(kind, row) for row in after]))
    return lines


def _names(names: list[str]) -> str:
    shown = ", ".join(f"“{shortened(name)}”" for name in names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def _setting(column: str, value: object) -> str:
    if column in settings_forms.SWITCHES:
        return "hidden" if value == 0 else "shown"
    return quoted(value, "default")


def settings_changes(before: Profile, after: Profile) -> list[str]:
    """Each setting whose meaning changed: `Theme: default → “bold”` (NULL is the default;
    a section's switch NULL and 1 both mean shown)."""
    old = settings_forms.stored_settings(before.settings)
    new = settings_forms.stored_settings(after.settings)
    lines = []
    for column in SETTINGS_COLUMNS:
        was, now = _setting(column, old[column]), _setting(column, new[column])
        if old[column] != new[column] and was != now:
            lines.append(_from_to(settings_forms.SETTING_LABELS[column], was, now))
    return lines


def details_parts(before: Profile, after: Profile) -> list[Part]:
    """One part per link or product whose details or schedule changed; an item removed
    with its details is left to its list's part."""
    old, new = before.details(), after.details()
    labels = settings_forms.detail_labels()
    parts = []
    for kind_name, items in (("link", after.bio_links), ("product", after.products)):
        for item in items:
            was = settings_forms.stored_details(old.get(item.id))
            now = settings_forms.stored_details(new.get(item.id))
            lines = [_from_to(labels[column], quoted(was[column]), quoted(now[column]))
                     for column in settings_forms.DETAIL_COLUMNS if was[column] != now[column]]
            if lines:
                parts.append(Part("details", f"Details of the {kind_name} “{shortened(item.name or item.url)}”",
                                  tuple(lines)))
    return parts


def hostname_changes(before: Profile, after: Profile) -> list[str]:
    old = {row.hostname: row.kind for row in before.domains}
    new = {row.hostname: row.kind for row in after.domains}
    lines = [f"Removed “{shortened(name)}” ({kind})" for name, kind in old.items() if name not in new]
    lines += [f"Added “{shortened(name)}” ({kind})" for name, kind in new.items() if name not in old]
    lines += [_from_to(f"“{shortened(name)}”", old[name], kind) for name, kind in new.items()
              if name in old and old[name] != kind]
    return lines


def between(before: Profile, after: Profile) -> list[Part]:
    """What differs from `before` to `after` (the same profile at two moments), by part,
    in the order the editor's pages show them; [] when nothing shown by the editor differs
    (its update time alone, or order numbers rewritten without a change of order)."""
    parts = [Part("profile", "The profile", tuple(profile_changes(before, after)))]
    parts += [Part(kind.slug, kind.heading, tuple(list_changes(kind, item_forms.rows_of(before, kind),
                                                               item_forms.rows_of(after, kind))))
              for kind in item_forms.KINDS]
    parts.append(Part("settings", "Settings", tuple(settings_changes(before, after))))
    parts += details_parts(before, after)
    parts.append(Part("hostnames", "Hostnames", tuple(hostname_changes(before, after))))
    return [part for part in parts if part.changes]


# -- what pages were opened on ----------------------------------------------------------------

class Snapshots:
    """The profiles the editor's pages showed, by (profile id, content hash): the last
    `kept`, least recently shown dropped first. Shared by the server's threads."""

    def __init__(self, kept: int = SNAPSHOTS_KEPT):
        self._kept = kept
        self._profiles: OrderedDict[tuple[str, str], Profile] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, profile: Profile, content_hash: str) -> None:
        with self._lock:
            key = (profile.id, content_hash)
            self._profiles[key] = profile
            self._profiles.move_to_end(key)
            while len(self._profiles) > self._kept:
                self._profiles.popitem(last=False)

    def recall(self, profile_id: str, content_hash: str) -> Profile | None:
        with self._lock:
            return self._profiles.get((profile_id, content_hash))

    def what_changed(self, opened_hash: str | None, now: Profile) -> WhatChanged:
        """What changed in `now` since a page showed it with `opened_hash`, if remembered."""
        opened = self.recall(now.id, opened_hash) if opened_hash else None
        return WhatChanged(False) if opened is None else WhatChanged(True, tuple(between(opened, now)))

