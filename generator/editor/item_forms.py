"""The forms of a profile's four lists (social links, links, products, tools) as pure
functions: each kind's fields, the row a submitted form makes, the would-be profile and
the build's rules located on the form's fields, the order after a move (or a whole new
order, as a drag and drop sends it), the icon picker's choices, and the notices shown
after a change.

A list's order is its rows' order_index (generator.data.model: NULL first, then
ascending, ties in rowid order); a move rewrites it as 0..n-1 for that list.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, urlencode

from generator.build import icons
from generator.data.item_details import has_page
from generator.data.model import CHILDREN, ItemDetails, Profile
from generator.data.store import CHILD_COLUMNS
from generator.data.validate import profile_problems
from generator.editor.forms import Field, as_submitted
from generator.editor.security import EDIT_PREFIX

_IMAGE_HINT = "https://… or the path of a file under content/, such as images/shop.jpg."
_URL_HINT = "https://…, or mailto:… or tel:…"


@dataclasses.dataclass(frozen=True)
class Kind:
    """One of a profile's lists as the editor shows it."""

    slug: str            # in the editor's addresses: /_edit/p/<username>/<slug>/<item id>
    table: str
    heading: str
    one: str             # "link": "Added the link “Blog”."
    title_column: str    # the column that names a row in the list and in buttons
    fields: tuple[Field, ...]   # the text fields, in the form's order
    has_details: bool    # a row may have a details page and schedule (item_details)
    icon_picker: bool = False

    @property
    def adds_on_own_page(self) -> bool:
        """Its Add form is a page of its own (GET on the list's address), linked from the
        profile's page, rather than inline there. The icon picker's 113 choices are ~25 KB of
        markup; inline, they made the profile's page (shown after every save) 72 KB, and the
        save-to-page-shown median at 1,000 profiles 300-330 ms against a 300 ms target."""
        return self.icon_picker

    @property
    def upload_columns(self) -> tuple[str, ...]:
        """The image columns whose field has a file picker beside it (generator.editor.file_forms)."""
        return tuple(field.column for field in self.fields if field.upload)

    @property
    def columns(self) -> tuple[str, ...]:
        """The row's own columns (besides id, profile_id and order_index), in the table's order."""
        return CHILD_COLUMNS[self.table]


KINDS = (
    Kind("social-links", "social_links", "Social links", "social link", "platform", (
        Field("platform", "Platform", "Its name, read out by screen readers: GitHub, Email, Website…", required=True),
        Field("url", "Address", _URL_HINT, required=True, url=True)), has_details=False, icon_picker=True),
    Kind("links", "bio_links", "Links", "link", "name", (
        Field("name", "Name", "The button's text.", required=True),
        Field("url", "Address", _URL_HINT, required=True, url=True),
        Field("description", "Description", "A line under the name; inline Markdown (*emphasis*, `code`).",
              multiline=True),
        Field("background_image", "Background image", _IMAGE_HINT, url=True,
              upload="Or upload a background image")), has_details=True),
    Kind("products", "products", "Products", "product", "name", (
        Field("name", "Name", "The product's name.", required=True),
        Field("price", "Price", "As it is shown, such as $29 or 120.000 ₫.", required=True),
        Field("url", "Address", "Where it is sold: https://…", required=True, url=True),
        Field("image_url", "Image", _IMAGE_HINT, url=True, upload="Or upload an image")), has_details=True),
    Kind("tools", "carousel_items", "Tools", "tool", "name", (
        Field("name", "Name", "The tool's name.", required=True),
        Field("url", "Address", "https://…", required=True, url=True),
        Field("logo_url", "Logo", _IMAGE_HINT, url=True, upload="Or upload a logo")), has_details=False),
)
_BY_SLUG = {kind.slug: kind for kind in KINDS}
_ROW_TYPES = dict(CHILDREN)
ICON_FIELD = "icon"
DIRECTIONS = ("up", "down")


def kind_of(slug: str) -> Kind | None:
    return _BY_SLUG.get(slug)


# -- addresses ----------------------------------------------------------------------------

def order_path(username: str, kind: Kind) -> str:
    """Where a whole new order of a list is posted. Not under the list's own address:
    `<list>/order` would be the address of a row whose id is "order" (ids are any text)."""
    return f"{profile_page(username)}/order/{kind.slug}"


def item_path(username: str, kind: Kind, item_id: str | None = None, action: str = "") -> str:
    """The editor's address of a list (where an added row is posted), of one of its rows,
    and of an action on that row (move, remove)."""
    path = f"{profile_page(username)}/{kind.slug}"
    if item_id is not None:
        path += "/" + quote(item_id, safe="")
    return path + (f"/{action}" if action else "")


def profile_page(username: str) -> str:
    return f"{EDIT_PREFIX}p/{quote(username, safe='')}"


def details_path(username: str, item_id: str) -> str:
    """The page of a link's or product's details and schedule."""
    return f"{profile_page(username)}/details/{quote(item_id, safe='')}"


