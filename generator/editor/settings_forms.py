"""The settings and details forms as pure functions: the values a posted form means for
a profile's profile_settings row and for one item's item_details row, the schedule's
times between the page's `<input type=datetime-local>` and the stored spelling, and the
choices the settings page offers (themes with a line each, languages).

Empty means NULL (the default) everywhere, as `biogen profile set key=` does. Two
things browsers do shape the reading:

- An unchecked checkbox sends nothing (HTML, "constructing the entry list"), so a
  missing `show_*` field means "hidden" (0); a checked one keeps what is stored when
  that already shows the section (NULL or 1), and is NULL (the default: shown) after 0.
- `<input type=color>` always sends a colour (#000000 without one), so it cannot say
  "no accent". The accent's text field is the value; the picker beside it counts only
  when the text was left as the form opened it and the picker was moved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from generator.data.item_details import parse_time
from generator.data.model import ItemDetails, ProfileSettings
from generator.data.profile_settings import COLUMNS as SETTINGS_COLUMNS
from generator.editor.forms import Field, as_submitted

# The picker's own field, and what it showed when the form was opened.
PICKER_FIELD = "accent_picker"
OPENED_PICKER_FIELD = "opened_accent_picker"
OPENED_ACCENT_FIELD = "opened_accent"
SWITCHES = ("show_links", "show_products", "show_tools")

TEXT_SETTINGS = (
    Field("links_heading", "Links heading", "Replaces the heading above the links. Empty: the language's own word."),
    Field("products_heading", "Products heading", "Replaces the heading above the products. Empty: the "
                                                  "language's own word."),
    Field("tools_heading", "Tools heading", "Replaces the heading above the tools. Empty: the language's own word."),
    Field("seo_title", "Page title", "The page's <title> in browser tabs and search results, at most 60 "
                                     "characters. Empty: the title biogen makes from the display name."),
    Field("seo_title_template", "Page title template", "Used when the page title is empty: your text with %s "
                                                      "exactly once where biogen's title goes, such as "
                                                      "“%s | Ana Souza”."),
    Field("seo_description", "Page description", "The description search engines and link previews show, at "
                                                 "most 160 characters. Empty: made from the tagline."),
)
SWITCH_LABELS = {"show_links": "Show the links", "show_products": "Show the products",
                 "show_tools": "Show the tools"}
SETTING_LABELS = {"theme": "Theme", "accent": "Accent colour", "button_shape": "Button shape",
                  "language": "Language", **SWITCH_LABELS, **{field.column: field.label for field in TEXT_SETTINGS}}

# A few built-in languages by their own names; a site's other languages show their tags.
LANGUAGE_NAMES = {"en": "English", "vi": "Tiếng Việt", "es": "Español", "ar": "العربية", "ja": "日本語"}

DETAIL_FIELDS = (
    Field("slug", "Slug", "The detail page's address after /username/: lowercase letters, digits and '-'. "
                          "Left empty while the content is set, one is made from the item's name.", url=True),
    Field("subtitle", "Subtitle", "One line under the item's name on its detail page."),
    Field("content", "Content", "The detail page's body, in Markdown. Empty: no detail page.", multiline=True),
    Field("cta_text", "Button text", "The detail page's button. Empty: the language's own words (“Open link” in English)."),
    Field("cta_url", "Button URL", "Where the button leads: https://…, mailto: or tel:. Empty: the item's own URL.",
          url=True),
)
PRODUCT_FIELDS = (
    Field("description", "Description", "A line or two under the product on the profile page; inline Markdown."),
    Field("group_name", "Group", "Products with the same group are shown together under this heading."),
)
SCHEDULE_COLUMNS = ("starts_at", "ends_at")
SCHEDULE_LABELS = {"starts_at": "Starts", "ends_at": "Ends"}
PRODUCT_COLUMNS = ("description", "badge", "group_name")
DETAIL_COLUMNS = ItemDetails._fields[2:]

_LOCAL_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(?:\.\d+)?")


# ---- settings ---------------------------------------------------------------------------

def stored_settings(row: ProfileSettings | None) -> dict[str, object]:
    """{column: value} of the profile's settings row, every column None without one."""
    return dict(zip(SETTINGS_COLUMNS, row[1:])) if row is not None else dict.fromkeys(SETTINGS_COLUMNS)


def shown_settings(values: Mapping[str, object]) -> dict[str, str]:
    """The form's fields for stored values: text as it is, NULL as empty, switches as "1"/""."""
    shown = {}
    for column in SETTINGS_COLUMNS:
        value = values.get(column)
        if column in SWITCHES:
            shown[column] = "" if value == 0 else "1"
        else:
            shown[column] = "" if value is None else str(value)
    return shown


def picker_colour(accent: object, fallback: str) -> str:
    """What `<input type=color>` can show for `accent`: #rrggbb in lowercase (the only
    spelling it accepts), or `fallback` (the theme's own accent) for none or a broken one."""
    if isinstance(accent, str):
        if re.fullmatch(r"#[0-9a-fA-F]{6}", accent):
            return accent.lower()
        if re.fullmatch(r"#[0-9a-fA-F]{3}", accent):
            return "#" + "".join(digit * 2 for digit in accent[1:].lower())
    return fallback


def submitted_accent(form: Mapping[str, str]) -> str:
    """The accent the form means: its text field, or the picker when only the picker changed."""
    text = form.get("accent", "").strip()
    picker = form.get(PICKER_FIELD, "")
    if text == form.get(OPENED_ACCENT_FIELD, "").strip() and picker and picker != form.get(OPENED_PICKER_FIELD, ""):
        return picker
    return text


