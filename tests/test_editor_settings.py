"""The editor's settings page (every column of profile_settings) and an item's details
page (its item_details row: detail page, product fields, schedule): each save one
transaction after the hash check and `biogen check`'s rules, shown by the built page."""

from __future__ import annotations

import html
import re

import pytest

from editorkit import ORIGIN, client, copy_site, dump, hidden_fields, post, row
from generator.build.themes import Looks, load_themes
from generator.config import load_config
from generator.data.model import ProfileSettings
from generator.data.validate import link_problem
from generator.editor import settings_forms
from sitekit import build_site, execute, make_site

SETTINGS = "/_edit/p/ana/settings"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor-settings") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def form_of(page: str) -> dict[str, str]:
    """What the page's form sends unchanged: hidden and text inputs, textareas, the checked
    radios and checkboxes, the selected option, the colour picker (as a browser does)."""
    sent = hidden_fields(page)
    for tag in re.findall(r"<input [^>]*>", page):
        attributes = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag))
        kind, name = attributes.get("type"), attributes.get("name")
        if kind in ("text", "color", "datetime-local") or (kind in ("radio", "checkbox") and " checked" in tag):
            sent[name] = html.unescape(attributes.get("value", ""))
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        sent[name] = html.unescape(value)
    for name, options in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        sent[name] = html.unescape(re.search(r'<option value="([^"]*)" selected', options).group(1))
    return sent


def opened(browser, path: str) -> dict[str, str]:
    page = browser.get(path)
    assert page.status_code == 200, page.text
    return form_of(page.text)


def problems(page: str, field: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(rf'<p class="problem" id="{field}-problem-\d+">([^<]*)</p>', page)]


def settings_row(site):
    return row(site, "SELECT * FROM profile_settings WHERE profile_id = 'p-ana'")


# -- settings ----------------------------------------------------------------------------

