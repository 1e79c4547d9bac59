"""The demo site's pages in a real browser, served with the published _headers: the
strict Content-Security-Policy is satisfied, nothing of the site fails to load, and
no page scrolls sideways on a phone or a desktop, in light and dark."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.config import load_config
from generator.preview.server import Preview, serving
from sitekit import build_site
from test_browser import browser  # noqa: F401 (the Playwright/Chromium fixture)

REPO = Path(__file__).resolve().parent.parent
PROFILES = ["ana", "minimal", "linh.example.com", "rtl", "no-images", "many-links", "long-text", "default",
            # detail pages of a link and of a product (items' details: linh.example.com)
            "linh.example.com/khoa-hoc-thiet-ke-co-ban", "linh.example.com/khoa-hoc-thiet-ke"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("demo") / "site"
    site.mkdir()
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(REPO / name, site / name)
    shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    build_site(site)
    return site


@pytest.mark.slow
def test_demo_pages_satisfy_the_csp_and_fit_every_screen(demo_site, browser):  # noqa: F811
    preview = Preview(load_config(demo_site).output, live=False)  # serves the built files and _headers as is
    with serving(preview) as server:
        origin = urlsplit(server.url).netloc
        problems = []
        for scheme in ("light", "dark"):
            for viewport_name, viewport in VIEWPORTS.items():
                context = browser.new_context(viewport=viewport, color_scheme=scheme)
                for username in PROFILES:
                    page = context.new_page()
                    console, failed = [], []
                    page.on("console", lambda message, sink=console: sink.append(message.text))
                    page.on("requestfailed", lambda request, sink=failed: sink.append(request.url))
                    page.on("response", lambda response, sink=failed: sink.append(response.url)
                            if response.status >= 400 else None)
                    response = page.goto(server.url + username, wait_until="load")
                    where = f"{username} ({viewport_name}, {scheme})"
                    if "default-src 'none'" not in (response.headers.get("content-security-policy") or ""):
                        problems.append(f"{where}: served without the site's Content-Security-Policy")
                    problems += [f"{where}: CSP violation: {text}" for text in console
                                 if "Content Security Policy" in text]
                    problems += [f"{where}: failed to load {url}" for url in failed if urlsplit(url).netloc == origin]
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if overflow > 0:
                        problems.append(f"{where}: scrolls sideways by {overflow}px")
                    page.close()
                context.close()
    assert not problems, "\n".join(problems)
