"""Decoding and encoding with Pillow: bytes to an upright 8-bit sRGB image without
metadata (or ImageError naming the source and the fix), and an image to the bytes of
one format with ENCODERS' settings."""

from __future__ import annotations

import io
import json
import math
import warnings

from generator.errors import BiogenError
from generator.images.fetch import sniff_image_type


class ImageError(BiogenError):
    """An image cannot be used; the message names the source and says how to fix it."""



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

