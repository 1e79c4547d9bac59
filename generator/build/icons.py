"""Social-link icons for the profile page.

The glyphs are not drawn here.  ``generator/build/icons.json`` holds a curated
subset of two maintained icon sets, copied verbatim (inner SVG markup only):

* brand marks from simple-icons (https://simpleicons.org, CC0-1.0), with
  their titles, brand colours and the web domains each brand is known by;
* generic icons from Lucide (https://lucide.dev, lucide-static, ISC).

Versions and licences are recorded in the file's ``sources`` field and in
``generator/build/ICONS-LICENSES.md``.  Brand marks are trademarks of their
owners.

To regenerate the data (needs npm and access to the npm registry)::

    python tools/update_icons.py

The script installs the pinned package versions into a temporary folder,
keeps only the icons it lists, refuses any markup other than plain
path/circle/rect/line/polyline/polygon/ellipse elements, and rewrites
icons.json deterministically.

This module is pure logic (standard library only).  The complete ``<svg>``
element is built here from trusted data; user-supplied text never goes into
it.
"""

from __future__ import annotations

import copy
import functools
import json
import unicodedata
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

__all__ = [
    "Icon",
    "brand_color",
    "brand_keys",
    "generic_keys",
    "get_icon",
    "icon_sources",
    "icon_keys",
    "named_icon",
    "resolve_icon",
    "symbol",
    "symbol_file",
]

_SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24"'
    ' aria-hidden="true" focusable="false"'
)
_STYLE_ATTRS = {
    "fill": ' fill="currentColor"',
    "stroke": (
        ' fill="none" stroke="currentColor" stroke-width="2"'
        ' stroke-linecap="round" stroke-linejoin="round"'
    ),
}

# Icons used when the name columns do not say which icon to use.
_MAIL = "mail"
_PHONE = "phone"
_MESSAGE = "message-circle"
_LOCATION = "map-pin"
_CALENDAR = "calendar"
_WEBSITE = "globe"
_LINK = "link"

# Longer input cannot be a name we know; bounds the work done on odd input.
_MAX_NAME = 200
_MAX_URL = 4096


@dataclass(frozen=True)
class Icon:
    """A resolved icon.

    ``key``: the icon's identifier in icons.json (a simple-icons slug such as
    ``"github"``, or a Lucide name such as ``"globe"``).
    ``label``: human name, usable as the accessible name of the link when
    the platform column is blank (e.g. "GitHub", "Email", "Website").
    ``svg``: complete, decorative (``aria-hidden``) ``<svg>`` element.
    """

    key: str
    label: str
    svg: str


def _normalize(name: str) -> str:
    """Case-folded letters and digits only ("Ko-fi" -> "kofi").

    Must stay identical to ``normalize_name`` in tools/update_icons.py.
    """
    name = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in name if ch.isalnum())


@functools.cache
def _data() -> dict:
    text = resources.files("generator").joinpath("build/icons.json").read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, entry in sorted(_data()["icons"].items()):
        for name in (key, entry.get("title", ""), *entry.get("aliases", ())):
            norm = _normalize(name)
            if norm:
                index.setdefault(norm, key)
    return index


@functools.cache
def _domain_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for key, entry in sorted(_data()["icons"].items()):
        for domain in entry.get("domains", ()):
            index.setdefault(domain, key)
    return index


@functools.cache
def _icon(key: str) -> Icon:
    entry = _data()["icons"][key]
    svg = f"{_SVG_OPEN}{_STYLE_ATTRS[entry['style']]}>{entry['body']}</svg>"
    return Icon(key=key, label=entry["label"], svg=svg)


def symbol_file(key: str) -> str:
    """Icon `key` as a standalone SVG file holding one <symbol id="i">.

    Pages show icons with `<svg><use href="/assets/i/KEY.HASH.svg#i"/></svg>`:
    ~150 bytes in the page instead of ~1 KB of path data, and each icon file is
    downloaded once and cached for a year. `currentColor` still follows the link.
    """
    return f'<svg xmlns="http://www.w3.org/2000/svg">{symbol(key, "i")}</svg>\n'


def symbol(key: str, symbol_id: str) -> str:
    """Icon `key` as one `<symbol id="symbol_id">` element, for a file of one or many icons
    (the editor's icon picker shows every icon from one such file)."""
    entry = _data()["icons"][key]
    return (f'<symbol id="{symbol_id}" viewBox="0 0 24 24"'
            f'{_STYLE_ATTRS[entry["style"]]}>{entry["body"]}</symbol>')


