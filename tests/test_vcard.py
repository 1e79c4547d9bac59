"""The contact card /<username>.vcf: vCard 4.0 (RFC 6350), read back with a vCard parser."""

from __future__ import annotations

import re

import pytest
import vobject

from generator.data.validate import username_problem
from generator.share.vcard import contact_addresses, escape_text, fold, vcard
from sitekit import build_site, execute, make_site, snapshot

HARD_TEXT = "Nguyễn, Ana; \\ \"quoted\"\nsecond line 東京 🌸 مرحبا"


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_text_escapes_backslash_comma_semicolon_and_line_breaks():
    assert escape_text("a\\b,c;d\ne\r\nf\rg") == "a\\\\b\\,c\\;d\\ne\\nf\\ng"


@pytest.mark.parametrize("text", ["a" * 200, "ệ" * 80, "🌸" * 40, "aé" * 60, "x" * 75, "x" * 76, "東" * 25])
def test_lines_fold_at_75_octets_between_characters(text):
    data = fold(f"NOTE:{text}")
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.startswith(b" ") for line in lines[1:])
    for line in lines:
        line.decode("utf-8")  # each line is whole characters: no UTF-8 sequence is cut
    assert b"".join(line[1:] if i else line for i, line in enumerate(lines)).decode() == f"NOTE:{text}"
    if len(f"NOTE:{text}".encode()) > 75:
        assert len(lines) > 1 and len(lines[0]) >= 72  # a line is cut as late as its characters allow


def test_links_give_web_addresses_emails_and_phones_once_each():
    web, emails, phones = contact_addresses([
        "https://a.example/", "mailto:ana@example.com?subject=Hi", "tel:+84-90-123", "ftp://x.example/",
        "HTTP://b.example/", "mailto:ana%2Bshop@example.com,bo@example.com", "https://a.example/", "tel:"])
    assert web == ["https://a.example/", "HTTP://b.example/"]
    assert emails == ["ana@example.com", "ana+shop@example.com", "bo@example.com"]
    assert phones == ["tel:+84-90-123"]


def test_the_card_reads_back_field_for_field():
    data = vcard(name=HARD_TEXT, note=HARD_TEXT * 3, photo="https://x.example/m/a.jpg", page_url="https://x.example/ana",
                 link_urls=["https://github.com/ana", "mailto:a,b@example.com", "tel:+1-555-0100",
                            "https://x.example/ana"])
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    card = vobject.readOne(data.decode("utf-8"))
    assert card.version.value == "4.0"
    assert card.fn.value == HARD_TEXT
    assert card.note.value == HARD_TEXT * 3
    assert card.photo.value == "https://x.example/m/a.jpg"
    assert [url.value for url in card.contents["url"]] == ["https://x.example/ana", "https://github.com/ana"]
    assert [email.value for email in card.contents["email"]] == ["a", "b@example.com"]
    assert card.tel.value == "tel:+1-555-0100" and card.tel.params["VALUE"] == ["uri"]


def test_the_build_writes_each_profiles_card_and_links_it(site):
    execute(site, "UPDATE profiles SET display_name = ?, tagline = ? WHERE username = 'ana'",
            ("Ana; Souza, \\ 東京", "Designer & *maker*, Hà Nội; [hi](mailto:ana@example.com)\nsecond line"))
    execute(site, "INSERT INTO social_links (id, profile_id, platform, url, icon, order_index) VALUES "
                  "('s9', 'p-ana', 'Phone', 'tel:+84901234567', 'phone', 3)")
    build_site(site)
    dist = site / "dist"
    html = (dist / "ana.html").read_text(encoding="utf-8")
    assert "<p><a href=/ana.vcf>Save contact</a></footer>" in html
    card = vobject.readOne((dist / "ana.vcf").read_bytes().decode("utf-8"))
    assert card.fn.value == "Ana; Souza, \\ 東京"
    assert card.note.value == "Designer & maker, Hà Nội; hi second line"  # the tagline as plain text
    photo = re.search(r'<img class="avatar[^"]*" src=([^ >]+)', html)[1]
    assert card.photo.value.startswith("https://bio.example.com/m/") and card.photo.value.endswith(".jpg")
    assert photo.startswith("/m/")
    assert [url.value for url in card.contents["url"]] == [
        "https://bio.example.com/ana", "https://github.com/ana", "https://x.com/ana",
        "https://ana.example.com", "https://ana.example.com/blog"]
    assert [email.value for email in card.contents["email"]] == ["ana@example.com"]
    assert [tel.value for tel in card.contents["tel"]] == ["tel:+84901234567"]
    assert "Content-Type: text/vcard; charset=utf-8" in (dist / "_headers").read_text().split("/*.vcf\n", 1)[1]


def test_a_card_speaks_the_pages_language(site):
    execute(site, "INSERT INTO profile_settings (profile_id, language) VALUES ('p-ana', 'vi')")
    build_site(site)
    assert "<a href=/ana.vcf>Lưu danh bạ</a>" in (site / "dist" / "ana.html").read_text(encoding="utf-8")


def test_a_card_is_rewritten_only_when_its_profile_changes_and_goes_with_it(site):
    build_site(site)
    dist = site / "dist"
    before = snapshot(dist)
    build_site(site)
    assert snapshot(dist) == before
    execute(site, "UPDATE profiles SET tagline = 'New words' WHERE username = 'ana'")
    summary = build_site(site)
    assert summary.rendered == 1 and b"NOTE:New words\r\n" in (dist / "ana.vcf").read_bytes()
    execute(site, "UPDATE profiles SET username = 'ana2' WHERE username = 'ana'")
    build_site(site)
    assert not (dist / "ana.vcf").exists() and (dist / "ana2.vcf").exists()


def test_a_site_may_turn_contact_cards_off(site):
    build_site(site)
    config = site / "biogen.toml"
    config.write_text(config.read_text() + "\n[share]\nvcard = false\n")
    build_site(site)
    dist = site / "dist"
    assert not list(dist.glob("*.vcf"))
    assert ".vcf" not in (dist / "ana.html").read_text(encoding="utf-8")


def test_no_username_can_be_shadowed_by_a_contact_card():
    assert username_problem("ana.vcf") is not None


def test_a_share_setting_other_than_false_or_true_is_named(site):
    from generator.config import load_config
    from generator.errors import ConfigError
    config = site / "biogen.toml"
    config.write_text(config.read_text() + '\n[share]\nvcard = "no"\ncards = false\n')
    with pytest.raises(ConfigError, match=r"\[share\] may set card = false, qr = false, structured_data = false, "
                                          r"vcard = false"):
        load_config(site)


def test_the_pages_file_count_includes_the_cards(site):
    summary = build_site(site)
    files = snapshot(site / "dist")
    assert any(name.endswith(".vcf") for name in files)
    # All but the files Pages reads as its settings and does not count as assets.
    assert summary.files == len([name for name in files if name not in ("_headers", "_routes.json", "_worker.js")])


def test_headers_give_cards_their_media_type_and_nothing_else_it():
    from generator.build.sitefiles import headers_file
    from generator.preview.routing import apply_headers, parse_headers
    rules = parse_headers(headers_file())
    card = dict((name.lower(), value) for name, value in apply_headers(rules, "/ana.vcf", [("Content-Type", "text/x-vcard")]))
    page = dict((name.lower(), value) for name, value in apply_headers(rules, "/ana", [("Content-Type", "text/html")]))
    assert card["content-type"] == "text/vcard; charset=utf-8"
    assert page["content-type"] == "text/html"
