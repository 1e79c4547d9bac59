"""D1 pull speed: `biogen d1 pull` of N profiles from the local D1 (wrangler 4.86.0, workerd +
SQLite) with nothing to pull, and after one profile was saved the admin panel's way.

    python benchmarks/d1_pull.py --profiles 10000 --runs 5

Profiles as in build_speed.py. The site is pushed once with `biogen d1 push --local`.
Each pull is a whole `biogen d1 pull --local` command (Python's start-up included); an
admin save (the profile updated, every child deleted and re-inserted with a new id, in
one `wrangler d1 execute`) precedes each pull of the second kind and is not timed. The
--remote code path is timed too, with wrangler's `--remote` answered by the same local
D1 (benchmarks/d1_push.py's stand-in script).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from d1_push import LOCAL_AS_REMOTE, ROOT, WRANGLER_TOML, make_site, push, report  # noqa: E402

from generator.cloudflare.wrangler import find_wrangler  # noqa: E402

# Every child of one profile again with a new id, the old ones deleted, the profile's own
# row updated and stamped by D1: what the admin panel's DB.batch does on a save.
CHILDREN = {"social_links": "platform, url, icon, order_index",
            "bio_links": "name, url, description, background_image, order_index",
            "products": "name, image_url, price, url, order_index",
            "carousel_items": "name, logo_url, url, order_index"}


def admin_save(site: Path, profile: int) -> None:
    pid = f"p{profile:06d}"
    sql = [f"UPDATE profiles SET tagline = tagline || '+', updated_at = CURRENT_TIMESTAMP WHERE id = '{pid}';"]
    for table, columns in CHILDREN.items():
        sql.append(f"INSERT INTO {table} (id, profile_id, {columns}) SELECT 'n' || lower(hex(randomblob(16))), "
                   f"profile_id, {columns} FROM {table} WHERE profile_id = '{pid}' ORDER BY order_index;")
        sql.append(f"DELETE FROM {table} WHERE profile_id = '{pid}' AND id NOT LIKE 'n%';")
    path = site / "admin-save.sql"
    path.write_text("\n".join(sql) + "\n")
    done = subprocess.run([str(find_wrangler(ROOT)), "d1", "execute", "DB", "--local", "--file", str(path), "--yes"],
                          capture_output=True, text=True, cwd=site)
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)


def pull(site: Path, where: str = "--local", env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", "d1", "pull", where, "--site", str(site)],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = make_site(Path(folder) / "site", args.profiles)
        (site / "wrangler.toml").write_text(WRANGLER_TOML)
        shutil.copytree(ROOT / "migrations", site / "migrations")
        print(f"{args.profiles:,} profiles; first push: {push(site)[0]:.1f} s")
        report("nothing to pull", [pull(site) for _ in range(args.runs)])
        report("one admin save", [(admin_save(site, 42 + run), pull(site))[1] for run in range(args.runs)])
        shim = Path(folder) / "wrangler-local-as-remote"
        shim.write_text(LOCAL_AS_REMOTE.format(wrangler=find_wrangler(ROOT)))
        shim.chmod(0o755)
        env = {**os.environ, "BIOGEN_WRANGLER": str(shim)}
        pull(site, "--remote", env)   # the first pull from this "remote" records every profile's hash
        report("--remote path, nothing to pull", [pull(site, "--remote", env) for _ in range(args.runs)])
        report("--remote path, one admin save",
               [(admin_save(site, args.profiles // 2 + run), pull(site, "--remote", env))[1]
                for run in range(args.runs)])


if __name__ == "__main__":
    main()
