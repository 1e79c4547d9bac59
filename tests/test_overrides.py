"""style.css without the declarations a theme overrides (generator.build.overrides): what
goes, what stays, and that the built-in themes' files lose only what could never apply."""

from __future__ import annotations

import pytest

from generator.build.overrides import rules_of, without_overridden
from generator.build.sitefiles import strip_css_comments
from generator.build.themes import BUILT_IN_THEMES
from generator.config import packaged_dir


def test_a_declaration_goes_when_the_theme_sets_it_again_for_every_selector_of_its_rule():
    base = ".a{color:red;margin:0}.b,.c{color:red}"
    assert without_overridden(base, ".a{color:blue}.b{color:blue}") == ".a{margin:0}.c{color:red}"


def test_a_selector_goes_from_its_list_when_the_theme_overrides_all_it_declares():
    assert without_overridden("h2,.x p{font-size:1px}", "h2{font-size:2px}") == ".x p{font-size:1px}"
    assert without_overridden("h2,.x p{font-size:1px;color:red}", "h2{font-size:2px}") == \
        "h2,.x p{font-size:1px;color:red}"  # h2 still takes the colour


def test_media_rules_go_when_a_later_top_level_or_same_media_rule_overrides_them():
    base = "@media (min-width:720px){.c{height:2px}.d{gap:1px}}.e{gap:0}"
    assert without_overridden(base, ".c{height:3px}") == "@media(min-width:720px){.d{gap:1px}}.e{gap:0}"
    assert without_overridden(base, "@media (min-width:720px){.d{gap:2px}}") == \
        "@media(min-width:720px){.c{height:2px}}.e{gap:0}"
    # A theme's rule under a media query overrides a top-level one only there: kept.
    assert without_overridden(base, "@media (min-width:720px){.e{gap:2px}}") == base


@pytest.mark.parametrize("base, theme", [
    (".a{margin-top:1px}", ".a{margin:0}"),                 # no shorthand reasoning
    (".a{margin:1px}", ".a{margin-top:0}"),
    (".a>b{color:red}", ".a > b{color:blue}"),              # the selector as written
    (".a{color:red!important}", ".a{color:blue}"),          # an !important the theme cannot beat
    (".a{color:red}", "@media print{.a{color:blue}}"),      # only under another condition
    (".a{color:red}", "@supports (x:y){.a{color:blue}}"),   # a block this reader does not follow
    (".a{color:red}", ".b{color:blue}"),
])
def test_what_the_theme_may_not_override_everywhere_stays(base, theme):
    assert without_overridden(base, theme) == base


def test_strings_with_braces_and_commas_are_read_as_strings():
    base = '.a:before{content:"}{,;";color:red}.b :is(p,a){color:red}'
    assert without_overridden(base, ".a:before{color:blue}.b :is(p,a){color:blue}") == '.a:before{content:"}{,;"}'


@pytest.mark.parametrize("theme", BUILT_IN_THEMES)
def test_the_built_in_themes_keep_every_rule_they_do_not_set_again(theme):
    base = strip_css_comments((packaged_dir("assets") / "style.css").read_text())
    theme_css = strip_css_comments((packaged_dir("themes") / f"{theme}.css").read_text())
    served = without_overridden(base, theme_css)
    kept = rules_of(served)
    # What minimal and bold set again (the cover, the h1, the headings, the alignment) goes.
    assert len(served) < len(base) - 100 if theme in ("minimal", "bold") else served == base
    overridden = {(rule.media, selector, declaration.partition(":")[0])
                  for rule in rules_of(theme_css) for selector in rule.selectors for declaration in rule.declarations}
    for rule in rules_of(base):
        for selector in rule.selectors:
            for declaration in rule.declarations:
                name = declaration.partition(":")[0]
                still = any(selector in k.selectors and declaration in k.declarations and k.media == rule.media
                            for k in kept)
                gone = (None, selector, name) in overridden or (rule.media, selector, name) in overridden
                assert still or gone, (theme, rule.media, selector, declaration)  # lost without a reason
