"""Placeholder colours: the dominant colour of an image as three short classes of the
shared stylesheet, shown while the image loads (no inline style: the CSP forbids it)."""

from __future__ import annotations

from collections import Counter


# The dominant colour quantised to a 4x4x4 grid, written as three classes, one level
# per channel ("r3 g2 b2" is #ffaaaa): 12 short rules in the shared stylesheet, which
# never changes when images do (the CSP forbids style attributes). One class per colour
# took 64 rules, ~1.8 KB of every page's CSS; three cost ~5 bytes more per image.
_LEVELS = (0, 85, 170, 255)


def palette_index(red: int, green: int, blue: int) -> int:
    """The index (0-63) of the palette colour nearest to an RGB colour."""
    r, g, b = (min(3, (value + 42) // 85) for value in (red, green, blue))
    return r * 16 + g * 4 + b


def palette_colour(index: int) -> str:
    """The palette colour `index` as #rrggbb."""
    r, g, b = index // 16, index // 4 % 4, index % 4
    return "#{:02x}{:02x}{:02x}".format(_LEVELS[r], _LEVELS[g], _LEVELS[b])


def dominant_index(pixels) -> int:
    """The palette index that most of the given (r, g, b) pixels fall into; ties go to the lowest."""
    counts = Counter(palette_index(*pixel[:3]) for pixel in pixels)
    return min(counts, key=lambda index: (-counts[index], index)) if counts else 0


def palette_classes(index: int) -> str:
    """The classes that give an image the palette colour `index`: "r3 g2 b2"."""
    return f"r{index // 16} g{index // 4 % 4} b{index % 4}"


PLACEHOLDER_CSS = "".join(f".{channel}{level}{{--{channel}:{value}}}"
                          for channel in "rgb" for level, value in enumerate(_LEVELS))


def placeholder_class(image) -> str:
    """The palette classes of the dominant colour, or "" for transparent images (it would show through)."""
    if image.mode == "RGBA":
        return ""
    small = image.copy()
    small.thumbnail((24, 24))
    pixels = small.get_flattened_data() if hasattr(small, "get_flattened_data") else small.getdata()
    return palette_classes(dominant_index(pixels))
