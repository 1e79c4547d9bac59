"""The editor's lists of a profile (social links, links, products, tools): add, edit,
move and remove, each one transaction after the check that the profile is as its page
showed it and the build's rules, reaching the database and the page as built."""

from __future__ import annotations

import html
import re
import sqlite3

import pytest

from editorkit import SECRET, client, copy_site, dump, field_values, hidden_fields, open_form, post, row
from generator.data.validate import value_problem
from generator.editor import item_forms
from generator.editor.security import csrf_token
from sitekit import build_site, execute, make_site

# The fixture's rows of ana, in order, by kind: (first id, second id).
FIRST_TWO = {"social-links": ("s1", "s2"), "links": ("b1", "b2"), "tools": ("c1", "c2")}
# A new row of each kind, as typed in its Add form, and the text its page then shows.
NEW = {
    "social-links": ({"platform": "GitLab", "url": "https://gitlab.com/ana", "icon": ""}, "https://gitlab.com/ana"),
    "links": ({"name": "Shop <now>", "url": "https://shop.example.com/new", "description": "Fresh *stock*",
               "background_image": ""}, "Shop &lt;now&gt;"),
    "products": ({"name": "Brush set", "price": "$12", "url": "https://shop.example.com/brushes",
                  "image_url": "images/logo.png"}, "Brush set"),
    "tools": ({"name": "Inkscape", "url": "https://inkscape.org", "logo_url": ""}, "Inkscape"),
}
KIND = {kind.slug: kind for kind in item_forms.KINDS}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor-items") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def _listed(site, table: str) -> list[tuple[str, int | None]]:
    """(id, order_index) of ana's rows of `table`, in the order the build shows them."""
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(f"SELECT id, order_index FROM {table} WHERE profile_id = 'p-ana' "
                            "ORDER BY order_index, rowid").fetchall()
    finally:
        conn.close()


def _ids(site, table: str) -> list[str]:
    return [item_id for item_id, _ in _listed(site, table)]


def _order(site, table: str) -> list[int | None]:
    return [order_index for _, order_index in _listed(site, table)]


def _add_form(browser, slug: str) -> dict[str, str]:
    """The Add form: on the profile's page, or on its own page (social links, whose icon picker
    would weigh down the profile's page)."""
    own_page = KIND[slug].adds_on_own_page
    return open_form(browser, f"/_edit/p/ana/{slug}" if own_page else "/_edit/p/ana", f"/_edit/p/ana/{slug}")


def _row_form(browser, slug: str, item_id: str, action: str) -> dict[str, str]:
    """The hidden fields of a row's small form (move, remove) on the profile's page."""
    page = browser.get("/_edit/p/ana").text
    return hidden_fields(page, f"/_edit/p/ana/{slug}/{item_id}/{action}")


def _problems(page: str, field_id: str) -> list[str]:
    return [html.unescape(text) for text in
            re.findall(rf'<p class="problem" id="{field_id}-problem-\d+">([^<]*)</p>', page)]


