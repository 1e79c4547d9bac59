"""A real browser (Debian's headless Chromium, driven by Playwright) sees the preview
reload by itself after another program changes the database."""

from __future__ import annotations

import contextlib
import shutil

import pytest

from sitekit import execute, make_site
from test_watch import watching

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags that let Debian's Chromium run headless here, offline and in a container.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def launched_chromium():
    """Debian's Chromium, headless, through Playwright (skips the test without them)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.mark.slow
def test_the_open_page_shows_a_database_change_without_reloading_by_hand(tmp_path, browser):
    site = make_site(tmp_path / "site")
    with watching(site) as running:
        page = browser.new_page()
        messages = []
        page.on("console", lambda message: messages.append(message.text))
        page.goto(running.server.url + "ana")
        heading = page.locator("h1")
        assert heading.inner_text() == "Ana Souza"
        # The page's own stylesheet still applies (the CSP was only widened).
        assert "system-ui" in page.evaluate("getComputedStyle(document.body).fontFamily")

        execute(site, "UPDATE profiles SET display_name = 'Ana Live' WHERE username = 'ana'")
        page.locator("h1", has_text="Ana Live").wait_for(timeout=10_000)

        execute(site, "UPDATE bio_links SET url = 'javascript:alert(1)' WHERE id = 'b1'")
        banner = page.locator("#biogen-preview-error")
        banner.wait_for(timeout=10_000)
        assert "bio_links row 'b1', column url" in banner.inner_text()
        assert heading.inner_text() == "Ana Live"  # the last good page under the banner

        execute(site, "UPDATE bio_links SET url = 'https://fixed.example' WHERE id = 'b1'")
        banner.wait_for(state="detached", timeout=10_000)
        assert not [text for text in messages if "Content Security Policy" in text], messages
