"""Lighthouse, run after run, on built profile pages: each run's scores and blocking time.

    python benchmarks/lighthouse_runs.py ana --runs 5            # after `biogen build`, in the site folder
    python benchmarks/lighthouse_runs.py ana rtl --runs 9 --dark

The tests judge Performance by the median of several runs (tests/test_quality.py), because
on a shared machine one run's Total Blocking Time moves with the other processes. This
script shows each run: Performance, TBT, Cumulative Layout Shift, Lighthouse's own
benchmark index of the machine (at most 1000: it warns that the host is slower than the
phone it emulates), and the long tasks as Lighthouse simulated them. Run it on a quiet
machine to see what the page itself costs.

Serves the built output as Pages would (its _headers included) on 127.0.0.1 and runs
the pinned Lighthouse (`npm ci --prefix tests/browser-tools`) with Debian's Chromium,
mobile preset, as the tests do.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from generator.config import load_config
from generator.preview.server import Preview, serving

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "tests" / "browser-tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DARK = ["--blink-settings=preferredColorScheme=0"]
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
TBT_TARGET_MS = 50  # issue 13: at most 50 ms in each run


def lighthouse(url: str, report: Path, dark: bool) -> dict:
    flags = " ".join([*CHROMIUM_ARGS, *(DARK if dark else [])])
    command = [shutil.which("node"), str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}", f"--chrome-flags={flags}",
               "--output=json", f"--output-path={report}", f"--only-categories={','.join(CATEGORIES)}", "--quiet"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=240)
    if run.returncode != 0:
        raise SystemExit(f"Lighthouse failed on {url}: {run.stderr[-1000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def summary_of(result: dict) -> dict:
    audits = result["audits"]
    tasks = (audits["long-tasks"].get("details") or {}).get("items", [])
    return {"scores": {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES},
            "tbt": audits["total-blocking-time"]["numericValue"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "index": result["environment"]["benchmarkIndex"],
            "long_tasks": [round(task["duration"]) for task in tasks]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("usernames", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dark", action="store_true", help="prefers-color-scheme: dark, as a phone in dark mode")
    args = parser.parse_args()
    if not LIGHTHOUSE.is_file() or not shutil.which("node"):
        sys.exit("Lighthouse is not installed: run `npm ci --prefix tests/browser-tools` (needs Node 18-20)")
    output = load_config(Path.cwd()).output
    missing = [name for name in args.usernames if not (output / f"{name}.html").is_file()]
    if missing:
        sys.exit(f"no page for {', '.join(missing)} in {output}: run `biogen build` in the site folder first")
    with serving(Preview(output, live=False)) as server, tempfile.TemporaryDirectory() as reports:
        for username in args.usernames:
            runs = []
            for number in range(1, args.runs + 1):
                run = summary_of(lighthouse(server.url + username, Path(reports) / f"{number}.json", args.dark))
                runs.append(run)
                print(f"{username} run {number}: " + ", ".join(f"{name} {score}" for name, score in run["scores"].items())
                      + f"; TBT {run['tbt']:.0f} ms, CLS {run['cls']:.4f}, benchmark index {run['index']:.0f}; "
                      + f"long tasks (ms, simulated): {', '.join(map(str, run['long_tasks'])) or 'none'}", flush=True)
            tbts = [run["tbt"] for run in runs]
            perfect = sum(run["scores"]["performance"] == 100 for run in runs)
            within = sum(tbt <= TBT_TARGET_MS for tbt in tbts)
            print(f"{username}, {args.runs} runs{' (dark)' if args.dark else ''}: Performance 100 in {perfect}; "
                  f"TBT median {statistics.median(tbts):.0f} ms, max {max(tbts):.0f} ms, <= {TBT_TARGET_MS} ms in "
                  f"{within}; CLS max {max(run['cls'] for run in runs):.4f}; benchmark index median "
                  f"{statistics.median(run['index'] for run in runs):.0f}")


if __name__ == "__main__":
    main()
