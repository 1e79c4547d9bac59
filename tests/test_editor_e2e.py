"""A whole editing run in a real Chromium, as a site owner makes it: create a profile,
upload its avatar, add three links (one refused at first for its address, then
fixed), reorder them (with the Up and Down buttons, then by dragging one with the
mouse), remove one; then `biogen build` shows exactly that, and after `biogen d1 push
--local`, `biogen verify --local` finds D1 equal to the database the editor wrote."""

from __future__ import annotations

import io
import re

import pytest
from click.testing import CliRunner
from PIL import Image

from generator.cli import cli
from generator.editor.server import serving
from wranglerkit import needs_wrangler, wrangler_site


def biogen(site, *args):
    return CliRunner().invoke(cli, [*args, "--site", str(site)])


def add_link(page, name: str, url: str) -> None:
    page.locator("#links details.add summary").click()
    page.fill("#add-links-name", name)
    page.fill("#add-links-url", url)
    page.click("#links button:has-text('Add the link')")


def drag_to_the_top(page, name: str) -> None:
    """Drag the link `name` by its handle over the first link's upper half, with the mouse."""
    page.locator("#links").scroll_into_view_if_needed()   # boxes are in the viewport's coordinates
    handle = page.locator(f"#links li:has-text('{name}') .drag-handle").bounding_box()
    first = page.locator("#links li").first.bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, first["y"] + 5, steps=5)
    with page.expect_navigation():
        page.mouse.up()


@needs_wrangler
@pytest.mark.slow
def test_an_editing_run_reaches_the_built_site_and_d1(tmp_path):
    from playwright.sync_api import expect

    from test_browser import launched_chromium
    site = wrangler_site(tmp_path / "site")
    with serving(site) as running, launched_chromium() as chromium:
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(running.entry)
        page.click("text=New profile")
        page.fill("#username", "maya")
        page.fill("#display_name", "Maya Lin")
        page.click("button:has-text('Create the profile')")
        page.wait_for_url("**/_edit/p/maya?created=1")

        avatar = io.BytesIO()
        Image.new("RGB", (480, 480), (30, 140, 90)).save(avatar, "PNG")
        page.set_input_files("#avatar_url_file", files=[{"name": "maya.png", "mimeType": "image/png",
                                                          "buffer": avatar.getvalue()}])
        page.click("#fields-heading ~ form button[type=submit]")
        page.wait_for_url("**/_edit/p/maya?saved=1")
        uploaded = page.input_value("#avatar_url")
        assert re.fullmatch(r"uploads/[0-9a-f]{16}\.png", uploaded)

        add_link(page, "Shop", "https://shop.example.com/maya")
        add_link(page, "Blog", "javascript:alert(document.cookie)")   # refused at its field, nothing written
        assert page.locator("#add-links-url").get_attribute("aria-invalid") == "true"
        expect(page.locator("#links .problem")).to_contain_text("javascript")
        expect(page.locator("#links .item-name")).to_have_text(["Shop"])
        page.fill("#add-links-url", "https://blog.example.com/maya")  # fixed, sent again
        page.click("#links button:has-text('Add the link')")
        add_link(page, "Podcast", "https://podcast.example.com/maya")
        expect(page.locator("#links .item-name")).to_have_text(["Shop", "Blog", "Podcast"])

        page.click("button[aria-label='Move “Podcast” up']")        # Shop, Podcast, Blog
        page.click("button[aria-label='Move “Shop” down']")         # Podcast, Shop, Blog
        expect(page.locator("#links .item-name")).to_have_text(["Podcast", "Shop", "Blog"])
        drag_to_the_top(page, "Blog")                                # Blog, Podcast, Shop
        expect(page.locator("#links .notice")).to_have_text("Moved “Blog” to place 1 of 3.")
        expect(page.locator("#links .item-name")).to_have_text(["Blog", "Podcast", "Shop"])

        page.click("#links li:has-text('Shop') button:has-text('Remove')")
        page.click("button:has-text('Remove “Shop”')")
        expect(page.locator("#links .item-name")).to_have_text(["Blog", "Podcast"])
        framed = page.frame_locator("iframe")
        expect(framed.locator("h1")).to_have_text("Maya Lin")
        expect(framed.locator("a:has-text('Podcast')")).to_have_count(1)

    assert biogen(site, "build").exit_code == 0
    built = (site / "dist" / "maya.html").read_text(encoding="utf-8")
    assert "Maya Lin" in built and "Shop" not in built and "javascript" not in built
    assert (site / "content" / uploaded).is_file()
    assert re.search(r'<img class="avatar[^>]* src=/m/[0-9a-z]+\.(?:jpg|webp|png) alt="Maya Lin"', built)
    shown = re.findall(r"https://(podcast|blog|shop)\.example\.com/maya", built)
    assert shown == ["blog", "podcast"]
    pushed = biogen(site, "d1", "push", "--local")
    assert pushed.exit_code == 0, pushed.output
    verified = biogen(site, "verify", "--local")
    assert verified.exit_code == 0 and "matches" in verified.output, verified.output
