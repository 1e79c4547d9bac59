"""A profile's settings (the table profile_settings): their BioData names, rules and shape.

Each column has a name in the BioData document (the current site's newer shape) and a
rule. The document carries only the settings that are set, after the existing keys:

    "settings": {"theme", "accent", "buttonShape", "language", "showLinks", "showProducts",
                 "showAiTools", "linksHeading", "productsHeading", "toolsHeading"}
    "seo": {"title": {"default", "template"}, "description"}

Pure functions: each value's problem (`setting_problem`), a BioData's `settings`/`seo`
read back into columns (`read_document`), and a `key=value` of `biogen profile set`
read into a column and value (`parse_assignment`). generator.data.validate, biodata
(which writes the two keys) and the authoring commands all use these, so the rules and
names live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.data.model import ProfileSettings


@dataclass(frozen=True)
class Setting:
    """One column of profile_settings and where it sits in a BioData document."""

    column: str
    path: tuple[str, ...]  # its keys in the document: ("settings", "theme"), ("seo", "title", "default")
    kind: str  # theme, accent, shape, language, switch, heading, title, template, description

    @property
    def name(self) -> str:
        """The name `biogen profile set` and messages use: `theme`, `showAiTools`, `seo.title.default`."""
        return self.path[1] if self.path[0] == "settings" else ".".join(self.path)


# In the document's order, which is the order of the columns in the table.
SETTINGS = (
    Setting("theme", ("settings", "theme"), "theme"),
    Setting("accent", ("settings", "accent"), "accent"),
    Setting("button_shape", ("settings", "buttonShape"), "shape"),
    Setting("language", ("settings", "language"), "language"),
    Setting("show_links", ("settings", "showLinks"), "switch"),
    Setting("show_products", ("settings", "showProducts"), "switch"),
    # The newer site's own name for the tools carousel switch.
    Setting("show_tools", ("settings", "showAiTools"), "switch"),
    Setting("links_heading", ("settings", "linksHeading"), "heading"),
    Setting("products_heading", ("settings", "productsHeading"), "heading"),
    Setting("tools_heading", ("settings", "toolsHeading"), "heading"),
    Setting("seo_title", ("seo", "title", "default"), "title"),
    Setting("seo_title_template", ("seo", "title", "template"), "template"),
    Setting("seo_description", ("seo", "description"), "description"),
)
COLUMNS = tuple(s.column for s in SETTINGS)
BY_COLUMN = {s.column: s for s in SETTINGS}
# `biogen profile set` accepts a setting by its BioData name or its column name.
BY_NAME = {**{s.name: s for s in SETTINGS}, **BY_COLUMN}
# What the newer site's documents hold that biogen does not keep: dropped on import with a warning.
UNSUPPORTED = {("settings", "defaultCollapsed"): "biogen always shows the profile header open",
               ("settings", "showSegmentTabs"): "biogen shows links and products on one page",
               ("seo", "url"): "biogen takes each page's URL from base_url in biogen.toml"}

BUTTON_SHAPES = ("rounded", "pill", "square")
_ACCENT = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# A theme is a built-in one or a site's themes/<name>.css: a plain file name.
_THEME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
# A language tag (BCP 47's shape, lowercase language first): en, vi, pt-BR, zh-Hant-TW.
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
# Text a setting puts on one line of the page or into <title>/<meta>: no line breaks,
# tabs or other control characters.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Lengths in characters (code points). The build cuts the title it computes to 60 and
# the description to 160 (build/render.py's TITLE_MAX and DESCRIPTION_MAX, where search
# engines cut them); text the owner wrote is refused beyond the same lengths rather than
# cut where they did not choose. A section heading replaces one to three words
# ("Links", "AI Tools") and gets the title's limit.
TEXT_LIMITS = {"heading": 60, "title": 60, "template": 60, "description": 160}

_SWITCH_WORDS = {"true": 1, "1": 1, "yes": 1, "on": 1, "false": 0, "0": 0, "no": 0, "off": 0}


def setting_problem(column: str, value: object) -> str | None:
    """Why `value` cannot be stored in the settings column `column`, or None (NULL is the default)."""
    if value is None:
        return None
    kind = BY_COLUMN[column].kind
    if kind == "switch":
        if value.__class__ is int and value in (0, 1):
            return None
        return f"{value!r} is not 0 or 1; use 1 to show the section, 0 to hide it, or NULL for the default (shown)"
    if not isinstance(value, str):
        return f"holds {type(value).__name__} data ({value!r}), not text"
    if kind == "theme" and not _THEME.fullmatch(value):
        return (f"{value!r} is not a theme name: use lowercase letters, digits and '-', at most 40 characters "
                "(classic, minimal, bold, or a site theme's themes/<name>.css)")
    if kind == "accent" and not _ACCENT.fullmatch(value):
        return f"{value!r} is not a CSS hex colour: write #rgb or #rrggbb, such as #0a7 or #00aa77"
    if kind == "shape" and value not in BUTTON_SHAPES:
        return f"{value!r} is not a button shape: use {', '.join(BUTTON_SHAPES)}"
    if kind == "language" and not _LANGUAGE.fullmatch(value):
        return (f"{value!r} is not a language tag: write a lowercase language code with optional parts, "
                "such as en, vi, es, ar, ja or pt-BR")
    if kind in TEXT_LIMITS:
        return _text_problem(kind, value)
    return None


def _text_problem(kind: str, value: str) -> str | None:
    if not value.strip():
        return "is blank; leave it unset (NULL) for the default"
    if _CONTROL.search(value):
        return f"{_shown(value)} contains a line break, tab or control character; write it on one line"
    limit = TEXT_LIMITS[kind]
    if len(value) > limit:
        return f"{_shown(value)} is {len(value)} characters long; at most {limit} are allowed: shorten it"
    if kind == "template" and value.count("%s") != 1:
        return (f"{_shown(value)} must contain %s exactly once (it holds {value.count('%s')}), where the page's "
                "own title goes, such as '%s | Ana Souza'")
    return None


def _shown(value: str, limit: int = 70) -> str:
    """`value` quoted for a message, cut after `limit` characters."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def row_problems(row: ProfileSettings) -> list[tuple[str, str]]:
    """(column, message) for each value of `row` that breaks its rule."""
    problems = []
    for column, value in zip(COLUMNS, row[1:]):
        if value is not None:
            message = setting_problem(column, value)
            if message:
                problems.append((column, message))
    return problems


