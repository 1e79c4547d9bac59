"""generator/images/: pure arithmetic, real encoding of small generated images, the cache."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from PIL import Image, ImageCms

from generator.errors import BiogenError
from generator.images.palette import (PLACEHOLDER_CSS, dominant_index, palette_classes, palette_colour,
                                      palette_index)
from generator.images.sizes import ROLES, Role, crop_box, output_size, variant_widths
from generator.images.codec import ImageError
from generator.images.pipeline import ImagePipeline
from generator.images.svg import sanitize_svg
from generator.config import PAGES_FREE_MAX_FILES


# ---------------------------------------------------------------- arithmetic (pure)

def test_avatar_widths_are_1x_2x_3x_of_the_box():
    assert variant_widths(ROLES["avatar"], 2000, 2000) == [120, 240, 360]


def test_widths_are_never_upscaled_and_deduplicated():
    assert variant_widths(ROLES["avatar"], 200, 300) == [120, 200]
    assert variant_widths(ROLES["avatar"], 100, 100) == [100]
    assert variant_widths(ROLES["avatar"], 1, 1) == [1]


def test_cover_is_capped_at_max_width_and_limited_by_its_crop():
    assert variant_widths(ROLES["cover"], 4000, 3000) == [680, 1360]
    # A tall 1000x3000 source crops to 1000 x 323: 1360 becomes 1000.
    assert variant_widths(ROLES["cover"], 1000, 3000) == [680, 1000]
    # A very wide, short source: the crop is 3.09 * 200 = 618 wide.
    assert variant_widths(ROLES["cover"], 5000, 200) == [618]


def test_allowed_widths_override_the_densities():
    assert variant_widths(ROLES["avatar"], 2000, 2000, allowed=(120,)) == [120]
    assert variant_widths(ROLES["avatar"], 150, 150, allowed=(120, 240)) == [120, 150]


def test_fit_role_keeps_the_aspect_inside_the_box():
    logo = ROLES["logo"]
    assert variant_widths(logo, 400, 100) == [48, 96, 144]
    assert output_size(logo, 400, 100, 48) == (48, 12)
    # A tall logo fits by its height: 48 px tall is 12 px wide.
    assert variant_widths(logo, 100, 400) == [12, 24, 36]
    assert output_size(logo, 100, 400, 12) == (12, 48)


def test_crop_box_is_centred_with_the_aspect():
    assert crop_box(2000, 1000, 1.0) == (500, 0, 1500, 1000)
    assert crop_box(1000, 2000, 1.0) == (0, 500, 1000, 1500)
    left, top, right, bottom = crop_box(2000, 2000, 680 / 220)
    assert (left, right) == (0, 2000) and abs((right - left) / (bottom - top) - 680 / 220) < 0.01
    assert crop_box(7, 3, 7 / 3) == (0, 0, 7, 3)


def test_role_aspects():
    assert ROLES["avatar"].aspect == 1.0 and ROLES["logo"].aspect is None
    assert Role("x", 300, 100, "fill").aspect == 3.0


def test_palette_quantises_to_a_4x4x4_grid():
    assert palette_index(0, 0, 0) == 0 and palette_index(255, 255, 255) == 63
    assert palette_index(200, 30, 30) == 32 and palette_colour(32) == "#aa0000"
    assert dominant_index([(255, 0, 0)] * 3 + [(0, 0, 255)] * 2) == palette_index(255, 0, 0)
    assert palette_classes(32) == "r2 g0 b0" and palette_classes(63) == "r3 g3 b3"
    assert PLACEHOLDER_CSS.count("{--") == 12
    assert ".r0{--r:0}" in PLACEHOLDER_CSS and ".g1{--g:85}" in PLACEHOLDER_CSS and ".b3{--b:255}" in PLACEHOLDER_CSS


def test_default_variants_keep_1000_profiles_under_the_pages_file_limit(tmp_path):
    """1,000 profiles, each with its own avatar and cover (2000x2000 photos), plus page + JSON each."""
    pipeline = ImagePipeline(tmp_path / "cache", tmp_path)
    per_profile = 0
    for role in ("avatar", "cover"):
        r = ROLES[role]
        widths = variant_widths(r, 2000, 2000)
        per_profile += len(pipeline.formats) * len(widths) + 1  # + the JPEG fallback, which is the og:image
    assert per_profile == 12
    files = 1000 * per_profile + 1000 * 2 + 10  # images, <user>.html, api/profiles/<user>.json, site files
    assert files < PAGES_FREE_MAX_FILES


# ------------------------------------------------------------------- real encoding

def jpeg(size=(64, 48), colour=(200, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **save)
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    return content, ImagePipeline(tmp_path / "cache", content)


def test_a_photo_becomes_avif_webp_and_a_jpeg_fallback(site):
    content, pipeline = site
    (content / "me.jpg").write_bytes(jpeg((400, 300)))
    result = pipeline.process("/me.jpg", "avatar")
    assert (result.width, result.height) == (120, 120)
    assert [(v.format, v.width) for v in result.variants] == [
        ("avif", 120), ("avif", 240), ("avif", 300), ("webp", 120), ("webp", 240), ("webp", 300), ("jpeg", 300)]
    assert result.fallback.format == "jpeg" and result.og_jpeg == result.fallback
    assert result.placeholder == palette_classes(palette_index(200, 40, 40)) == "r2 g0 b0"
    for path, file in pipeline.files(result).items():
        assert re.fullmatch(r"m/[a-z2-7]{10}\.(avif|webp|jpg)", path) and file.is_file() and path.endswith(file.name)
        image = Image.open(file)
        assert image.format == {"avif": "AVIF", "webp": "WEBP", "jpg": "JPEG"}[path.rsplit(".", 1)[1]]
    assert result.srcset("avif").startswith("m/") and result.srcset("avif").endswith(" 300w")
    assert all(v.size == pipeline.files(result)[v.path].stat().st_size for v in result.variants)
    assert pipeline.stats.encodes == 7


def test_the_cache_encodes_each_file_once_ever(site, tmp_path):
    content, pipeline = site
    (content / "me.jpg").write_bytes(jpeg())
    first = pipeline.process("me.jpg", "cover")
    encodes = pipeline.stats.encodes
    assert encodes > 0
    assert pipeline.process("/me.jpg", "cover") == first
    assert pipeline.stats.encodes == encodes
    again = ImagePipeline(tmp_path / "cache", content)
    assert again.process("me.jpg", "cover") == first
    assert again.stats.encodes == 0 and again.stats.cache_hits == len(again.files(first))


def test_the_same_bytes_under_two_names_share_files(site):
    content, pipeline = site
    (content / "a.png").write_bytes(jpeg())
    (content / "b.jpg").write_bytes(jpeg())
    assert pipeline.process("a.png", "logo") == pipeline.process("b.jpg", "logo")


def test_a_deleted_cache_file_is_encoded_again(site):
    content, pipeline = site
    (content / "me.jpg").write_bytes(jpeg())
    result = pipeline.process("me.jpg", "avatar")
    victim = pipeline.files(result)[result.variants[0].path]
    victim.unlink()
    fresh = ImagePipeline(pipeline.cache_dir, content)
    assert fresh.process("me.jpg", "avatar") == result
    assert fresh.stats.encodes == 1 and victim.is_file()


def test_a_changed_file_is_noticed(site):
    content, pipeline = site
    (content / "me.jpg").write_bytes(jpeg(colour=(255, 0, 0)))
    red = pipeline.process("me.jpg", "avatar")
    (content / "me.jpg").write_bytes(jpeg(colour=(0, 0, 255), quality=90))
    blue = ImagePipeline(pipeline.cache_dir, content).process("me.jpg", "avatar")
    assert red.fallback.path != blue.fallback.path and blue.placeholder == "r0 g0 b3"


def test_exif_orientation_is_applied_then_stripped_with_gps_and_camera(site):
    content, pipeline = site
    image = Image.new("RGB", (80, 40), (0, 200, 0))
    image.paste((200, 0, 0), (0, 0, 40, 40))    # red on the left
    exif = Image.Exif()
    exif[0x0112] = 6                           # rotate 90 clockwise to display
    exif[0x010F] = "CameraMaker"
    exif[0x0110] = "SecretCam 3000"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    (content / "rot.jpg").write_bytes(buffer.getvalue())
    result = pipeline.process("rot.jpg", "logo")
    # Upright, the 80x40 image is 40x80: the logo fits 48 px tall.
    assert (result.width, result.height) == (24, 48)
    for path, file in pipeline.files(result).items():
        data = file.read_bytes()
        out = Image.open(file)
        assert out.height > out.width
        assert not out.getexif() and "exif" not in out.info and "icc_profile" not in out.info
        assert b"SecretCam" not in data and b"CameraMaker" not in data and b"Exif" not in data
        if out.format == "JPEG":
            top = out.convert("RGB").getpixel((out.width // 2, 2))
            assert top[0] > 150 and top[1] < 80  # the red half is now on top


def swapped_primaries_profile() -> bytes:
    """sRGB with the red and green primaries swapped: red pixels in it are green in sRGB."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for i in range(count):
        at = 132 + 12 * i
        entries[bytes(data[at:at + 4])] = at
    r, g = entries[b"rXYZ"], entries[b"gXYZ"]
    data[r + 4:r + 12], data[g + 4:g + 12] = data[g + 4:g + 12], data[r + 4:r + 12]
    return bytes(data)


