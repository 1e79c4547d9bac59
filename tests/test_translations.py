"""The pages' own words come from translations/<tag>.json, and a profile's settings choose
the language, which sections show, their headings and the SEO title and description."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.build import icons
from generator.build.translations import Catalog, fill, lookup_candidates, tag_direction
from generator.config import load_config, packaged_dir
from generator.errors import ConfigError
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
