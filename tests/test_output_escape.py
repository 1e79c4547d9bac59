"""biogen's templates escape output as Jinja's autoescape does, byte for byte, only faster
(generator.build.render.output_escape): hostile text can never leave its attribute or element."""

from __future__ import annotations

from html.parser import HTMLParser

import jinja2
import pytest
from markupsafe import Markup

from generator.config import load_config
from generator.build.attributes import attribute_value
from generator.build.render import make_environment, output_escape
from sitekit import make_site

TEMPLATE = """\
{% macro card(title, body) %}<h3 title="{{ title }}">{{ title }}</h3>{{ body }}{% endmacro %}
{% set block %}<b>{{ values[0] }}</b>{% endset %}
{% for value in values %}<a href="{{ value }}" data-x='{{ value }}'>{{ value }}</a>{{ card(value, value) }}
{% endfor %}{{ block }}{{ values[0] ~ values[1] }}{{ values[0]|upper }}{{ values[0]|safe }}
"""

HOSTILE = ['"><script>alert(1)</script>', "' onmouseover='x", "a&b&amp;c", "<!--", "plain", "é😀\u2028",
           Markup("<em>kept</em>"), 42, 4.5, None, True]


class Html:
    def __html__(self):
        return "<i>own html</i>"


class Text(str):
    pass


@pytest.mark.parametrize("value", [*HOSTILE, Html(), Text("<sub>")], ids=repr)
def test_output_is_what_jinjas_autoescape_writes(tmp_path, value):
    config = load_config(make_site(tmp_path / "site"))
    ours = make_environment(config).from_string(TEMPLATE)
    theirs = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                                lstrip_blocks=True, keep_trailing_newline=True).from_string(TEMPLATE)
    values = [value, HOSTILE[0]]
    assert ours.render(values=values) == theirs.render(values=values)


def test_output_escape_keeps_markup_and_escapes_the_five_characters():
    assert output_escape("<&>'\"") == "&lt;&amp;&gt;&#39;&#34;"
    kept = Markup("<b>x</b>")
    assert output_escape(kept) is kept
    assert output_escape("plain text") == "plain text"


def test_undefined_names_still_fail(tmp_path):
    config = load_config(make_site(tmp_path / "site"))
    with pytest.raises(jinja2.UndefinedError):
        make_environment(config).from_string("{{ missing }}").render()


def test_templates_use_output_escape(tmp_path):
    # If a Jinja release stops calling a module-level `escape`, pages stay correct but
    # render ~35% slower: this says so.
    config = load_config(make_site(tmp_path / "site"))
    template = make_environment(config).from_string("{{ x }}")
    assert template.root_render_func.__globals__["escape"] is output_escape


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append(dict(attrs))


UNQUOTED_OR_NOT = [*HOSTILE[:6], 42, None, "", " ", "a b", "a\tb", "?a=1", "`x`", "x/", "https://x.example/a/",
                   "min(680px,100vw)", "/m/a.avif 680w,/m/b.avif 1360w", "#0d0f16", "Ana Nguyen's"]


@pytest.mark.parametrize("value", UNQUOTED_OR_NOT, ids=repr)
def test_attribute_value_reads_back_as_the_value_quoted_or_not(tmp_path, value):
    config = load_config(make_site(tmp_path / "site"))
    template = make_environment(config).from_string(
        "<a href={{ value|attribute_value }}><a href={{ value|attribute_value }} title=next>")
    html = template.render(value=value)
    parser = _Attributes()
    parser.feed(html)
    assert parser.found == [{"href": str(value)}, {"href": str(value), "title": "next"}], html


def test_attribute_value_leaves_out_quotes_only_where_html_allows():
    assert attribute_value("https://bio.example.com/og/ana.jpg") == "https://bio.example.com/og/ana.jpg"
    assert attribute_value("Ana") == "Ana"
    assert attribute_value("Ana Nguyen") == '"Ana Nguyen"'
    assert attribute_value("") == '""'
    assert attribute_value("?a=1") == '"?a=1"'
    assert attribute_value('"><script>') == "&#34;&gt;&lt;script&gt;"  # escaped: nothing left to end it
    assert attribute_value("a&b") == "a&amp;b"
