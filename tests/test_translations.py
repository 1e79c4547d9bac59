"""The pages' own words come from translations/<tag>.json, and a profile's settings choose
the language, which sections show, their headings and the SEO title and description."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import icons
from generator.build.check import check_database
from generator.build.translations import Catalog, fill, lookup_candidates, tag_direction
from generator.config import load_config, packaged_dir
from generator.errors import ConfigError, TemplateError, ValidationError
from sitekit import build_site, execute, make_site

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
BUILT_IN = ["ar", "en", "es", "ja", "vi"]


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def settings(site: Path, username: str, **columns) -> None:
    """Give `username` a profile_settings row with `columns`, as any SQLite tool would."""
    names = ", ".join(columns)
    execute(site, f"INSERT INTO profile_settings (profile_id, {names}) "
                  f"SELECT id, {', '.join('?' * len(columns))} FROM profiles WHERE username = ?",
            (*columns.values(), username))


def page(site: Path, name: str) -> str:
    return (site / "dist" / name).read_text(encoding="utf-8")


def headings(html: str) -> list[str]:
    return re.findall(r"<h2 id=\w+>(.*?)</h2>", html)


def site_translation(site: Path, tag: str, words: dict) -> None:
    folder = site / "translations"
    folder.mkdir(exist_ok=True)
    (folder / f"{tag}.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")


# ---- the files ---------------------------------------------------------------------------

def test_biogen_ships_five_languages_each_with_every_english_key():
    catalog = Catalog([packaged_dir("translations")])
    assert catalog.languages == BUILT_IN
    for tag in BUILT_IN:
        words = catalog.words(tag)
        assert words.missing == () and words.unknown == (), tag
        assert all(text.strip() for text in words.text.values()), tag
    english = catalog.words("en").text
    assert english["profile.links"] == "Links" and catalog.words("vi").text["profile.links"] == "Liên kết"
    assert [catalog.words(tag).dir for tag in BUILT_IN] == ["rtl", "ltr", "ltr", "ltr", "ltr"]


def test_every_translation_keeps_the_english_placeholders():
    catalog = Catalog([packaged_dir("translations")])
    english = catalog.words("en").text
    for tag in BUILT_IN:
        for key, text in catalog.words(tag).text.items():
            assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", english[key])), (tag, key)


def test_english_names_generic_icons_as_the_icon_set_does():
    """English pages keep the icon set's names; every generic (Lucide) icon has words to translate."""
    data = json.loads((REPO / "generator" / "build" / "icons.json").read_text())["icons"]
    generic = {key for key, entry in data.items() if entry["source"].startswith("lucide")}
    generic -= {"linkedin"}  # a brand: its name is not translated
    english = Catalog([packaged_dir("translations")]).words("en").text
    social = {key.split(".", 1)[1]: text for key, text in english.items() if key.startswith("social.")}
    assert set(social) == generic
    assert all(icons.named_icon(key, None).label == text for key, text in social.items())


def test_templates_hold_no_english_words():
    """Every word of the 404 page and the directory comes from the translation files."""
    for name in ("404.html", "directory.html", "base.html"):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", " ", (REPO / "templates" / name).read_text(), flags=re.S)
        assert not re.findall(r"[A-Za-z]{3,}", text), name
    profile = (REPO / "templates" / "profile.html").read_text()
    for word in ("Links", "Products", "Tools"):
        assert f">{word}<" not in profile


