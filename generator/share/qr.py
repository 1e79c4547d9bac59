"""The QR code of a profile's address: `/qr/<username>.svg` for the page and a PNG for print.

Pure (segno, a maintained QR encoder with no dependencies of its own). The smallest
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

import segno

ERROR_LEVEL = "m"
QUIET_ZONE = 4          # modules, ISO/IEC 18004
PRINT_SCALE = 16        # pixels a module in the PNG
DARK, LIGHT = "#000", "#fff"


def qr_code(url: str) -> segno.QRCode:
    """The smallest QR code (not Micro QR) holding `url` at level M."""
    return segno.make_qr(url, error=ERROR_LEVEL, boost_error=False)


def qr_svg(url: str) -> bytes:
    """The code as a compact SVG: one path, a light background, a viewBox and no size."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", dark=DARK, light=LIGHT, border=QUIET_ZONE, xmldecl=False, svgns=True,
                      omitsize=True, svgclass=None, lineclass=None, nl=False)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """The code as a PNG for print, PRINT_SCALE pixels a module."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", dark=DARK, light=LIGHT, border=QUIET_ZONE, scale=PRINT_SCALE)
    return out.getvalue()


def qr_modules(url: str) -> int:
    """How many modules wide the code is, quiet zone included (the SVG's viewBox)."""
    return qr_code(url).symbol_size(scale=1, border=QUIET_ZONE)[0]
