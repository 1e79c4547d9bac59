"""The editor's profile pages: list and search, create, rename, delete, and one profile's
own fields saved in one transaction after the build's rules and the check that nothing
changed under the form; each change shown by the page beside the form."""

from __future__ import annotations

import html
import re

import pytest

from editorkit import client, copy_site, dump, field_values, hidden_fields, open_form, post, row
from generator.config import load_config
from generator.data import db, store
from generator.data.validate import profile_problems, username_problem
from generator.editor import forms
from sitekit import build_site, execute, make_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def test_the_list_shows_every_profile_and_searches_names_and_usernames(browser):
    page = browser.get("/_edit/").text
    for name in ("Ana Souza", "Default Profile", "Min", "Linh Nguyễn 🌸", "سارة أحمد"):
        assert name in page
    found = browser.get("/_edit/", params={"q": "SOUZA"}).text
    assert "Ana Souza" in found and "Default Profile" not in found and "1 profile matching" in found
    found = browser.get("/_edit/", params={"q": "example.com"}).text  # a username
    assert "Linh" in found and "Ana Souza" not in found
    found = browser.get("/_edit/", params={"q": "%"}).text  # LIKE's wildcard is a plain character here
    assert "No profile's name or username contains" in found


def test_create_a_profile_then_its_page_is_served(site, browser):
    form = open_form(browser, "/_edit/new") | {"username": "zoe", "display_name": "Zoë <Tester>"}
    answer = post(browser, "/_edit/new", form)
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/p/zoe?created=1"
    assert row(site, "SELECT display_name, tagline FROM profiles WHERE username = 'zoe'") == ("Zoë <Tester>", None)
    page = browser.get("/zoe")
    assert page.status_code == 200 and "Zoë &lt;Tester&gt;" in page.text
    assert "Created." in browser.get(answer.headers["location"]).text


@pytest.mark.parametrize("username, expected", [
    ("Bad Name", username_problem("Bad Name")),
    ("api", username_problem("api")),           # reserved for a file biogen writes
    ("ana.html", username_problem("ana.html")),
    ("", username_problem("")),
    ("ana", "another profile is already named 'ana'; choose another username"),
])
def test_create_refuses_a_username_the_build_would_refuse(site, browser, username, expected):
    before = dump(site)
    form = open_form(browser, "/_edit/new") | {"username": username, "display_name": "Someone"}
    answer = post(browser, "/_edit/new", form)
    assert answer.status_code == 422
    assert _problems(answer.text, "username") == [expected]
    assert dump(site) == before


def test_create_needs_a_display_name(site, browser):
    before = dump(site)
    answer = post(browser, "/_edit/new", open_form(browser, "/_edit/new") | {"username": "zoe", "display_name": "  "})
    assert answer.status_code == 422
    assert _problems(answer.text, "display_name") == ["is blank; it is required"]
    assert dump(site) == before


def test_rename_moves_the_page(site, browser):
    form = open_form(browser, "/_edit/p/ana/rename") | {"username": "ana-souza"}
    answer = post(browser, "/_edit/p/ana/rename", form)
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/p/ana-souza?renamed=1"
    assert row(site, "SELECT id FROM profiles WHERE username = 'ana-souza'") == ("p-ana",)
    assert "Ana Souza" in browser.get("/ana-souza").text
    assert browser.get("/ana").status_code == 404


@pytest.mark.parametrize("new, expected", [
    ("minimal", "cannot rename 'ana' to 'minimal': another profile is already named 'minimal'; "
                "remove or rename that one first"),
    ("Ana!", f"cannot rename 'ana': the new username {username_problem('Ana!')}"),
])
def test_rename_refuses_a_taken_or_invalid_name(site, browser, new, expected):
    before = dump(site)
    answer = post(browser, "/_edit/p/ana/rename", open_form(browser, "/_edit/p/ana/rename") | {"username": new})
    assert answer.status_code == 422
    assert _problems(answer.text, "username") == [expected]
    assert dump(site) == before


def test_rename_of_the_home_profile_says_to_change_home(browser):
    assert "set <code>home</code> to the new username" in browser.get("/_edit/p/default/rename").text
    assert "set <code>home</code>" not in browser.get("/_edit/p/ana/rename").text


