"""A save refused because the profile changed since its page was opened (409) says what
changed, on every page that refuses one: a change made with plain sqlite3 after the page
was opened is named on the refusal, escaped; an editor restarted since says it cannot know."""

from __future__ import annotations

import html
import re

import pytest

from editorkit import client, copy_site, dump, field_values, hidden_fields, open_form, post
from generator.data import db
from generator.editor import actions
from sitekit import build_site, execute, make_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor-conflicts") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def what_changed(page: str) -> dict[str, list[str]]:
    """{part's heading: its change lines} of the page's list of what changed, as read."""
    found = re.search(r'<dl class="changes">(.*?)</dl>', page, re.DOTALL)
    assert found, "the page lists no changes"
    parts = re.findall(r"<dt>(.*?)</dt>\s*<dd><ul>(.*?)</ul></dd>", found.group(1), re.DOTALL)
    return {html.unescape(heading): [html.unescape(line) for line in re.findall(r"<li>(.*?)</li>", lines,
                                                                                re.DOTALL)]
            for heading, lines in parts}


def test_the_profile_form_shows_its_own_fields_and_what_changed_elsewhere(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Mine"}
    execute(site, "UPDATE profiles SET display_name = 'Theirs' WHERE id = 'p-ana';"
                  "UPDATE bio_links SET name = 'Work' WHERE id = 'b1';"
                  "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.net', 'p-ana', 'main')")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 409 and dump(site) == before
    table = answer.text.split("<tbody>")[1].split("</tbody>")[0]
    assert re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>', table) == \
        [("Display name", "Theirs", "Mine")]
    assert "Elsewhere in the profile:" in answer.text
    # The table holds the profile's own fields; the list holds the rest, once.
    assert what_changed(answer.text) == {"Links": ["Renamed “Portfolio” to “Work”"],
                                         "Hostnames": ["Added “ana.example.net” (main)"]}
    assert '<a class="button" href="/_edit/p/ana">Reload (drop my changes)</a>' in answer.text


def test_a_change_only_elsewhere_is_named_on_the_profile_form(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"tagline": "Mine"}
    execute(site, "INSERT INTO profile_settings (profile_id, theme, show_tools) VALUES ('p-ana', 'bold', 0)")
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 409 and "The change is elsewhere in the profile" in answer.text
    assert what_changed(answer.text) == {"Settings": ["Theme: default → “bold”", "Show the tools: shown → hidden"]}
    # Applying mine anyway still works from the refused page.
    again = {**hidden_fields(answer.text, "/_edit/p/ana"), **field_values(answer.text, "/_edit/p/ana")}
    assert post(browser, "/_edit/p/ana", again).status_code == 303


def test_an_item_edit_names_the_change_to_its_own_row_escaped(site, browser):
    form = open_form(browser, "/_edit/p/ana/links/b1") | {"name": "Mine"}
    execute(site, "UPDATE bio_links SET url = 'https://elsewhere.example/<script>' WHERE id = 'b1'")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana/links/b1", form)
    assert answer.status_code == 409 and dump(site) == before
    assert what_changed(answer.text) == {
        "Links": ["Address of “Portfolio”: “https://ana.example.com” → “https://elsewhere.example/<script>”"]}
    assert "<script>" not in answer.text.split("<body>")[1] and "&lt;script&gt;" in answer.text
    assert '<a class="button" href="/_edit/p/ana/links/b1">Reload (drop my changes)</a>' in answer.text
    assert 'value="Mine"' in answer.text and "Apply mine anyway" in answer.text


@pytest.mark.parametrize("path, change", [
    ("/_edit/p/ana/links", {"name": "Late", "url": "https://late.example.com"}),
    ("/_edit/p/ana/links/b1/move", {"direction": "down"}),
    ("/_edit/p/ana/links/b1/remove", {"confirm": "yes"}),
    ("/_edit/p/ana/order/links", {"id": ["b2", "b1"]}),   # a drag and drop's new order, as a plain form
])
def test_an_add_move_or_removal_names_the_change(site, browser, path, change):
    page = browser.get("/_edit/p/ana").text
    form = {**field_values(page, path), **hidden_fields(page, path)} | change
    execute(site, "UPDATE products SET price = '$30' WHERE id = 'pr1'")
    answer = post(browser, path, form)
    assert answer.status_code == 409
    assert what_changed(answer.text) == {"Products": ["Price of “Icon pack”: “$29” → “$30”"]}


def test_the_removal_confirmation_names_what_changed_since_the_page(site, browser):
    form = hidden_fields(browser.get("/_edit/p/ana").text, "/_edit/p/ana/tools/c1/remove")
    execute(site, "DELETE FROM carousel_items WHERE id = 'c2'")
    asked = post(browser, "/_edit/p/ana/tools/c1/remove", form)
    assert asked.status_code == 200 and what_changed(asked.text) == {"Tools": ["Removed “Notion”"]}


def test_the_settings_page_names_each_setting_changed(site, browser):
    path = "/_edit/p/ana/settings"
    form = open_form(browser, path) | {"seo_title": "Mine"}
    execute(site, "INSERT INTO profile_settings (profile_id, theme, accent) VALUES ('p-ana', 'minimal', '#0a7')")
    answer = post(browser, path, form)
    assert answer.status_code == 409
    assert what_changed(answer.text) == {"Settings": ["Theme: default → “minimal”", "Accent colour: default → “#0a7”"]}
    assert f'<a class="button" href="{path}">Reload (drop my changes)</a>' in answer.text


def test_the_details_page_names_the_details_and_schedule_changed(site, browser):
    path = "/_edit/p/ana/details/b1"
    form = open_form(browser, path) | {"subtitle": "Mine"}
    execute(site, "INSERT INTO item_details (item_id, profile_id, slug, content, starts_at) "
                  "VALUES ('b1', 'p-ana', 'work', 'Their body', '2026-01-01T00:00:00Z')")
    answer = post(browser, path, form)
    assert answer.status_code == 409
    assert what_changed(answer.text) == {"Details of the link “Portfolio”": [
        "Slug: empty → “work”", "Content: empty → “Their body”", "Starts: empty → “2026-01-01T00:00:00Z”"]}


def test_the_delete_confirmation_names_what_changed(site, browser):
    form = open_form(browser, "/_edit/p/ana/delete")
    execute(site, "INSERT INTO social_links (id, profile_id, platform, url, order_index) "
                  "VALUES ('s9', 'p-ana', 'Mastodon', 'https://mastodon.social/@ana', 3)")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana/delete", form)
    assert answer.status_code == 409 and dump(site) == before
    assert what_changed(answer.text) == {"Social links": ["Added “Mastodon”"]}
    assert "4 social links" in answer.text


def test_a_change_the_editor_does_not_show_is_called_so(site, browser):
    form = open_form(browser, "/_edit/p/ana/tools/c1") | {"name": "Mine"}
    execute(site, "UPDATE profiles SET updated_at = '2026-12-07 22:00:00' WHERE id = 'p-ana';"
                  "UPDATE carousel_items SET order_index = order_index + 10 WHERE profile_id = 'p-ana'")
    answer = post(browser, "/_edit/p/ana/tools/c1", form)
    assert answer.status_code == 409 and '<dl class="changes">' not in answer.text
    assert "Nothing the editor shows changed: only the time the profile was last updated, or its rows&#39; " \
           "order numbers." in answer.text


@pytest.mark.parametrize("path", ["/_edit/p/ana", "/_edit/p/ana/links/b1", "/_edit/p/ana/settings",
                                  "/_edit/p/ana/delete"])
def test_an_editor_restarted_since_the_page_says_what_changed_is_not_known(site, path):
    form = open_form(client(site), path) | {"name": "Mine", "tagline": "Mine", "seo_title": "Mine"}
    execute(site, "UPDATE products SET price = '$30' WHERE id = 'pr1'")
    restarted = client(site)   # a new editor on the same site: it never showed the page
    answer = post(restarted, path, form)
    assert answer.status_code == 409
    text = html.unescape(answer.text)
    assert "The editor was restarted since you opened the page" in text and "is not known" in text
    assert '<dl class="changes">' not in answer.text and "Price of" not in text
    if path != "/_edit/p/ana/delete":   # the refused form can still be applied anyway
        assert "Apply mine anyway" in answer.text and "Reload (drop my changes)" in answer.text


def test_a_page_reads_its_profile_and_the_hash_its_form_carries_in_one_snapshot(site):
    """Another program's write committed while a page reads the profile (after its rows,
    before its hash) is in neither: else the form would carry a hash newer than its
    values, and a save over that write would pass the hash check."""
    conn = db.connect(site / "content" / "bio.db")
    try:
        opened_hash = actions.content_hash(conn, "p-ana")
        written = []

        def write_before_the_hash(statement: str) -> None:
            if statement.startswith("PRAGMA table_info") and not written:   # content_hash's first query
                written.append(statement)
                execute(site, "UPDATE profiles SET display_name = 'Theirs' WHERE id = 'p-ana'")
        conn.set_trace_callback(write_before_the_hash)
        profile, shown_hash = actions.as_shown(conn, "ana")
        conn.set_trace_callback(None)
        assert written and profile.display_name == "Ana Souza" and shown_hash == opened_hash
        assert actions.content_hash(conn, "p-ana") != opened_hash   # the write is there, after the page's read
    finally:
        conn.close()
