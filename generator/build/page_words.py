"""What a profile page says in its own words: the language it speaks (headings, the
default description, generic icons' names) and the owner's settings over them (which
sections show, their headings, the SEO title and description). Pure functions; the
templates read the results from PageView (render.py); and the cut of the text a page
is titled and described by (its direction: generator.data.text)."""

from __future__ import annotations

import re
from typing import NamedTuple

from generator.build import translations
from generator.data.biodata import _text
from generator.data.model import ProfileSettings

# C0 controls other than tab and newline are not allowed in HTML text; they are
# dropped from what the page shows (the JSON document keeps them exactly).
_HTML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def shown(value: object) -> str:
    """A column's text as a page shows it: NULL as "", numbers as the JSON writes them,
    without the control characters HTML does not allow."""
    text = value if value.__class__ is str else _text(value)
    return _HTML_UNSAFE.sub("", text) if _HTML_UNSAFE.search(text) else text


class PageLanguage(NamedTuple):
    """A language as a profile page uses it: resolved once per language and build
    (Renderer.page_language), so a page pays two attribute reads for its words."""

    lang: str               # the lang attribute: the tag as the profile or biogen.toml writes it
    dir: str | None         # the layout's direction, or None: the profile's own text decides
    links: str              # the section headings
    products: str
    tools: str
    description: str        # the meta description without a tagline, with {name}
    social: dict[str, str]  # generic icon key ("mail") -> its accessible name ("Email")
    share: dict[str, str]   # the share kit's words: "save_contact" -> "Save contact"
    item: dict[str, str]    # the words of items' details and detail pages ("more", "back", "badge.new")


def language_view(words: translations.Words, lang: str, *, chosen: bool) -> PageLanguage:
    """`words` as a profile page uses them. A language the profile chose sets the page's
    direction; the site's language sets it only when it runs right to left, and otherwise
    the profile's own text does (text_direction), as before languages could be chosen: an
    Arabic name and tagline on an English site read right to left, with English headings."""
    text = words.text
    return PageLanguage(
        lang=lang,
        dir=words.dir if chosen or words.dir == "rtl" else None,
        links=text["profile.links"],
        products=text["profile.products"],
        tools=text["profile.tools"],
        description=text["profile.description"],
        social={key[len("social."):]: value for key, value in text.items() if key.startswith("social.")},
        share={key[len("share."):]: value for key, value in text.items() if key.startswith("share.")},
        item={key[len("item."):]: value for key, value in text.items() if key.startswith("item.")},
    )


def section_shown(settings: ProfileSettings | None, column: str) -> bool:
    """Whether a section (show_links, show_products, show_tools) shows: NULL or 1 shows it, 0 hides it."""
    return settings is None or getattr(settings, column) != 0


def heading(chosen: object, default: str) -> str:
    """A heading the owner wrote, or the language's when there is none: a blank one
    would leave the section with an empty heading (axe: empty-heading)."""
    if chosen is None:
        return default
    text = " ".join(shown(chosen).split())
    return text or default


def seo(settings: ProfileSettings, title: str, og_title: str, description: str) -> tuple[str, str, str]:
    """(title, og:title, description) with the owner's SEO settings applied.

    seo_title is the <title> and the og:title: the owner named the page for search and
    for shares alike. seo_title_template wraps only the <title> ("%s | Ana's shop"), as
    the current site's title.template (Next.js) does: the suffix is for search results
    and browser tabs, and a share card shows the site's name beside og:title already.
    Neither is shortened: the owner chose their length. seo_description is the meta and
    og:description. A blank value is no value."""
    seo_title = " ".join(shown(settings.seo_title).split()) if settings.seo_title is not None else ""
    template = " ".join(shown(settings.seo_title_template).split()) if settings.seo_title_template is not None else ""
    if seo_title:
        title = og_title = seo_title
    elif template:
        # The first "%s", as JavaScript's String.replace (the current site's) does.
        title = template.replace("%s", title, 1)
    if settings.seo_description is not None:
        description = " ".join(shown(settings.seo_description).split()) or description
    return title, og_title, description


def truncate(text: str, limit: int) -> str:
    """`text` on one line, cut at a word to at most `limit` characters with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:-") + "…"
