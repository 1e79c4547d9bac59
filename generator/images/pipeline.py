"""Images: size and crop arithmetic (pure), decoding and encoding with Pillow, and the cache.

The API the build uses:

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

import base64
import hashlib
import io
import json
import math
import re
import sqlite3
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import BiogenError
from generator.images.fetch import FetchError, RemoteCache, sniff_image_type, write_atomic


class ImageError(BiogenError):
    """An image cannot be used; the message names the source and says how to fix it."""


# --------------------------------------------------------------------------- roles (pure)

@dataclass(frozen=True)
class Role:
    """Where an image sits: its layout box in CSS px at 1x, its crop, and the sizes to make."""

    name: str
    box_width: int
    box_height: int | None
    crop: str                     # "square" | "fill" (cover-crop to the box's aspect) | "fit" (keep aspect)
    max_width: int | None = None  # widest file to make, when 3x of the box would be wasted
    og_width: int | None = None   # width of the og:image JPEG (also the <img src> fallback), or None

    @property
    def aspect(self) -> float | None:
        """Width over height of the crop, or None when the source's own aspect is kept."""
        if self.crop == "square":
            return 1.0
        if self.crop == "fill" and self.box_height:
            return self.box_width / self.box_height
        return None


# Boxes from assets/style.css. Avatar: a 120 px circle. Cover: the 680 px column,
# 220 px tall on desktop (168 on phones, same crop with object-fit); 3x (2040) is
# capped at 1360, which a 390 px phone at 3x (1170) still gets sharp. Product: a
# square of a 2-3 column grid, ~150-190 px wide, so 200 at 1x. Logo: 48x48 contain.
# Link background: the ~640 px card, 160 px tall, behind a dark gradient and text,
# so 2x is enough.
ROLES: dict[str, Role] = {
    "avatar": Role("avatar", 120, 120, "square", og_width=600),
    "cover": Role("cover", 680, 220, "fill", max_width=1360, og_width=1200),
    "product": Role("product", 200, 200, "square"),
    "logo": Role("logo", 48, 48, "fit"),
    "background": Role("background", 640, 160, "fill", max_width=1280),
}
DENSITIES = (1, 2, 3)


def crop_box(source_width: int, source_height: int, aspect: float) -> tuple[int, int, int, int]:
    """The largest centred box of `aspect` (width/height) inside the source: (left, top, right, bottom)."""
    if source_width / source_height > aspect:
        width = max(1, min(source_width, round(source_height * aspect)))
        left = (source_width - width) // 2
        return left, 0, left + width, source_height
    height = max(1, min(source_height, round(source_width / aspect)))
    top = (source_height - height) // 2
    return 0, top, source_width, top + height


def _cropped_size(role: Role, source_width: int, source_height: int) -> tuple[int, int]:
    """The size of the part of the source that the role shows."""
    if role.aspect is None:
        return source_width, source_height
    left, top, right, bottom = crop_box(source_width, source_height, role.aspect)
    return right - left, bottom - top


def _base_width(role: Role, source_width: int, source_height: int) -> int:
    """The 1x width: the box, or for "fit" the width at which the image fits inside the box."""
    if role.crop == "fit" and role.box_height:
        return max(1, min(role.box_width, round(role.box_height * source_width / source_height)))
    return role.box_width


def variant_widths(role: Role, source_width: int, source_height: int,
                   allowed: tuple[int, ...] | None = None) -> list[int]:
    """Widths to make: 1x/2x/3x of the box (or `allowed`), capped, never wider than the source."""
    widest, _ = _cropped_size(role, source_width, source_height)
    if allowed:
        wanted = list(allowed)
    else:
        base = _base_width(role, source_width, source_height)
        wanted = [base * density for density in DENSITIES]
        if role.max_width:
            wanted = [w for w in wanted if w <= role.max_width] or [min(base, role.max_width)]
    return sorted({max(1, min(w, widest)) for w in wanted})


def output_size(role: Role, source_width: int, source_height: int, width: int) -> tuple[int, int]:
    """The (width, height) of a rendition `width` px wide, in the role's crop."""
    crop_width, crop_height = _cropped_size(role, source_width, source_height)
    width = max(1, min(width, crop_width))
    return width, max(1, round(width * crop_height / crop_width))


