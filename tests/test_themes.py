"""Themes, accents and button shapes: the contrast arithmetic, the theme files, and what a
build of a real site writes for profiles that chose a look (generator/build/themes.py)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.build.check import check_database
from generator.build.colour import (LIGHTNESS_STEP, contrast_ratio, from_oklch, hex_colour, nearest_passing_shade,
                                    oklch, parse_hex)
from generator.build.themes import (BUILT_IN_THEMES, BUTTON_RADII, TEXT_CONTRAST, accent_shades, load_themes,
                                    parse_theme, themed_css)
from generator.config import load_config, packaged_dir
from generator.errors import BuildError, ValidationError
from sitekit import build_site, execute, make_site, mtimes, snapshot

SITE_THEME = Path(__file__).parent / "fixtures" / "site-theme" / "themes"
BUILT_IN = BUILT_IN_THEMES
WHITE = (255, 255, 255)


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def set_look(site: Path, username: str, theme=None, accent=None, button_shape=None) -> None:
    """Give a profile a settings row (or replace it), as any SQLite tool would."""
    execute(site, "INSERT INTO profile_settings (profile_id, theme, accent, button_shape) "
                  "SELECT id, ?, ?, ? FROM profiles WHERE username = ? ON CONFLICT (profile_id) DO UPDATE SET "
                  "theme = excluded.theme, accent = excluded.accent, button_shape = excluded.button_shape",
            (theme, accent, button_shape, username))


def stylesheet_of(dist: Path, page: str) -> str:
    """The URL of the one stylesheet a page links."""
    links = re.findall(r'<link rel="?stylesheet"? href="?([^" >]+)"?>', (dist / page).read_text())
    assert len(links) == 1, links
    return links[0]


# WCAG 2.1 contrast, against values published with the guideline and its tools.

@pytest.mark.parametrize("first, second, expected", [
    ("#777", "#fff", 4.48),      # the grey that just fails AA for text
    ("#767676", "#fff", 4.54),   # the lightest grey that passes on white
    ("#000", "#fff", 21.0),
    ("#fff", "#fff", 1.0),
    ("#595959", "#fff", 7.0),    # the AAA grey
    ("#0000ff", "#fff", 8.59),
    ("#ff0000", "#fff", 4.0),
])
def test_contrast_ratio_matches_wcag_21(first, second, expected):
    assert round(contrast_ratio(parse_hex(first), parse_hex(second)), 2) == expected
    assert contrast_ratio(parse_hex(second), parse_hex(first)) == contrast_ratio(parse_hex(first), parse_hex(second))


def test_hex_colours_are_read_in_either_length_and_case_and_written_shortest():
    assert parse_hex("#5B45F5") == parse_hex("#5b45f5") == (0x5B, 0x45, 0xF5)
    assert parse_hex("#abc") == (0xAA, 0xBB, 0xCC)
    for bad in ("5b45f5", "#5b45f", "#abcd", "#12345g", "red", "rgb(1,2,3)", "", None, 0x5B45F5, " #fff"):
        assert parse_hex(bad) is None, bad
    assert hex_colour((0xAA, 0xBB, 0xCC)) == "#abc" and hex_colour((0x5B, 0x45, 0xF5)) == "#5b45f5"


@pytest.mark.parametrize("colour", ["#5b45f5", "#ffcc00", "#0b7a75", "#777", "#e91e63", "#123456", "#fff"])
def test_oklch_round_trips_every_8_bit_colour_it_is_given(colour):
    assert from_oklch(*oklch(parse_hex(colour))) == parse_hex(colour)


@pytest.mark.parametrize("accent, backgrounds", [
    ("#ffcc00", ["#fff"]),                      # a yellow on white: far too light
    ("#00ff00", ["#fff", "#f4f5fa"]),
    ("#a99dff", ["#f4f5fa", "#e4e1ff", "#fff"]),  # classic's dark accent, on classic's light backgrounds
    ("#5b45f5", ["#0d0f16", "#161a24"]),        # classic's light accent, on its dark ones: must get lighter
    ("#888", ["#fff"]),                         # a grey: no hue to keep
])
def test_the_nearest_passing_shade_passes_keeps_the_hue_and_no_nearer_lightness_does(accent, backgrounds):
    colour, against = parse_hex(accent), [parse_hex(b) for b in backgrounds]

    def worst(shade):
        return min(contrast_ratio(shade, background) for background in against)

    assert worst(colour) < TEXT_CONTRAST
    shade = nearest_passing_shade(colour, worst, TEXT_CONTRAST)
    assert worst(shade) >= TEXT_CONTRAST
    lightness, chroma, hue = oklch(colour)
    shade_lightness, shade_chroma, shade_hue = oklch(shade)
    if chroma > 0.02:
        assert abs((shade_hue - hue + 180) % 360 - 180) < 6, (hex_colour(shade), hue, shade_hue)
    # Near: one step less of lightness change does not pass (the answer is the first that does).
    moved = round(abs(shade_lightness - lightness) / LIGHTNESS_STEP)
    assert moved >= 1
    for nearer in (lightness - (moved - 1) * LIGHTNESS_STEP, lightness + (moved - 1) * LIGHTNESS_STEP):
        assert worst(from_oklch(nearer, chroma, hue)) < TEXT_CONTRAST


def test_a_colour_that_passes_is_its_own_nearest_shade_and_an_impossible_one_has_none():
    blue = parse_hex("#1f4e8c")
    assert nearest_passing_shade(blue, lambda shade: contrast_ratio(shade, WHITE), TEXT_CONTRAST) == blue
    # Text on white and on classic's dark page at once: no colour reaches 4.5:1 against both
    # (it would need a relative luminance of at most 0.183 and at least 0.200).
    dark_page = parse_hex("#0d0f16")
    assert nearest_passing_shade(blue, lambda s: min(contrast_ratio(s, WHITE), contrast_ratio(s, dark_page)),
                                 TEXT_CONTRAST) is None


# The theme files: biogen's own, and the example site theme.

def _theme(path: Path):
    return parse_theme(path.stem, path.read_text(), path)


@pytest.mark.parametrize("path", [packaged_dir("themes") / f"{name}.css" for name in BUILT_IN]
                         + [SITE_THEME / "paper.css"], ids=lambda path: path.stem)
def test_each_theme_declares_its_contrast_and_its_own_accent_passes_it_in_both_schemes(path):
    theme = _theme(path)
    assert theme.accent_text_on and theme.text_on_accent
    for scheme in ("light", "dark"):
        accent = theme.colour(scheme, "--a")
        for prop in theme.accent_text_on + theme.text_on_accent:
            ratio = contrast_ratio(accent, theme.colour(scheme, prop))
            assert ratio >= TEXT_CONTRAST, (path.name, scheme, prop, round(ratio, 2))


def test_the_built_in_themes_are_the_files_biogen_ships():
    assert sorted(BUILT_IN_THEMES) == sorted(path.stem for path in packaged_dir("themes").glob("*.css"))
    assert len(BUILT_IN_THEMES) >= 3


def test_the_three_built_in_themes_set_different_colours_in_both_schemes():
    themes = [_theme(packaged_dir("themes") / f"{name}.css") for name in BUILT_IN]
    for scheme in ("light", "dark"):
        looks = {(t.properties(scheme)["--bg"], t.properties(scheme)["--a"], t.properties(scheme)["--s2"])
                 for t in themes}
        assert len(looks) == 3, scheme


@pytest.mark.parametrize("text, message", [
    (":root{--bg:#fff;--a:#000;--on:#fff}@media (prefers-color-scheme:dark){:root{--bg:#000}}",
     "first comment must say where the accent carries text"),
    ("/* accent-text-on: --bg; text-on-accent: --on; */ :root{--bg:#fff;--a:#000;--on:#fff}",
     "the dark one is missing"),
    ("/* accent-text-on: --bg --s; text-on-accent: --on; */ :root{--bg:#fff;--a:#000;--on:#fff}"
     "@media (prefers-color-scheme:dark){:root{--bg:#000}}", "sets no --s for the light scheme"),
    ("/* accent-text-on: --bg; text-on-accent: --on; */ :root{--bg:white;--a:#000;--on:#fff}"
     "@media (prefers-color-scheme:dark){:root{--bg:#000}}", "--bg in the light scheme must be a colour"),
])
def test_a_theme_file_that_lacks_what_the_check_reads_is_refused_by_name(tmp_path, text, message):
    with pytest.raises(BuildError, match=re.escape(message)) as raised:
        parse_theme("odd", text, tmp_path / "themes" / "odd.css", shown="themes/odd.css")
    assert "themes/odd.css" in str(raised.value)


def test_site_themes_add_to_and_override_the_built_in_ones(site):
    (site / "themes").mkdir()
    shutil.copy(SITE_THEME / "paper.css", site / "themes" / "paper.css")
    (site / "themes" / "minimal.css").write_text(
        (packaged_dir("themes") / "minimal.css").read_text().replace("--a:#111;", "--a:#222;"))
    themes = load_themes(load_config(site))
    assert sorted(themes) == ["bold", "classic", "minimal", "paper"]
    assert themes["paper"].path == site / "themes" / "paper.css"
    assert themes["minimal"].light["--a"] == "#222" and themes["classic"].path.parent == packaged_dir("themes")
    (site / "themes" / "Big Theme.css").write_text(themes["paper"].css)
    with pytest.raises(BuildError, match=r"themes/Big Theme\.css: a theme's file name"):
        load_themes(load_config(site))


def test_a_profile_builds_with_the_example_site_theme(site):
    (site / "themes").mkdir()
    shutil.copy(SITE_THEME / "paper.css", site / "themes" / "paper.css")
    set_look(site, "ana", theme="paper")
    build_site(site)
    dist = site / "dist"
    css = (dist / stylesheet_of(dist, "ana.html").lstrip("/")).read_text()
    assert css.startswith(_served_base()) and "font-family:Georgia,serif" in css and "--bg:#f6f1e7" in css
    head = (dist / "ana.html").read_text()
    assert '<meta name=theme-color content=#f6f1e7>' in head and '<meta name=theme-color content=#1d1914 ' in head


def _served_base() -> str:
    from generator.build.sitefiles import strip_css_comments
    return strip_css_comments((packaged_dir("assets") / "style.css").read_text())


# Builds: which stylesheet each page loads, what is refused, what is rewritten.

def _without_content_version(page: Path) -> str:
    """The page without its content hash, which covers the settings row (a row of NULLs too)."""
    return re.sub(r'<meta name="?content-version"? content="?[0-9a-f]+"?>', "", page.read_text())


def test_a_profile_whose_look_is_the_default_keeps_its_page(site):
    build_site(site)
    before = _without_content_version(site / "dist" / "ana.html")
    assert stylesheet_of(site / "dist", "ana.html").startswith("/assets/style.")
    for look in ({}, {"theme": "classic"}, {"button_shape": "rounded"}, {"theme": "classic", "button_shape": "rounded"}):
        set_look(site, "ana", **look)
        build_site(site)
        assert _without_content_version(site / "dist" / "ana.html") == before, look
    assert not (site / "dist" / "assets" / "t").exists()


def test_style_css_is_the_layout_then_the_classic_theme(site):
    build_site(site)
    dist = site / "dist"
    css = (dist / stylesheet_of(dist, "ana.html").lstrip("/")).read_text()
    assert css == _served_base() + _theme(packaged_dir("themes") / "classic.css").css


@pytest.mark.parametrize("theme", BUILT_IN)
def test_a_chosen_theme_accent_and_shape_reach_the_page_as_custom_properties_in_its_one_stylesheet(site, theme):
    set_look(site, "ana", theme=theme, accent="#0B5CAD", button_shape="pill")
    build_site(site)
    dist = site / "dist"
    url = stylesheet_of(dist, "ana.html")
    assert re.fullmatch(r"/assets/t/[0-9a-f]{10}\.css", url)
    css = (dist / url.lstrip("/")).read_text()
    light, dark = re.search(r":root\{([^}]*)\}", css).group(1), re.search(
        r"@media\(prefers-color-scheme:dark\)\{:root\{([^}]*)\}", css).group(1)
    assert "--a:#0b5cad" in light.split(";") and f"--rd:{BUTTON_RADII['pill']}" in light.split(";")
    dark_accent = re.search(r"--a:(#[0-9a-f]+)", dark).group(1)
    parsed = _theme(packaged_dir("themes") / f"{theme}.css")
    assert dark_accent == hex_colour(accent_shades(parsed, parse_hex("#0b5cad"))[0])
    for prop in parsed.accent_text_on + parsed.text_on_accent:  # the dark shade passes where it carries text
        assert contrast_ratio(parse_hex(dark_accent), parsed.colour("dark", prop)) >= TEXT_CONTRAST
    page = (dist / "ana.html").read_text()
    assert "style=" not in page and "<style" not in page  # the CSP allows no inline style


def test_one_stylesheet_per_distinct_look_shared_by_the_profiles_that_have_it(site):
    set_look(site, "ana", theme="bold", accent="#0b5cad")
    set_look(site, "minimal", theme="bold", accent="#0B5CAD")  # the same colour, written otherwise
    set_look(site, "rtl", theme="bold", accent="#7a1f5c")
    set_look(site, "linh.example.com", theme="minimal", button_shape="square")
    build_site(site)
    dist = site / "dist"
    sheets = {page: stylesheet_of(dist, f"{page}.html") for page in ("ana", "minimal", "rtl", "linh.example.com")}
    assert sheets["ana"] == sheets["minimal"] and len(set(sheets.values())) == 3
    files = sorted(path.name for path in (dist / "assets" / "t").iterdir())
    assert files == sorted(Path(url).name for url in set(sheets.values()))
    for url in sheets.values():  # named by their content
        data = (dist / url.lstrip("/")).read_bytes()
        from generator.build.output import digest_bytes
        assert Path(url).stem == digest_bytes(data)[:10]
    first = snapshot(dist)
    shutil.rmtree(site / ".dist.trees")
    (site / "dist").unlink()
    build_site(site)
    assert snapshot(site / "dist") == first  # deterministic


def test_a_changed_look_rewrites_only_that_profile_and_drops_the_stylesheet_nobody_uses(site):
    set_look(site, "ana", theme="bold", accent="#0b5cad")
    set_look(site, "rtl", theme="bold", accent="#0b5cad")
    set_look(site, "minimal", theme="minimal")
    build_site(site)
    dist = site / "dist"
    shared, alone = stylesheet_of(dist, "ana.html"), stylesheet_of(dist, "minimal.html")
    before = mtimes(dist)

    set_look(site, "ana", theme="bold", accent="#7a1f5c")
    summary = build_site(site)
    assert summary.rendered == 1
    after = mtimes(dist)
    changed = {path for path in after if before.get(path) != after[path]}
    new = stylesheet_of(dist, "ana.html").lstrip("/")
    # The page, its stylesheet and the content version; ana's BioData too once it holds the settings.
    assert {"ana.html", new} <= changed <= {"ana.html", new, "api/version.json", "api/profiles/ana.json"}, changed
    assert (dist / shared.lstrip("/")).exists()  # rtl still uses it

    set_look(site, "rtl", theme="bold", accent="#7a1f5c")
    set_look(site, "minimal", theme=None)
    summary = build_site(site)
    assert summary.rendered == 2
    assert not (dist / shared.lstrip("/")).exists() and not (dist / alone.lstrip("/")).exists()
    assert stylesheet_of(dist, "minimal.html").startswith("/assets/style.")
    assert sorted(p.name for p in (dist / "assets" / "t").iterdir()) == [Path(new).name]


def test_an_unknown_theme_stops_the_build_naming_the_profile_and_the_themes(site):
    build_site(site)
    before = snapshot(site / "dist")
    set_look(site, "ana", theme="neon")
    with pytest.raises(ValidationError) as raised:
        build_site(site)
    message = str(raised.value)
    assert "profile 'ana': profile_settings row 'p-ana', column theme: 'neon' is not a theme of this site" in message
    assert "the themes are bold, classic, minimal" in message
    assert snapshot(site / "dist") == before
    (site / "themes").mkdir()
    shutil.copy(SITE_THEME / "paper.css", site / "themes" / "paper.css")
    with pytest.raises(ValidationError, match="the themes are bold, classic, minimal, paper"):
        build_site(site)


def test_an_accent_that_carries_text_below_4_5_is_refused_with_the_nearest_shade_that_passes(site):
    set_look(site, "ana", theme="classic", accent="#ffcc00")
    with pytest.raises(ValidationError) as raised:
        build_site(site)
    message = str(raised.value)
    assert "profile 'ana': profile_settings row 'p-ana', column accent: #ffcc00 is 1.18:1 as text on --gl" in message
    assert "in theme 'classic', light scheme, where it carries text; WCAG 2.1 asks 4.5:1" in message
    suggestion = re.search(r"The nearest shade of its hue that passes is (#[0-9a-f]+) \((\d+\.\d+):1", message)
    assert suggestion and float(suggestion.group(2)) >= TEXT_CONTRAST
    set_look(site, "ana", theme="classic", accent=suggestion.group(1))
    build_site(site)  # the suggestion is accepted as it is
    assert f"--a:{suggestion.group(1)}" in (site / "dist" / stylesheet_of(site / "dist", "ana.html").lstrip("/")).read_text()


def test_bad_accents_and_shapes_are_refused_once_and_check_finds_them_too(site):
    set_look(site, "ana", accent="violet", button_shape="round")
    set_look(site, "rtl", theme="minimal", accent="#ffffff")
    expected = ["profile 'ana': profile_settings row 'p-ana', column accent: 'violet' is not a CSS hex colour",
                "profile 'ana': profile_settings row 'p-ana', column button_shape: 'round' is not a button shape",
                "profile 'rtl': profile_settings row 'p-rtl', column accent: #ffffff is 1.00:1 as text on --bg (#fff) "
                "in theme 'minimal', light scheme"]
    for run in (build_site, lambda s: check_database(load_config(s))):
        with pytest.raises(ValidationError) as raised:
            run(site)
        lines = str(raised.value).splitlines()[1:]
        assert len(lines) == 3, lines  # the data's rules and the themes' do not both report a column
        for line in expected:
            assert line in str(raised.value), (line, str(raised.value))


def test_themed_css_replaces_the_theme_values_in_place_and_adds_what_it_lacks():
    theme = parse_theme("t", "/* accent-text-on: --bg; text-on-accent: --on; */\n"
                             ":root{--bg:#fff;--a:#000;--on:#fff;--rd:8px}\n"
                             "@media (prefers-color-scheme: dark){:root{--bg:#000;--on:#000}}\na{color:var(--a)}\n",
                        Path("t.css"))
    css = themed_css(theme, light={"--a": "#123", "--rd": "0"}, dark={"--a": "#abc"})
    assert css == (":root{--bg:#fff;--a:#123;--on:#fff;--rd:0}"
                   "@media(prefers-color-scheme: dark){:root{--bg:#000;--on:#000;--a:#abc}}a{color:var(--a)}")
