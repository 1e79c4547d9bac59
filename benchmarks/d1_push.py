"""D1 push speed: a full push of N profiles to the local D1 (wrangler 4.86.0, workerd +
SQLite), then the push after one profile changed, and a push with nothing to send.

    python benchmarks/d1_push.py --profiles 10000

Profiles as in build_speed.py (5 social links, 8 bio links, 4 products, 6 tools). Each
push includes `wrangler d1 migrations apply` (nothing to apply) and reading D1 back.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from synthetic import make_site  # noqa: E402

from generator.cli import cli  # noqa: E402
from wranglerkit import WRANGLER_TOML  # noqa: E402


def push(site: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = CliRunner().invoke(cli, ["d1", "push", "--local", "--site", str(site)])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return seconds, result.output.strip().splitlines()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder) / "site", args.profiles)
        (site / "wrangler.toml").write_text(WRANGLER_TOML)
        shutil.copytree(ROOT / "migrations", site / "migrations")
        rows = sum(sqlite3.connect(site / "content" / "bio.db").execute(
            f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("profiles", "social_links", "bio_links", "products", "carousel_items"))
        print(f"{args.profiles:,} profiles, {rows:,} rows")
        seconds, line = push(site)
        print(f"full push:            {seconds:6.1f} s  ({line})")
        conn = sqlite3.connect(site / "content" / "bio.db")
        with conn:
            conn.execute("UPDATE bio_links SET name = 'changed' WHERE id = 'p000042-l3'")
        conn.close()
        seconds, line = push(site)
        print(f"one profile changed:  {seconds:6.1f} s  ({line})")
        seconds, line = push(site)
        print(f"nothing changed:      {seconds:6.1f} s  ({line})")


if __name__ == "__main__":
    main()