def anchor(kind: Kind, item_id: str | None = None) -> str:
    """The id of a list's section on the profile's page, or of one row in it (ids are
    unique per table only, so the kind is part of it)."""
    return f"item-{kind.slug}-{item_id}" if item_id is not None else kind.slug


# -- rows -----------------------------------------------------------------------------------

def rows_of(profile: Profile, kind: Kind) -> tuple:
    return getattr(profile, kind.table)


def find_row(profile: Profile, kind: Kind, item_id: str):
    return next((row for row in rows_of(profile, kind) if row.id == item_id), None)


def title(kind: Kind, row) -> str:
    """What names a row: its name (a social link's platform), else its address."""
    value = getattr(row, kind.title_column)
    text = value.strip() if isinstance(value, str) else ""
    return text or (row.url if isinstance(row.url, str) and row.url else "(unnamed)")


def shown_values(kind: Kind, row) -> dict[str, str]:
    """{column: the text its field holds} of a stored row (None for a new one: all empty)."""
    return {column: "" if row is None or getattr(row, column) is None else str(getattr(row, column))
            for column in kind.columns}


def submitted(kind: Kind, stored, form: Mapping[str, str]) -> dict[str, object]:
    """{column: value to store} from `form`, for the row `stored` (None: a new row). A text
    field the browser only changed in its line breaks, and an icon chosen as it is stored
    under another spelling ("Mail" is the icon mail), keep the stored value."""
    values: dict[str, object] = {}
    for field in kind.fields:
        old = None if stored is None else getattr(stored, field.column)
        values[field.column] = as_submitted(field, old, form.get(field.column, ""))
    if kind.icon_picker:
        values[ICON_FIELD] = chosen_icon(None if stored is None else stored.icon, form.get(ICON_FIELD, ""))
    return values


def would_be(profile: Profile, kind: Kind, item_id: str, values: Mapping[str, object]) -> Profile:
    """The profile with the row `item_id` of `kind` holding `values` (appended when new)."""
    rows = list(rows_of(profile, kind))
    for index, row in enumerate(rows):
        if row.id == item_id:
            rows[index] = row._replace(**values)
            break
    else:
        last = max((row.order_index for row in rows if row.order_index is not None), default=-1)
        rows.append(_ROW_TYPES[kind.table](id=item_id, profile_id=profile.id, order_index=last + 1, **values))
    return dataclasses.replace(profile, **{kind.table: tuple(rows)})


def located_problems(profile: Profile, kind: Kind, item_id: str,
                     content_dir: Path | None) -> tuple[dict[str, list[str]], list[str]]:
    """The build's problems with `profile`: ({column of the row's form: messages}, the rest as check says them)."""
    by_field: dict[str, list[str]] = {}
    rest = []
    columns = set(kind.columns)
    for problem in profile_problems(profile, content_dir):
        if problem.table == kind.table and problem.row_id == item_id and problem.column in columns:
            by_field.setdefault(problem.column, []).append(problem.message)
        else:
            rest.append(str(problem))
    return by_field, rest


def moved_order(rows: tuple, item_id: str, direction: str) -> list[str] | None:
    """The rows' ids after moving `item_id` one place up or down; None when it is already
    first (up) or last (down), or not there."""
    ids = [row.id for row in rows]
    if item_id not in ids or direction not in DIRECTIONS:
        return None
    at = ids.index(item_id)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(ids):
        return None
    ids[at], ids[to] = ids[to], ids[at]
    return ids


# A refused order names at most this many ids of each side, so a forged post of 10,000
# ids gets a message of a few lines, not a page.
_NAMED_IDS = 10


def order_problem(kind: Kind, current: list[str], given: list[str]) -> str | None:
    """Why `given` is not a new order of the list whose rows are `current` (each of its
    ids exactly once, nothing else), or None."""
    if sorted(given) == sorted(current):
        return None
    missing = [item_id for item_id in current if item_id not in given]
    unknown = [item_id for item_id in dict.fromkeys(given) if item_id not in current]
    twice = [item_id for item_id in dict.fromkeys(given) if given.count(item_id) > 1]
    parts = [f"{label} {_named(ids)}" for label, ids in
             (("leaves out", missing), ("names rows it does not hold:", unknown), ("names twice", twice)) if ids]
    return (f"the new order of {kind.heading.lower()} must name each of its {len(current)} rows once; "
            f"it {'; '.join(parts) or 'differs'}; reload the page and try again")


def _named(ids: list[str]) -> str:
    shown = ", ".join(repr(item_id) for item_id in ids[:_NAMED_IDS])
    return shown + (f" and {len(ids) - _NAMED_IDS} more" if len(ids) > _NAMED_IDS else "")


def details_parts(row: ItemDetails | None, username: str) -> list[str]:
    """What a row of item_details holds, in words: ["its page /ana/course", "its schedule", ...]."""
    if row is None:
        return []
    parts = []
    if has_page(row):
        parts.append(f"its details page /{username}/{row.slug}" if row.slug else "its details page")
    if row.description or row.badge or row.group_name:
        parts.append("its description, badge and group")
    if row.starts_at or row.ends_at:
        parts.append("its schedule")
    return parts or ["its (empty) details row"]


