"""Colours: CSS hex colours, WCAG 2.1 contrast, and the nearest shade that reaches one.

Pure functions on (red, green, blue) tuples of 0-255 integers.

Contrast is WCAG 2.1's (SC 1.4.3, "relative luminance" and "contrast ratio" in its
glossary): (L1 + 0.05) / (L2 + 0.05), from 1:1 to 21:1; #777 on white is 4.48:1,
just under the 4.5:1 that normal text needs.

A shade is found in OKLCH (CSS Color 4's polar form of Björn Ottosson's OKLab), not in
HSL: OKLCH's lightness is perceptual, so the same step looks like the same step at any
hue, and the hue stays put while it moves. HSL's lightness is not: at HSL 50% a yellow
(#ffff00, 1.07:1 on white) is far lighter than a blue (#0000ff, 8.6:1), so "the nearest
HSL lightness that passes" is a much bigger visible change for some hues than for others,
and darkening a yellow in HSL drifts it towards olive. Where a lightness has no colour of
the full chroma inside sRGB, the chroma is reduced until it fits (as CSS Color 4 maps
colours into a gamut), keeping lightness and hue.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

RGB = tuple[int, int, int]

_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
# Steps of OKLCH lightness (which runs from 0, black, to 1, white) when looking for a
# shade: 1% of the range, about the smallest change a reader notices side by side.
LIGHTNESS_STEP = 0.01


def parse_hex(text: object) -> RGB | None:
    """(r, g, b) of a CSS `#rgb` or `#rrggbb` colour (any case), or None."""
    if not isinstance(text, str) or not _HEX.fullmatch(text):
        return None
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(2 * digit for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def hex_colour(rgb: RGB) -> str:
    """`rgb` as CSS writes it shortest: #rgb when each channel repeats a digit, else #rrggbb."""
    text = "#%02x%02x%02x" % rgb
    if text[1] == text[2] and text[3] == text[4] and text[5] == text[6]:
        return "#" + text[1] + text[3] + text[5]
    return text


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.1 relative luminance: 0 for black, 1 for white."""
    def linear(channel: int) -> float:
        value = channel / 255
        # WCAG 2.1 writes 0.03928 (sRGB's own threshold is 0.04045): no 8-bit value lies between.
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: RGB, second: RGB) -> float:
    """WCAG 2.1 contrast ratio of two colours, 1.0 to 21.0, whichever is lighter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _to_linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def _from_linear(channel: float) -> float:
    return 12.92 * channel if channel <= 0.0031308 else 1.055 * channel ** (1 / 2.4) - 0.055


def oklch(rgb: RGB) -> tuple[float, float, float]:
    """(lightness 0-1, chroma, hue in degrees) of an sRGB colour."""
    red, green, blue = (_to_linear(channel / 255) for channel in rgb)
    long = math.cbrt(0.4122214708 * red + 0.5363325363 * green + 0.0514459929 * blue)
    medium = math.cbrt(0.2119034982 * red + 0.6806995451 * green + 0.1073969566 * blue)
    short = math.cbrt(0.0883024619 * red + 0.2817188376 * green + 0.6299787005 * blue)
    lightness = 0.2104542553 * long + 0.7936177850 * medium - 0.0040720468 * short
    a = 1.9779984951 * long - 2.4285922050 * medium + 0.4505937099 * short
    b = 0.0259040371 * long + 0.7827717662 * medium - 0.8086757660 * short
    return lightness, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def _linear_srgb(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
    long = (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3
    medium = (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3
    short = (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3
    return (4.0767416621 * long - 3.3077115913 * medium + 0.2309699292 * short,
            -1.2684380046 * long + 2.6097574011 * medium - 0.3413193965 * short,
            -0.0041960863 * long - 0.7034186147 * medium + 1.7076147010 * short)


def _inside_srgb(channels: tuple[float, float, float]) -> bool:
    return all(-1e-6 <= channel <= 1 + 1e-6 for channel in channels)


def from_oklch(lightness: float, chroma: float, hue: float) -> RGB:
    """The sRGB colour of this lightness and hue with the most chroma up to `chroma`
    that sRGB can show (the chroma is reduced until the colour fits)."""
    channels = _linear_srgb(lightness, chroma, hue)
    if not _inside_srgb(channels):
        low, high = 0.0, chroma
        for _ in range(24):  # chroma to within 1e-7 of the gamut's edge
            middle = (low + high) / 2
            if _inside_srgb(_linear_srgb(lightness, middle, hue)):
                low = middle
            else:
                high = middle
        channels = _linear_srgb(lightness, low, hue)
    return tuple(round(min(1.0, max(0.0, _from_linear(min(1.0, max(0.0, c))))) * 255) for c in channels)


def nearest_passing_shade(colour: RGB, worst_ratio: Callable[[RGB], float], minimum: float) -> RGB | None:
    """The shade of `colour`'s hue nearest in OKLCH lightness whose `worst_ratio` (its
    lowest contrast with the colours it must stand out from) is at least `minimum`, or None
    when no lightness gets there. `colour` itself when it passes.

    Lightness moves away from the colour's own in steps of LIGHTNESS_STEP, darker and
    lighter alike; when both pass at the same distance, the one with more contrast wins.
    Each candidate is tested as the 8-bit colour it becomes, so the answer passes as written."""
    if worst_ratio(colour) >= minimum:
        return colour
    lightness, chroma, hue = oklch(colour)
    steps = math.ceil(1 / LIGHTNESS_STEP)
    for step in range(1, steps + 1):
        found = []
        for candidate_lightness in (lightness - step * LIGHTNESS_STEP, lightness + step * LIGHTNESS_STEP):
            if not 0 <= candidate_lightness <= 1:
                continue
            shade = from_oklch(candidate_lightness, chroma, hue)
            ratio = worst_ratio(shade)
            if ratio >= minimum:
                found.append((ratio, shade))
        if found:
            return max(found)[1]
    return None
