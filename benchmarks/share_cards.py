"""Social cards: drawing them (cold cache) and reading them back (warm), at N profiles.

    python benchmarks/share_cards.py --count 10000            # the issue's figure
    python benchmarks/share_cards.py --count 200 --workers 2  # a sample: per-card times, extrapolated

Each card gets its own name and tagline (Latin with Vietnamese, Arabic, Hebrew,
Chinese, Japanese, Korean, emoji sequences, and lengths from a word to three wrapped
lines) and, for one profile in three, the demo's
cover and avatar photographs (the JPEG path) or none (the flat PNG path), as
generator.build.pages draws them: through generator.share.card_cache into a fresh
cache folder. Then every card is asked for again (the cache's answer for a profile
rendered again without a change to its card). Cards are drawn in --workers processes,
as the build's workers draw them. A build with nothing changed draws and reads no card
at all (it renders no profile; see build_speed.py).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.share.card_cache import cached_card  # noqa: E402

NAMES = ["Ana Nguyễn", "Trần Thị Phương Thảo", "سارة العلي", "דוד כהן", "Jean-Baptiste Émile Lefèvre-Dupont",
         "Bo", "Nguyễn Hoàng Minh Khuê Anastasia Maria", "山田 花子", "王小明 🌸", "김민준", "سارة 🌸"]
TAGLINES = ["", "Designer", "مصممة جرافيك ومطورة واجهات",
            "Brand & product designer helping independent studios look as good as their work. "
            "Booking Q1 2027 projects: see how I work, or say hi.",
            "東京のデザイナー 👩🏽‍💻 ウェブとブランディングの仕事をしています。", "Coffee ☕ & code 👨‍👩‍👧‍👦 🇻🇳"]
PHOTOS = REPO / "content" / "images" / "ana"


def card(number: int, cache: Path) -> int:
    photo = number % 3 == 0
    _, data = cached_card(cache, name=f"{NAMES[number % len(NAMES)]} {number}", tagline=TAGLINES[number % len(TAGLINES)],
                          avatar=PHOTOS / "avatar.jpg" if photo else None, cover=PHOTOS / "cover.jpg" if photo else None,
                          page_colour="#0d0f16", text_colour="#f5f5f7", accent="#a99dff")
    return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        cache = Path(temporary)
        jobs = [(number, cache) for number in range(args.count)]
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            for phase in ("drawn (cold cache)", "read back (warm cache)"):
                started = time.perf_counter()
                sizes = pool.starmap(card, jobs, chunksize=16)
                seconds = time.perf_counter() - started
                print(f"{args.count:,} cards {phase}: {seconds:.1f} s with {args.workers} workers, "
                      f"{seconds / args.count * 1000:.2f} ms a card; 10,000 would take ~{seconds / args.count * 10_000:.0f} s; "
                      f"{sum(sizes) / len(sizes) / 1024:.0f} KB a card on average")


if __name__ == "__main__":
    main()