def test_delete_names_what_goes_with_the_profile_then_deletes_it_all(site, browser):
    execute(site, "INSERT INTO profile_settings (profile_id, theme) VALUES ('p-ana', 'bold');"
                  "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.net', 'p-ana', 'main')")
    counts = {table: row(site, f"SELECT count(*) FROM {table} WHERE profile_id = 'p-ana'")[0]
              for table in db.CHILD_TABLES}
    page = browser.get("/_edit/p/ana/delete").text
    items = [html.unescape(item) for item in
             re.findall(r"<li>([^<]+)</li>", page.split('class="goes"')[1].split("</ul>")[0])]
    assert items == [f"{counts['social_links']} social links", f"{counts['bio_links']} links",
                     f"{counts['products']} product", f"{counts['carousel_items']} tools", "1 row of settings",
                     f"{counts['domains']} hostname", f"{counts['item_details']} items' details"]
    answer = post(browser, "/_edit/p/ana/delete", open_form(browser, "/_edit/p/ana/delete"))
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/?removed=ana"
    assert row(site, "SELECT count(*) FROM profiles WHERE id = 'p-ana'") == (0,)
    for table in db.CHILD_TABLES:
        assert row(site, f"SELECT count(*) FROM {table} WHERE profile_id = 'p-ana'") == (0,), table
    assert browser.get("/ana").status_code == 404
    assert "Deleted ana." in browser.get("/_edit/?removed=ana").text


def test_delete_is_refused_when_the_profile_changed_since_the_confirmation(site, browser):
    form = open_form(browser, "/_edit/p/ana/delete")
    execute(site, "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                  "VALUES ('b-new', 'p-ana', 'New', 'https://example.com/new', 9)")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana/delete", form)
    assert answer.status_code == 409
    assert "changed since this page was opened" in answer.text and "3 links" in answer.text
    assert dump(site) == before


def test_a_save_writes_the_fields_and_the_page_shows_them(site, browser):
    form = open_form(browser, "/_edit/p/ana")
    assert form["display_name"] == "Ana Souza" and form["opened_display_name"] == "Ana Souza"
    form |= {"display_name": "Ana S. Souza", "tagline": "New *tagline*", "cover_url": ""}
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/p/ana?saved=1"
    assert row(site, "SELECT display_name, tagline, cover_url FROM profiles WHERE id = 'p-ana'") == \
        ("Ana S. Souza", "New *tagline*", None)
    page = browser.get("/ana").text
    assert "Ana S. Souza" in page and "New <em>tagline</em>" in page
    shown = browser.get(answer.headers["location"]).text
    assert "Saved." in shown and '<iframe src="/ana"' in shown


def test_an_invalid_field_is_shown_with_the_build_message_and_nothing_is_written(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Changed too", "avatar_url": "javascript:alert(1)",
                                                 "cover_url": "../../etc/passwd.jpg"}
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 422
    conn = db.connect(site / "content" / "bio.db")
    try:
        profile = store.find_profile(conn, "ana")
    finally:
        conn.close()
    would_be = forms.would_be(profile, {"display_name": "Changed too", "avatar_url": "javascript:alert(1)",
                                        "cover_url": "../../etc/passwd.jpg"})
    expected = {p.column: p.message for p in profile_problems(would_be, load_config(site).content_dir)}
    assert set(expected) == {"avatar_url", "cover_url"}
    assert _problems(answer.text, "avatar_url") == [expected["avatar_url"]]
    assert _problems(answer.text, "cover_url") == [expected["cover_url"]]
    assert 'aria-invalid="true"' in answer.text
    # The form keeps what was typed, and still carries the hash it was opened on.
    again = {**hidden_fields(answer.text), "display_name": "Changed too"}
    assert again["opened_hash"] == form["opened_hash"] and 'value="Changed too"' in answer.text
    assert dump(site) == before
    assert "Ana Souza" in browser.get("/ana").text


