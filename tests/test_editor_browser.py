"""The editor in a real Chromium: the printed URL lets it in, its own form POST passes
the Origin check (the editor's Referrer-Policy keeps Origin set), the framed page is
the built one and shows a save (of the profile, of a link moved with the keyboard), and
the pages fit a 390 px screen; images uploaded on the profile form and on a tool's page."""

from __future__ import annotations

import pytest

from editorkit import row
from generator.editor.server import serving
from sitekit import execute, make_site
from test_browser import launched_chromium


@pytest.mark.slow
def test_a_browser_edits_a_profile_and_sees_its_page_change(tmp_path):
    site = make_site(tmp_path / "site")
    with serving(site) as running, launched_chromium() as chromium:
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        posts = []
        page.on("request", lambda request: posts.append(request.headers.get("origin"))
                if request.method == "POST" else None)
        assert page.goto(running.url + "/_edit/").status == 403  # not let in yet
        page.goto(running.entry)
        assert page.url == running.url + "/_edit/"
        page.click("a[href='/_edit/p/ana']")
        preview = page.frame_locator("iframe")
        assert preview.locator("h1").first.inner_text() == "Ana Souza"
        page.fill("#display_name", "Ana from Chromium")
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana?saved=1")
        assert posts == [running.url]   # the Origin header, never "null"
        assert page.locator(".notice").inner_text() == "Saved."
        assert preview.locator("h1").first.inner_text() == "Ana from Chromium"
        page.focus("button[aria-label='Move “Portfolio” down']")   # a real <button>: Enter sends its form
        page.keyboard.press("Enter")
        page.wait_for_url("**/_edit/p/ana?item=down*")
        assert page.locator("#links .notice").inner_text() == "Moved “Portfolio” down."
        shown = preview.locator("body").inner_text()
        assert shown.index("Blog") < shown.index("Portfolio")
        # An avatar chosen with the picker (a real multipart POST), then a cover dropped
        # on the cover's address field, which editor.js hands to that field's picker.
        page.set_input_files("#avatar_url_file", files=[{"name": "me.png", "mimeType": "image/png",
                                                          "buffer": _png((200, 80, 40))}])
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana?saved=1")
        assert page.input_value("#avatar_url").startswith("uploads/")
        assert preview.locator("img.avatar").get_attribute("src").startswith("/m/")
        dropped = page.evaluate_handle("bytes => { const transfer = new DataTransfer(); transfer.items.add("
                                       "new File([new Uint8Array(bytes)], 'cover.png', {type: 'image/png'}));"
                                       " return transfer; }", list(_png((40, 80, 200))))
        page.dispatch_event("#cover_url", "drop", {"dataTransfer": dropped})
        assert page.eval_on_selector("#cover_url_file", "picker => picker.files[0].name") == "cover.png"
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana?saved=1")
        assert page.input_value("#cover_url").startswith("uploads/") and page.input_value("#cover_url") != \
            page.input_value("#avatar_url")
        # A tool's logo chosen on its own page: Notion has none, the page shows its initial.
        page.goto(running.url + "/_edit/p/ana/tools/c2")
        page.set_input_files("#item-logo_url_file", files=[{"name": "notion.png", "mimeType": "image/png",
                                                             "buffer": _png((10, 120, 60))}])
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana?item=saved*")
        assert row(site, "SELECT logo_url FROM carousel_items WHERE id = 'c2'")[0].startswith("uploads/")
        assert preview.locator("a[href='https://notion.so'] img").get_attribute("src").startswith("/m/")
        assert set(posts) == {running.url}
        phone = context.new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(running.url + "/_edit/p/ana")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        for path in ("/_edit/p/ana/social-links/s2", "/_edit/p/ana/social-links",   # a row's page, the add page:
                     "/_edit/p/ana/products/pr1"):                                # the picker open
            phone.goto(running.url + path)
            if "social" in path:
                phone.click("details.icon-picker summary")
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
        phone.keyboard.press("Tab")
        assert phone.evaluate("document.activeElement.textContent") == "Skip to the content"
        context.close()


