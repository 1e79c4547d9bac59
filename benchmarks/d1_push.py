"""D1 push speed: a full push of N profiles to the local D1 (wrangler 4.86.0, workerd +
SQLite), then pushes after one profile changed, and pushes with nothing to send.

    python benchmarks/d1_push.py --profiles 10000 --runs 5

Profiles as in build_speed.py (5 social links, 8 bio links, 4 products, 6 tools). Each
push is a whole `biogen d1 push --local` command (Python's start-up included); the
medians of --runs pushes are printed (of --full-runs for the full push, each into a new
local D1). The --remote code path is timed too, with wrangler's `--remote` answered by
the same local D1 (a stand-in script for wrangler): it reads D1 through `wrangler d1
execute --json` as it would on Cloudflare, without the network's own time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from synthetic import make_site  # noqa: E402

from generator.cloudflare.wrangler import find_wrangler  # noqa: E402
from wranglerkit import WRANGLER_TOML  # noqa: E402

TABLES = ("profiles", "social_links", "bio_links", "products", "carousel_items")
# wrangler with --remote turned into --local: the --remote code path against the local D1.
LOCAL_AS_REMOTE = """#!/bin/sh
for a; do shift; if [ "$a" = "--remote" ]; then set -- "$@" --local; else set -- "$@" "$a"; fi; done
exec "{wrangler}" "$@"
"""


def push(site: Path, where: str = "--local", env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "d1", "push", where, "--site", str(site)],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return seconds, done.stdout.strip().splitlines()[0]


def change_one(site: Path, profile: int) -> None:
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        conn.execute("UPDATE bio_links SET name = name || '+' WHERE id = ?", (f"p{profile:06d}-l3",))
    conn.close()


def forget_pushes(site: Path) -> None:
    """A new local D1, and no memory of pushing to it (as in a fresh checkout)."""
    shutil.rmtree(site / ".wrangler", ignore_errors=True)
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        for table in ("biogen_d1_pushed", "biogen_d1_pushing"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute("DELETE FROM biogen_meta WHERE key LIKE 'd1_pushed:%'")
    conn.close()


def report(label: str, runs: list[tuple[float, str]]) -> None:
    times = [seconds for seconds, _ in runs]
    print(f"{label:<34} median {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f}, "
          f"{len(times)} runs)  {runs[-1][1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder) / "site", args.profiles)
        (site / "wrangler.toml").write_text(WRANGLER_TOML)
        shutil.copytree(ROOT / "migrations", site / "migrations")
        conn = sqlite3.connect(site / "content" / "bio.db")
        rows = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
        conn.close()
        print(f"{args.profiles:,} profiles, {rows:,} rows")
        full = []
        for _ in range(args.full_runs):
            forget_pushes(site)
            full.append(push(site))
        report("full push (new local D1)", full)
        report("one profile changed", [(change_one(site, 42 + run), push(site))[1] for run in range(args.runs)])
        report("nothing changed", [push(site) for _ in range(args.runs)])
        shim = Path(folder) / "wrangler-local-as-remote"
        shim.write_text(LOCAL_AS_REMOTE.format(wrangler=find_wrangler(ROOT)))
        shim.chmod(0o755)
        env = {**os.environ, "BIOGEN_WRANGLER": str(shim)}
        push(site, "--remote", env)   # the first push to this "remote" reads everything and records it
        report("--remote path, one profile changed",
               [(change_one(site, args.profiles // 2 + run), push(site, "--remote", env))[1]
                for run in range(args.runs)])
        report("--remote path, nothing changed", [push(site, "--remote", env) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