def test_a_save_over_a_change_made_elsewhere_is_refused_and_shows_both(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Mine", "tagline": "My tagline"}
    execute(site, "UPDATE profiles SET display_name = 'Theirs' WHERE id = 'p-ana'")  # another program
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 409
    assert "this profile changed since you opened it" in answer.text
    table = answer.text.split("<tbody>")[1].split("</tbody>")[0]
    assert re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td>', table) == \
        [("Display name", "Theirs", "Mine")]
    assert '<a class="button" href="/_edit/p/ana">Reload (drop my changes)</a>' in answer.text
    assert dump(site) == before
    # "Apply mine anyway": the same page's form, opened on the database as it is now.
    mine = {**hidden_fields(answer.text), **field_values(answer.text)}
    assert mine["display_name"] == "Mine" and mine["opened_display_name"] == "Theirs"
    assert post(browser, "/_edit/p/ana", mine).status_code == 303
    assert row(site, "SELECT display_name, tagline FROM profiles WHERE id = 'p-ana'") == ("Mine", "My tagline")


def test_a_change_to_the_profiles_links_also_refuses_the_save(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Mine"}
    execute(site, "UPDATE bio_links SET name = 'Renamed elsewhere' WHERE id = 'b1'")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 409 and "The change is elsewhere in the profile" in answer.text
    assert dump(site) == before


def test_sending_the_same_form_twice_is_not_a_conflict(site, browser):
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Once"}
    assert post(browser, "/_edit/p/ana", form).status_code == 303
    after = dump(site)
    assert post(browser, "/_edit/p/ana", form).status_code == 303
    assert dump(site) == after


def test_saving_an_untouched_form_writes_nothing_even_with_line_breaks(site, browser):
    # A tagline with a line break: the browser sends it back as CR LF.
    execute(site, "UPDATE profiles SET tagline = 'one\ntwo' WHERE id = 'p-ana'")
    form = open_form(browser, "/_edit/p/ana")
    assert form["tagline"] == "one\ntwo"
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form | {"tagline": "one\r\ntwo"})
    assert answer.status_code == 303
    assert dump(site) == before


def test_unknown_editor_addresses_are_not_found_and_the_bare_prefix_leads_in(browser):
    assert browser.get("/_edit/static/../../biogen.toml").status_code == 404
    assert browser.get("/_edit/static/secret.css").status_code == 404
    assert browser.get("/_edit/nothing/here").status_code == 404
    answer = browser.get("/_edit")
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/"
    assert browser.get("/_edit/static/editor.css").headers["content-type"] == "text/css; charset=utf-8"


def test_a_form_for_a_profile_deleted_elsewhere_says_so(site, browser):
    form = open_form(browser, "/_edit/p/ana")
    execute(site, "DELETE FROM profiles WHERE id = 'p-ana'")
    before = dump(site)
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 404 and "There is no profile named “ana”" in answer.text
    assert dump(site) == before


def test_a_failed_rebuild_is_shown_and_the_last_good_page_stays(site, browser):
    # Another profile made invalid by another program: the build refuses the whole site.
    execute(site, "UPDATE profiles SET avatar_url = 'javascript:x' WHERE id = 'p-min'")
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Saved anyway"}
    answer = post(browser, "/_edit/p/ana", form)
    assert answer.status_code == 303
    page = browser.get(answer.headers["location"]).text
    assert "The site could not be rebuilt" in page and "column avatar_url" in page
    assert "Ana Souza" in browser.get("/ana").text


def test_browsers_line_break_changes_keep_the_stored_value():
    tagline, name = forms.PROFILE_FIELDS[1], forms.PROFILE_FIELDS[0]
    assert forms.as_submitted(tagline, "a\nb", "a\r\nb") == "a\nb"
    assert forms.as_submitted(tagline, "a\r\nb", "a\r\nb") == "a\r\nb"
    assert forms.as_submitted(tagline, "a\rb", "a\r\nb") == "a\rb"      # a lone CR is parsed as LF
    assert forms.as_submitted(tagline, "a", "a\r\nb") == "a\nb"
    assert forms.as_submitted(tagline, "a", "") is None
    assert forms.as_submitted(name, "Ana\nSouza", "AnaSouza") == "Ana\nSouza"   # an <input> drops line breaks
    assert forms.as_submitted(name, "Ana", "") == ""   # a required field is never NULL


def _problems(page: str, field: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(rf'<p class="problem" id="{field}-problem-\d+">([^<]*)</p>', page)]