def submitted_settings(stored: Mapping[str, object], form: Mapping[str, str]) -> dict[str, object]:
    """{column: value to store} for every settings column, from a posted settings form."""
    values: dict[str, object] = {}
    for column in ("theme", "button_shape", "language"):
        values[column] = form.get(column, "") or None
    values["accent"] = submitted_accent(form) or None
    for column in SWITCHES:
        if form.get(column):
            values[column] = stored.get(column) if stored.get(column) in (None, 1) else None
        else:
            values[column] = 0
    for field in TEXT_SETTINGS:
        values[field.column] = as_submitted(field, stored.get(field.column), form.get(field.column, ""))
    return values


def theme_summary(name: str, css: str) -> str:
    """A line or two about a theme from its file's first comment (`Theme "bold": a full-bleed
    cover ...`): its first sentences, 40 characters at least; a file without such a comment
    says where it comes from."""
    comment = re.match(r"\s*/\*(.*?)\*/", css, re.DOTALL)
    paragraph = comment.group(1).strip().split("\n\n")[0] if comment else ""
    paragraph = re.sub(r"^Theme\s+\"[^\"]*\"\s*:\s*", "", " ".join(paragraph.split()))
    if not paragraph or paragraph.startswith(("accent-text-on", "text-on-accent")):
        return f"The site's own theme (themes/{name}.css)."
    text = ""
    for sentence in re.findall(r".+?(?:[.!?](?=\s|$)|$)", paragraph):
        text = (text + " " + sentence.strip()).strip()
        if len(text) >= 40:
            break
    return text


def language_label(tag: str, direction: str) -> str:
    """`العربية (ar, right to left)`, `pt-BR`."""
    name = LANGUAGE_NAMES.get(tag)
    extra = ", right to left" if direction == "rtl" else ""
    return f"{name} ({tag}{extra})" if name else f"{tag}{' (right to left)' if extra else ''}"


# ---- details ----------------------------------------------------------------------------

def stored_details(row: ItemDetails | None) -> dict[str, object]:
    """{column: value} of an item's details row, every column None without one."""
    return {column: getattr(row, column) if row is not None else None for column in DETAIL_COLUMNS}


def local_time(stored: object) -> str | None:
    """A stored time (2026-12-24T18:00:00Z, UTC) as `<input type=datetime-local>` holds it
    (2026-12-24T18:00:00, the same UTC clock time); "" for NULL, None for text that is not one."""
    if stored is None:
        return ""
    moment = parse_time(stored) if isinstance(stored, str) else None
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment is not None else None


def stored_time(submitted: str) -> str | None:
    """What a schedule field's text means as a stored time: `2026-12-24T18:00` (a browser's
    datetime-local value, seconds left out when 0) and `2026-12-24T18:00:00Z` both become
    2026-12-24T18:00:00Z, read as UTC; empty is NULL; other text is kept as typed, for the
    rules to refuse with their message."""
    text = submitted.strip()
    if not text:
        return None
    match = _LOCAL_TIME.fullmatch(text)
    if match:
        candidate = f"{match.group(1)}T{match.group(2)}{match.group(3) or ':00'}Z"
        if parse_time(candidate) is not None:
            return candidate
    return text


def submitted_details(stored: Mapping[str, object], form: Mapping[str, str], is_product: bool) -> dict[str, object]:
    """{column: value to store} for an item from a posted details form; a field the form does
    not carry (a product's own fields on a link's form) keeps its stored value."""
    values = dict(stored)
    for field in DETAIL_FIELDS + (PRODUCT_FIELDS if is_product else ()):
        if field.column in form:
            values[field.column] = as_submitted(field, stored.get(field.column), form[field.column])
    if is_product and "badge" in form:
        values["badge"] = form["badge"] or None
    for column in SCHEDULE_COLUMNS:
        if column in form:
            value = stored_time(form[column])
            values[column] = stored[column] if value == _normalised(stored.get(column)) else value
    return values


def _normalised(stored: object) -> object:
    """A stored time as stored_time reads it back, so an untouched field keeps its stored text."""
    shown = local_time(stored)
    return stored_time(shown) if shown else stored


def with_details(row_values: Mapping[str, object], item_id: str, profile_id: str) -> ItemDetails:
    """The item_details row `row_values` make."""
    return ItemDetails(item_id, profile_id, *(row_values.get(column) for column in DETAIL_COLUMNS))


def replace_row(rows: tuple, item_id: str, new: ItemDetails | None) -> tuple:
    """The profile's item_details rows with the item's replaced by `new` (put last, so a
    slug it shares with another item is reported on this item), or removed for None."""
    kept = tuple(row for row in rows if row.item_id != item_id)
    return kept + ((new,) if new is not None else ())


def settings_row(values: Mapping[str, object], profile_id: str) -> tuple:
    """The profile_settings rows `values` make: (), when every setting is the default."""
    if all(values.get(column) is None for column in SETTINGS_COLUMNS):
        return ()
    return (ProfileSettings(profile_id, *(values.get(column) for column in SETTINGS_COLUMNS)),)



def form_columns(is_product: bool) -> tuple[str, ...]:
    """The item_details columns a link's or a product's details form shows."""
    own = tuple(field.column for field in DETAIL_FIELDS)
    return own + (PRODUCT_COLUMNS if is_product else ()) + SCHEDULE_COLUMNS


def detail_labels() -> dict[str, str]:
    """{column: the label of its field} of the details form."""
    return {**{field.column: field.label for field in DETAIL_FIELDS + PRODUCT_FIELDS}, "badge": "Badge",
            **SCHEDULE_LABELS}
