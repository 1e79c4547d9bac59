"""How a page shows an image: which <source> formats pay for their markup, the srcset
and sizes written, and the files the page names."""

from __future__ import annotations

import re

from generator.images.pipeline import ImageSet, Variant
from generator.build.render_context import IMAGE_SIZES, SiteContext, paying_sources


def image_set(role: str, sizes: dict[str, list[int]], fallback: int, widths=(640, 1280)) -> ImageSet:
    """A set whose files have the given sizes in bytes: {format: [bytes per width]}."""
    variants = tuple(Variant(f"m/{format[0]}{width:09d}.{format}", width, width // 4, format, size)
                     for format, per_width in sizes.items() for width, size in zip(widths, per_width))
    back = Variant("m/fallback00.jpg", widths[-1], widths[-1] // 4, "jpeg", fallback)
    return ImageSet(role, widths[0], widths[0] // 4, variants, back, "r1 g2 b3", None)


def formats(role: str, image: ImageSet) -> list[str]:
    return [format for format, _, _ in paying_sources(role, image, IMAGE_SIZES[role])]


def test_a_photograph_offers_avif_then_webp_then_the_fallback():
    photo = image_set("background", {"avif": [4_400, 11_700], "webp": [6_300, 11_900]}, 24_400)
    assert formats("background", photo) == ["avif", "webp"]


def test_avif_is_left_out_where_webp_is_smaller():
    # A flat product render: every browser with AVIF has WebP, which is smaller here.
    flat = image_set("background", {"avif": [2_900, 5_400], "webp": [2_300, 4_900]}, 13_400)
    assert formats("background", flat) == ["webp"]


def test_a_source_must_save_more_than_its_markup():
    # AVIF saves ~60 bytes a file over WebP: less than the ~110 bytes its <source> costs.
    close = image_set("background", {"avif": [4_940, 11_840], "webp": [5_000, 11_900]}, 24_400)
    assert formats("background", close) == ["webp"]
    # A tiny image: no modern format saves what its markup costs, so a plain <img>.
    tiny = image_set("logo", {"avif": [300, 420], "webp": [90, 160]}, 109, widths=(48, 96))
    assert formats("logo", tiny) == []


def test_avif_is_weighed_against_the_fallback_when_webp_does_not_pay():
    odd = image_set("background", {"avif": [1_000, 2_000], "webp": [9_000, 20_000]}, 14_000)
    assert formats("background", odd) == ["avif"]


def test_files_of_unknown_size_are_offered():
    unknown = image_set("background", {"avif": [0, 0], "webp": [0, 0]}, 0)
    assert formats("background", unknown) == ["avif", "webp"]


def test_the_view_writes_short_srcsets_and_names_only_the_files_it_uses():
    photo = image_set("background", {"avif": [4_400, 11_700], "webp": [6_300, 11_900]}, 24_400)
    flat = image_set("background", {"avif": [2_900, 5_400], "webp": [2_300, 4_900]}, 13_400)
    site = SiteContext("https://example.com", "en", "ana", {}, {("/a.jpg", "background"): photo,
                                                                   ("/b.jpg", "background"): flat})
    view = site.image("/a.jpg", "background")
    assert view.sources == (("image/avif", "/m/a000000640.avif 640w,/m/a000001280.avif 1280w"),
                            ("image/webp", "/m/w000000640.webp 640w,/m/w000001280.webp 1280w"))
    assert view.sizes == "min(640px,92vw)" and view.placeholder == "r1 g2 b3"
    assert site.image("/a.jpg", "background") is view  # made once per build
    flat_view = site.image("/b.jpg", "background")
    assert [type for type, _ in flat_view.sources] == ["image/webp"]
    assert not any(path.endswith(".avif") for path in flat_view.files) and "m/fallback00.jpg" in flat_view.files


def test_x_descriptors_keep_a_space_after_each_comma():
    # A URL runs until white space: "/a.avif,/b.avif 2x" would be one URL.
    avatar = image_set("avatar", {"avif": [1_400, 2_400, 4_100], "webp": [1_900, 3_700, 6_300]}, 10_100,
                       widths=(120, 240, 360))
    view = SiteContext("https://example.com", "en", "ana", {}, {("/a.jpg", "avatar"): avatar}).image("/a.jpg", "avatar")
    assert all(re.fullmatch(r"/m/\w+\.\w+(?: [23]x)?(?:, /m/\w+\.\w+ [23]x)*", srcset) for _, srcset in view.sources)
    assert view.sizes == ""
