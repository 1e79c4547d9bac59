"""Images in a whole build: N profiles, each with its own 2000x2000 photo as avatar and cover.

    python benchmarks/image_build.py --profiles 1000

N distinct source photos, each used in two roles (avatar and cover), as the image
pipeline benchmark does.

Times, as whole `biogen build` commands: the first build (every photo encoded), the
rebuild with nothing changed, and a build after a template change (every page
rendered again, every image found in the cache: zero encodes). Prints the files
the output holds against Cloudflare Pages' 20,000.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from image_speed import photo  # noqa: E402
from synthetic import make_site  # noqa: E402


def run(site: Path, *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "generator", "build", "-vv", *extra], cwd=site,
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(result.stderr)
    return time.perf_counter() - started, result.stdout + result.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=1000)
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp(prefix="biogen-image-build-")) / "site"
    make_site(site, args.profiles)
    images = site / "content" / "photos"
    images.mkdir()
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        for n, (profile_id,) in enumerate(conn.execute("SELECT id FROM profiles ORDER BY id").fetchall()):
            (images / f"p{n:05}.jpg").write_bytes(photo(n))
            conn.execute("UPDATE profiles SET avatar_url = ?, cover_url = ? WHERE id = ?",
                         (f"/photos/p{n:05}.jpg", f"/photos/p{n:05}.jpg", profile_id))
    conn.close()
    first, output = run(site)
    files = re.search(r"holds ([\d,]+) files", output).group(1)
    unchanged, _ = run(site)
    (site / "templates").mkdir()
    page = (Path(__file__).resolve().parent.parent / "templates" / "profile.html").read_text()
    (site / "templates" / "profile.html").write_text(page.replace("</main>", "<!-- changed --></main>"))
    rerender, output = run(site)
    encodes = re.search(r"images: (\d+) encoded", output).group(1)
    print(f"{args.profiles:,} profiles, each with its own 2000x2000 photo as avatar and cover: first build {first:.1f} s "
          f"({files} files), nothing changed {unchanged:.2f} s, template changed (all pages, cached images) "
          f"{rerender:.1f} s with {encodes} encodes")


if __name__ == "__main__":
    main()
