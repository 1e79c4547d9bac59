"""The files around the profile pages: caching rules and the stylesheet as served."""

from __future__ import annotations

from generator.config import packaged_dir
from generator.images.cache import MEDIA_DIR
from generator.build.sitefiles import HEADER_RULES, strip_css_comments


def test_media_files_are_cached_for_a_year_where_the_pipeline_writes_them():
    rules = dict(HEADER_RULES)
    assert rules[f"/{MEDIA_DIR}/*"] == (("Cache-Control", "public, max-age=31536000, immutable"),)


def test_css_comments_and_line_breaks_between_rules_go_strings_stay():
    css = '/* about a */\na{content:"/* kept */"}/* b\n   c */\nb{x:\'}\\\'/*\'}\n.c{y:1}\n'
    assert strip_css_comments(css) == 'a{content:"/* kept */"}b{x:\'}\\\'/*\'}.c{y:1}'


def test_the_served_stylesheet_keeps_every_rule_of_the_source():
    source = (packaged_dir("assets") / "style.css").read_text()
    served = strip_css_comments(source)
    assert "/*" not in served and len(served) < len(source)
    assert served.count("{") == source.count("{") and served.count("}") == source.count("}")
