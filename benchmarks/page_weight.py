"""What a profile page costs a phone: every request and its bytes, lazy images included.

    python benchmarks/page_weight.py ana            # after `biogen build`, in the site folder

Serves the built output as Pages would (its _headers included), opens the profile
in Debian's headless Chromium at 390x844, scrolls to the end so every lazy image
loads, and adds up the bytes: response headers as sent, images as sent, text
(HTML, CSS, SVG, JSON) gzip-compressed as Cloudflare sends it. Two pixel densities:
1.75 (Lighthouse's mobile preset) and 3 (a current high-end phone, the largest
variants). Budget for the fullest demo profile: 250 KB.
"""

from __future__ import annotations

import argparse
import gzip

from playwright.sync_api import sync_playwright

from generator.config import load_config
from generator.preview.server import Preview, serving

BUDGET_KB = 250
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def weigh(page_url: str, browser, density: float) -> tuple[int, list[tuple[int, str, str]]]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=density, is_mobile=True)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(page_url, wait_until="load")
    for y in range(0, 20_000, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(50)
    page.wait_for_load_state("networkidle")
    rows = []
    for response in responses:
        body = response.body() if response.ok else b""
        kind = (response.headers.get("content-type") or "").split(";")[0]
        text = kind.startswith("text/") or kind in ("image/svg+xml", "application/json")
        size = (len(gzip.compress(body, 9)) if text else len(body)) + response.request.sizes()["responseHeadersSize"]
        rows.append((size, kind, response.url.rsplit("/", 1)[-1][:40]))
    context.close()
    return sum(size for size, _, _ in rows), sorted(rows, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("username", help="the profile to weigh")
    parser.add_argument("--site", default=".", help="the site folder (built already)")
    args = parser.parse_args()
    config = load_config(args.site)
    with serving(Preview(config.output, live=False)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for density in (1.75, 3):
            total, rows = weigh(server.url + args.username, browser, density)
            print(f"{args.username} at 390x844, density {density}: {len(rows)} requests, {total / 1024:.1f} KB "
                  f"({'within' if total <= BUDGET_KB * 1024 else 'OVER'} the {BUDGET_KB} KB budget)")
            for size, kind, name in rows[:5]:
                print(f"  {size / 1024:7.1f} KB  {kind:14} {name}")
        browser.close()


if __name__ == "__main__":
    main()