def test_an_embedded_icc_profile_is_converted_to_srgb_and_dropped(site):
    content, pipeline = site
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (255, 0, 0)).save(buffer, "PNG", icc_profile=swapped_primaries_profile())
    (content / "wide.png").write_bytes(buffer.getvalue())
    result = pipeline.process("wide.png", "product")
    for path, file in pipeline.files(result).items():
        out = Image.open(file)
        assert "icc_profile" not in out.info
        red, green, blue = out.convert("RGB").getpixel((10, 10))
        assert green > 200 and red < 60, (path, (red, green, blue))


@pytest.mark.parametrize("mode, transparent", [
    ("CMYK", False), ("P", False), ("P-transparent", True), ("LA", True), ("I;16", False),
    ("RGBA", True), ("RGBA-opaque", False), ("L", False), ("1", False),
])
def test_every_pixel_format_is_handled(site, mode, transparent):
    content, pipeline = site
    if mode == "I;16":
        image = Image.new("I;16", (40, 40), 40000)   # 40000/65535 is about 156/255
    elif mode == "P-transparent":
        image = Image.new("P", (40, 40), 1)
        image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
        image.info["transparency"] = 0
        image.paste(0, (0, 0, 20, 40))
    elif mode == "RGBA":
        image = Image.new("RGBA", (40, 40), (0, 0, 255, 128))
    elif mode == "RGBA-opaque":
        image = Image.new("RGBA", (40, 40), (0, 0, 255, 255))
    elif mode == "LA":
        image = Image.new("LA", (40, 40), (128, 100))
    else:
        image = Image.new(mode, (40, 40))
    name = f"x{mode}.{'jpg' if mode == 'CMYK' else 'png'}"
    image.save(content / name, "TIFF" if mode == "CMYK" else None)
    if mode == "CMYK":
        image.save(content / name, "JPEG")
    result = pipeline.process(name, "product")
    assert result.fallback.format == ("png" if transparent else "jpeg")
    assert result.placeholder == ("" if transparent else result.placeholder) and (
        transparent or re.fullmatch(r"r[0-3] g[0-3] b[0-3]", result.placeholder))
    fallback = Image.open(pipeline.files(result)[result.fallback.path])
    assert fallback.mode in ("RGB", "RGBA") if transparent else fallback.mode == "RGB"
    if mode == "I;16":
        assert 140 < fallback.getpixel((5, 5))[0] < 170
    for path, file in pipeline.files(result).items():
        if path.endswith((".avif", ".webp")):
            assert Image.open(file).mode == ("RGBA" if transparent else "RGB")