@pytest.mark.parametrize("slug", list(NEW))
def test_add_a_row_reaches_the_database_and_the_page(site, browser, slug):
    kind = KIND[slug]
    typed, shown = NEW[slug]
    before_ids = _ids(site, kind.table)
    updated_before = row(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'")[0]
    answer = post(browser, f"/_edit/p/ana/{slug}", _add_form(browser, slug) | typed)
    assert answer.status_code == 303, answer.text
    new_id = [item for item in _ids(site, kind.table) if item not in before_ids]
    assert len(new_id) == 1 and _ids(site, kind.table)[-1] == new_id[0]   # appended last
    assert answer.headers["location"].endswith(f"#item-{slug}-{new_id[0]}")
    stored = row(site, f"SELECT {', '.join(typed)} FROM {kind.table} WHERE id = ?", (new_id[0],))
    assert stored == tuple(value or None for value in typed.values())   # an empty optional field is NULL
    assert row(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'")[0] != updated_before
    assert shown in browser.get("/ana").text
    page = browser.get(answer.headers["location"]).text
    assert f"Added the {kind.one} “{typed.get('name', typed.get('platform'))}”." in html.unescape(page)


@pytest.mark.parametrize("slug, item_id, column, value", [
    ("social-links", "s1", "platform", "GitHub (code)"),
    ("links", "b2", "name", "Journal"),
    ("products", "pr1", "price", "$31"),
    ("tools", "c2", "url", "https://www.notion.so/ana"),
])
def test_edit_a_row_on_its_page(site, browser, slug, item_id, column, value):
    kind = KIND[slug]
    form = open_form(browser, f"/_edit/p/ana/{slug}/{item_id}")
    other_columns = [c for c in kind.columns if c != column]
    others_before = row(site, f"SELECT {', '.join(other_columns)} FROM {kind.table} WHERE id = ?", (item_id,))
    answer = post(browser, f"/_edit/p/ana/{slug}/{item_id}", form | {column: value})
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#item-{slug}-{item_id}")
    assert row(site, f"SELECT {column} FROM {kind.table} WHERE id = ?", (item_id,)) == (value,)
    # Fields not touched keep their stored value exactly (an icon spelt "Twitter", a NULL).
    assert row(site, f"SELECT {', '.join(other_columns)} FROM {kind.table} WHERE id = ?", (item_id,)) == others_before
    assert html.escape(value, quote=False) in browser.get("/ana").text


@pytest.mark.parametrize("slug", list(FIRST_TWO))
def test_move_down_then_up_rewrites_the_order_and_the_page(site, browser, slug):
    kind = KIND[slug]
    first, second = FIRST_TWO[slug]
    execute(site, f"UPDATE {kind.table} SET order_index = order_index * 10 + 5 WHERE profile_id = 'p-ana'")
    expected = [second, first] + _ids(site, kind.table)[2:]
    answer = post(browser, f"/_edit/p/ana/{slug}/{first}/move",
                  _row_form(browser, slug, first, "move") | {"direction": "down"})
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#item-{slug}-{first}")
    assert _ids(site, kind.table) == expected
    assert _order(site, kind.table) == list(range(len(expected)))   # 0..n-1, whatever they were
    names = {row(site, f"SELECT {kind.title_column} FROM {kind.table} WHERE id = ?", (i,))[0] for i in (first, second)}
    page = browser.get("/ana").text
    positions = {name: page.index(html.escape(name)) for name in names}
    first_name = row(site, f"SELECT {kind.title_column} FROM {kind.table} WHERE id = ?", (first,))[0]
    assert max(positions, key=positions.get) == first_name      # now after the second
    assert "Moved “" in html.unescape(browser.get(answer.headers["location"]).text)
    answer = post(browser, f"/_edit/p/ana/{slug}/{first}/move",
                  _row_form(browser, slug, first, "move") | {"direction": "up"})
    assert answer.status_code == 303
    assert _ids(site, kind.table)[:2] == [first, second]


def test_moving_the_first_row_up_or_the_last_down_changes_nothing(site, browser):
    before = dump(site)
    form = _row_form(browser, "social-links", "s2", "move")   # s1 is first: its form has no Up
    first_up = post(browser, "/_edit/p/ana/social-links/s1/move", form | {"direction": "up",
                    "csrf": csrf_token(SECRET, "/_edit/p/ana/social-links/s1/move")})
    assert first_up.status_code == 303
    shown = html.unescape(browser.get(first_up.headers["location"]).text)
    assert "“GitHub” is already first; nothing moved." in shown
    last_down = post(browser, "/_edit/p/ana/social-links/s3/move",
                     _row_form(browser, "social-links", "s3", "move") | {"direction": "down"})
    assert last_down.status_code == 303
    assert dump(site) == before
    page = browser.get("/_edit/p/ana").text
    assert 'aria-label="Move “GitHub” up"' not in page and 'aria-label="Move “GitHub” down"' in page
    assert 'aria-label="Move “Email” down"' not in page and 'aria-label="Move “Email” up"' in page


@pytest.mark.parametrize("slug, item_id", [("social-links", "s2"), ("links", "b2"), ("products", "pr1"),
                                           ("tools", "c1")])
def test_remove_asks_first_then_removes_the_row(site, browser, slug, item_id):
    kind = KIND[slug]
    before = dump(site)
    asked = post(browser, f"/_edit/p/ana/{slug}/{item_id}/remove", _row_form(browser, slug, item_id, "remove"))
    assert asked.status_code == 200 and "Remove the " + kind.one in asked.text
    assert dump(site) == before   # asking writes nothing
    answer = post(browser, f"/_edit/p/ana/{slug}/{item_id}/remove", hidden_fields(asked.text))
    assert answer.status_code == 303
    assert row(site, f"SELECT count(*) FROM {kind.table} WHERE id = ?", (item_id,)) == (0,)
    assert item_id not in _ids(site, kind.table)
    assert f"Removed the {kind.one} “" in html.unescape(browser.get(answer.headers["location"]).text)


def test_removing_a_link_removes_its_details_and_says_so_first(site, browser):
    execute(site, "INSERT INTO item_details (item_id, profile_id, slug, subtitle, content, starts_at) "
                  "VALUES ('b1', 'p-ana', 'portfolio', 'All of it', 'The **whole** portfolio', '2026-01-01T00:00:00Z')")
    build_site(site)
    assert browser.get("/ana/portfolio").status_code == 200
    asked = post(browser, "/_edit/p/ana/links/b1/remove", _row_form(browser, "links", "b1", "remove"))
    text = html.unescape(asked.text)
    assert "its details page /ana/portfolio, its schedule (its row of item_details)" in text
    answer = post(browser, "/_edit/p/ana/links/b1/remove", hidden_fields(asked.text))
    assert answer.status_code == 303
    assert row(site, "SELECT count(*) FROM item_details WHERE item_id = 'b1'") == (0,)
    assert row(site, "SELECT count(*) FROM bio_links WHERE id = 'b1'") == (0,)
    assert "and its details" in html.unescape(browser.get(answer.headers["location"]).text)
    assert browser.get("/ana/portfolio").status_code == 404


@pytest.mark.parametrize("slug", list(NEW))
def test_a_bad_url_is_refused_at_its_field_with_checks_message(site, browser, slug):
    typed, _ = NEW[slug]
    before = dump(site)
    answer = post(browser, f"/_edit/p/ana/{slug}", _add_form(browser, slug) | typed | {"url": "javascript:alert(1)"})
    assert answer.status_code == 422
    assert _problems(answer.text, f"add-{slug}-url") == [value_problem("javascript:alert(1)", "link", True)]
    assert dump(site) == before
    # The Add form keeps what was typed, open, and can be sent again once fixed.
    again = field_values(answer.text, f"/_edit/p/ana/{slug}")
    assert again["url"] == "javascript:alert(1)"
    assert post(browser, f"/_edit/p/ana/{slug}", hidden_fields(answer.text, f"/_edit/p/ana/{slug}") | again
                | {"url": "https://example.com/fixed"}).status_code == 303


def test_a_bad_image_on_a_rows_page_is_refused_with_checks_message(site, browser):
    before = dump(site)
    form = open_form(browser, "/_edit/p/ana/products/pr1") | {"image_url": "../../etc/passwd.jpg", "name": "Changed"}
    answer = post(browser, "/_edit/p/ana/products/pr1", form)
    assert answer.status_code == 422
    assert _problems(answer.text, "item-image_url") == [value_problem("../../etc/passwd.jpg", "image", False)]
    assert 'value="Changed"' in answer.text and "Not saved" in answer.text
    assert dump(site) == before


@pytest.mark.parametrize("path, change", [
    ("/_edit/p/ana/links", {"name": "Late", "url": "https://late.example.com"}),
    ("/_edit/p/ana/links/b1", {"name": "Late"}),
    ("/_edit/p/ana/links/b1/move", {"direction": "down"}),
    ("/_edit/p/ana/links/b1/remove", {"confirm": "yes"}),
])
def test_a_change_over_a_profile_changed_elsewhere_is_refused(site, browser, path, change):
    page = path if path.endswith("b1") else "/_edit/p/ana"
    form = {**field_values(browser.get(page).text, path), **hidden_fields(browser.get(page).text, path)} | change
    execute(site, "UPDATE products SET price = '$30' WHERE id = 'pr1'")   # another program
    before = dump(site)
    answer = post(browser, path, form)
    assert answer.status_code == 409
    assert "changed since you opened" in answer.text
    assert re.search(r'<a class="button" href="/_edit/p/ana[^"]*">Reload', answer.text)
    assert dump(site) == before


@pytest.mark.parametrize("path, change", [
    *[(f"/_edit/p/ana/{slug}", NEW[slug][0]) for slug in NEW],
    *[(f"/_edit/p/ana/{slug}/{ids[0]}", {}) for slug, ids in [*FIRST_TWO.items(), ("products", ("pr1",))]],
    *[(f"/_edit/p/ana/{slug}/{ids[0]}/move", {"direction": "down"}) for slug, ids in FIRST_TWO.items()],
    *[(f"/_edit/p/ana/{slug}/{ids[0]}/remove", {"confirm": "yes"}) for slug, ids in FIRST_TWO.items()],
])
def test_every_new_form_needs_its_token_and_the_editors_origin(site, browser, path, change):
    # A row's own page, an add page (social links), or the profile's page.
    own_page = path.count("/") == 5 or (path.count("/") == 4 and KIND[path.rsplit("/", 1)[1]].adds_on_own_page)
    page = browser.get(path if own_page else "/_edit/p/ana").text
    form = hidden_fields(page, path) | change | {"platform": "Changed", "name": "Changed"}
    before = dump(site)
    for token in (None, csrf_token(SECRET, "/_edit/p/ana")):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({} if token is None else {"csrf": token})
        assert post(browser, path, data).status_code == 403
    for origin in ("http://evil.example", "null"):
        assert browser.post(path, data=form, headers={"Origin": origin}).status_code == 403
    assert browser.post(path, data=form).status_code == 403   # no Origin at all
    assert dump(site) == before
    assert post(browser, path, form).status_code in (303, 422)   # the page's own token and Origin pass


def test_social_links_are_added_on_a_page_of_their_own(site, browser):
    # The profile's page (shown after every save) carries no icon picker: its 113 choices
    # live on the add page and on a row's page. It links to the add page instead.
    profile_page = browser.get("/_edit/p/ana").text
    assert 'type="radio" name="icon"' not in profile_page
    assert '<a class="button" href="/_edit/p/ana/social-links">Add a social link</a>' in profile_page
    assert "<summary>Add a link</summary>" in profile_page   # the other lists' forms stay inline
    add_page = browser.get("/_edit/p/ana/social-links")
    assert add_page.status_code == 200
    assert "<h1>Add a social link</h1>" in add_page.text
    # The list as it is now, in order, so the owner sees what is there already.
    now = add_page.text.split('id="now-heading"')[1]
    assert [html.unescape(name) for name in re.findall(r'<span class="item-name">([^<]*)</span>', now)] == \
        [row(site, "SELECT platform FROM social_links WHERE id = ?", (item_id,))[0] for item_id in ("s1", "s2", "s3")]
    assert add_page.text.count('type="radio" name="icon"') > 100
    assert '<a href="/_edit/p/ana#social-links">Cancel</a>' in add_page.text
    # A refused add answers with the add page again, what was typed kept.
    form = _add_form(browser, "social-links") | {"platform": "Evil", "url": "javascript:alert(1)", "icon": "github"}
    refused = post(browser, "/_edit/p/ana/social-links", form)
    assert refused.status_code == 422 and "<h1>Add a social link</h1>" in refused.text
    assert field_values(refused.text, "/_edit/p/ana/social-links") == {"platform": "Evil", "url": "javascript:alert(1)",
                                                                       "icon": "github"}
    # So does one over a profile changed elsewhere, with the list as it is now.
    execute(site, "UPDATE social_links SET platform = 'GitHub (new)' WHERE id = 's1'")
    changed = post(browser, "/_edit/p/ana/social-links", form | {"url": "https://example.com/ok"})
    assert changed.status_code == 409 and "the list below is as it is now" in changed.text
    assert "GitHub (new)" in changed.text.split('id="now-heading"')[1]
    again = form | hidden_fields(changed.text, "/_edit/p/ana/social-links") | {"url": "https://example.com/ok"}
    assert post(browser, "/_edit/p/ana/social-links", again).status_code == 303   # sent again: added


def test_the_address_of_a_list_added_to_inline_leads_to_its_form(site, browser):
    answer = browser.get("/_edit/p/ana/links")
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/p/ana#links"
    assert browser.get("/_edit/p/nobody/social-links").status_code == 404


def test_the_icon_picker_chooses_an_icon_and_keeps_one_spelt_otherwise(site, browser):
    # s2's icon is stored as "Twitter", which names the icon x: the picker shows x chosen,
    # and a save that does not change it keeps "Twitter".
    form = open_form(browser, "/_edit/p/ana/social-links/s2")
    assert form["icon"] == "x"
    assert post(browser, "/_edit/p/ana/social-links/s2", form | {"platform": "X"}).status_code == 303
    assert row(site, "SELECT platform, icon FROM social_links WHERE id = 's2'") == ("X", "Twitter")
    form = open_form(browser, "/_edit/p/ana/social-links/s2")
    assert post(browser, "/_edit/p/ana/social-links/s2", form | {"icon": "mastodon"}).status_code == 303
    assert row(site, "SELECT icon FROM social_links WHERE id = 's2'") == ("mastodon",)
    assert re.search(r'/assets/i/mastodon\.[0-9a-f]+\.svg#i', browser.get("/ana").text)
    form = open_form(browser, "/_edit/p/ana/social-links/s2")
    assert post(browser, "/_edit/p/ana/social-links/s2", form | {"icon": ""}).status_code == 303
    assert row(site, "SELECT icon FROM social_links WHERE id = 's2'") == (None,)   # automatic: from x.com
    assert re.search(r'/assets/i/x\.[0-9a-f]+\.svg#i', browser.get("/ana").text)


def test_the_icon_picker_shows_every_icon_and_refuses_another_value(site, browser):
    page = browser.get("/_edit/p/ana/social-links/s1").text
    choices = re.findall(r'<input type="radio" name="icon" value="([^"]*)"', page)
    assert choices[0] == "" and sorted(choices[1:]) == sorted(choice.key for choice in item_forms.icon_choices())
    assert re.search(r'<use href="/_edit/static/icons\.svg\?v=[0-9a-f]{12}#github"></use>', page)
    sprite = browser.get("/_edit/static/icons.svg")
    assert sprite.status_code == 200 and sprite.headers["content-type"].startswith("image/svg+xml")
    assert sprite.text.count("<symbol id=") == len(choices) - 1 and '<symbol id="github"' in sprite.text
    before = dump(site)
    form = open_form(browser, "/_edit/p/ana/social-links/s1") | {"icon": "<script>"}
    answer = post(browser, "/_edit/p/ana/social-links/s1", form)
    assert answer.status_code == 422 and _problems(answer.text, "item-icon") == [
        item_forms.icon_problem("github", "<script>")]
    assert dump(site) == before


def test_links_and_products_lead_to_their_details_page(browser):
    page = browser.get("/_edit/p/ana").text
    for item_id in ("b1", "b2", "pr1"):
        assert f'href="/_edit/p/ana/details/{item_id}">Details page and schedule' in page
    assert "/_edit/p/ana/details/s1" not in page and "/_edit/p/ana/details/c1" not in page


def test_a_row_removed_elsewhere_is_not_found(site, browser):
    execute(site, "DELETE FROM carousel_items WHERE id = 'c2'")
    assert browser.get("/_edit/p/ana/tools/c2").status_code == 404
    assert browser.get("/_edit/p/nobody/tools/c2").status_code == 404


def test_notices_come_only_from_known_words():
    assert item_forms.notice({"item": "<b>", "kind": "links", "name": "x"}) is None
    assert item_forms.notice({"item": "added", "kind": "nothing", "name": "x"}) is None
    shown = item_forms.notice({"item": "removed", "kind": "products", "name": "Pack", "details": "1"})
    assert shown.text.startswith("Removed the product “Pack” and its details") and shown.item_id is None


def test_moved_order_swaps_neighbours_and_stops_at_the_ends():
    rows = tuple(type("Row", (), {"id": name})() for name in ("a", "b", "c"))
    assert item_forms.moved_order(rows, "b", "up") == ["b", "a", "c"]
    assert item_forms.moved_order(rows, "b", "down") == ["a", "c", "b"]
    assert item_forms.moved_order(rows, "a", "up") is None and item_forms.moved_order(rows, "c", "down") is None
    assert item_forms.moved_order(rows, "z", "up") is None and item_forms.moved_order(rows, "a", "sideways") is None



def test_the_pickers_value_keeps_the_stored_spelling_of_the_same_icon():
    assert item_forms.checked_icon(None) == "" and item_forms.checked_icon("  ") == ""
    assert item_forms.checked_icon("Mail") == "mail" and item_forms.checked_icon("Twitter") == "x"
    assert item_forms.checked_icon("no such icon") == "no such icon"
    assert item_forms.chosen_icon("Mail", "mail") == "Mail"          # untouched: kept as stored
    assert item_forms.chosen_icon("Mail", "phone") == "phone"
    assert item_forms.chosen_icon("Mail", "") is None                # automatic
    assert item_forms.chosen_icon("", "") == ""                      # an empty text stays empty text
    assert item_forms.icon_problem("no such icon", "no such icon") is None
    assert item_forms.icon_problem(None, "mail") is None and item_forms.icon_problem(None, "nope") is not None


def test_a_row_saved_twice_is_not_a_conflict(site, browser):
    form = open_form(browser, "/_edit/p/ana/tools/c1") | {"name": "Figma (design)"}
    assert post(browser, "/_edit/p/ana/tools/c1", form).status_code == 303
    after = dump(site)
    assert post(browser, "/_edit/p/ana/tools/c1", form).status_code == 303   # the stale hash, the same values
    assert dump(site) == after


def test_the_removal_confirmation_says_when_the_profile_changed_under_the_page(site, browser):
    form = _row_form(browser, "tools", "c1", "remove")
    execute(site, "UPDATE carousel_items SET name = 'Figma 2' WHERE id = 'c1'")
    asked = post(browser, "/_edit/p/ana/tools/c1/remove", form)
    assert asked.status_code == 200
    assert "The profile changed since its page was opened" in asked.text and "Figma 2" in asked.text
    assert post(browser, "/_edit/p/ana/tools/c1/remove", hidden_fields(asked.text)).status_code == 303
    assert row(site, "SELECT count(*) FROM carousel_items WHERE id = 'c1'") == (0,)