# -- the icon picker ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class IconChoice:
    key: str
    name: str   # its label, with its key where two share one ("Website (globe)")


ICON_SPRITE_PATH = f"{EDIT_PREFIX}static/icons.svg"


@functools.cache
def icon_choices() -> tuple[IconChoice, ...]:
    """Every icon of the build's set, by name (then key: "Website" is both earth and globe)."""
    found = [icon for icon in map(icons.get_icon, icons.icon_keys()) if icon is not None]
    labels = [icon.label for icon in found]
    return tuple(IconChoice(icon.key, icon.label if labels.count(icon.label) == 1 else f"{icon.label} ({icon.key})")
                 for icon in sorted(found, key=lambda icon: (icon.label.casefold(), icon.key)))


def is_icon(key: object) -> bool:
    return isinstance(key, str) and icons.get_icon(key) is not None


def icon_name(key: str) -> str:
    """The name the picker shows for an icon key."""
    return next((choice.name for choice in icon_choices() if choice.key == key), key)


def shown_icon(row) -> str:
    """The key of the icon the build shows for a social link."""
    return icons.resolve_icon(row.icon, row.platform, row.url).key


@functools.cache
def icon_sprite() -> str:
    """One SVG file holding every icon as a <symbol> named by its key, for `<use href="...#key">`."""
    return ('<svg xmlns="http://www.w3.org/2000/svg">'
            + "".join(icons.symbol(key, key) for key in icons.icon_keys()) + "</svg>\n")


def checked_icon(stored: object) -> str:
    """The picker's value for a stored icon column: "" (automatic), the key it names
    ("Mail" names mail), or the stored text itself when it names no icon."""
    if not isinstance(stored, str) or not stored.strip():
        return ""
    named = icons.named_icon(stored, None)
    return named.key if named is not None else stored


def chosen_icon(stored: object, chosen: str) -> object:
    """The icon column's value for the picker's answer `chosen`: the stored value when it
    is what was chosen, None for automatic, else the chosen key (or text, refused by icon_problem)."""
    if chosen == checked_icon(stored):
        return stored
    return None if chosen == "" else chosen


def icon_problem(stored: object, chosen: str) -> str | None:
    """Why the picker's answer is none of its choices, or None."""
    if chosen in ("", checked_icon(stored)) or icons.get_icon(chosen) is not None:
        return None
    return f"{chosen!r} is not an icon of the build's set; choose one from the list, or automatic"


def automatic_icon(platform: object, url: object) -> icons.Icon:
    """The icon the build shows when the icon column is empty."""
    return icons.resolve_icon(None, platform if isinstance(platform, str) else None,
                              url if isinstance(url, str) else None)


# -- notices after a change -----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Notice:
    kind_slug: str
    item_id: str | None   # shown in that row; None: at the top of the list
    text: str


def notice_query(done: str, kind: Kind, name: str, item_id: str | None = None, details: bool = False,
                 place: tuple[int, int] | None = None) -> str:
    """The query string of the profile page that says what was `done` (added, saved, up,
    down, first, last, removed; placed or kept at `place`, (its place from 1, of how many);
    reordered, `name` then being the list's), with the fragment leading to the row or the list."""
    query = {"item": done, "kind": kind.slug, "name": name}
    if item_id is not None:
        query["id"] = item_id
    if details:
        query["details"] = "1"
    if place is not None:
        query["at"], query["of"] = map(str, place)
    return "?" + urlencode(query) + "#" + anchor(kind, item_id)


def notice(query: Mapping[str, str]) -> Notice | None:
    """The notice a profile page's query string asks for (notice_query), or None."""
    kind = kind_of(query.get("kind", ""))
    done, name, item_id = query.get("item", ""), query.get("name", ""), query.get("id")
    if kind is None or not name:
        return None
    at, of = query.get("at", ""), query.get("of", "")
    place = f"place {at} of {of}" if at.isdigit() and of.isdigit() else ""
    texts = {"added": f"Added the {kind.one} “{name}”.", "saved": f"Saved the {kind.one} “{name}”.",
             "up": f"Moved “{name}” up.", "down": f"Moved “{name}” down.",
             "first": f"“{name}” is already first; nothing moved.",
             "last": f"“{name}” is already last; nothing moved.",
             "reordered": f"Saved the new order of the {kind.heading.lower()}.",
             **({"placed": f"Moved “{name}” to {place}.",
                 "kept": f"“{name}” is already at {place}; nothing moved."} if place else {}),
             "removed": f"Removed the {kind.one} “{name}”"
                        + (" and its details (page, description, schedule)." if query.get("details") else ".")}
    if done not in texts:
        return None
    return Notice(kind.slug, None if done in ("removed", "reordered") else item_id, texts[done])
