"""Screenshots of the browser editor (`biogen edit`) for the README
(docs/editor/<name>.webp):

    python tools/editor_screenshots.py                  # writes docs/editor/
    python tools/editor_screenshots.py --out /tmp/shots

Serves a copy of the demo site with the editor (the repository's content/ is left
alone), lets Debian's headless Chromium in through the printed address as a user's
browser is, and photographs each page in SHOTS, some after filling in a form as a
user would. Saved as WebP at quality 80, as the theme screenshots are.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from demo_copy import copy_demo  # noqa: E402  (tools/, this script's folder)
from generator.editor.server import serving  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _refused_save(page) -> None:
    page.fill("#avatar_url", "javascript:alert(1)")
    page.click("form[method=post] button[type=submit]")


def _typing_a_taken_username(page) -> None:
    page.type("#username", "ana")
    page.locator("#username-live").filter(has_text="already named").wait_for(timeout=5000)


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    viewport: dict
    then: Callable | None = None   # what the user does on the page before the picture
    scheme: str = "light"


def _links_list(page) -> None:
    page.locator("#links").scroll_into_view_if_needed()


def _icon_picker_open(page) -> None:
    page.click("details.icon-picker summary")


SHOTS = (
    Shot("profiles", "/_edit/", DESKTOP),
    Shot("profile", "/_edit/p/ana", DESKTOP),
    Shot("refused-save", "/_edit/p/ana", DESKTOP, _refused_save),
    Shot("lists", "/_edit/p/ana", DESKTOP, _links_list),
    Shot("icon-picker", "/_edit/p/ana/social-links/ana-social-2", DESKTOP, _icon_picker_open),
    Shot("settings", "/_edit/p/ana/settings", DESKTOP),
    Shot("details", "/_edit/p/ana/details/ana-link-2", DESKTOP),
    Shot("live-check", "/_edit/new", DESKTOP, _typing_a_taken_username, "dark"),
    Shot("phone", "/_edit/p/ana", PHONE, None, "dark"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "editor")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        site = copy_demo(Path(temporary) / "site")
        with serving(site) as running, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for shot in SHOTS:
                context = browser.new_context(viewport=shot.viewport, color_scheme=shot.scheme,
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(running.entry)
                # "load", not "networkidle": the framed page's live reload keeps a long poll open.
                page.goto(running.url + shot.path, wait_until="load")
                if shot.then:
                    shot.then(page)
                    page.wait_for_load_state("load")
                page.wait_for_timeout(300)   # the framed page's images decoded and painted
                target = args.out / f"{shot.name}.webp"
                picture = page.screenshot()
                Image.open(io.BytesIO(picture)).convert("RGB").save(target, "WEBP", quality=80, method=6)
                context.close()
                print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
            browser.close()


if __name__ == "__main__":
    main()
