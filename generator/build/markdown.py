"""Inline Markdown for taglines and descriptions: emphasis, code and safe links.

Raw HTML is shown as text, and a Markdown link obeys the same URL rules as every
other link on the page, and is written as they are (generator.data.urls.href).
"""

from __future__ import annotations

import functools
import re
from functools import lru_cache

from markupsafe import Markup

from generator.data.urls import href
from generator.data.validate import link_problem

# Characters that can start inline Markdown (emphasis, code, links, autolinks,
# entities, escapes, strikethrough), a line break, or NUL (which markdown-it
# replaces with U+FFFD). Text without them renders to
# itself, HTML-escaped; skipping the parser then saves ~40 us a string, which is
# most of a page's render time when a profile has nine descriptions.
_MARKUP_CHARS = re.compile(r"[*_`\[\]<&\\~!\n\r\x00]")


@functools.cache
def parser():
    """The one configured MarkdownIt, made on first use: importing markdown-it costs
    ~25 ms, a third of a one-profile rebuild, and plain text never needs it."""
    from markdown_it import MarkdownIt
    parser = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["emphasis", "backticks", "link", "autolink", "escape", "entity", "strikethrough", "newline"])
    # markdown-it normalizes a destination, then validates what it made. The rules
    # judge the destination as written, as they judge a link's column; one they accept
    # is written as every URL of the page is (markdown-it's own encoding leaves ' in
    # a query, and maps a host without UTS #46: BÜCHER.example to xn--BCHER-...).
    parser.normalizeLink = lambda url: href(url) if link_problem(url) is None else ""
    parser.validateLink = bool
    # No rel=noopener: it only changes links that open a new browsing context (target),
    # and these open in the same tab, where the next page gets no window.opener anyway
    # (15 bytes a link, 30 on the full demo profile, whose budget is 16 KB).
    return parser


def _escape(text: str) -> str:
    # The same four replacements as markdown-it's escapeHtml (the others are absent).
    return text.replace(">", "&gt;").replace('"', "&quot;")


@lru_cache(maxsize=4096)
def render_inline(text: str) -> Markup:
    """`text` as inline HTML; raw HTML escaped, unsafe links left as plain text."""
    if not _MARKUP_CHARS.search(text):
        return Markup(_escape(text))
    return Markup(parser().renderInline(text))


def plain_text(text: str) -> str:
    """`text` with inline Markdown removed, for meta descriptions and titles."""
    if not _MARKUP_CHARS.search(text):
        return text
    tokens = parser().parseInline(text)
    parts = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return " ".join("".join(parts).split())
