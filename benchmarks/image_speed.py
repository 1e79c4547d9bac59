"""Image pipeline speed: N distinct 2000x2000 photos as avatar + cover, then a rebuild.

    python benchmarks/image_speed.py --photos 50 --runs 3

Prints medians over --runs (each run with a fresh cache) of: first run seconds and
files encoded, second run (nothing changed, new pipeline object) seconds and files
encoded. Sources are deterministic (gradients, shapes and noise from the photo index).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

from generator.images.pipeline import ImagePipeline

SIZE = 2000


def photo(seed: int) -> bytes:
    """A deterministic photo-like 2000x2000 JPEG: gradients, soft shapes, a little noise."""
    rnd = random.Random(seed)
    base = Image.linear_gradient("L").resize((SIZE, SIZE))
    image = Image.merge("RGB", (base.rotate(rnd.randrange(360)), base.rotate(rnd.randrange(360)),
                                base.rotate(rnd.randrange(360))))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, s = rnd.randrange(SIZE), rnd.randrange(SIZE), rnd.randrange(50, 500)
        draw.ellipse((x, y, x + s, y + s), fill=tuple(rnd.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(3))
    image = Image.blend(image, Image.effect_noise((SIZE, SIZE), 30).convert("RGB"), 0.1)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="biogen-images-"))
    content = root / "content"
    content.mkdir()
    for i in range(args.photos):
        (content / f"p{i:05}.jpg").write_bytes(photo(i))
    jobs = [(f"/p{i:05}.jpg", role) for i in range(args.photos) for role in ("avatar", "cover")]
    rows = []
    try:
        for run in range(args.runs):
            cache = root / f"cache{run}"
            first = ImagePipeline(cache, content)
            start = time.perf_counter()
            results = first.process_many(jobs, workers=args.workers)
            first_s = time.perf_counter() - start
            errors = [r for r in results.values() if isinstance(r, Exception)]
            assert not errors, errors[:3]
            second = ImagePipeline(cache, content)
            start = time.perf_counter()
            second.process_many(jobs, workers=args.workers)
            second_s = time.perf_counter() - start
            files = {path for result in results.values() for path in first.files(result)}
            size = sum((cache / "images" / Path(p).name).stat().st_size for p in files)
            rows.append((first_s, first.stats.encodes, second_s, second.stats.encodes, len(files), size))
            print(f"run {run + 1}: first {first_s:.1f} s, {first.stats.encodes} encodes; "
                  f"second {second_s:.3f} s, {second.stats.encodes} encodes; "
                  f"{len(files)} files, {size / 1e6:.1f} MB", flush=True)
            shutil.rmtree(cache)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    med = [statistics.median(column) for column in zip(*rows)]
    print(f"{args.photos} photos x (avatar + cover), {args.workers} workers, median of {args.runs}: "
          f"first run {med[0]:.1f} s ({med[0] / args.photos * 1000:.0f} ms per photo), {med[1]:.0f} encodes; "
          f"rebuild {med[2]:.3f} s, {med[3]:.0f} encodes; {med[4]:.0f} files")


if __name__ == "__main__":
    main()
