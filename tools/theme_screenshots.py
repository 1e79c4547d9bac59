"""Screenshots of the demo's full profile in every built-in theme, light and dark, for
the README (docs/themes/<theme>-<scheme>.webp):

    python tools/theme_screenshots.py                  # writes docs/themes/
    python tools/theme_screenshots.py --out /tmp/shots

Builds a copy of the demo site (the repository's content/ is left alone), gives the
profile `ana` each theme in turn (`biogen profile set ana theme=...` does the same),
and photographs the first 1,300 px of the page on a 390 px wide phone in Debian's
headless Chromium (`apt-get install chromium`; Playwright drives it, as in the tests). Each
theme after the first rebuilds only that one profile. Saved as WebP at quality 80
(~40 KB each; as PNG the six were 1.1 MB).
"""

from __future__ import annotations

import argparse
import io
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from generator.build.build import build  # noqa: E402
from generator.build.themes import BUILT_IN_THEMES  # noqa: E402
from generator.config import load_config  # noqa: E402
from demo_copy import copy_demo  # noqa: E402  (tools/, this script's folder)
from generator.preview.server import Preview, serving  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
SHOWN = {"x": 0, "y": 0, "width": 390, "height": 1300}  # the header, the links and the first products
PROFILE = "ana"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "themes")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        site = Path(temporary) / "site"
        copy_demo(site)
        database = site / "content" / "bio.db"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for theme in BUILT_IN_THEMES:
                conn = sqlite3.connect(database)
                with conn:
                    (profile_id,) = conn.execute("SELECT id FROM profiles WHERE username = ?", (PROFILE,)).fetchone()
                    conn.execute("INSERT INTO profile_settings (profile_id, theme) VALUES (?, ?) "
                                  "ON CONFLICT (profile_id) DO UPDATE SET theme = excluded.theme", (profile_id, theme))
                conn.close()
                config = load_config(site)
                build(config)
                with serving(Preview(config.output, live=False)) as server:
                    for scheme in ("light", "dark"):
                        context = browser.new_context(viewport=PHONE, color_scheme=scheme, device_scale_factor=1)
                        page = context.new_page()
                        page.goto(server.url + PROFILE, wait_until="networkidle")
                        target = args.out / f"{theme}-{scheme}.webp"
                        shot = page.screenshot(full_page=True, clip=SHOWN)
                        Image.open(io.BytesIO(shot)).convert("RGB").save(target, "WEBP", quality=80, method=6)
                        context.close()
                        print(f"wrote {target.relative_to(REPO) if target.is_relative_to(REPO) else target}")
            browser.close()


if __name__ == "__main__":
    main()