def fallback_width(role: Role, widths: list[int], source_width: int, source_height: int) -> int:
    """Width of the <img src> file: the og:image width for og roles, else the 2x width."""
    if role.og_width:
        return output_size(role, source_width, source_height, role.og_width)[0]
    return widths[min(1, len(widths) - 1)]


# ---------------------------------------------------------------- placeholder colours (pure)

# The dominant colour quantised to a 4x4x4 grid, written as three classes, one level
# per channel ("r3 g2 b2" is #ffaaaa): 12 short rules in the shared stylesheet, which
# never changes when images do (the CSP forbids style attributes). One class per colour
# took 64 rules, ~1.8 KB of every page's CSS; three cost ~5 bytes more per image.
_LEVELS = (0, 85, 170, 255)


def palette_index(red: int, green: int, blue: int) -> int:
    """The index (0-63) of the palette colour nearest to an RGB colour."""
    r, g, b = (min(3, (value + 42) // 85) for value in (red, green, blue))
    return r * 16 + g * 4 + b


def palette_colour(index: int) -> str:
    """The palette colour `index` as #rrggbb."""
    r, g, b = index // 16, index // 4 % 4, index % 4
    return "#{:02x}{:02x}{:02x}".format(_LEVELS[r], _LEVELS[g], _LEVELS[b])


def dominant_index(pixels) -> int:
    """The palette index that most of the given (r, g, b) pixels fall into; ties go to the lowest."""
    counts = Counter(palette_index(*pixel[:3]) for pixel in pixels)
    return min(counts, key=lambda index: (-counts[index], index)) if counts else 0


def palette_classes(index: int) -> str:
    """The classes that give an image the palette colour `index`: "r3 g2 b2"."""
    return f"r{index // 16} g{index // 4 % 4} b{index % 4}"


PLACEHOLDER_CSS = "".join(f".{channel}{level}{{--{channel}:{value}}}"
                          for channel in "rgb" for level, value in enumerate(_LEVELS))


# ------------------------------------------------------------------------ SVG (pure)

_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "image", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def sanitize_svg(data: bytes, source: str) -> bytes:
    """The SVG unchanged if it holds nothing active or external; otherwise ImageError."""
    import xml.etree.ElementTree as ET  # here and below: a build without SVGs never needs it
    def refuse(what: str) -> ImageError:
        return ImageError(f"{source}: the SVG holds {what}, which a page must not load; "
                          "export the logo again as plain SVG (or as PNG)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImageError(f"{source}: the SVG is not UTF-8 text; save it again as UTF-8") from None
    declared = re.match(r"\s*<\?xml[^>]*encoding=['\"]([^'\"]+)", text)
    if declared and declared.group(1).lower() not in ("utf-8", "us-ascii", "ascii"):
        raise ImageError(f"{source}: the SVG declares encoding {declared.group(1)}; save it as UTF-8")
    if re.search(r"<!\s*(doctype|entity)", text, re.IGNORECASE):
        raise refuse("a DOCTYPE or ENTITY declaration")
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        raise refuse("an external stylesheet (<?xml-stylesheet?>)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise ImageError(f"{source}: the SVG is not well-formed XML ({error}); export it again") from None
    if _local(root.tag) != "svg":
        raise ImageError(f"{source}: the file is XML but not SVG (root element <{_local(root.tag)}>)")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS:
            raise refuse(f"a <{name}> element")
        if name == "style" and element.text:
            _check_css(element.text, refuse)
        for attribute, value in element.attrib.items():
            attr = _local(attribute)
            if attr.startswith("on"):
                raise refuse(f"an event handler ({attr}=)")
            if attr == "href" and not value.strip().startswith("#"):
                raise refuse(f"an external reference (<{name} href=\"{value[:60]}\">)")
            if name in ("set", "animate") and attr == "attributename" and (
                    _local(value) in ("href",) or value.lower().startswith("on")):
                raise refuse(f"an animation of {value}")
            _check_css(value, refuse)
    return data


def _check_css(text: str, refuse) -> None:
    if "@import" in text.lower():
        raise refuse("a CSS @import")
    for target in _URL.findall(text):
        if not target.startswith("#"):
            raise refuse(f"an external reference (url({target[:60]}))")


def _svg_size(data: bytes, role: Role) -> tuple[int, int]:
    """The SVG's intrinsic size fitted into the role's box (from width/height or viewBox)."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(data.decode("utf-8-sig"))
    width = height = None
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            pass
    if not (width and height):
        try:
            width = float(re.match(r"[\d.]+", root.get("width", ""))[0])
            height = float(re.match(r"[\d.]+", root.get("height", ""))[0])
        except (TypeError, ValueError):
            width = height = None
    box_height = role.box_height or role.box_width
    if not (width and height and width > 0 and height > 0):
        return role.box_width, box_height
    scale = min(role.box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


# ------------------------------------------------------------------ encoding with Pillow

# A 48 MP camera photo (8000x6000) passes; a 30,000 x 30,000 "bomb" (900 MP, 2.7 GB
# as RGB) is refused from its header, before any pixel is decoded.
MAX_PIXELS = 50_000_000

# Measured on this machine (2 cores, Pillow 13.0, libavif with aom), one thread, a
# 2000x2000 JPEG resized to 400/800/1200 px, two sources (noisy photo / smooth):
#   AVIF q60 speed 6: 0.75 / 0.58 s, 73.4 / 26.3 KB, PSNR 38.1 / 43.8 dB
#   AVIF q60 speed 7: 0.57 / 0.42 s, 75.4 / 27.4 KB
#   AVIF q60 speed 8: 0.23 / 0.15 s, 81.6 / 34.1 KB, PSNR 37.9 / 43.4 dB
#   WebP q80 method 4: 0.17 / 0.12 s, 73.1 / 29.1 KB; method 6: +25-40% time, -15% / 0% size
#   JPEG q82 progressive+optimize: 0.03 / 0.02 s, 186 / 86 KB
# Speed 8 is 3-4x faster than speed 6 for files 11-30% larger on these synthetic
# sources (~1% on the photo in peers.md); images are where build time goes (a 1,000
# photo site encodes ~10 minutes less), and the pages stay well inside their
# 250 KB budget, so speed 8. One thread per encoder: the pool already uses every core.
# WebP serves only browsers without AVIF, so its faster method 4 wins.
ENCODERS = {
    "avif": ("AVIF", {"quality": 60, "speed": 8, "max_threads": 1}),
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", {"optimize": True}),
}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg", "png": "png", "svg": "svg"}
# Bump when the decoding or resizing changes the pixels (not only the encoders').
PIPELINE_REVISION = 1


def encoder_version() -> str:
    """Everything that changes encoded bytes: Pillow, its codecs, our settings."""
    import PIL
    from PIL import features
    codecs = {name: features.version(name) for name in ("avif", "webp", "jpg", "zlib", "littlecms2")}
    return json.dumps([PIL.__version__, codecs, ENCODERS, PIPELINE_REVISION], sort_keys=True)


READABLE = {"jpeg", "png", "gif", "webp", "avif", "tiff", "bmp"}


def decode(data: bytes, source: str, reducible=None):
    """Pillow image (8-bit RGB or RGBA, sRGB, upright, no metadata) from bytes, or ImageError.

    `reducible(width, height)` may give the scale (< 1) that the upright image can be
    shrunk to without losing any output pixel; JPEGs are then decoded at 1/2, 1/4 or 1/8.
    """
    from PIL import Image
    kind = sniff_image_type(data[:64])
    if not data:
        raise ImageError(f"{source}: the file is empty (0 bytes); upload the image again")
    if kind == "html":
        raise ImageError(f"{source}: this is an HTML page, not an image; use the address of the image file itself")
    if kind == "heic":
        raise ImageError(f"{source}: HEIC/HEIF images are not supported; convert it to JPEG, PNG, WebP or AVIF")
    if kind not in READABLE:
        raise ImageError(f"{source}: not an image format biogen reads; use JPEG, PNG, WebP, AVIF or GIF "
                         "(or SVG for logos)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = _open_checked(data, source, reducible)
            return _normalise(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{source}: the image has more than {MAX_PIXELS // 1_000_000} megapixels; "
                         "resize it to at most 4000 px on its longest side") from None
    except MemoryError:
        raise ImageError(f"{source}: the image is too large to decode; resize it to at most 4000 px") from None
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError, EOFError... for bad data
        raise ImageError(f"{source}: the image is truncated or corrupt ({error}); export it again") from None


def _open_checked(data: bytes, source: str, reducible):
    from PIL import Image, ImageOps
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own check, as a second line behind ours
    probe = Image.open(io.BytesIO(data))
    if probe.width * probe.height > MAX_PIXELS:
        raise ImageError(f"{source}: the image is {probe.width}x{probe.height} pixels, more than "
                         f"{MAX_PIXELS // 1_000_000} megapixels; resize it to at most 4000 px on its longest side")
    probe.verify()  # PNG CRCs and structure; verify() leaves the image unusable, so reopen
    image = Image.open(io.BytesIO(data))
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # animations become a still of their first frame (see the module docstring)
    if reducible and image.format == "JPEG":
        # Decoding a 2000 px JPEG at 1/2 scale for a 600 px avatar is ~3x faster.
        upright = image.size[::-1] if image.getexif().get(0x0112, 1) in (5, 6, 7, 8) else image.size
        scale = reducible(*upright)
        if scale < 0.5:
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
    image.load()
    icc = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if icc:
        image.info["icc_profile"] = icc
    return image


def _normalise(image):
    """8-bit sRGB RGB or RGBA, with `info` (EXIF, XMP, ICC, comments) emptied."""
    icc = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info)
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        # 16-bit grey: scale 0-65535 to 0-255 (convert("L") would clip everything above 255).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        image = _to_srgb(image, icc, "RGBA" if image.mode == "RGBA" else "RGB")
    image = image.convert("RGBA" if has_alpha else "RGB")
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # an alpha channel that is opaque everywhere: JPEG will do
    image.info = {}
    if hasattr(image, "_exif"):
        image._exif = None
    return image


def _to_srgb(image, icc: bytes, mode: str):
    """Convert from the embedded ICC profile to sRGB; keep the pixels as they are if it is unusable."""
    from PIL import ImageCms
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, srgb, outputMode=mode,
                                         renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image


def encode(image, format: str) -> bytes:
    """The bytes of `image` in `format` with ENCODERS' settings, and no metadata."""
    name, options = ENCODERS[format]
    if format == "jpeg" and image.mode != "RGB":
        image = _flatten(image)
    buffer = io.BytesIO()
    image.save(buffer, name, **options)
    return buffer.getvalue()


def _flatten(image):
    """RGBA on white, for JPEG (og:image of a transparent avatar)."""
    from PIL import Image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def placeholder_class(image) -> str:
    """The palette classes of the dominant colour, or "" for transparent images (it would show through)."""
    if image.mode == "RGBA":
        return ""
    small = image.copy()
    small.thumbnail((24, 24))
    pixels = small.get_flattened_data() if hasattr(small, "get_flattened_data") else small.getdata()
    return palette_classes(dominant_index(pixels))


# ------------------------------------------------------------------- sets and the cache

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


# Where the files go in the output, and the length of their names. A page names each
# image file up to 7 times (2 formats x 3 widths + fallback), ~90 URLs on the full demo
# profile, so every character counts: "/m/" instead of "/media/" and 10 characters of
# base32 (50 bits; lowercase, as case-insensitive file systems need) instead of 16 hex
# digits take ~0.9 KB off its HTML. Odds of two different files sharing a name: ~1 in
# 200,000 at Pages' 100,000-file limit, ~1 in 10 million for the 14,000 files of a
# 1,000-profile site.
MEDIA_DIR = "m"
NAME_LENGTH = 10
# Part of every set's cache key: bump when the manifest's shape or the names change,
# so manifests written by an older biogen are made again (from the cached files).
MANIFEST_REVISION = 2


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def file_name(*parts) -> str:
    """The name of a media file made from `parts` (its inputs, or its bytes): 10 base32 characters."""
    data = parts[0] if len(parts) == 1 and isinstance(parts[0], bytes) else "\x1f".join(map(str, parts)).encode()
    return base64.b32encode(hashlib.sha256(data).digest()).decode()[:NAME_LENGTH].lower()


@dataclass(frozen=True)
class _Task:
    """One (source, role) to render in a worker: plain data, cheap to pickle."""

    path: str
    source: str          # the reference as the database holds it, for messages
    digest: str
    role: Role
    formats: tuple[str, ...]
    allowed: tuple[int, ...] | None
    images_dir: str
    version: str


def _plan(task: _Task, width: int, height: int, has_alpha: bool) -> dict:
    """Which files a source of (width, height) gets: the manifest, without encoding anything."""
    role = task.role
    widths = variant_widths(role, width, height, task.allowed)
    planned = []
    for format in task.formats:
        for w in widths:
            planned.append((format, *output_size(role, width, height, w)))
    fallback_format = "png" if has_alpha else "jpeg"
    fw = fallback_width(role, widths, width, height)
    fallback = (fallback_format, *output_size(role, width, height, fw))
    og = None
    if role.og_width:
        og = fallback if not has_alpha else ("jpeg", *fallback[1:])
    ordered = list(dict.fromkeys(planned + [fallback] + ([og] if og else [])))

    def variant(format, w, h):
        name = file_name(task.digest, role, w, h, format, task.version)
        return [f"{MEDIA_DIR}/{name}.{EXTENSIONS[format]}", w, h, format]
    base = output_size(role, width, height, _base_width(role, width, height))
    return {
        "width": base[0], "height": base[1],
        "variants": [variant(*entry) for entry in ordered],
        "fallback": variant(*fallback),
        "og": variant(*og) if og else None,
    }


def _render(task: _Task) -> tuple[dict, int]:
    """Decode once, encode every missing file of the set; returns (manifest, files encoded). Runs in a worker."""
    data = Path(task.path).read_bytes()
    if sniff_image_type(data[:64]) == "svg":
        return _render_svg(task, data), 0
    role = task.role
    image = decode(data, task.source, _reducible(task))
    if role.aspect is not None:
        box = crop_box(image.width, image.height, role.aspect)
    else:
        box = (0, 0, image.width, image.height)
    has_alpha = image.mode == "RGBA"
    manifest = _plan(task, image.width, image.height, has_alpha)
    encoded = 0
    images_dir = Path(task.images_dir)
    for path, w, h, format in {tuple(v) for v in manifest["variants"]}:
        target = images_dir / Path(path).name
        if target.exists():
            continue
        from PIL import Image
        resized = image.resize((w, h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        write_atomic(target, encode(resized, format))
        encoded += 1
    _add_sizes(manifest, images_dir)
    cropped = image.crop(box) if box != (0, 0, image.width, image.height) else image
    manifest["placeholder"] = placeholder_class(cropped)
    return manifest, encoded


def _add_sizes(manifest: dict, images_dir: Path) -> None:
    """Each file's size in bytes, appended to its manifest entry."""
    sizes = {}
    for key in ("variants", "fallback", "og"):
        entries = manifest[key] if key == "variants" else [manifest[key]] if manifest[key] else []
        for entry in entries:
            path = entry[0]
            if path not in sizes:
                sizes[path] = (images_dir / Path(path).name).stat().st_size
            entry.append(sizes[path])


def _reducible(task: _Task):
    """The scale a (width, height) source may be shrunk to and still give every planned file."""
    def scale(width: int, height: int) -> float:
        widths = variant_widths(task.role, width, height, task.allowed)
        widest = max(widths + [fallback_width(task.role, widths, width, height)])
        return widest / _cropped_size(task.role, width, height)[0]
    return scale


def _render_svg(task: _Task, data: bytes) -> dict:
    clean = sanitize_svg(data, task.source)
    name = file_name(clean)
    target = Path(task.images_dir) / f"{name}.svg"
    if not target.exists():
        write_atomic(target, clean)
    width, height = _svg_size(clean, task.role)
    variant = [f"{MEDIA_DIR}/{name}.svg", width, height, "svg", len(clean)]
    return {"width": width, "height": height, "variants": [variant], "fallback": variant,
            "og": None, "placeholder": ""}


def _run_task(task: _Task) -> tuple[dict | None, int, str | None]:
    """_render for a pool: errors come back as messages, never as a crashed worker."""
    try:
        manifest, encoded = _render(task)
        return manifest, encoded, None
    except ImageError as error:
        return None, 0, str(error)


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


class _SourceIndex:
    """path, size, mtime -> sha256 of local files, so a rebuild does not re-read unchanged photos."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER, "
                         "mtime_ns INTEGER, digest TEXT)")

    def get(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The digest recorded for this path if its size and mtime are unchanged."""
        row = self._db.execute("SELECT size, mtime_ns, digest FROM sources WHERE path = ?", (path,)).fetchone()
        return row[2] if row and row[0] == size and row[1] == mtime_ns else None

    def put(self, path: str, size: int, mtime_ns: int, digest: str) -> None:
        """Record a file's digest."""
        self._db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)", (path, size, mtime_ns, digest))

    def batch(self):
        """A transaction around many puts (one fsync, not a thousand)."""
        index = self

        class _Batch:
            def __enter__(self):
                index._db.execute("BEGIN")

            def __exit__(self, kind, value, traceback):
                index._db.execute("COMMIT" if kind is None else "ROLLBACK")
        return _Batch()