@pytest.mark.slow
def test_a_browser_saves_settings_and_a_schedule_as_its_controls_send_them(tmp_path):
    """What Chromium itself sends: an unchecked box (nothing), a colour picker moved alone,
    a radio, and a datetime-local value (seconds left out)."""
    site = make_site(tmp_path / "site")
    with serving(site) as running, launched_chromium() as chromium:
        context = chromium.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto(running.entry)
        page.goto(running.url + "/_edit/p/ana")
        page.click("a[href='/_edit/p/ana/settings']")
        page.wait_for_url("**/_edit/p/ana/settings")   # else evaluate may run mid-navigation (no document yet)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.check("#theme-bold")
        page.uncheck("#show_links")
        page.fill("#accent_picker", "#1f5f3a")
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana/settings?saved=1")
        assert row(site, "SELECT theme, accent, show_links, show_products FROM profile_settings") == \
            ("bold", "#1f5f3a", 0, None)
        assert page.frame_locator("iframe").locator("#links").count() == 0
        page.goto(running.url + "/_edit/p/ana/details/b1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.fill("#content", "A page of its own")
        page.fill("#starts_at", "2026-01-24T18:00")
        page.click("button[type=submit]")
        page.wait_for_url("**/_edit/p/ana/details/b1?saved=1")
        assert row(site, "SELECT slug, content, starts_at FROM item_details WHERE item_id = 'b1'") == \
            ("portfolio", "A page of its own", "2026-01-24T18:00:00Z")
        assert page.input_value("#starts_at") == "2026-01-24T18:00"   # as Chromium shows a time with :00 seconds
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_editor_page(tmp_path, scheme):
    from test_quality import AXE, AXE_TAGS, INSTALL_TOOLS
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed: {INSTALL_TOOLS}")
    axe = AXE.read_text(encoding="utf-8")
    site = make_site(tmp_path / "site")
    problems = []
    with serving(site) as running, launched_chromium() as chromium:
        for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
            context = chromium.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            page.goto(running.entry)

            def check(where: str) -> None:
                # Evaluated through DevTools, so the editor's CSP (no inline script) does not block it.
                page.evaluate(axe)
                result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                                       " resultTypes: ['violations']})", AXE_TAGS)
                problems.extend(f"{where} at {viewport['width']} px: axe {v['id']}: {v['help']}"
                                for v in result["violations"])
            for path in ("/_edit/", "/_edit/?q=zzz", "/_edit/new", "/_edit/p/ana", "/_edit/p/ana/rename",
                         "/_edit/p/ana/delete", "/_edit/p/nobody", "/_edit/p/ana/settings",
                         "/_edit/p/ana/details/b1", "/_edit/p/ana/details/pr1", "/_edit/p/ana/details/nothing",
                         "/_edit/p/ana/links/b1", "/_edit/p/ana/social-links/s2", "/_edit/p/ana/social-links",
                         "/_edit/p/ana/tools/nothing"):
                page.goto(running.url + path)
                check(path)
            page.goto(running.url + "/_edit/p/ana/social-links/s2")   # the icon picker open
            page.click("details.icon-picker summary")
            check("the icon picker")
            page.goto(running.url + "/_edit/p/ana")   # a refused new link: its Add form open, problems at fields
            page.click("text=Add a link")
            page.fill("#add-links-name", "Bad")
            page.fill("#add-links-url", "javascript:alert(1)")
            page.click("text=Add the link")
            check("a refused new link")
            page.goto(running.url + "/_edit/p/ana")
            page.click("button:has-text('Down') >> nth=0")
            check("a moved social link")
            page.click("#links button:has-text('Remove') >> nth=0")
            check("a removal to confirm")
            page.goto(running.url + "/_edit/p/ana")   # a row being dragged: where it would land drawn
            drag_towards_the_top(page, "social-links", "s3", "s1")
            assert page.locator("#social-links .dragging").count() == 1
            assert page.locator("#social-links .drop-before").count() == 1
            check("a row being dragged")
            page.keyboard.press("Escape")
            page.mouse.up()
            execute(site, "UPDATE products SET price = price || '0' WHERE id = 'pr1'")   # another program
            drag_towards_the_top(page, "social-links", "s3", "s1")
            page.mouse.up()
            page.locator("#social-links .order-status").filter(has_text="changed since").wait_for(timeout=5000)
            check("a refused drop")
            page.goto(running.url + "/_edit/p/ana")   # a refused save: problems beside their fields
            page.fill("#avatar_url", "javascript:alert(1)")
            page.click("button[type=submit]")
            check("a refused save")
            page.goto(running.url + "/_edit/new")
            page.fill("#username", "api")
            page.fill("#display_name", "Reserved")
            page.click("button[type=submit]")
            check("a refused new profile")
            page.goto(running.url + "/_edit/new")
            page.type("#username", "api")
            page.locator("#username-live").filter(has_text="reserved").wait_for(timeout=5000)
            check("a username flagged while typing")
            page.goto(running.url + "/_edit/p/ana/settings")   # the accent's contrast message at its field
            page.fill("#accent", "#ffff00")
            page.click("button[type=submit]")
            check("a refused settings save")
            page.goto(running.url + "/_edit/p/ana/details/pr1")
            page.fill("#content", "Body")
            page.fill("#cta_url", "javascript:alert(1)")
            page.click("button[type=submit]")
            check("a refused details save")
            width = viewport["width"]
            page.goto(running.url + "/_edit/p/ana")   # refused: the profile changed after the page was opened
            execute(site, f"UPDATE profiles SET display_name = 'Theirs {width}' WHERE id = 'p-ana';"
                          f"UPDATE bio_links SET name = 'Work {width}' WHERE id = 'b1'")
            page.fill("#display_name", "Mine")
            page.click("button[type=submit]")
            page.locator("dl.changes").wait_for(timeout=5000)
            check("a save refused with what changed")
            page.goto(running.url + "/_edit/p/ana")
            execute(site, f"UPDATE products SET price = '${width}' WHERE id = 'pr1'")
            page.click("button:has-text('Down') >> nth=0")
            page.locator("dl.changes").wait_for(timeout=5000)
            check("a move refused with what changed")
            context.close()
    assert not problems, "\n".join(problems)


def _png(colour: tuple[int, int, int]) -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), colour).save(buffer, "PNG")
    return buffer.getvalue()


def drag_towards_the_top(page, slug: str, dragged: str, over: str) -> None:
    """Press the mouse on a row's drag handle and move it over another row's upper half."""
    page.locator(f"#{slug}").scroll_into_view_if_needed()   # boxes are in the viewport's coordinates
    handle = page.locator(f"#item-{slug}-{dragged} .drag-handle").bounding_box()
    target = page.locator(f"#item-{slug}-{over}").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, target["y"] + 5, steps=5)
