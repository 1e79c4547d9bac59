"""The QR code of each profile's address: /qr/<username>.svg on the page, .png for print."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image

from generator.share.qr import PRINT_SCALE, QUIET_ZONE, qr_files, qr_png, qr_svg
from sitekit import build_site, make_site, mtimes

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def svg_modules(svg: bytes) -> tuple[int, set[tuple[int, int]]]:
    """(size in modules, the dark modules (x, y)) the SVG draws: a light square, then one
    path of horizontal runs (M/m moves, h runs) stroked one module thick."""
    root = ET.fromstring(svg)
    size = int(root.get("viewBox").split()[2])
    background, code = root.findall(f"{SVG}path")
    assert background.get("fill") == "#fff" and background.get("d") == f"M0 0h{size}v{size}h-{size}z"
    assert code.get("stroke") == "#000" and code.get("fill") is None
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", code.get("d")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(x) + i, int(y)) for i in range(int(a))}
            x += float(a)
    return size, dark


def matrix_modules(code: segno.QRCode) -> set[tuple[int, int]]:
    return {(x + QUIET_ZONE, y + QUIET_ZONE) for y, row in enumerate(code.matrix) for x, on in enumerate(row) if on}


@pytest.mark.parametrize("url", ["https://bio.example.com/", "https://bio.example.com/ana",
                                 "https://xn--bcher-kva.example/linh.example.com",
                                 "https://bio.example.com/" + "a" * 60])
def test_the_svg_draws_the_smallest_level_m_code_of_the_url_in_a_quiet_zone(url):
    code = segno.make_qr(url, error="m", boost_error=False)
    assert code.error == "M" and not code.is_micro
    assert code.version > 1
    with pytest.raises(segno.DataOverflowError):  # one version smaller cannot hold it
        segno.make_qr(url, error="m", version=code.version - 1, boost_error=False)
    size, dark = svg_modules(qr_svg(url))
    assert size == 17 + 4 * code.version + 2 * QUIET_ZONE
    assert dark == matrix_modules(code)
    assert all(QUIET_ZONE <= x < size - QUIET_ZONE and QUIET_ZONE <= y < size - QUIET_ZONE for x, y in dark)


def test_the_svg_is_dark_on_light_whatever_the_scheme():
    svg = qr_svg("https://bio.example.com/ana").decode()
    assert "prefers-color-scheme" not in svg and "currentColor" not in svg and "class=" not in svg
    assert 'width=' not in svg.split(">", 1)[0]  # the page sizes it


def test_the_png_for_print_is_the_same_code_at_16_pixels_a_module():
    url = "https://bio.example.com/ana"
    code = segno.make_qr(url, error="m", boost_error=False)
    image = Image.open(io.BytesIO(qr_png(url))).convert("L")
    size = 17 + 4 * code.version + 2 * QUIET_ZONE
    assert image.size == (size * PRINT_SCALE, size * PRINT_SCALE)
    dark = {(x, y) for x in range(size) for y in range(size)
            if image.getpixel((x * PRINT_SCALE + PRINT_SCALE // 2, y * PRINT_SCALE + PRINT_SCALE // 2)) < 128}
    assert dark == matrix_modules(code)
    assert qr_png(url) == qr_png(url)  # the same bytes every time


def test_the_build_writes_each_profiles_code_and_shows_it_with_the_address(site):
    build_site(site)
    dist = site / "dist"
    html = (dist / "ana.html").read_text(encoding="utf-8")
    assert "<footer><img src=/qr/ana.svg alt width=120 height=120><p>bio.example.com/ana<p>" in html
    assert svg_modules((dist / "qr" / "ana.svg").read_bytes())[1] == matrix_modules(
        segno.make_qr("https://bio.example.com/ana", error="m", boost_error=False))
    assert (dist / "qr" / "ana.png").read_bytes() == qr_png("https://bio.example.com/ana")
    before = mtimes(dist)
    build_site(site)
    assert mtimes(dist) == before  # nothing changed, nothing written


def test_a_site_may_turn_qr_codes_off(site):
    build_site(site)
    config = site / "biogen.toml"
    config.write_text(config.read_text() + "\n[share]\nqr = false\nvcard = false\n")
    build_site(site)
    dist = site / "dist"
    assert not (dist / "qr").exists() or not any((dist / "qr").iterdir())
    assert "<footer>" not in (dist / "ana.html").read_text(encoding="utf-8")


def test_a_code_is_made_once_and_read_back_from_the_cache(tmp_path):
    url = "https://bio.example.com/ana"
    made = qr_files(url, tmp_path)
    assert made == (qr_svg(url), qr_png(url))
    cached = sorted(path.name for path in (tmp_path / "qr").iterdir())
    assert len(cached) == 2 and {name.rsplit(".", 1)[1] for name in cached} == {"svg", "png"}
    (tmp_path / "qr" / cached[0]).write_bytes(b"<svg/>")  # what the cache holds is what comes back
    assert qr_files(url, tmp_path)[cached[0].endswith(".png")] == b"<svg/>"
    assert qr_files("https://bio.example.com/bo", tmp_path) == (qr_svg("https://bio.example.com/bo"),
                                                                 qr_png("https://bio.example.com/bo"))