def icon_keys() -> tuple[str, ...]:
    """Every icon key, brands and generic ones."""
    return tuple(sorted(_data()["icons"]))


def get_icon(key: str) -> Icon | None:
    """The icon stored under exactly ``key``, or None."""
    if not isinstance(key, str) or key not in _data()["icons"]:
        return None
    return _icon(key)


def brand_keys() -> tuple[str, ...]:
    """Keys of all brand icons, sorted."""
    return tuple(k for k, e in sorted(_data()["icons"].items()) if e["kind"] == "brand")


def generic_keys() -> tuple[str, ...]:
    """Keys of all generic (Lucide) icons, sorted."""
    return tuple(k for k, e in sorted(_data()["icons"].items()) if e["kind"] == "generic")


def brand_color(key: str) -> str | None:
    """The brand's colour as ``"#RRGGBB"``, or None (generic/unknown icon)."""
    if not isinstance(key, str):
        return None
    entry = _data()["icons"].get(key)
    if not entry or not entry.get("hex"):
        return None
    return "#" + entry["hex"]


def icon_sources() -> dict[str, dict]:
    """Package name -> {"version", "license", "homepage", ...} of the icon sets used (a copy)."""
    return copy.deepcopy(_data()["sources"])


def _clean(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _by_name(value: str) -> str | None:
    if not value or len(value) > _MAX_NAME:
        return None
    key = _name_index().get(_normalize(value))
    if key is None and "." in value and not any(ch.isspace() for ch in value):
        # A domain typed as the name, e.g. platform "github.com".
        key = _by_host(value.lower())
    return key


def _by_host(host: str) -> str | None:
    """Match a host against brand domains, including subdomains.

    Tries the host itself, then each parent domain, so the most specific
    domain wins: ``music.youtube.com`` before ``youtube.com``.  ``www.`` and
    ``m.`` prefixes are covered the same way (but ``m.me`` itself matches).
    """
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    index = _domain_index()
    labels = host.split(".")
    for i in range(len(labels) - 1):
        key = index.get(".".join(labels[i:]))
        if key is not None:
            return key
    return None


def _by_url(url: str) -> str | None:
    if not url:
        return None
    url = url[:_MAX_URL]
    lowered = url.lower()
    scheme, sep, _ = lowered.partition(":")
    if sep:
        if scheme == "mailto":
            return _MAIL
        if scheme in ("tel", "callto"):
            return _PHONE
        if scheme in ("sms", "smsto"):
            return _MESSAGE
        if scheme == "geo":
            return _LOCATION
        if scheme == "webcal":
            return _CALENDAR
    if "://" not in url and not url.startswith("//"):
        url = "//" + url  # "github.com/me" -> netloc "github.com"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme not in ("", "http", "https"):
        return None
    key = _by_host(host)
    if key is None and "." in host.strip("."):
        return _WEBSITE
    return key


def resolve_icon(icon: str | None, platform: str | None, url: str | None) -> Icon:
    """Pick the icon for a link; never raises.

    1. ``icon`` column: a brand (simple-icons slug or title: "github",
       "GitHub", "Ko-fi") or a Lucide name ("Globe", "MessageCircle",
       "message-circle"); matched case-insensitively ignoring spaces,
       punctuation and separators.  Lucide's brand names ("Twitter",
       "Youtube", "Github", ...) give the brand icon.
    2. ``platform`` column, matched the same way ("LinkedIn", "Twitter/X",
       "Email", "Website").
    3. ``url``: ``mailto:`` -> mail, ``tel:`` -> phone, otherwise the host is
       matched against brand domains (with subdomains and ``www.``/``m.``);
       any other web address gets the globe ("Website").
    4. Otherwise the generic link icon.
    """
    key = _by_name(_clean(icon)) or _by_name(_clean(platform)) or _by_url(_clean(url))
    if key is None or key not in _data()["icons"]:
        key = _LINK
    return _icon(key)


def named_icon(icon: str | None, platform: str | None) -> Icon | None:
    """The icon that the `icon` or `platform` column names, or None (then the URL decides)."""
    key = _by_name(_clean(icon)) or _by_name(_clean(platform))
    return _icon(key) if key is not None and key in _data()["icons"] else None
