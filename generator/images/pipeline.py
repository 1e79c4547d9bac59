"""The image pipeline: image references to ImageSets, encoding only what the cache lacks.

The API the build uses (sizes.py: roles and size arithmetic; palette.py: placeholder
colours; svg.py; codec.py: decoding and encoding with Pillow; cache.py: file names and
the stat index; sets.py: one set, rendered in a worker; this module: the pipeline):

    ROLES: dict[str, Role]                  avatar, cover, product, logo, background
    Role(name, box_width, box_height, crop, max_width=None, og_width=None)
    variant_widths(role, source_width, source_height, allowed=None) -> list[int]   (pure)
    output_size(role, source_width, source_height, width) -> (width, height)        (pure)
    crop_box(source_width, source_height, aspect) -> (left, top, right, bottom)     (pure)
    Variant(path, width, height, format, size)  path is "m/<name>.<ext>" (MEDIA_DIR), relative to the
                                            site root; size in bytes (0 when unknown)
    ImageSet(role, width, height, variants, fallback, placeholder, og_jpeg)
    ImageError(BiogenError)                 names the source; the build adds profile and field
    ImagePipeline(cache_dir, content_dir, *, formats=("avif", "webp"), widths=None,
                  offline=False, fetch_timeout=10.0, max_bytes=20 MiB)
        .process(reference, role) -> ImageSet                          raises ImageError
        .process_many(jobs, workers=2) -> {(reference, role): ImageSet | ImageError}
        .files(image_set) -> {output path: cached file to copy or link}
        .stats                                                         encodes, cache hits, fetches
    PLACEHOLDER_CSS: str                    `.r0{--r:0}` ... `.b3{--b:255}`: the rules assets/style.css holds
    sanitize_svg(data, source) -> bytes     the SVG unchanged, or ImageError

What a page gets for one image: AVIF and WebP at 1x/2x/3x of the role's layout box
(never upscaled, deduplicated, capped by the role's `max_width`), plus one fallback
for `<img src>`: a JPEG, or a PNG when the image has transparency. For covers and
avatars the fallback JPEG is also the `og:image` (1200 px for covers, 600 px for
avatars), so Open Graph costs no extra file. `widths` ({role: (w, ...)}) and
`formats` let a big site trim the set; with the defaults a profile with its own
avatar and cover needs 12 files (avatar 3+3+1, cover 2+2+1), 12,000 per 1,000
profiles, under Cloudflare Pages' 20,000 with room for the pages themselves.

Decoding: EXIF orientation applied, then every piece of metadata dropped (EXIF, GPS,
XMP, ICC: none is passed to the encoders and `info` is cleared, since Pillow's AVIF
and PNG writers would otherwise copy the ICC profile); colours converted to sRGB
from an embedded ICC profile; CMYK, palette, grey, 16-bit and transparent images
normalised to 8-bit RGB or RGBA (RGBA only when some pixel is not opaque).
**Animated GIFs (and animated WebP/AVIF) become a still of their first frame**: a
link-in-bio page shows avatars and covers, where motion distracts, and an animation
would multiply the bytes. SVG is passed through unchanged once `sanitize_svg`
accepts it; it is never rasterised.

The cache (`cache_dir/images`) holds every encoded file under the digest of (source
bytes, role, size, format, quality, ENCODER_VERSION), so each is encoded once ever,
survives rebuilds and the output's deletion, and one logo used by a thousand profiles
is one file. A small manifest per (source, role) lets a rebuild answer without
decoding, and a stat index (path, size, mtime) spares re-hashing unchanged files.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.images.cache import MANIFEST_REVISION, _digest, _SourceIndex
from generator.images.codec import ImageError, encoder_version
from generator.images.fetch import FetchError, RemoteCache, write_atomic
from generator.images.sets import _run_task, _Task
from generator.images.sizes import ROLES


@dataclass(frozen=True)
class Variant:
    """One file the page may load: "m/<name>.<ext>", shared by every profile that uses it."""

    path: str
    width: int
    height: int
    format: str    # "avif" | "webp" | "jpeg" | "png" | "svg"
    size: int = 0  # bytes; the page offers a format only where it saves more than its markup


@dataclass(frozen=True)
class ImageSet:
    """Everything a template needs for one image in one role."""

    role: str
    width: int                       # intrinsic 1x size for <img width height>
    height: int
    variants: tuple[Variant, ...]    # every file, all formats and widths (og_jpeg included when it is one)
    fallback: Variant                # <img src>: JPEG, PNG for transparency, or the SVG itself
    placeholder: str                 # "r<n> g<n> b<n>" classes for the dominant colour; "" for transparent/SVG
    og_jpeg: Variant | None          # JPEG for og:image (covers and avatars), else None

    def srcset(self, format: str, prefix: str = "") -> str:
        """The `srcset` value for one format: "m/a.avif 120w, m/b.avif 240w" (each path after `prefix`)."""
        return ", ".join(f"{prefix}{v.path} {v.width}w" for v in self.variants if v.format == format)


@dataclass
class PipelineStats:
    """What a pipeline did: files encoded, files found in the cache, remote fetches."""

    encodes: int = 0
    cache_hits: int = 0
    downloads: int = 0
    not_modified: int = 0
    offline_hits: int = 0


def _image_set(role: str, manifest: dict) -> ImageSet:
    def variant(entry):
        return Variant(*entry) if entry else None
    return ImageSet(
        role=role, width=manifest["width"], height=manifest["height"],
        variants=tuple(variant(v) for v in manifest["variants"]),
        fallback=variant(manifest["fallback"]), placeholder=manifest["placeholder"],
        og_jpeg=variant(manifest["og"]),
    )


class ImagePipeline:
    """Turns image references into ImageSets, encoding only what its cache lacks."""

    def __init__(self, cache_dir: Path, content_dir: Path, *, formats: tuple[str, ...] = ("avif", "webp"),
                 widths: dict[str, tuple[int, ...]] | None = None, offline: bool = False,
                 fetch_timeout: float = 10.0, max_bytes: int = 20 * 1024 * 1024):
        unknown = sorted(set(formats) - {"avif", "webp", "jpeg"}) + sorted(set(widths or {}) - set(ROLES))
        if unknown:
            raise ImageError(f"unknown image formats or roles {unknown}: formats are avif, webp, jpeg; "
                             f"roles are {', '.join(ROLES)}")
        self.cache_dir = Path(cache_dir)
        self.content_dir = Path(content_dir)
        self.formats = tuple(formats)
        self.widths = dict(widths or {})
        self.max_bytes = max_bytes
        self.images_dir = self.cache_dir / "images"
        self.images_dir.mkdir(parents=True, exist_ok=True)
        self.remote = RemoteCache(self.cache_dir / "remote", timeout=fetch_timeout,
                                  max_bytes=max_bytes, offline=offline)
        self.version = encoder_version()
        self.stats = PipelineStats()
        self._index = _SourceIndex(self.images_dir / "index.sqlite")
        self._sources: dict[str, tuple[str, str] | ImageError] = {}   # reference -> (path, digest)

    def process(self, reference: str, role: str) -> ImageSet:
        """The ImageSet of one image in one role, encoding what is missing; raises ImageError."""
        result = self.process_many([(reference, role)], workers=1)[(reference, role)]
        if isinstance(result, ImageError):
            raise result
        return result

    def process_many(self, jobs: list[tuple[str, str]], workers: int = 2
                     ) -> dict[tuple[str, str], ImageSet | ImageError]:
        """Every (reference, role), each distinct (source bytes, role) rendered once, over `workers` processes."""
        for _, role in jobs:
            if role not in ROLES:
                raise ValueError(f"unknown image role {role!r}; roles are {', '.join(ROLES)}")
        self._resolve_all(sorted({reference for reference, _ in jobs}))
        results: dict[tuple[str, str], ImageSet | ImageError] = {}
        pending: dict[str, _Task] = {}          # set key -> task
        cached: dict[str, dict | None] = {}     # set key -> manifest from an earlier run
        wanted: dict[tuple[str, str], str] = {}  # job -> set key
        for reference, role in sorted(set(jobs)):
            source = self._sources[reference]
            if isinstance(source, ImageError):
                results[(reference, role)] = source
                continue
            task = self._task(reference, role, *source)
            key = self._set_key(task)
            wanted[(reference, role)] = key
            if key not in cached:
                cached[key] = self._cached_set(key)
                if cached[key] is None:
                    pending[key] = task
        outcomes = self._run(pending, workers)
        for job, key in wanted.items():
            outcome = outcomes.get(key) or cached[key]
            results[job] = outcome if isinstance(outcome, ImageError) else _image_set(job[1], outcome)
        return results

    def files(self, image_set: ImageSet) -> dict[str, Path]:
        """Output path -> the cached file to copy or link into the output, for every file of the set."""
        variants = list(image_set.variants) + [image_set.fallback]
        if image_set.og_jpeg:
            variants.append(image_set.og_jpeg)
        return {v.path: self.images_dir / Path(v.path).name for v in sorted(set(variants), key=lambda v: v.path)}

    # -- sources

    def _resolve_all(self, references: list[str]) -> None:
        """Find each reference's bytes (downloading remote ones over a few threads) and digest."""
        todo = [r for r in references if r not in self._sources]
        remote = [r for r in todo if urlsplit(r).scheme.lower() in ("http", "https")]
        import concurrent.futures  # here and in _run: ~15 ms a build that has nothing to fetch or encode never pays
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as threads:
            for reference, outcome in zip(remote, threads.map(self._fetch, remote)):
                self._sources[reference] = outcome
        local = [r for r in todo if r not in self._sources]
        with self._index.batch():
            for reference in local:
                self._sources[reference] = self._local(reference)

    def _fetch(self, url: str) -> tuple[str, str] | ImageError:
        try:
            fetched = self.remote.fetch(url)
        except FetchError as error:
            return ImageError(str(error))
        if fetched.status == "downloaded":
            self.stats.downloads += 1
        elif fetched.status == "not-modified":
            self.stats.not_modified += 1
        else:
            self.stats.offline_hits += 1
        return str(fetched.path), fetched.digest

    def _local(self, reference: str) -> tuple[str, str] | ImageError:
        scheme = urlsplit(reference).scheme
        if scheme and len(scheme) > 1:
            return ImageError(f"{reference}: only http(s) URLs and files under content/ can be images")
        relative = reference.lstrip("/")
        root = self.content_dir.resolve()
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or not relative:
            return ImageError(f"{reference}: the path leaves content/; image files must be inside {self.content_dir}")
        try:
            stat = path.stat()
        except OSError:
            return ImageError(f"{reference}: no such file content/{relative}; add it or fix the path")
        if not path.is_file():
            return ImageError(f"{reference}: content/{relative} is not a file")
        if stat.st_size > self.max_bytes:
            return ImageError(f"{reference}: the file is larger than {self.max_bytes / 1048576:g} MiB; "
                              "use a smaller image (a 2000 px JPEG is well under 2 MiB)")
        digest = self._index.get(str(path), stat.st_size, stat.st_mtime_ns)
        if digest is None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            self._index.put(str(path), stat.st_size, stat.st_mtime_ns, digest)
        return str(path), digest

    # -- sets

    def _task(self, reference: str, role: str, path: str, digest: str) -> _Task:
        return _Task(path=path, source=reference, digest=digest, role=ROLES[role], formats=self.formats,
                     allowed=self.widths.get(role), images_dir=str(self.images_dir), version=self.version)

    def _set_key(self, task: _Task) -> str:
        return _digest("set", task.digest, task.role, task.formats, task.allowed, task.version, MANIFEST_REVISION)

    def _manifest_path(self, key: str) -> Path:
        return self.images_dir / f"{key}.json"

    def _cached_set(self, key: str) -> dict | None:
        """The manifest of a set whose files are all in the cache, counting them as hits."""
        try:
            manifest = json.loads(self._manifest_path(key).read_text())
        except (OSError, ValueError):
            return None
        names = {Path(v[0]).name for v in manifest["variants"]}
        if not all((self.images_dir / name).exists() for name in names):
            return None
        self.stats.cache_hits += len(names)
        return manifest

    def _run(self, pending: dict[str, _Task], workers: int) -> dict[str, dict | ImageError]:
        """Render the pending sets, in a process pool when there is more than one."""
        if not pending:
            return {}
        keys = sorted(pending)
        tasks = [pending[key] for key in keys]
        if workers > 1 and len(tasks) > 1:
            # spawn, not fork: the parent may hold threads (downloads) and an SQLite handle.
            import concurrent.futures
            import multiprocessing
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context) as pool:
                answers = list(pool.map(_run_task, tasks, chunksize=max(1, len(tasks) // (workers * 8))))
        else:
            answers = [_run_task(task) for task in tasks]
        outcomes: dict[str, dict | ImageError] = {}
        for key, (manifest, encoded, message) in zip(keys, answers):
            self.stats.encodes += encoded
            if message is not None:
                outcomes[key] = ImageError(message)
                continue
            write_atomic(self._manifest_path(key), json.dumps(manifest, sort_keys=True).encode())
            outcomes[key] = manifest
        return outcomes

