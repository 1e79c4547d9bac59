"""The QR code of a profile's address: `/qr/<username>.svg` for the page and a PNG for print.

Made with segno (a maintained QR encoder with no dependencies of its own), and kept
in the site's cache like the images and cards (`qr_files`). The smallest
version that holds the URL at error correction level M (15% of the symbol may be lost:
a code printed on a flyer or shown on a slide survives smudges and glare; segno would
otherwise raise the level while the version allows, which makes no code smaller), with
the quiet zone of four modules ISO/IEC 18004 asks for. Always dark on light, in both
colour schemes: many phone cameras do not read an inverted code, so the SVG carries
its own light background rather than taking the page's colours.

The SVG is drawn one module per unit in its viewBox (the page sizes it); the PNG has
16 pixels a module (a version-3 code, 37 modules with the quiet zone, is 592 pixels:
5 cm at 300 dpi). Both are the same bytes for the same URL (no timestamp; zlib is
deterministic), so a rebuild rewrites them only when the address changes.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import segno

from generator.images.cache import file_name

ERROR_LEVEL = "m"
QUIET_ZONE = 4          # modules, ISO/IEC 18004
PRINT_SCALE = 16        # pixels a module in the PNG
DARK, LIGHT = "#000", "#fff"


def qr_code(url: str) -> segno.QRCode:
    """The smallest QR code (not Micro QR) holding `url` at level M."""
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def qr_files(url: str, cache_dir: Path | None = None) -> tuple[bytes, bytes]:
    """(SVG, PNG) of the code of `url`, read from `cache_dir`/qr when made before.

    Encoding a code and writing both files costs ~7 ms, 70 s of CPU for 10,000 profiles;
    a profile rendered again keeps its address, so its files are read back (~0.05 ms),
    named by the URL and segno's version (another encoder may choose other masks)."""
    folder = cache_dir / "qr" if cache_dir is not None else None
    name = file_name("qr", segno.__version__, ERROR_LEVEL, QUIET_ZONE, PRINT_SCALE, url)
    if folder is not None and (folder / f"{name}.png").exists():
        return (folder / f"{name}.svg").read_bytes(), (folder / f"{name}.png").read_bytes()
    code = qr_code(url)
    svg, png = _svg(code), _png(code)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for extension, data in (("svg", svg), ("png", png)):  # the PNG last: its presence means both are whole
            temporary = folder / f".{name}.{os.getpid()}.tmp"
            temporary.write_bytes(data)
            os.replace(temporary, folder / f"{name}.{extension}")
    return svg, png


def qr_svg(url: str) -> bytes:
    """The code as a compact SVG: one path, a light background, a viewBox and no size."""
    return _svg(qr_code(url))


def qr_png(url: str) -> bytes:
    """The code as a PNG for print, PRINT_SCALE pixels a module."""
    return _png(qr_code(url))


def _svg(code: segno.QRCode) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="svg", dark=DARK, light=LIGHT, border=QUIET_ZONE, xmldecl=False, svgns=True,
                      omitsize=True, svgclass=None, lineclass=None, nl=False)
    return out.getvalue()


def _png(code: segno.QRCode) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="png", dark=DARK, light=LIGHT, border=QUIET_ZONE, scale=PRINT_SCALE)
    return out.getvalue()


def qr_modules(url: str) -> int:
    """How many modules wide the code is, quiet zone included (the SVG's viewBox)."""
    return qr_code(url).symbol_size(scale=1, border=QUIET_ZONE)[0]
