"""generator.data.profile_settings: the rules of each setting, as the build, `biogen check`,
import and `biogen profile set` apply them, and reading a BioData's settings back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.data.model import Profile, ProfileSettings, load_profiles
from generator.data.profile_settings import (COLUMNS, SETTINGS, TEXT_LIMITS, parse_assignment, read_document,
                                             row_problems, setting_problem)
from generator.data.validate import profile_problems


def _row(**values) -> ProfileSettings:
    return ProfileSettings("p1", **{column: values.get(column) for column in COLUMNS})


def _profile(row: ProfileSettings | None = None, **changes) -> Profile:
    base = dict(id="p1", username="alice", display_name="Alice", tagline=None, avatar_url=None, cover_url=None,
                created_at=None, updated_at=None, profile_settings=(row,) if row else ())
    base.update(changes)
    return Profile(**base)


GOOD = {
    "theme": ["classic", "minimal", "bold", "my-theme", "a", "2026", "x" * 40],
    "accent": ["#0a7", "#0A7", "#00aa77", "#FFFFFF", "#abc"],
    "button_shape": ["rounded", "pill", "square"],
    "language": ["en", "vi", "es", "ar", "ja", "pt-BR", "zh-Hant-TW", "fil", "en-GB", "sr-Latn"],
    "show_links": [0, 1], "show_products": [0, 1], "show_tools": [0, 1],
    "links_heading": ["Liên kết", "My links 🔗", "x" * 60, "مدونتي"],
    "seo_title": ["Ana Souza · Designer", "x" * 60],
    "seo_title_template": ["%s | Ana", "%s", "Ana — %s", "%s (100 %)"],
    "seo_description": ["Designer & maker.", "x" * 160],
}
BAD = {
    "theme": ["Bold", "-bold", "bold theme", "bold.css", "../x", "x" * 41, "", "thème"],
    "accent": ["0a7", "#0a", "#0a77", "#00aa7", "#00aa777", "blue", "#ggg", "rgb(0,0,0)", "#0a7 ", ""],
    "button_shape": ["Rounded", "round", "circle", "", " pill"],
    "language": ["EN", "english", "e", "en_GB", "en-", "en-b", "en-abcdefghi", "abcd", "", "vi "],
    "show_links": [2, -1, "1", "true", 0.5], "show_products": [3], "show_tools": ["yes"],
    "links_heading": ["", "   ", "two\nlines", "tab\there", "x" * 61],
    "products_heading": ["\x00"], "tools_heading": [" \t"],
    "seo_title": ["x" * 61, "a\rb"],
    "seo_title_template": ["Ana", "%s and %s", "%S | Ana", "% s", "x" * 59 + "%s"],
    "seo_description": ["x" * 161, "line\nbreak"],
}


@pytest.mark.parametrize("column, value", [(c, v) for c, values in GOOD.items() for v in values])
def test_good_values_are_accepted(column, value):
    assert setting_problem(column, value) is None


@pytest.mark.parametrize("column, value", [(c, v) for c, values in BAD.items() for v in values])
def test_bad_values_are_refused(column, value):
    assert setting_problem(column, value)


@pytest.mark.parametrize("column", COLUMNS)
def test_null_is_the_default_and_always_fine(column):
    assert setting_problem(column, None) is None


@pytest.mark.parametrize("column, value", [("theme", 5), ("accent", b"#fff"), ("links_heading", b"x"),
                                           ("seo_title", 2.5)])
def test_a_value_that_is_not_text_is_refused(column, value):
    assert "not text" in setting_problem(column, value)


@pytest.mark.parametrize("column, value, words", [
    ("accent", "blue", ["'blue'", "#rgb", "#rrggbb"]),
    ("button_shape", "round", ["'round'", "rounded, pill, square"]),
    ("theme", "Bold", ["'Bold'", "lowercase"]),
    ("language", "english", ["'english'", "pt-BR"]),
    ("show_links", 2, ["2", "0 or 1"]),
    ("seo_title_template", "Ana", ["'Ana'", "%s", "exactly once"]),
    ("seo_title_template", "%s %s", ["holds 2"]),
    ("links_heading", "x" * 61, ["61 characters", "at most 60", "shorten"]),
    ("seo_description", "x" * 200, ["200 characters", "at most 160"]),
    ("links_heading", " ", ["blank", "default"]),
])
def test_messages_name_the_bad_value_and_how_to_fix_it(column, value, words):
    message = setting_problem(column, value)
    assert all(word in message for word in words), message


def test_the_text_limits_are_the_builds_title_and_description_lengths():
    from generator.build.render import DESCRIPTION_MAX, TITLE_MAX
    assert TEXT_LIMITS["title"] == TITLE_MAX and TEXT_LIMITS["description"] == DESCRIPTION_MAX


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="#0123456789abcdefABCDEFgx ", max_size=9))
def test_an_accepted_accent_is_a_hash_and_three_or_six_hex_digits(value):
    if setting_problem("accent", value) is None:
        digits = value[1:]
        assert value[0] == "#" and len(digits) in (3, 6) and all(c in "0123456789abcdefABCDEF" for c in digits)


# ---- whole profiles: the build's and `biogen check`'s rules ------------------------------

def test_a_profile_with_good_settings_has_no_problems():
    row = _row(theme="bold", accent="#0a7", button_shape="pill", language="vi", show_links=0, show_products=1,
               show_tools=0, links_heading="Liên kết", seo_title="Ana", seo_title_template="%s | Ana",
               seo_description="Hi")
    assert profile_problems(_profile(row)) == []
    assert profile_problems(_profile(_row())) == []


def test_bad_settings_are_located_by_profile_table_row_and_column():
    row = _row(accent="blue", button_shape="round", show_tools=2, seo_title_template="Ana")
    problems = profile_problems(_profile(row))
    assert sorted((p.profile, p.table, p.row_id, p.column) for p in problems) == [
        ("alice", "profile_settings", "p1", "accent"),
        ("alice", "profile_settings", "p1", "button_shape"),
        ("alice", "profile_settings", "p1", "seo_title_template"),
        ("alice", "profile_settings", "p1", "show_tools"),
    ]
    accent = next(p for p in problems if p.column == "accent")
    assert "'blue'" in str(accent) and "`biogen profile set alice accent=`" in str(accent)


def test_settings_problems_are_found_beside_the_other_problems():
    problems = profile_problems(_profile(_row(theme="Bold"), display_name=" "))
    assert sorted((p.table, p.column) for p in problems) == [("profile_settings", "theme"), ("profiles", "display_name")]


def test_settings_written_by_another_tool_are_checked(empty_db, add_profile):
    add_profile(empty_db, "p1", "alice")
    # INTEGER affinity keeps text that is not a number as text, as sqlite-utils would write it.
    empty_db.execute("INSERT INTO profile_settings (profile_id, show_links, language) VALUES ('p1', 'true', 'EN')")
    [profile] = load_profiles(empty_db)
    assert sorted(p.column for p in profile_problems(profile)) == ["language", "show_links"]


def test_row_problems_lists_each_bad_column_in_table_order():
    assert [c for c, _ in row_problems(_row(seo_description="\n", theme="X", accent="#12"))] == [
        "theme", "accent", "seo_description"]


# ---- `biogen profile set KEY=VALUE` ---------------------------------------------------------

@pytest.mark.parametrize("text, column, value", [
    ("theme=bold", "theme", "bold"), ("accent=#0a7", "accent", "#0a7"), ("buttonShape=pill", "button_shape", "pill"),
    ("button_shape=pill", "button_shape", "pill"), ("showLinks=false", "show_links", 0),
    ("showAiTools=TRUE", "show_tools", 1), ("show_tools=0", "show_tools", 0), ("showProducts=on", "show_products", 1),
    ("showLinks=", "show_links", None), ("theme=", "theme", None), ("linksHeading=a = b", "links_heading", "a = b"),
    ("seo.title.default=Ana", "seo_title", "Ana"), ("seo_title_template=%s | Ana", "seo_title_template", "%s | Ana"),
    ("seo.description=Hi there", "seo_description", "Hi there"), ("language=pt-BR", "language", "pt-BR"),
])
def test_assignments_by_biodata_or_column_name(text, column, value):
    setting, parsed = parse_assignment(text)
    assert (setting.column, parsed) == (column, value)


@pytest.mark.parametrize("text, words", [("theme", ["key=value"]), ("colour=#fff", ["'colour'", "accent"]),
                                         ("showLinks=maybe", ["true or false"]),
                                         ("defaultCollapsed=true", ["not a setting"])])
def test_bad_assignments_say_what_is_wrong(text, words):
    with pytest.raises(ValueError) as caught:
        parse_assignment(text)
    assert all(word in str(caught.value) for word in words)


def test_every_setting_has_one_name_and_one_column():
    names = [s.name for s in SETTINGS]
    assert len(set(names)) == len(names) == len(COLUMNS) == len(ProfileSettings._fields) - 1


# ---- a BioData's settings and seo ------------------------------------------------------------

def test_reading_a_documents_settings():
    reading = read_document({"settings": {"theme": "bold", "showLinks": False, "showAiTools": True,
                                          "linksHeading": ""},
                             "seo": {"title": {"default": "Ana", "template": "%s | Ana"}, "description": "Hi"}})
    assert {c: v for c, v in reading.values.items() if v is not None} == {
        "theme": "bold", "show_links": 0, "show_tools": 1, "seo_title": "Ana", "seo_title_template": "%s | Ana",
        "seo_description": "Hi"}
    assert reading.problems == [] and reading.dropped == []


def test_the_newer_sites_keys_biogen_does_not_keep_are_dropped_with_their_paths():
    reading = read_document({"settings": {"defaultCollapsed": True, "showSegmentTabs": False, "sparkle": 1},
                             "seo": {"url": "https://ana.example", "title": {"default": "Ana", "x": "y"}}})
    assert [path for path, _ in reading.dropped] == [
        ("settings", "defaultCollapsed"), ("settings", "showSegmentTabs"), ("settings", "sparkle"),
        ("seo", "url"), ("seo", "title", "x")]
    assert reading.values["seo_title"] == "Ana" and reading.problems == []


@pytest.mark.parametrize("document, path, words", [
    ({"settings": {"showLinks": 1}}, ("settings", "showLinks"), ["the number 1", "true or false"]),
    ({"settings": {"theme": True}}, ("settings", "theme"), ["true", "text"]),
    ({"settings": {"accent": "blue"}}, ("settings", "accent"), ["'blue'", "#rgb"]),
    ({"settings": "bold"}, ("settings",), ["a string", "object"]),
    ({"seo": {"title": "Ana"}}, ("seo", "title"), ["a string", "object"]),
    ({"seo": {"title": {"template": "Ana"}}}, ("seo", "title", "template"), ["%s"]),
])
def test_bad_settings_in_a_document_are_problems_at_their_paths(document, path, words):
    reading = read_document(document)
    assert [p for p, _ in reading.problems] == [path]
    assert all(word in reading.problems[0][1] for word in words), reading.problems


def test_the_build_refuses_bad_settings_and_writes_nothing(tmp_path):
    from generator.errors import ValidationError
    from sitekit import build_site, execute, make_site
    site = make_site(tmp_path / "site")
    execute(site, "INSERT INTO profile_settings (profile_id, button_shape) VALUES ('p-min', 'circle')")
    with pytest.raises(ValidationError) as caught:
        build_site(site)
    assert "profile 'minimal': profile_settings row 'p-min', column button_shape: 'circle'" in str(caught.value)
    assert not (site / "dist").exists()