def test_each_setting_is_stored_and_changes_the_built_page(site, browser):
    default_page = browser.get("/ana").text
    form = opened(browser, SETTINGS) | {
        "theme": "bold", "accent": "#007D57", "button_shape": "pill", "language": "ar",
        "links_heading": "My links", "products_heading": "Shop", "tools_heading": "Kit",
        "seo_title": "Ana's page", "seo_title_template": "", "seo_description": "All of Ana in one place."}
    answer = post(browser, SETTINGS, form)
    assert answer.status_code == 303, re.findall(r'class="problem"[^<]*<', answer.text)
    assert answer.headers["location"] == SETTINGS + "?saved=1"
    assert settings_row(site) == ("p-ana", "bold", "#007D57", "pill", "ar", None, None, None, "My links", "Shop", "Kit",
                                  "Ana's page", None, "All of Ana in one place.")
    page = browser.get("/ana").text
    assert "<html lang=ar dir=rtl>" in page and "<title>Ana&#39;s page</title>" in page
    assert ">My links</h2>" in page and ">Shop</h2>" in page and ">Kit</h2>" in page
    assert "All of Ana in one place." in page
    sheet = re.search(r"<link rel=stylesheet href=(/assets/t/\w+\.css)>", page).group(1)
    assert sheet not in default_page and b"--a:#007d57" in browser.get(sheet).content
    assert row(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'")[0] != "2026-11-01 09:00:00"
    # The form opens on what was stored.
    again = browser.get(SETTINGS + "?saved=1").text
    assert "Saved." in again and '<iframe src="/ana"' in again
    shown = form_of(again)
    assert {key: shown[key] for key in ("theme", "accent", "button_shape", "language", "links_heading", "seo_title")} \
        == {"theme": "bold", "accent": "#007D57", "button_shape": "pill", "language": "ar", "links_heading": "My links",
            "seo_title": "Ana's page"}
    assert shown["accent_picker"] == "#007d57"


def test_the_title_template_wraps_the_computed_title(site, browser):
    before = re.search(r"<title>([^<]*)</title>", browser.get("/ana").text).group(1)
    form = opened(browser, SETTINGS) | {"seo_title_template": "%s · Studio"}
    assert post(browser, SETTINGS, form).status_code == 303
    assert f"<title>{before} · Studio</title>" in browser.get("/ana").text
    refused = post(browser, SETTINGS, opened(browser, SETTINGS) | {"seo_title_template": "no placeholder"})
    assert refused.status_code == 422 and "must contain %s exactly once" in problems(refused.text, "seo_title_template")[0]


def test_a_low_contrast_accent_is_refused_with_the_nearest_passing_shade(site, browser):
    before = dump(site)
    answer = post(browser, SETTINGS, opened(browser, SETTINGS) | {"accent": "#ffff00", "theme": "minimal"})
    assert answer.status_code == 422
    config = load_config(site)
    expected = Looks(load_themes(config), config).of(ProfileSettings("p-ana", "minimal", "#ffff00", *[None] * 11))[2]
    assert problems(answer.text, "accent") == [message for column, message in expected if column == "accent"]
    assert "The nearest shade of its hue that passes is #" in problems(answer.text, "accent")[0]
    assert 'href="#accent"' in answer.text and 'value="#ffff00"' in answer.text
    assert dump(site) == before


def test_a_malformed_accent_gets_the_data_rule(site, browser):
    before = dump(site)
    answer = post(browser, SETTINGS, opened(browser, SETTINGS) | {"accent": "red"})
    assert answer.status_code == 422
    assert problems(answer.text, "accent")[0].startswith("'red' is not a CSS hex colour")
    assert dump(site) == before


def test_the_picker_counts_when_only_it_was_moved(site, browser):
    form = opened(browser, SETTINGS)
    assert form["accent"] == "" and form["accent_picker"] == form["opened_accent_picker"]
    assert post(browser, SETTINGS, form | {"accent_picker": "#1f5f3a"}).status_code == 303
    assert settings_row(site)[2] == "#1f5f3a"
    # Both changed: the typed text wins.
    assert post(browser, SETTINGS, opened(browser, SETTINGS) | {"accent": "#123", "accent_picker": "#1f5f3a"}).status_code == 303
    assert settings_row(site)[2] == "#123"


def test_unchecking_a_section_hides_it_and_checking_it_again_is_the_default(site, browser):
    assert "id=links>" in browser.get("/ana").text
    form = opened(browser, SETTINGS)
    del form["show_links"]   # an unchecked checkbox sends nothing
    assert post(browser, SETTINGS, form).status_code == 303
    assert settings_row(site)[5:8] == (0, None, None)
    assert "id=links>" not in browser.get("/ana").text and "id=products>" in browser.get("/ana").text
    form = opened(browser, SETTINGS)
    assert "show_links" not in form
    assert post(browser, SETTINGS, form | {"show_links": "1"}).status_code == 303
    assert settings_row(site) is None   # every setting at its default: no row
    assert "id=links>" in browser.get("/ana").text


def test_all_defaults_leave_no_row_and_the_document_byte_identical(site, browser):
    path = "/_edit/p/minimal/settings"
    document = browser.get("/api/profiles/minimal.json").content
    before = dump(site)
    assert post(browser, path, opened(browser, path)).status_code == 303
    assert dump(site) == before   # an untouched form writes nothing, updated_at included
    assert post(browser, path, opened(browser, path) | {"theme": "bold", "show_tools": ""}).status_code == 303
    changed = browser.get("/api/profiles/minimal.json").content
    assert b'"settings":{"theme":"bold","showAiTools":false}' in changed
    assert post(browser, path, opened(browser, path) | {"theme": "", "show_tools": "1"}).status_code == 303
    assert row(site, "SELECT count(*) FROM profile_settings WHERE profile_id = 'p-min'") == (0,)
    assert browser.get("/api/profiles/minimal.json").content == document


def test_a_stored_value_the_page_cannot_offer_is_kept_and_named(site, browser):
    execute(site, "INSERT INTO profile_settings (profile_id, theme, language) VALUES ('p-ana', 'paper', 'de')")
    page = browser.get(SETTINGS).text
    assert "Not a theme of this site" in page and "de (no translation file serves it)" in page
    form = form_of(page)
    assert form["theme"] == "paper" and form["language"] == "de"
    before = dump(site)
    answer = post(browser, SETTINGS, form | {"seo_title": "New"})
    assert answer.status_code == 422
    assert problems(answer.text, "theme")[0].startswith("'paper' is not a theme of this site")
    assert problems(answer.text, "language")[0].startswith("'de' has no translation file")
    assert dump(site) == before


@pytest.mark.parametrize("path", [SETTINGS, "/_edit/p/ana/details/b1"])
def test_a_save_over_a_change_made_elsewhere_is_refused(site, browser, path):
    form = opened(browser, path) | {"seo_title": "Mine", "content": "Mine"}
    execute(site, "UPDATE profiles SET display_name = 'Theirs' WHERE id = 'p-ana'")
    before = dump(site)
    answer = post(browser, path, form)
    assert answer.status_code == 409 and "this profile changed since you opened it" in answer.text
    assert f'<a class="button" href="{path}">Reload (drop my changes)</a>' in answer.text
    assert dump(site) == before
    again = form_of(answer.text)   # "Apply mine anyway": opened on the profile as it is now
    assert again["opened_hash"] != form["opened_hash"]
    assert post(browser, path, again).status_code == 303


@pytest.mark.parametrize("path", [SETTINGS, "/_edit/p/ana/details/pr1"])
def test_every_save_needs_the_editors_origin_and_the_forms_token(site, browser, path):
    form = opened(browser, path) | {"seo_title": "Forged", "content": "Forged"}
    before = dump(site)
    assert browser.post(path, data=form).status_code == 403                                    # no Origin
    assert browser.post(path, data=form, headers={"Origin": "http://evil.example"}).status_code == 403
    assert post(browser, path, form | {"csrf": "0" * 64}).status_code == 403
    other = opened(browser, "/_edit/p/ana")["csrf"]     # another form's token
    assert post(browser, path, form | {"csrf": other}).status_code == 403
    assert dump(site) == before
    assert post(browser, path, form, Origin=ORIGIN).status_code == 303


def test_the_profile_page_leads_to_the_settings(browser):
    assert '<a href="/_edit/p/ana/settings">Settings</a>' in browser.get("/_edit/p/ana").text
    assert browser.get("/_edit/p/nobody/settings").status_code == 404


# -- details -------------------------------------------------------------------------------

def details_row(site, item_id: str):
    return row(site, "SELECT * FROM item_details WHERE item_id = ?", (item_id,))


def test_a_links_detail_page_is_created_edited_and_removed(site, browser):
    path = "/_edit/p/ana/details/b1"
    page = browser.get(path).text
    assert "It has no detail page" in page and 'name="badge"' not in page   # a link: no product fields
    form = form_of(page) | {"content": "# Hello\r\n\r\nA **bold** plan.", "subtitle": "Work since 2020",
                            "cta_text": "See it", "cta_url": "https://ana.example.com/work"}
    answer = post(browser, path, form)
    assert answer.status_code == 303 and answer.headers["location"] == path + "?saved=1"
    assert details_row(site, "b1") == ("b1", "p-ana", "portfolio", "Work since 2020", "# Hello\n\nA **bold** plan.",
                                       "See it", "https://ana.example.com/work", None, None, None, None, None)
    detail = browser.get("/ana/portfolio")
    assert detail.status_code == 200 and "<strong>bold</strong>" in detail.text and "Work since 2020" in detail.text
    shown = browser.get(path).text
    assert "/ana/portfolio</a> (https://bio.example.com/ana/portfolio)" in shown
    assert '<iframe src="/ana/portfolio"' in shown
    assert post(browser, path, form_of(shown) | {"slug": "my-work"}).status_code == 303
    assert details_row(site, "b1")[2] == "my-work" and browser.get("/ana/my-work").status_code == 200
    cleared = {key: ("" if key in settings_forms.form_columns(False) else value)
               for key, value in opened(browser, path).items()}
    assert post(browser, path, cleared).status_code == 303
    assert details_row(site, "b1") is None
    assert browser.get("/ana/my-work").status_code == 404


def test_a_products_own_fields_round_trip(site, browser):
    path = "/_edit/p/ana/details/pr1"
    form = opened(browser, path) | {"description": "Two *hundred* icons", "badge": "hot", "group_name": "Packs"}
    assert post(browser, path, form).status_code == 303
    assert details_row(site, "pr1")[7:10] == ("Two *hundred* icons", "hot", "Packs")
    page = browser.get("/ana").text
    assert "Two <em>hundred</em> icons" in page and ">Packs</h3>" in page
    assert {key: opened(browser, path)[key] for key in ("description", "badge", "group_name")} == \
        {"description": "Two *hundred* icons", "badge": "hot", "group_name": "Packs"}


def test_a_script_url_is_refused_at_its_field(site, browser):
    path = "/_edit/p/ana/details/b1"
    before = dump(site)
    answer = post(browser, path, opened(browser, path) | {"content": "Body", "cta_url": "javascript:alert(1)"})
    assert answer.status_code == 422
    assert problems(answer.text, "cta_url") == [link_problem("javascript:alert(1)")]
    assert dump(site) == before


def test_a_slug_another_item_has_is_refused(site, browser):
    execute(site, "INSERT INTO item_details (item_id, profile_id, slug, content) VALUES ('pr1', 'p-ana', 'icons', 'x')")
    path = "/_edit/p/ana/details/b1"
    before = dump(site)
    answer = post(browser, path, opened(browser, path) | {"content": "Body", "slug": "icons"})
    assert answer.status_code == 422
    assert problems(answer.text, "slug") == ["'icons' is already the slug of item 'pr1' of this profile; slugs are "
                                             "unique within a profile: choose another"]
    assert dump(site) == before
    # Left empty, the slug is made from the name, past the taken ones.
    assert post(browser, path, opened(browser, path) | {"content": "Body", "slug": ""}).status_code == 303
    assert details_row(site, "b1")[2] == "portfolio"


def test_the_schedule_round_trips_in_utc(site, browser):
    path = "/_edit/p/ana/details/b2"
    page = browser.get(path).text
    assert "Schedule, in UTC" in page and 'type="datetime-local"' in page
    form = form_of(page) | {"starts_at": "2026-01-24T18:00", "ends_at": "2099-01-01T00:00:30"}
    assert post(browser, path, form).status_code == 303
    assert details_row(site, "b2")[10:] == ("2026-01-24T18:00:00Z", "2099-01-01T00:00:30Z")
    shown = opened(browser, path)
    assert (shown["starts_at"], shown["ends_at"]) == ("2026-01-24T18:00:00", "2099-01-01T00:00:30")
    before = dump(site)
    assert post(browser, path, shown | {"starts_at": "2026-01-24T18:00"}).status_code == 303
    assert dump(site) == before   # the same moment, as a browser drops ":00" seconds: nothing written
    assert '"startsAt":"2026-01-24T18:00:00Z","endsAt":"2099-01-01T00:00:30Z"' in \
        browser.get("/api/profiles/ana.json").text
    # A start still to come: the build leaves the link out until then.
    assert post(browser, path, opened(browser, path) | {"starts_at": "2098-12-24T18:00"}).status_code == 303
    assert details_row(site, "b2")[10] == "2098-12-24T18:00:00Z"
    assert "https://ana.example.com/blog" not in browser.get("/ana").text
    assert post(browser, path, opened(browser, path) | {"content": "Soon"}).status_code == 303
    page = browser.get(path).text   # its detail page is named, but not built yet: the frame shows the profile
    assert "/ana/blog</a>" in page and "Outside its schedule" in page and '<iframe src="/ana"' in page


def test_a_stored_time_that_is_not_one_is_shown_as_text_and_refused(site, browser):
    execute(site, "INSERT INTO item_details (item_id, profile_id, starts_at) VALUES ('b2', 'p-ana', 'tomorrow')")
    path = "/_edit/p/ana/details/b2"
    page = browser.get(path).text
    assert '<input id="starts_at" name="starts_at" type="text"' in page and 'value="tomorrow"' in page
    answer = post(browser, path, form_of(page) | {"subtitle": ""})
    assert answer.status_code == 422 and "is not a UTC time in ISO 8601" in problems(answer.text, "starts_at")[0]


def test_an_unknown_item_or_profile_is_not_found(site, browser):
    assert browser.get("/_edit/p/ana/details/nothing").status_code == 404
    assert browser.get("/_edit/p/ana/details/b3").status_code == 404   # another profile's link
    assert browser.get("/_edit/p/nobody/details/b1").status_code == 404
    form = opened(browser, "/_edit/p/ana/details/b1")
    execute(site, "DELETE FROM bio_links WHERE id = 'b1'")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana/details/b1", form | {"content": "x"})
    assert answer.status_code == 404 and "has no link or product with the id “b1”" in answer.text
    assert dump(site) == before


def test_an_item_id_with_characters_a_path_encodes_is_edited_too(site, browser):
    # The current site's ids are UUIDs; an id from elsewhere may hold a space or '%'.
    execute(site, "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                  "VALUES ('odd id%', 'p-ana', 'Odd', 'https://example.com/odd', 5)")
    path = "/_edit/p/ana/details/odd%20id%25"
    assert post(browser, path, opened(browser, path) | {"subtitle": "", "badge": "", "starts_at": "2026-01-01T00:00"}) \
        .status_code == 303
    assert details_row(site, "odd id%")[10] == "2026-01-01T00:00:00Z"


def test_times_between_the_date_picker_and_the_database():
    assert settings_forms.stored_time("2026-12-24T18:00") == "2026-12-24T18:00:00Z"
    assert settings_forms.stored_time("2026-12-24T18:00:05.250") == "2026-12-24T18:00:05Z"
    assert settings_forms.stored_time("2026-12-24T18:00:00Z") == "2026-12-24T18:00:00Z"
    assert settings_forms.stored_time("2026-02-30T18:00") == "2026-02-30T18:00"   # kept, for the rule to refuse
    assert settings_forms.stored_time("  ") is None
    assert settings_forms.local_time("2026-12-24T18:00:00Z") == "2026-12-24T18:00:00"
    assert settings_forms.local_time(None) == "" and settings_forms.local_time("soon") is None
