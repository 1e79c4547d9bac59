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
from generator.data.validate import link_problem, local_path_problem

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


@functools.cache
def block_parser():
    """CommonMark for a detail page's body: headings, lists, emphasis, code, quotes, links
    and images; raw HTML is shown as text (html off), links obey the URL rules as above."""
    from markdown_it import MarkdownIt
    block = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # A destination is a link by the URL rules, or a file under content/ (kept as written,
    # marked): only an image may use the second; a link to it is left as its text.
    block.normalizeLink = lambda url: href(url) if link_problem(url) is None else (
        _LOCAL + url if local_path_problem(url) is None and "://" not in url and not url.startswith("//") else "")
    block.validateLink = bool
    block.core.ruler.push("local_links_as_text", _local_links_as_text)
    block.core.ruler.push("headings_under_the_name", _headings_under_the_name)
    # Links get no rel=noopener, as in inline Markdown (parser above): they open in the same tab.
    block.add_render_rule("image", _block_image)
    return block


_LOCAL = "\x00local:"


def _local_links_as_text(state) -> None:
    """A link to a file under content/ becomes its text: links leave the site by the URL rules."""
    for block in state.tokens:
        inside = []  # per open link: whether it is one made text
        for token in block.children or ():
            if token.type == "link_open" and (token.attrGet("href") or "").startswith(_LOCAL):
                token.type, token.tag, token.nesting = "text", "", 0
                inside.append(True)
            elif token.type == "link_open":
                inside.append(False)
            elif token.type == "link_close" and inside and inside.pop():
                token.type, token.tag, token.nesting = "text", "", 0


def _headings_under_the_name(state) -> None:
    """The page's own <h1> is the item's name: the body's headings go under it, its highest
    level as <h2>, and none skips a level after the one before (Nu Html Checker, axe's
    heading-order): "## A", "#### B" are h2, h3; "### A", "# B" are h2, h2."""
    levels = sorted({int(token.tag[1]) for token in state.tokens if token.type == "heading_open"})
    rank = {level: index + 2 for index, level in enumerate(levels)}
    previous, opened = 1, []
    for token in state.tokens:
        if token.type == "heading_open":
            previous = min(rank[int(token.tag[1])], previous + 1, 6)
            token.tag = f"h{previous}"
            opened.append(token.tag)
        elif token.type == "heading_close":
            token.tag = opened.pop()


def _block_image(renderer, tokens, index, options, env):
    """An image the page can show (env["image"] gives its HTML: a file under content/ that the
    build prepared), else its alt text: no remote image loads from a body."""
    token = tokens[index]
    alt = renderer.renderInlineAsText(token.children or [], options, env)
    source = token.attrGet("src") or ""
    shown = env["image"](source.removeprefix(_LOCAL), alt) if "image" in env and source.startswith(_LOCAL) else None
    return shown if shown is not None else _escape(alt.replace("&", "&amp;").replace("<", "&lt;"))


def render_block(text: str, image=None) -> Markup:
    """`text` (CommonMark) as HTML blocks; `image(source, alt)` gives an image's HTML or None."""
    return Markup(block_parser().render(text, {"image": image} if image else {}))

