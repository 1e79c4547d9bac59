"""A list's whole new order in one POST (what the editor's drag and drop sends, and a
plain form too): one transaction after the check that the profile is as its page showed
it (409) and that the order names exactly the list's rows (422), nothing written
otherwise; order_index rewritten 0..n-1 and the page rebuilt. In Chromium, a link dragged
with the mouse lands in the database and in the framed page."""

from __future__ import annotations

import html
import re
import sqlite3
from urllib.parse import urlencode

import pytest

from editorkit import ORIGIN, SECRET, client, copy_site, dump, hidden_fields, post, row
from generator.editor import item_forms
from generator.editor.security import csrf_token
from generator.editor.server import serving
from sitekit import build_site, execute, make_site

KIND = {kind.slug: kind for kind in item_forms.KINDS}
ORDER = "/_edit/p/ana/order/social-links"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor-order") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def _listed(site, table: str) -> list[tuple[str, int | None]]:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(f"SELECT id, order_index FROM {table} WHERE profile_id = 'p-ana' "
                            "ORDER BY order_index, rowid").fetchall()
    finally:
        conn.close()


def _order_form(browser, path: str = ORDER) -> dict[str, str]:
    """The hidden order form of a list on the profile's page: its CSRF token and the opened hash."""
    return hidden_fields(browser.get("/_edit/p/ana").text, path)


def _send(browser, ids: list[str], form: dict[str, str], path: str = ORDER, moved: str | None = None, **headers):
    """The order form sent as the script sends it (urlencoded, `id` once per row)."""
    data = [*form.items(), *(("id", item_id) for item_id in ids), *((("moved", moved),) if moved else ())]
    return browser.post(path, content=urlencode(data), headers={
        "Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded", **headers})


def _positions(page: str, names: list[str]) -> list[int]:
    return [page.index(f"aria-label={name}>") for name in names]   # the social icons' links, minified


def test_the_page_carries_an_order_form_for_each_list_of_two_rows_or_more(browser):
    page = browser.get("/_edit/p/ana").text
    assert _order_form(browser) == {"csrf": csrf_token(SECRET, ORDER),
                                    "opened_hash": hidden_fields(page, "/_edit/p/ana")["opened_hash"]}
    assert re.search(r'<ol class="item-list" data-order-form="social-links-order">', page)
    assert '<div id="social-links-order" hidden>' in page
    assert re.findall(r'<li id="item-social-links-[^"]+" data-id="([^"]+)">', page) == ["s1", "s2", "s3"]
    assert "/_edit/p/ana/order/products" not in page   # one product: nothing to order