def test_tags_find_their_files_and_direction():
    assert lookup_candidates("zh-Hant-TW") == ["zh-hant-tw", "zh-hant", "zh"]
    assert lookup_candidates("de-DE-x-phonebk") == ["de-de-x-phonebk", "de-de", "de"]
    catalog = Catalog([packaged_dir("translations")])
    assert [catalog.resolve(tag) for tag in ("vi-VN", "EN", "ar-EG", "fr")] == ["vi", "en", "ar", None]
    assert [tag_direction(tag) for tag in ("ar", "he-IL", "fa", "az-Arab", "ar-Latn", "en", "ja", "ku")] == [
        "rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "ltr", "ltr"]


def test_placeholders_are_filled_once():
    assert fill("Links, products and tools from {name}.", {"name": "{name} & {x}"}) == \
        "Links, products and tools from {name} & {x}."


# ---- the pages ---------------------------------------------------------------------------

def test_a_settings_row_of_nulls_keeps_the_page_byte_for_byte(site):
    """But for the content hash of the rows, which covers the settings row (content_hash.py)."""
    execute(site, "INSERT INTO profile_settings (profile_id) VALUES ('p-ana'), ('p-rtl')")
    build_site(site)
    rows_hash = re.compile(r'<meta name="?content-version"? content="?[0-9a-f]+"?>')
    for name in ("ana.html", "rtl.html"):
        golden = (GOLDEN / name).read_text(encoding="utf-8")
        assert rows_hash.search(golden) and rows_hash.sub("", page(site, name)) == rows_hash.sub("", golden)


def test_the_profiles_language_sets_lang_dir_and_words(site):
    settings(site, "ana", language="vi")
    settings(site, "minimal", language="ar")
    settings(site, "rtl", language="en")
    settings(site, "linh.example.com", language="vi-VN")
    build_site(site)
    ana = page(site, "ana.html")
    assert ana.startswith('<!doctype html>\n<html lang=vi><head>')
    assert headings(ana) == ["Liên kết", "Sản phẩm", "Công cụ"]
    assert 'aria-label=Email' in ana and 'aria-label=GitHub' in ana  # vi says "Email" too; brands stay
    minimal = page(site, "minimal.html")
    assert minimal.startswith('<!doctype html>\n<html lang=ar dir=rtl><head>')
    assert '<meta name=description content="روابط ومنتجات وأدوات من Min.">' in minimal
    # A language the owner chose sets the layout: English words on an Arabic name read left to right.
    assert page(site, "rtl.html").startswith('<!doctype html>\n<html lang=en><head>')
    assert page(site, "linh.example.com.html").startswith('<!doctype html>\n<html lang=vi-VN><head>')


def test_generic_icons_are_named_in_the_pages_language(site):
    settings(site, "ana", language="ja")
    build_site(site)
    ana = page(site, "ana.html")
    assert re.findall(r'aria-label="?([^" >]*)', ana) == ["GitHub", "Twitter", "メール"]
    assert headings(ana) == ["リンク", "商品", "ツール"]


def test_a_right_to_left_site_language_lays_out_every_page_right_to_left(site):
    config = site / "biogen.toml"
    config.write_text(config.read_text().replace('language = "en"', 'language = "ar"') + "directory = true\n")
    settings(site, "ana", language="es")
    build_site(site)
    assert page(site, "minimal.html").startswith('<!doctype html>\n<html lang=ar dir=rtl><head>')
    assert page(site, "ana.html").startswith('<!doctype html>\n<html lang=es><head>')
    assert headings(page(site, "ana.html")) == ["Enlaces", "Productos", "Herramientas"]
    not_found = page(site, "404.html")
    assert '<html lang="ar" dir=rtl>' in not_found and "<h1>الصفحة غير موجودة</h1>" in not_found
    directory = page(site, "index.html")
    assert '<html lang="ar" dir=rtl>' in directory and '<title>الملفات الشخصية</title>' in directory
    assert 'aria-label="الملفات الشخصية حسب اسم المستخدم"' in directory


def test_the_directory_speaks_the_site_language(site):
    config = site / "biogen.toml"
    config.write_text(config.read_text().replace('language = "en"', 'language = "vi"') + "directory = true\n")
    build_site(site)
    directory = page(site, "index.html")
    assert '<html lang="vi">' in directory
    assert '<meta name="description" content="Hồ sơ từ ana đến rtl.">' in directory
    assert '<p class="tagline">ana đến rtl</p>' in directory and 'aria-label="Ký tự đầu"' in directory
    assert "Profiles" not in directory
    assert "Về trang chủ" in page(site, "404.html")


def test_hidden_sections_are_left_out_with_their_images(site):
    settings(site, "ana", show_links=0, show_products=0, show_tools=1)
    build_site(site)
    ana = page(site, "ana.html")
    assert headings(ana) == ["Tools"]
    assert "Portfolio" not in ana and "Icon pack" not in ana and "Figma" in ana
    pages = "".join(path.read_text(encoding="utf-8") for path in (site / "dist").rglob("*.html"))
    media = [path.relative_to(site / "dist").as_posix() for path in (site / "dist" / "m").rglob("*") if path.is_file()]
    assert media and all(f"/{name}" in pages for name in media)  # no file of a hidden image is written


def test_custom_headings_are_escaped_text_and_unset_ones_keep_the_language(site):
    # Blank headings and line breaks never get this far: the rules refuse them
    # (tests/test_profile_settings.py).
    settings(site, "ana", language="vi", links_heading='<script>x</script> & "Đọc"', tools_heading="My tools")
    build_site(site)
    assert headings(page(site, "ana.html")) == ["&lt;script&gt;x&lt;/script&gt; &amp; &#34;Đọc&#34;", "Sản phẩm",
                                               "My tools"]


def test_seo_title_replaces_the_title_and_og_title(site):
    settings(site, "ana", seo_title="Ana <Souza> | Design", seo_title_template="%s | ignored",
             seo_description="Posters & prints.")
    build_site(site)
    ana = page(site, "ana.html")
    assert "<title>Ana &lt;Souza&gt; | Design</title>" in ana
    assert '<meta property=og:title content="Ana &lt;Souza&gt; | Design">' in ana
    assert '<meta name=description content="Posters &amp; prints.">' in ana
    assert "og:description" not in ana  # Open Graph readers take the meta description


def test_seo_title_template_wraps_the_computed_title_only(site):
    settings(site, "ana", seo_title_template="%s | Ana's shop")
    build_site(site)
    ana = page(site, "ana.html")
    assert "<title>Ana Souza · Designer &amp; maker. Say hi now | Ana&#39;s shop</title>" in ana
    assert '<meta property=og:title content="Ana Souza">' in ana  # the share card names the person


# ---- site files, check and errors ---------------------------------------------------------

def test_a_site_overrides_some_words_of_a_language(site):
    site_translation(site, "vi", {"profile.links": "Đường dẫn"})
    settings(site, "ana", language="vi")
    build_site(site)
    assert headings(page(site, "ana.html")) == ["Đường dẫn", "Sản phẩm", "Công cụ"]


def test_a_site_language_shows_english_for_its_missing_words_and_check_lists_them(site):
    site_translation(site, "fr", {"profile.links": "Liens", "profile.tools": "Outils", "profile.extra": "?"})
    settings(site, "ana", language="fr")
    build_site(site)
    ana = page(site, "ana.html")
    assert ana.startswith('<!doctype html>\n<html lang=fr><head>')
    assert headings(ana) == ["Liens", "Products", "Outils"]
    count, warnings = check_database(load_config(site))
    assert count == 5
    missing = next(w for w in warnings if w.startswith("language 'fr': "))
    english = json.loads((packaged_dir("translations") / "en.json").read_text())
    assert f"{len(english) - 2} words missing, shown in English: " in missing
    assert "profile.products, profile.description" not in missing and "profile.products" in missing
    assert "not_found.title" in missing and "profile.links," not in missing
    assert any("fr.json has keys en.json lacks, which no page uses: profile.extra" in w for w in warnings)
    assert not any(w.startswith(("language 'en'", "language 'vi'")) for w in warnings)


def test_an_unknown_language_names_the_profile_and_the_languages_there_are(site):
    settings(site, "ana", language="fr")
    settings(site, "minimal", language="not a tag")
    for attempt in (lambda: check_database(load_config(site)), lambda: build_site(site)):
        with pytest.raises(ValidationError) as error:
            attempt()
        message = str(error.value)
        assert ("profile 'ana': profile_settings row 'p-ana', column language: 'fr' has no translation file; "
                "available: ar, en, es, ja, vi") in message
        assert "profile 'minimal': profile_settings row 'p-min', column language: 'not a tag' is not a language tag" \
            in message
    assert not (site / "dist").exists()


def test_a_site_language_without_a_file_is_a_config_error(site):
    config = site / "biogen.toml"
    config.write_text(config.read_text().replace('language = "en"', 'language = "fr"'))
    for attempt in (lambda: check_database(load_config(site)), lambda: build_site(site)):
        with pytest.raises(ConfigError, match=r"biogen.toml: language 'fr' has no translation file; "
                                              r"available: ar, en, es, ja, vi"):
            attempt()


@pytest.mark.parametrize("text, error", [
    ("{", "not valid UTF-8 JSON"),
    ('["Links"]', "must be one JSON object"),
    ('{"profile.links": 3}', "the value of 'profile.links' must be a string"),
    ('{"profile.description": "De {nom}."}', "'profile.description' uses {nom}, which the page does not fill "
                                             "(allowed here: {name})"),
    ('{"dir": "up"}', '"dir" must be "ltr" or "rtl"'),
])
def test_a_broken_translation_file_is_named(site, text, error):
    (site / "translations").mkdir()
    (site / "translations" / "vi.json").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        build_site(site)
    assert str(site / "translations" / "vi.json") in str(raised.value) and error in str(raised.value)


def test_a_changed_translation_file_renders_every_page_again(site):
    build_site(site)
    site_translation(site, "en", {"profile.links": "Elsewhere"})
    summary = build_site(site)
    assert summary.rendered == 5
    assert headings(page(site, "ana.html"))[0] == "Elsewhere"


def test_a_template_asking_for_words_english_lacks_names_the_template(site):
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text('{% extends "base.html" %}\n{% block body %}\n{{ t("nope.title") }}\n'
                                                 '{% endblock %}\n')
    with pytest.raises(TemplateError, match=r"template templates/404.html, line 3: no words for 'nope.title': "
                                            r"add the key to translations/en.json"):
        build_site(site)
    site_translation(site, "en", {"nope.title": "The site's own words"})
    build_site(site)
    assert "The site&#39;s own words" in page(site, "404.html")
