"""Images uploaded in the editor: checked as the build checks them, then stored under
`content/uploads/` with a name made from their bytes.

- The format is what the bytes are, never what the file is called: the first bytes are
  sniffed, Pillow opens and fully decodes the image under the build's pixel limit
  (generator.images.codec.decode: verify, load, 50 megapixels at most), and its format
  must be the sniffed one; SVG goes through the build's own safety check
  (generator.images.svg.sanitize_svg) instead. The formats are those both the build's
  path rule (validate.IMAGE_EXTENSIONS) and its decoder accept: JPEG, PNG, GIF, WebP,
  AVIF and SVG (TIFF and BMP decode, but no content/ path may end in .tif or .bmp).
- The stored name is `uploads/<first 16 hex digits of the SHA-256 of the bytes>.<ext>`:
  the same file uploaded twice is one file, the user's filename never becomes a path
  (it only appears, quoted, in messages), and nothing can leave content/. 16 hex
  digits (64 bits): two different images share a name with odds of ~1 in 3.7 billion
  at 100,000 uploads, and a clash is refused, never written over.
- One folder for every role, not `avatars/`, `covers/`...: the same logo used as a
  product image and a tool logo is one file, a rename of the profile moves nothing, and
  the files the editor made stay apart from those a user placed in content/ by hand.
- A file is written (through a temporary file in the same folder and a rename: never
  a partial file) only once every file of the form passed, right before the database
  transaction that uses it; if that transaction refuses, the files it created are
  removed again (`kept`), so a refused save leaves neither row nor file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from generator.errors import BiogenError
from generator.images.codec import ImageError, decode
from generator.images.fetch import sniff_image_type, write_atomic
from generator.images.svg import sanitize_svg

# 20 MB a file (issue 18): a phone's 48 MP JPEG is 8-15 MB; a page needs far less
# (the build makes files of at most 1360 px).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_DIR = "uploads"
NAME_DIGITS = 16
# Sniffed format -> the extension of the stored file.
EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp", "avif": "avif", "svg": "svg"}
# The file picker's `accept`: media types and extensions (a system without the type
# of AVIF registered still offers .avif files).
ACCEPT = ",".join(["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "image/svg+xml",
                   ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"])
FORMATS_NAMED = "JPEG, PNG, WebP, AVIF, GIF or SVG"
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "avif": "AVIF"}
_NOT_PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_SHOWN_LENGTH = 80
Result = TypeVar("Result")
# Held from the first file written to the end of the transaction using it, so a save
# that removes the file it made cannot remove one another save just found in place.
_storing = threading.Lock()


class UploadError(BiogenError):
    """An uploaded file cannot be used; the message names the file, what is wrong and the fix."""


@dataclass(frozen=True)
class CheckedImage:
    """An image that passed every check, not stored yet: its path under content/ and its bytes."""

    path: str
    data: bytes


def shown_name(filename: str) -> str:
    """The user's filename as a message quotes it: its last part only (a browser may send
    `C:\\fakepath\\a.png`), invisible characters replaced, at most 80 characters."""
    last = re.split(r"[\\/]", filename or "")[-1]
    last = _NOT_PRINTABLE.sub("\ufffd", last)
    if len(last) > _SHOWN_LENGTH:
        last = last[:_SHOWN_LENGTH - 1] + "…"
    return f"“{last}”" if last else "the file"


def too_large(filename: str, size: int) -> UploadError:
    """The error for a file over MAX_UPLOAD_BYTES (`size` bytes, or more)."""
    return UploadError(f"{shown_name(filename)}: the file is {size / 1048576:.1f} MB, more than the "
                       f"{MAX_UPLOAD_BYTES // 1048576} MB allowed; export it smaller (a 2000 px JPEG is well "
                       "under 2 MB)")


def stored_path(data: bytes, kind: str) -> str:
    """Where an image of these bytes and this format is stored, relative to content/."""
    return f"{UPLOAD_DIR}/{hashlib.sha256(data).hexdigest()[:NAME_DIGITS]}.{EXTENSIONS[kind]}"


def check_image(data: bytes, filename: str) -> CheckedImage:
    """`data` as an image the build will accept, with its content-derived path; else UploadError.
    Pure: reads and writes no file. Decoding a 48 MP JPEG takes ~1 s, so call it off the event loop."""
    source = shown_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large(filename, len(data))
    if not data:
        raise UploadError(f"{source}: the file is empty (0 bytes); choose the image again")
    kind = sniff_image_type(data[:64])
    try:
        if kind == "svg":
            sanitize_svg(data, source)
        elif kind in _PILLOW_FORMATS:
            decode(data, source)  # the build's checks: header, pixel limit, verify, full decode
            _check_pillow_format(data, kind, source)
        elif kind == "html":
            raise UploadError(f"{source}: this is an HTML page, not an image; save the image itself and "
                              "upload that file")
        else:
            what = f"a {kind.upper()} image" if kind else "not an image"
            raise UploadError(f"{source}: the file's content is {what}, whatever its name says; "
                              f"upload {FORMATS_NAMED}")
    except ImageError as error:
        raise UploadError(str(error)) from None
    return CheckedImage(stored_path(data, kind), data)


def _check_pillow_format(data: bytes, kind: str, source: str) -> None:
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        found = image.format
    if found != _PILLOW_FORMATS[kind]:
        raise UploadError(f"{source}: the file starts as {kind.upper()} but reads as {found}; export it again "
                          f"as {FORMATS_NAMED}")


def uploads_folder(content_dir: Path) -> Path:
    """content/uploads, made if missing; refused when it (a symbolic link) leads out of content/."""
    folder = content_dir / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    if not folder.resolve().is_relative_to(content_dir.resolve()):
        raise UploadError(f"content/{UPLOAD_DIR} leads outside content/ (a symbolic link); make it a plain "
                          "folder inside content/")
    return folder


def store_image(image: CheckedImage, content_dir: Path) -> bool:
    """Write `image` at its path under `content_dir`; True when this call made the file.
    The same bytes already there: nothing written (False). Anything else at that name
    (different bytes, a link, a folder) is refused, never replaced."""
    folder = uploads_folder(content_dir)
    target = folder / Path(image.path).name
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UploadError(f"content/{image.path} exists and is not a plain file; remove it and upload again")
    if target.exists():
        if target.read_bytes() == image.data:
            return False
        raise UploadError(f"content/{image.path} already holds a different file (its name comes from the "
                          "first 64 bits of the image's SHA-256); nothing was replaced: rename that file")
    write_atomic(target, image.data)
    return True


def accept_image(data: bytes, filename: str, content_dir: Path) -> str:
    """Check and store an uploaded image; its path relative to content/ (UploadError otherwise)."""
    image = check_image(data, filename)
    with _storing:
        store_image(image, content_dir)
    return image.path




def kept(images: Mapping[str, CheckedImage], content_dir: Path,
         write: Callable[[dict[str, str]], Result]) -> Result:
    """Store `images` ({column: image}), then `write({column: stored path})`, which returns
    an outcome with `done`. When it is not done, or raises, the files this call created are
    removed again: a refused write leaves no file behind. Without images, just `write({})`."""
    if not images:
        return write({})
    with _storing:
        created = []
        if not (content_dir / UPLOAD_DIR).exists():
            created.append(content_dir / UPLOAD_DIR)   # removed last, when empty
        try:
            for image in images.values():
                if store_image(image, content_dir):
                    created.append(content_dir / image.path)
            outcome = write({column: image.path for column, image in images.items()})
        except BaseException:
            _remove(created)
            raise
        if not outcome.done:
            _remove(created)
        return outcome


def _remove(paths: list[Path]) -> None:
    """The files (then the folder) a refused write made; a folder is kept when not empty."""
    for path in reversed(paths):
        with contextlib.suppress(FileNotFoundError, OSError):
            path.rmdir() if path.is_dir() else path.unlink()