@pytest.mark.parametrize("as_json", [False, True])
def test_a_new_order_reaches_the_database_and_the_page(site, browser, as_json):
    execute(site, "UPDATE social_links SET order_index = order_index * 10 + 5 WHERE profile_id = 'p-ana'")
    updated_before = row(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'")[0]
    answer = _send(browser, ["s3", "s1", "s2"], _order_form(browser), moved="s3", **(JSON if as_json else {}))
    if as_json:
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        location = answer.json()["location"]
    else:
        assert answer.status_code == 303
        location = answer.headers["location"]
    assert location.startswith("/_edit/p/ana?") and location.endswith("#item-social-links-s3")
    assert _listed(site, "social_links") == [("s3", 0), ("s1", 1), ("s2", 2)]
    assert row(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'")[0] != updated_before
    built_page = browser.get("/ana").text
    assert _positions(built_page, ["Email", "GitHub", "Twitter"]) == sorted(
        _positions(built_page, ["Email", "GitHub", "Twitter"]))
    shown = html.unescape(browser.get(location).text)
    assert "Moved “Email” to place 1 of 3." in shown


def test_the_same_order_again_writes_nothing(site, browser):
    before = dump(site)
    answer = _send(browser, ["s1", "s2", "s3"], _order_form(browser), moved="s2")
    assert answer.status_code == 303
    assert dump(site) == before
    assert "“Twitter” is already at place 2 of 3; nothing moved." in html.unescape(
        browser.get(answer.headers["location"]).text)


def test_an_order_without_the_dragged_row_says_the_list_was_reordered(site, browser):
    answer = _send(browser, ["b2", "b1"], _order_form(browser, "/_edit/p/ana/order/links"),
                   path="/_edit/p/ana/order/links")
    assert answer.status_code == 303 and answer.headers["location"].endswith("#links")
    assert [item_id for item_id, _ in _listed(site, "bio_links")] == ["b2", "b1"]
    assert "Saved the new order of the links." in html.unescape(browser.get(answer.headers["location"]).text)


@pytest.mark.parametrize("as_json", [False, True])
def test_an_order_over_a_profile_changed_elsewhere_is_refused(site, browser, as_json):
    form = _order_form(browser)
    execute(site, "UPDATE products SET price = '$30' WHERE id = 'pr1'")   # another program
    before = dump(site)
    answer = _send(browser, ["s3", "s2", "s1"], form, **(JSON if as_json else {}))
    assert answer.status_code == 409
    if as_json:
        problem = answer.json()["problem"]
        assert "changed since you opened" in problem and "What changed: Products: " in problem and "$30" in problem
    else:
        assert "changed since you opened" in answer.text and 'href="/_edit/p/ana#social-links">Reload' in answer.text
    assert dump(site) == before


@pytest.mark.parametrize("ids, expected", [
    (["s1", "s2"], "it leaves out 's3'"),
    (["s1", "s2", "s3", "b1"], "it names rows it does not hold: 'b1'"),   # a row of another list
    (["s1", "s2", "s2"], "it leaves out 's3'; names twice 's2'"),
    ([], "it leaves out 's1', 's2', 's3'"),
])
def test_an_order_that_is_not_the_lists_rows_is_refused(site, browser, ids, expected):
    form = _order_form(browser)
    before = dump(site)
    answer = _send(browser, ids, form)
    assert answer.status_code == 422
    message = html.unescape(answer.text)
    assert "the new order of social links must name each of its 3 rows once; " + expected in message
    assert dump(site) == before
    as_json = _send(browser, ids, form, **JSON)
    assert as_json.status_code == 422 and expected in as_json.json()["problem"]
    assert dump(site) == before


def test_an_order_needs_its_token_and_the_editors_origin(site, browser):
    form = _order_form(browser)
    ids = ["s3", "s2", "s1"]
    before = dump(site)
    for token in (None, csrf_token(SECRET, "/_edit/p/ana"), csrf_token(SECRET, "/_edit/p/ana/order/links")):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({} if token is None else {"csrf": token})
        assert _send(browser, ids, data).status_code == 403
        assert _send(browser, ids, data, **JSON).status_code == 403
    for origin in ("http://evil.example", "null"):
        assert _send(browser, ids, form, Origin=origin).status_code == 403
    assert browser.post(ORDER, data=form | {"id": ids}).status_code == 403   # no Origin
    assert client(site, let_in=False).post(ORDER, data=form, headers={"Origin": ORIGIN}).status_code == 403
    assert dump(site) == before
    assert _send(browser, ids, form).status_code == 303   # the page's own token and Origin pass


def test_an_order_for_a_profile_gone_is_not_found(site, browser):
    form = _order_form(browser, "/_edit/p/ana/order/links")
    path = "/_edit/p/nobody/order/links"
    assert _send(browser, ["b1"], form | {"csrf": csrf_token(SECRET, path)}, path=path).status_code == 404


def test_a_row_whose_id_is_order_keeps_its_own_address(site, browser):
    """The order's address is not under the list's: a row may be called "order"."""
    execute(site, "INSERT INTO carousel_items (id, profile_id, name, url, order_index) "
                  "VALUES ('order', 'p-ana', 'Ordered', 'https://order.example.com', 2)")
    assert browser.get("/_edit/p/ana/tools/order").status_code == 200


def test_order_problem_names_what_is_wrong_and_bounds_its_length():
    kind = KIND["links"]
    assert item_forms.order_problem(kind, ["a", "b"], ["b", "a"]) is None
    many = [str(n) for n in range(50)]
    message = item_forms.order_problem(kind, ["a"], ["a", *many])
    assert "'9' and 40 more" in message and "'10'" not in message


def test_the_drag_and_drop_script_is_the_editors_alone_under_its_strict_policy(site, browser):
    from generator.config import load_config
    script = browser.get("/_edit/static/editor.js")
    assert script.status_code == 200 and "ol[data-order-form]" in script.text
    assert ".style" not in script.text and '"style"' not in script.text   # classes only: no inline style to allow
    policy = browser.get("/_edit/p/ana").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe" not in policy
    output = load_config(site).output
    published = [path for path in output.rglob("*") if path.is_file()]
    assert published and not [path for path in published if path.name == "editor.js"
                              or b"data-order-form" in path.read_bytes() or b"/_edit/" in path.read_bytes()]


@pytest.mark.slow
def test_chromium_drags_a_link_to_the_top_and_the_page_follows(tmp_path):
    from playwright.sync_api import expect

    from test_browser import launched_chromium
    site = make_site(tmp_path / "site")
    execute(site, "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                  "VALUES ('b-shop', 'p-ana', 'Shop', 'https://shop.example.com', 2)")
    with serving(site) as running, launched_chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        errors = []   # the script's own errors, and anything the editor's CSP blocked
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(running.entry)
        page.goto(running.url + "/_edit/p/ana")
        handles = page.locator("#links .drag-handle")
        expect(handles).to_have_count(3)
        page.locator("#links").scroll_into_view_if_needed()   # boxes are in the viewport's coordinates
        shop = page.locator("#item-links-b-shop .drag-handle").bounding_box()
        portfolio = page.locator("#item-links-b1").bounding_box()
        page.mouse.move(shop["x"] + shop["width"] / 2, shop["y"] + shop["height"] / 2)
        page.mouse.down()
        page.mouse.move(shop["x"] + 5, portfolio["y"] + 10, steps=8)   # over the first row's upper half
        expect(page.locator("#item-links-b-shop")).to_have_class(re.compile(r"\bdragging\b"))
        with page.expect_navigation():
            page.mouse.up()
        page.wait_for_url(re.compile(r"/_edit/p/ana\?item=placed&"))
        assert [item_id for item_id, _ in _listed(site, "bio_links")] == ["b-shop", "b1", "b2"]
        assert _listed(site, "bio_links") == [("b-shop", 0), ("b1", 1), ("b2", 2)]
        expect(page.locator("#links .notice")).to_have_text("Moved “Shop” to place 1 of 3.")
        shown = page.frame_locator("iframe").locator("body").inner_text()
        assert shown.index("Shop") < shown.index("Portfolio") < shown.index("Blog")
        # A refusal (the profile changed in another program) is shown where the drop was,
        # and the rows go back to their order.
        execute(site, "UPDATE products SET price = '$30' WHERE id = 'pr1'")
        before = dump(site)
        page.locator("#links").scroll_into_view_if_needed()
        blog = page.locator("#item-links-b2 .drag-handle").bounding_box()
        first = page.locator("#item-links-b-shop").bounding_box()
        page.mouse.move(blog["x"] + blog["width"] / 2, blog["y"] + blog["height"] / 2)
        page.mouse.down()
        page.mouse.move(blog["x"] + 5, first["y"] + 5, steps=8)
        page.mouse.up()
        expect(page.locator("#links .order-status")).to_contain_text("changed since you opened")
        assert page.eval_on_selector_all("#links li", "rows => rows.map(row => row.dataset.id)") == ["b-shop", "b1", "b2"]
        assert dump(site) == before
        assert not errors, errors


@pytest.mark.slow
def test_chromium_drags_a_row_with_a_finger_on_a_phone(tmp_path):
    from playwright.sync_api import expect

    from test_browser import launched_chromium
    site = make_site(tmp_path / "site")
    with serving(site) as running, launched_chromium() as chromium:
        context = chromium.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.goto(running.entry)
        page.goto(running.url + "/_edit/p/ana")
        page.locator("#social-links").scroll_into_view_if_needed()
        handle = page.locator("#item-social-links-s1 .drag-handle").bounding_box()
        last = page.locator("#item-social-links-s3").bounding_box()
        touch = context.new_cdp_session(page)   # a finger, as the phone's screen sends it

        def finger(kind: str, x: float, y: float) -> None:
            points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
            touch.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
        x = handle["x"] + handle["width"] / 2
        finger("touchStart", x, handle["y"] + handle["height"] / 2)
        for step in range(1, 9):
            finger("touchMove", x, handle["y"] + (last["y"] + last["height"] - 5 - handle["y"]) * step / 8)
        expect(page.locator("#item-social-links-s3")).to_have_class(re.compile(r"\bdrop-after\b"))
        with page.expect_navigation():
            finger("touchEnd", 0, 0)
        page.wait_for_url(re.compile(r"/_edit/p/ana\?item=placed&"))
        assert _listed(site, "social_links") == [("s2", 0), ("s3", 1), ("s1", 2)]
        expect(page.locator("#social-links .notice")).to_have_text("Moved “GitHub” to place 3 of 3.")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        context.close()
