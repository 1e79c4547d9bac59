"""Live validation in the editor: the check a field's script asks while the user types
gives the message the save would give, reads nothing it need not, and stays behind
the guard; in Chromium, a bad value is flagged before any save and cleared when fixed."""

from __future__ import annotations

import re

import pytest

from editorkit import client, copy_site, dump
from generator.data.validate import image_problem, link_problem, username_problem
from generator.editor import live
from generator.editor.server import serving
from sitekit import build_site, make_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("live") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


def ask(browser, rule: str, value: str):
    answer = browser.get("/_edit/check", params={"rule": rule, "value": value})
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    return answer


@pytest.mark.parametrize(("rule", "value", "expected"), [
    ("username", "Not Valid", username_problem("Not Valid")),
    ("username", "api", username_problem("api")),
    ("username", "fresh-name", None),
    ("link-required", "javascript:alert(1)", link_problem("javascript:alert(1)")),
    ("link-required", "", "is empty; it is required"),
    ("link", "", None),
    ("link", "https://paypal.com@evil.example/", link_problem("https://paypal.com@evil.example/")),
    ("link", "https://example.com/shop", None),
    ("image", "data:image/png;base64,AAAA", image_problem("data:image/png;base64,AAAA")),
    ("image", "../../etc/passwd.jpg", image_problem("../../etc/passwd.jpg")),
    ("image", "https://images.example.org/a.jpg", None),
    ("text-required", "   ", "is blank; it is required"),
    ("text", "", None),
])
def test_a_check_answers_what_the_save_would_say(site, rule, value, expected):
    answer = ask(client(site), rule, value)
    assert answer.status_code == 200
    assert answer.json() == {"problem": expected}
    if expected is not None:
        assert expected  # the message itself, as `biogen check` words it


def test_a_new_username_is_checked_against_the_database_too(site):
    browser = client(site)
    assert ask(browser, "new-username", "ana").json() == {
        "problem": "another profile is already named 'ana'; choose another username"}
    assert ask(browser, "new-username", "ana-2").json() == {"problem": None}
    assert ask(browser, "username", "ana").json() == {"problem": None}   # the pure rule knows no database


def test_an_image_path_must_name_a_file_under_content(site):
    browser = client(site)
    missing = ask(browser, "image", "avatars/nobody.jpg").json()["problem"]
    assert missing == "the file content/avatars/nobody.jpg does not exist; add it or fix the path"
    present = next(p for p in (site / "content").rglob("*") if p.suffix in (".jpg", ".png", ".webp"))
    relative = present.relative_to(site / "content").as_posix()
    assert ask(browser, "image", relative).json() == {"problem": None}


def test_a_check_writes_nothing_and_refuses_what_it_cannot_answer(site):
    before = dump(site)
    browser = client(site)
    for rule in live.RULES:
        ask(browser, rule, "x")
    unknown = ask(browser, "sql", "x")
    assert unknown.status_code == 400 and "unknown rule 'sql'" in unknown.json()["error"]
    too_long = ask(browser, "text", "x" * (live.MAX_CHECKED_CHARACTERS + 1))
    assert too_long.status_code == 400 and "checked on save" in too_long.json()["error"]
    assert dump(site) == before


def test_a_check_stays_behind_the_guard(site):
    outsider = client(site, let_in=False)
    assert outsider.get("/_edit/check", params={"rule": "new-username", "value": "ana"}).status_code == 403


def test_fields_name_their_rule_and_every_rule_exists(site):
    browser = client(site)
    pages = {"/_edit/new": {"username": "new-username", "display_name": "text-required"},
             "/_edit/p/ana/rename": {"username": "new-username"},
             "/_edit/p/ana": {"display_name": "text-required", "tagline": "text", "avatar_url": "image",
                              "cover_url": "image"}}
    for path, expected in pages.items():
        page = browser.get(path).text
        found = dict(re.findall(r'id="?([a-z_]+)"? [^>]*data-rule="?([a-z-]+)', page))
        assert found == expected, path
        assert set(found.values()) <= set(live.RULES)


def test_the_script_is_served_from_the_package_with_the_editor_headers(site):
    answer = client(site).get("/_edit/static/editor.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert "/_edit/check?" in answer.text and answer.headers["x-content-type-options"] == "nosniff"


def test_the_editors_files_are_kept_by_the_browser_only_at_their_current_version(site):
    browser = client(site)
    page = browser.get("/_edit/p/ana").text
    addresses = re.findall(r'(?:href|src)="?(/_edit/static/[^"#\s>]+)', page)
    assert {address.split("?")[0] for address in addresses} >= {
        "/_edit/static/editor.css", "/_edit/static/editor.js", "/_edit/static/icons.svg"}
    for address in set(addresses):
        path, _, version = address.partition("?v=")
        current = browser.get(address)
        assert current.status_code == 200 and re.fullmatch(r"[0-9a-f]{12}", version)
        assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
        for stale in (path, f"{path}?v=000000000000"):   # an old page's address: never kept
            assert browser.get(stale).headers["cache-control"] == "no-store"
            assert browser.get(stale).content == current.content


@pytest.mark.slow
def test_chromium_flags_a_bad_value_while_typing_and_clears_it_when_fixed(tmp_path):
    from playwright.sync_api import expect

    from test_browser import launched_chromium
    site = make_site(tmp_path / "site")
    before = dump(site)
    with serving(site) as running, launched_chromium() as chromium:
        page = chromium.new_page()
        page.goto(running.entry)
        page.goto(running.url + "/_edit/new")
        page.type("#username", "ana")
        live_message = page.locator("#username-live")
        live_message.filter(has_text="already named 'ana'").wait_for(timeout=5000)
        assert page.get_attribute("#username", "aria-invalid") == "true"
        assert "username-live" in page.get_attribute("#username", "aria-describedby")
        page.type("#username", "-two")
        expect(live_message).to_have_text("", timeout=5000)
        expect(page.locator("#username")).not_to_have_attribute("aria-invalid", "true")
        page.goto(running.url + "/_edit/p/ana")
        page.fill("#avatar_url", "")
        page.type("#avatar_url", "javascript:alert(1)")
        page.locator("#avatar_url-live").filter(has_text="javascript").wait_for(timeout=5000)
    assert dump(site) == before   # nothing was saved: only checked