def is_default(values: dict[str, object]) -> bool:
    """True when every setting in {column: value} is NULL: the row need not exist."""
    return all(values.get(column) is None for column in COLUMNS)


# ---- reading a BioData's settings and seo -----------------------------------------------

@dataclass
class Reading:
    """What a BioData document's `settings` and `seo` hold: the column values (every column,
    None where unset), problems and dropped keys, each located by its keys below the document."""

    values: dict[str, object]
    problems: list[tuple[tuple[str, ...], str]]
    dropped: list[tuple[tuple[str, ...], str]]


def read_document(document: dict) -> Reading:
    """The settings of a BioData `document` (a dict holding `settings` and `seo`, either optional)."""
    reading = Reading(dict.fromkeys(COLUMNS), [], [])
    known = {s.path: s for s in SETTINGS}
    _read_object(document, (), [key for key in ("settings", "seo") if key in document], known, reading)
    return reading


def _read_object(holder: dict, path: tuple[str, ...], keys: list[str], known: dict, reading: Reading) -> None:
    for key in keys:
        value, where = holder[key], path + (key,)
        if where in known:
            _read_value(known[where], value, where, reading)
        elif value is None:
            continue
        elif any(p[:len(where)] == where for p in known):  # an object holding settings
            if isinstance(value, dict):
                _read_object(value, where, list(value), known, reading)
            else:
                reading.problems.append((where, f"is {kind_of(value)}; it must be an object (or left out)"))
        else:
            reason = UNSUPPORTED.get(where, "not a setting biogen knows")
            reading.dropped.append((where, f"dropped: {reason}"))


def _read_value(setting: Setting, value: object, where: tuple[str, ...], reading: Reading) -> None:
    if value is None:
        return
    if setting.kind == "switch":
        if not isinstance(value, bool):
            reading.problems.append((where, f"is {kind_of(value)}; it must be true or false"))
            return
        value = int(value)
    elif not isinstance(value, str):
        reading.problems.append((where, f"is {kind_of(value)}; it must be text (a JSON string)"))
        return
    elif value == "":
        return  # "" means unset, as for the profile's other optional text
    message = setting_problem(setting.column, value)
    if message:
        reading.problems.append((where, message))
    else:
        reading.values[setting.column] = value


def kind_of(value: object) -> str:
    """The JSON type of `value`, with an article, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


# ---- biogen profile set -----------------------------------------------------------------

def parse_assignment(text: str) -> tuple[Setting, object]:
    """(setting, column value) of one `key=value` (`theme=bold`, `showLinks=false`, `accent=`:
    the default); ValueError saying what is wrong. The value is not checked against its rule."""
    key, equals, raw = text.partition("=")
    if not equals:
        raise ValueError(f"{text!r} is not key=value; write it as theme=bold (or theme= for the default)")
    setting = BY_NAME.get(key.strip())
    if setting is None:
        names = ", ".join(s.name for s in SETTINGS)
        raise ValueError(f"{key.strip()!r} is not a setting; use one of {names} (or their column names)")
    if raw == "":
        return setting, None
    if setting.kind == "switch":
        word = raw.strip().lower()
        if word not in _SWITCH_WORDS:
            raise ValueError(f"{setting.name}={raw!r}: write true or false (or 1, 0), or {setting.name}= for "
                             "the default (shown)")
        return setting, _SWITCH_WORDS[word]
    return setting, raw