def test_an_animated_gif_becomes_its_first_frame(site):
    content, pipeline = site
    frames = [Image.new("RGB", (40, 40), colour) for colour in ((255, 0, 0), (0, 0, 255), (0, 255, 0))]
    frames[0].save(content / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    result = pipeline.process("anim.gif", "avatar")
    out = Image.open(pipeline.files(result)[result.fallback.path])
    assert getattr(out, "n_frames", 1) == 1
    red, green, blue = out.getpixel((5, 5))
    assert red > 200 and blue < 50
    for path, file in pipeline.files(result).items():
        assert getattr(Image.open(file), "n_frames", 1) == 1


def png_claiming(width: int, height: int) -> bytes:
    """A PNG header for a width x height image, without the pixels."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("name, data, expect", [
    ("bomb.png", png_claiming(30_000, 30_000), "megapixels"),
    ("empty.jpg", b"", "empty"),
    ("cut.jpg", jpeg((200, 200))[:300], "truncated or corrupt"),
    ("noise.png", b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20, "truncated or corrupt"),
    ("page.jpg", b"<!DOCTYPE html><html><body>Not found</body></html>", "HTML page"),
    ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    ("text.jpg", b"just some text, not an image", "not an image format"),
])
def test_bad_input_is_an_image_error_naming_the_source(site, name, data, expect):
    content, pipeline = site
    (content / name).write_bytes(data)
    with pytest.raises(ImageError) as caught:
        pipeline.process(f"/{name}", "avatar")
    assert expect in str(caught.value) and f"/{name}" in str(caught.value)
    assert isinstance(caught.value, BiogenError)
    assert not [p for p in pipeline.images_dir.iterdir() if p.suffix in (".avif", ".webp", ".jpg", ".tmp")]


def test_missing_and_escaping_paths_are_refused(site):
    content, pipeline = site
    with pytest.raises(ImageError, match="no such file content/gone.jpg"):
        pipeline.process("/gone.jpg", "avatar")
    with pytest.raises(ImageError, match="leaves content"):
        pipeline.process("../secret.jpg", "avatar")
    with pytest.raises(ImageError, match="only http"):
        pipeline.process("ftp://example.com/a.jpg", "avatar")


def test_process_many_reports_errors_per_job_and_renders_each_source_once(site):
    content, pipeline = site
    (content / "a.jpg").write_bytes(jpeg(colour=(10, 10, 10)))
    (content / "b.jpg").write_bytes(jpeg(colour=(10, 10, 10)))   # same bytes as a.jpg
    (content / "bad.jpg").write_bytes(b"")
    jobs = [("a.jpg", "avatar"), ("b.jpg", "avatar"), ("/a.jpg", "avatar"), ("bad.jpg", "cover")]
    results = pipeline.process_many(jobs, workers=1)
    assert results[("a.jpg", "avatar")] == results[("b.jpg", "avatar")] == results[("/a.jpg", "avatar")]
    assert isinstance(results[("bad.jpg", "cover")], ImageError)
    assert pipeline.stats.encodes == 3   # 64x48 source: one 48 px width, in AVIF, WebP and JPEG


@pytest.mark.slow
def test_process_many_uses_a_process_pool(site):
    content, pipeline = site
    for i in range(4):
        (content / f"{i}.jpg").write_bytes(jpeg(colour=(i * 60, 0, 0)))
    (content / "bad.jpg").write_bytes(b"<html>")
    jobs = [(f"{i}.jpg", role) for i in range(4) for role in ("avatar", "cover")] + [("bad.jpg", "avatar")]
    results = pipeline.process_many(jobs, workers=2)
    assert sum(isinstance(r, ImageError) for r in results.values()) == 1
    assert pipeline.stats.encodes == 4 * (3 + 3)   # a 64x48 source has one width per role
    again = ImagePipeline(pipeline.cache_dir, content)
    second = again.process_many(jobs, workers=2)
    assert again.stats.encodes == 0
    assert {job: r for job, r in second.items() if not isinstance(r, ImageError)} == {
        job: r for job, r in results.items() if not isinstance(r, ImageError)}
    assert str(second[("bad.jpg", "avatar")]) == str(results[("bad.jpg", "avatar")])


def test_trimmed_formats_and_widths(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.jpg").write_bytes(jpeg((800, 800)))
    pipeline = ImagePipeline(tmp_path / "cache", content, formats=("webp",), widths={"avatar": (120, 240)})
    result = pipeline.process("a.jpg", "avatar")
    assert [(v.format, v.width) for v in result.variants] == [("webp", 120), ("webp", 240), ("jpeg", 600)]
    with pytest.raises(ImageError, match="unknown"):
        ImagePipeline(tmp_path / "cache", content, formats=("gif",))


# ----------------------------------------------------------------------------- SVG

GOOD_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            b'viewBox="0 0 100 50"><defs><linearGradient id="g"/></defs>'
            b'<rect width="100" height="50" fill="url(#g)" style="fill: url(#g)"/>'
            b'<use xlink:href="#g"/><a href="#top"><text>hi</text></a></svg>')


def test_a_clean_svg_passes_unchanged_and_is_a_single_file(site):
    content, pipeline = site
    assert sanitize_svg(GOOD_SVG, "logo.svg") == GOOD_SVG
    (content / "logo.svg").write_bytes(GOOD_SVG)
    result = pipeline.process("logo.svg", "logo")
    assert result.fallback.format == "svg" and result.variants == (result.fallback,)
    assert (result.width, result.height) == (48, 24) and result.og_jpeg is None and result.placeholder == ""
    assert pipeline.files(result)[result.fallback.path].read_bytes() == GOOD_SVG


@pytest.mark.parametrize("svg, what", [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="x()"/></svg>', "event handler"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "foreignobject"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>', "<image>"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<use xlink:href="https://evil.example/s.svg#a"/></svg>', "external reference"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>',
     "external reference"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p)"/></svg>', "url("),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(\'http://x/y\')"/></svg>', "url("),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://x/y.css";</style></svg>', "@import"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect{fill:url(http://x)}</style></svg>', "url("),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
     "DOCTYPE"),
    (b'<?xml-stylesheet href="https://x/y.css"?><svg xmlns="http://www.w3.org/2000/svg"/>', "stylesheet"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:x"/></a></svg>',
     "animation"),
])
def test_unsafe_svgs_are_refused_with_a_clear_message(svg, what):
    with pytest.raises(ImageError) as caught:
        sanitize_svg(svg, "/logos/acme.svg")
    message = str(caught.value)
    assert message.startswith("/logos/acme.svg:") and what.lower() in message.lower()


@pytest.mark.parametrize("svg", [b"<svg", b"\xff\xfe<\x00s\x00", b"<html xmlns='x'/>"])
def test_broken_svgs_are_refused(svg):
    with pytest.raises(ImageError):
        sanitize_svg(svg, "x.svg")
