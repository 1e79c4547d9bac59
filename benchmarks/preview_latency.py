"""Preview latency: from committing a change to one profile to the open page showing it.

    python benchmarks/preview_latency.py --profiles 1000 --runs 20

Builds a synthetic site (see synthetic.py), starts `biogen serve --watch` on it in
its own process, opens one profile in Debian's headless Chromium (Playwright,
/usr/bin/chromium), then, run after run, commits a new display name with plain
sqlite3 (as any other program would) and waits until the page, reloaded by the
preview's script, shows it. Prints the median and the spread, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import make_site  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Between runs: let the previous reload, and its long poll, settle.
PAUSE_SECONDS = 0.5


def start_preview(site: Path) -> tuple[subprocess.Popen, str]:
    """`biogen serve --watch` on a free port; (the process, its URL)."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--watch", "--port", "0",
                                "--site", str(site)], stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("serving"):
            return process, line.split(" at ")[1].split()[0].rstrip(";")
    raise SystemExit("biogen serve stopped before serving")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="biogen-preview-") as folder:
        site = make_site(Path(folder) / "site", args.profiles)
        process, url = start_preview(site)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
                page = browser.new_page()
                username = f"user-{args.profiles // 2:05d}"
                page.goto(url + username)
                conn = sqlite3.connect(site / "content" / "bio.db")
                latencies = []
                for run in range(args.runs):
                    time.sleep(PAUSE_SECONDS)
                    name = f"Run {run} {time.time_ns()}"
                    started = time.perf_counter()
                    with conn:
                        conn.execute("UPDATE profiles SET display_name = ? WHERE username = ?", (name, username))
                    page.locator("h1", has_text=name).wait_for(timeout=10_000)
                    latencies.append((time.perf_counter() - started) * 1000)
                conn.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=10)
    latencies.sort()
    print(f"{args.profiles} profiles, {args.runs} runs, {os.cpu_count()} CPUs: commit -> page shows the change")
    print(f"  median {statistics.median(latencies):.0f} ms, min {latencies[0]:.0f} ms, "
          f"p90 {latencies[int(len(latencies) * 0.9) - 1]:.0f} ms, max {latencies[-1]:.0f} ms")


if __name__ == "__main__":
    main()
