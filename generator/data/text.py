"""Pure facts about text the profiles hold, shared by the pages (build) and the images
drawn from them (share)."""

from __future__ import annotations

import unicodedata


def text_direction(*texts: str) -> str:
    """"rtl" when the first strongly directional character of `texts` is right-to-left
    (Unicode bidi classes R and AL: Hebrew, Arabic, ...), else "ltr"."""
    for text in texts:
        for char in text:
            direction = unicodedata.bidirectional(char)
            if direction in ("R", "AL"):
                return "rtl"
            if direction == "L":
                return "ltr"
    return "ltr"
