"""What every page shares (URLs, hashed assets) and which files shape the pages.

Kept apart from render.py so a build that has nothing to render never imports
Jinja2 or markdown-it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from generator.config import Config
from generator.data.urls import href

if TYPE_CHECKING:
    from generator.build.themes import Looks

# The `sizes` attribute of each image role: how wide the image is drawn, matching
# assets/style.css (a 680 px column from 720 px up, full width below; products
# two to a row on phones and three on desktops). Written without optional spaces:
# each is repeated on every <source> of every picture. Below 720 px a link background
# is 100vw - 32px wide and a product image 50vw - 44px; plain vw stand for them where
# phones are (360-430 px wide): 92vw is within 1% of the card there and 40vw within
# +6% of the product (144 for 136 px at 360, 172 for 171 at 430), and each calc()
# cost 13-14 bytes on every <source> (~160 bytes of the full demo profile). Between
# 440 and 720 px they ask for at most 3.5% (cards) and 8% (products) less than drawn
# (at 680 px). On 360-600 px phones at densities 1.75-3, Chromium picks the same
# files as with the calc() values. A min() says the same as a media condition
# choosing between the desktop width and the vw, 14 bytes shorter on every <source>
# (~200 bytes of the full demo profile, room for its share section). They differ from
# the media conditions only between 680 and 720 px for the cover (680 px for up to
# 720, 6% less) and 696-720 px for cards (640 px for up to 662, 3% less), and between
# 500 and 720 px for products (small tablets: 200 px where 40vw asked for 200-288 px
# and the card draws 206-316 px).
IMAGE_SIZES = {
    "avatar": "120px",
    "cover": "min(680px,100vw)",
    "background": "min(640px,92vw)",
    "product": "min(200px,40vw)",
    "logo": "48px",
    "body": "min(640px,92vw)",
}
# Roles drawn at one fixed size: their srcset says 1x/2x/3x and needs no `sizes`.
FIXED_SIZE = {"avatar", "logo"}
# Roles small enough that one file (the 2x) serves every screen.
ONE_FILE = {"logo"}
# The layout box of each role, for the width/height of an image kept remote.
IMAGE_BOXES = {"avatar": (120, 120), "cover": (680, 220), "background": (640, 160), "product": (200, 200),
               "logo": (48, 48), "body": (640, 360)}
_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg", "png": "image/png"}
# Formats a <picture> may offer, best first: AVIF, then WebP for browsers without AVIF.
SOURCE_FORMATS = ("avif", "webp")


class ImageView(NamedTuple):
    """One image as the templates draw it: its <source>, fallback and size."""

    src: str                                 # the fallback file, or a remote image's URL (urls.href)
    width: int
    height: int
    sources: tuple[tuple[str, str], ...]     # (MIME type, srcset) per format made, best first
    sizes: str                               # "" for fixed-size roles (x descriptors)
    placeholder: str                         # CSS classes filling the box with the dominant colour
    og: str | None                           # the JPEG for og:image (covers and avatars)
    files: tuple[str, ...] = ()              # the output files the page refers to ("m/x.avif", ...)
    og_size: tuple[int, int] | None = None   # (width, height) of the file og:image names (`og`, else `src`); None: remote


@dataclass(frozen=True)
class SiteContext:
    """What every page shares: URLs, language, the hashed asset names, image sets and themes."""

    base_url: str
    language: str
    home: str
    assets: dict[str, str]  # logical name -> "/assets/name.<hash>.ext"
    images: dict = field(default_factory=dict)  # (reference as stored, role) -> images.ImageSet
    looks: Looks | None = None  # each profile's stylesheet, from its theme, accent and button shape
    share: tuple[str, ...] = ()  # the share kit's pieces this site makes (config.SHARE_PIECES)
    media: dict = field(default_factory=dict)  # output path ("m/x.jpg") -> its cached file: the social cards draw them
    _views: dict = field(default_factory=dict, repr=False, compare=False)  # image() answers, made once

    def asset_url(self, name: str) -> str:
        """The content-hashed URL of the packaged or site asset `name`."""
        return self.assets[name]

    def image(self, reference: str | None, role: str) -> ImageView | None:
        """How a page shows an image: its optimized files, or the remote URL as it is."""
        if not reference:
            return None
        view = self._views.get((reference, role))
        if view is None:
            view = self._views[(reference, role)] = _view(reference, role, self.images.get((reference, role)))
        return view

    @property
    def host(self) -> str:
        """base_url's hostname as a browser sends it (base_url is in IDNA form already)."""
        return (urlsplit(self.base_url).hostname or "").lower()

    def absolute(self, url: str) -> str:
        """`url` made absolute against base_url (remote URLs are already absolute)."""
        return url if "://" in url else self.base_url + url


