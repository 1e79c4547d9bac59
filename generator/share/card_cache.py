"""Social cards made once, like the images: named by a digest of everything that shapes
them, kept in `.biogen/cache/cards/`, which survives rebuilds and the output's deletion.

A card takes ~0.1-0.8 s to draw (most of it resizing and blurring the cover and encoding
PNG and JPEG to keep the smaller), so a profile rendered again with the same name,
tagline, images and colours (another field changed) reads its card back instead
(~0.1 ms). The digest holds the card's version, the fonts' bytes and whether raqm
shapes the text, so a new drawing, new fonts or another Pillow make new cards.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from PIL import Image, features

from generator.images.cache import file_name
from generator.share.card import CARD_VERSION, social_card
from generator.share.card_fonts import FONTS


@functools.cache
def _fonts_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(FONTS.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def card_key(*, name: str, tagline: str, avatar: str | None, cover: str | None, page_colour: str,
             text_colour: str, accent: str) -> str:
    """The cache name of a card: its inputs (images by their content-named files) and the drawing's."""
    return file_name(CARD_VERSION, _fonts_digest(), features.check("raqm"), name, tagline, avatar or "",
                     cover or "", page_colour, text_colour, accent)


def cached_card(cache_dir: Path, *, name: str, tagline: str, avatar: Path | None, cover: Path | None,
                page_colour: str, text_colour: str, accent: str) -> tuple[str, bytes]:
    """("png" or "jpg", bytes) of the card, from the cache or drawn and cached."""
    key = card_key(name=name, tagline=tagline, avatar=avatar.name if avatar else None,
                   cover=cover.name if cover else None, page_colour=page_colour, text_colour=text_colour,
                   accent=accent)
    folder = cache_dir / "cards"
    for extension in ("png", "jpg"):
        path = folder / f"{key}.{extension}"
        if path.exists():
            return extension, path.read_bytes()
    with _opened(avatar) as avatar_image, _opened(cover) as cover_image:
        extension, data = social_card(name=name, tagline=tagline, avatar=avatar_image, cover=cover_image,
                                      page_colour=page_colour, text_colour=text_colour, accent=accent)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{key}.{os.getpid()}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, folder / f"{key}.{extension}")  # whole or absent, also with parallel workers
    return extension, data


class _opened:
    """An image file opened for drawing, or None."""

    def __init__(self, path: Path | None):
        self.path, self.image = path, None

    def __enter__(self) -> Image.Image | None:
        if self.path is not None:
            self.image = Image.open(self.path)
            self.image.load()
        return self.image

    def __exit__(self, *exc) -> None:
        if self.image is not None:
            self.image.close()
