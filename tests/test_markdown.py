"""generator.build.markdown: inline Markdown with escaped HTML and safe links only."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator.build import markdown
from generator.build.markdown import parser, plain_text, render_inline


def test_emphasis_strong_code_and_strikethrough():
    assert render_inline("*em* **strong** `code` ~~gone~~") == \
        "<em>em</em> <strong>strong</strong> <code>code</code> <s>gone</s>"


def test_underscore_emphasis():
    assert render_inline("_em_ __strong__") == "<em>em</em> <strong>strong</strong>"


def test_code_content_is_escaped():
    assert render_inline("`<b>&`") == "<code>&lt;b&gt;&amp;</code>"


def test_https_link_opens_in_the_same_tab_with_no_rel():
    assert render_inline("[my site](https://example.com/a?b=1&c=2)") == \
        '<a href="https://example.com/a?b=1&amp;c=2">my site</a>'


@pytest.mark.parametrize("url", ["http://example.com", "mailto:hi@example.com", "tel:+84123"])
def test_other_allowed_schemes_become_links(url):
    assert render_inline(f"[x]({url})") == f'<a href="{url}">x</a>'


def test_autolink_becomes_a_link():
    assert render_inline("<https://example.com>") == \
        '<a href="https://example.com">https://example.com</a>'


def test_link_title_is_kept_and_escaped():
    assert render_inline('[x](https://example.com "a <title>")') == \
        '<a href="https://example.com" title="a &lt;title&gt;">x</a>'


def test_render_inline_returns_markup():
    assert isinstance(render_inline("plain"), Markup)
    assert isinstance(render_inline("*em*"), Markup)


@pytest.mark.parametrize("text, expected", [
    ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<img src=x onerror="alert(1)">', "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
    ("<!-- comment -->", "&lt;!-- comment --&gt;"),
    ("a & b", "a &amp; b"),
    ("&lt;b&gt;", "&lt;b&gt;"),
    ("5 > 3", "5 &gt; 3"),
    ('say "hi"', "say &quot;hi&quot;"),
])
def test_raw_html_is_shown_as_text(text, expected):
    assert render_inline(text) == expected


@pytest.mark.parametrize("text", [
    "[click](javascript:alert(1))",
    "[click](JavaScript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java%0Ascript:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "[click](file:///etc/passwd)",
    "[click](//evil.com)",
    "[click](/relative)",
    "<javascript:alert(1)>",
    "<data:text/html,hi>",
    "![img](javascript:alert(1))",
])
def test_unsafe_markdown_links_are_not_links(text):
    html = render_inline(text)
    assert "<a" not in html
    assert "href" not in html
    assert "<img" not in html


def test_images_are_not_rendered_as_images():
    assert "<img" not in render_inline("![alt](https://example.com/x.png)")


@pytest.mark.parametrize("text", [
    "Xin chào! Tôi là nhà sáng tạo nội dung 🎉",
    "Tiếng Việt: ắ ằ ẳ ẵ ặ ấ ầ ẩ ẫ ậ đ ơ ư",
    "مرحبا بالعالم",
    "שלום עולם",
    "你好，世界。日本語のテキスト、한국어",
    "👩‍💻 🇻🇳 👍🏽 ❤️",
    "\u202eRTL override",
    "zero\u200bwidth and non\u00a0breaking",
])
def test_unicode_text_is_kept_exactly(text):
    assert render_inline(text) == text
    assert render_inline(f"*{text}*") == f"<em>{text}</em>"
    assert plain_text(text) == text


def test_newlines_are_soft_breaks():
    assert render_inline("line one\nline two") == "line one\nline two"
    assert plain_text("line one\nline two") == "line one line two"


def test_plain_text_removes_markdown():
    assert plain_text("Hi *there*, see [my site](https://example.com) and `code`") == \
        "Hi there, see my site and code"
    assert plain_text("  lots   of\n\n space ") == "lots of space"


def test_plain_text_without_markdown_is_unchanged():
    assert plain_text("  keeps 'quotes' \"as is\"  ") == "  keeps 'quotes' \"as is\"  "


# --------------------------------------------------------------------------
# The fast path gives exactly what the parser gives
# --------------------------------------------------------------------------

_SPECIAL = " \t'\"$%()+,-./:;=?@^{|}#\u00a0\u2028\u2029\u200b\ufeff\u00e9\u1ebf"
_TEXT_WITHOUT_MARKUP = st.text(
    alphabet=st.one_of(
        st.sampled_from(list(_SPECIAL) + [">"]),  # '>' goes to the parser, which must agree too
        st.characters(codec="utf-8", exclude_characters="*_`[]<>&\\~!\n\r\x00"),
    ),
    max_size=40,
)


@settings(max_examples=400)
@given(_TEXT_WITHOUT_MARKUP)
@example("  leading and trailing spaces  ")
@example("\t tab first")
@example('"quoted" and \'single\'')
@example("a > b")
@example("Tiếng Việt 🎉 مرحبا 你好")
@example("")
@example(" ")
def test_fast_path_matches_the_parser(text):
    assert str(render_inline(text)) == parser().renderInline(text)


def test_the_fast_path_is_taken_for_text_without_markup():
    assert not markdown._MARKUP_CHARS.search("plain 'text' with \"quotes\" and spaces  ")
    assert not markdown._MARKUP_CHARS.search("a > b")  # '>' starts nothing inline; it is only escaped
    assert markdown._MARKUP_CHARS.search("a < b")


def test_fast_path_matches_the_parser_for_nul():
    assert str(render_inline("a\x00b")) == parser().renderInline("a\x00b")


# ---- a detail page's body (render_block) --------------------------------------------------

def test_a_body_is_commonmark_with_raw_html_as_text_and_links_by_the_rules():
    from generator.build.markdown import render_block
    html = render_block("<script>alert(1)</script>\n\n[a](javascript:alert(1)) [b](https://x.example/?q=\"1\") "
                        "[c](/file.jpg) ![d](/file.jpg) ![e](https://x.example/e.png)\n\n1. one\n2. *two*",
                        lambda source, alt: f"<img src={source} alt={alt}>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    assert '<a href="https://x.example/?q=%221%22">b</a>' in html
    assert " c " in html and 'href="/file.jpg"' not in html  # a link to a local file is its text
    assert "<img src=/file.jpg alt=d>" in html and "x.example/e.png" not in html and " e</p>" in html
    assert "<ol>\n<li>one</li>\n<li><em>two</em></li>\n</ol>" in html


@pytest.mark.parametrize("body, levels", [
    ("# A\n\n## B", ["h2", "h3"]),
    ("## A\n\n#### B\n\n# C", ["h2", "h3", "h2"]),
    ("### A\n\n# B", ["h2", "h2"]),
    ("###### A\n\n###### B", ["h2", "h2"]),
])
def test_a_bodys_headings_go_under_the_pages_h1_without_skipping_a_level(body, levels):
    import re
    from generator.build.markdown import render_block
    assert re.findall(r"<(h\d)>", render_block(body)) == levels