def shared_picture(cover: ImageView | None, avatar: ImageView | None,
                   name: str) -> tuple[str | None, tuple[int, int] | None, str]:
    """(og:image's URL or path, its size when known, its alt) without a social card: the
    cover's picture, or else the avatar's, whose alt is the name as on the page (the
    cover's is empty: it shows no words); (None, None, "") without either."""
    if cover and cover.og:
        return cover.og, cover.og_size, ""
    if avatar and avatar.og:
        return avatar.og, avatar.og_size, name
    return None, None, ""


def _view(reference: str, role: str, image_set) -> ImageView:
    if image_set is None:  # remote, and neither fetched nor cached: its URL, written as a page writes URLs
        width, height = IMAGE_BOXES[role]
        url = href(reference)
        return ImageView(url, width, height, (), "", "", url)
    sizes = IMAGE_SIZES[role] if role not in FIXED_SIZE else ""
    offers = paying_sources(role, image_set, sizes)
    files = [v.path for _, variants, _ in offers for v in variants] + [image_set.fallback.path]
    og = None
    if image_set.og_jpeg:
        og = f"/{image_set.og_jpeg.path}"
        files.append(image_set.og_jpeg.path)
    shared = image_set.og_jpeg or image_set.fallback
    return ImageView(f"/{image_set.fallback.path}", image_set.width, image_set.height,
                     tuple((_TYPES[format], srcset) for format, _, srcset in offers),
                     sizes if offers else "", image_set.placeholder, og, tuple(dict.fromkeys(files)),
                     (shared.width, shared.height))


def paying_sources(role: str, image_set, sizes: str) -> list[tuple[str, list, str]]:
    """(format, variants, srcset) of each <source> worth its markup, best format first.

    A browser takes the first <source> it supports, else the JPEG/PNG fallback. So a
    WebP source must save, on the file a visitor loads (the mean over its widths),
    more bytes than its own markup costs against the fallback, and an AVIF source the
    same against what the visitor would load without it (the WebP, or the fallback).
    Measured on the demo: photos save 3-20 KB per file in AVIF and WebP, logos 3-4 KB
    against a PNG, so both sources stay; but for flat product renders and some link
    backgrounds WebP is smaller than AVIF, and their AVIF source cost ~160 bytes of
    markup to make every AVIF browser load ~100-570 more bytes a file. A file whose size
    is unknown (0) is assumed to pay. `image_formats` in biogen.toml can drop a
    format altogether.
    """
    kept, fallback_bytes = [], image_set.fallback.size
    for format in reversed(SOURCE_FORMATS):
        variants = [v for v in image_set.variants if v.format == format]
        if not variants:
            continue
        if role in ONE_FILE:
            # A 48 px logo: its 2x file serves every screen (~50 bytes of markup per
            # entry saved; 2x shown on a 3x phone is not visibly softer at this size).
            variants = [variants[min(1, len(variants) - 1)]]
            srcset = f"/{variants[0].path}"
        elif role in FIXED_SIZE:
            # ", ": a URL runs until white space, so without it "/a.avif,/b.avif 2x" is one URL.
            srcset = ", ".join(f"/{v.path}" + ("" if v.width == image_set.width else f" {v.width / image_set.width:.3g}x")
                               for v in variants)
        else:
            srcset = ",".join(f"/{v.path} {v.width}w" for v in variants)
        markup = len(f'<source type={_TYPES[format]} srcset="{srcset}"' + (f' sizes="{sizes}"' if sizes else "") + ">")
        mean = sum(v.size for v in variants) / len(variants)
        if fallback_bytes and all(v.size for v in variants) and fallback_bytes - mean <= markup:
            continue
        kept.append((format, variants, srcset))
        fallback_bytes = mean if all(v.size for v in variants) else 0
    return kept[::-1]


def template_sources(config: Config) -> list[Path]:
    """Every template file the site uses, site overrides first."""
    seen, files = set(), []
    for folder in config.template_dirs:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in seen:
                seen.add(relative)
                files.append(path)
    return files
