"""The social card: the 1200x630 picture a shared link shows (og:image, twitter:image).

Drawn with Pillow from what the page shows: the cover (or, without one, the theme's
page colours), the avatar in a circle, the display name and the tagline. Pure: the same
inputs give the same bytes (PNG and JPEG carry no timestamp), and a card is kept as PNG
or as JPEG, whichever is smaller (a photograph: JPEG, ~60-120 KB; flat colour: PNG).

Text fits its box whatever its length: a line is first drawn smaller (down to a floor),
then wrapped onto more lines (the name two, the tagline three) from the largest size
again, then cut with an ellipsis on its last line. Text is measured before it is drawn,
so no glyph is ever cut by the edge; a cut falls between characters, a combining mark
staying with its letter (Vietnamese "ễ" is "e" and two marks).

Scripts: three faces (generator/share/card_fonts.py, which picks one per character and
draws a line run by run): DejaVu Sans for Latin with Vietnamese, Greek, Cyrillic, Hebrew
and Arabic, Droid Sans Fallback for Chinese, Japanese and Korean, Twemoji's colour emoji,
all in generator/share/fonts/ with their licences. They are shaped by Pillow's raqm layout
(HarfBuzz, FriBiDi) when Pillow has it (`PIL.features.check("raqm")`): Arabic joins its
letters, right-to-left text runs right to left, the card mirrored (the avatar on the
right), and an emoji sequence (a family, a flag, a skin tone, a keycap) is one picture.
Without raqm, Pillow's basic layout neither shapes nor reorders: a right-to-left name is
then drawn with its characters reversed (readable order, unjoined Arabic letters), an
emoji sequence as its parts, and `card_fonts.raqm_missing()` lets the build say so.
Characters no face has (rare Han characters, other scripts) are left out of the card
rather than drawn as boxes; a name left empty by that shows the username. Chinese and
Japanese lines wrap between any two characters (not before closing punctuation).
"""

from __future__ import annotations

import io
from typing import NamedTuple

from PIL import Image, ImageDraw, ImageFilter

from generator.data.text import text_direction
from generator.share.card_fonts import break_points, clusters, draw_line, drawable, font, line_width

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
AVATAR = 260                          # the circle's diameter
TEXT_WIDTH = WIDTH - 2 * MARGIN - AVATAR - 56
NAME_SIZES = (88, 72, 60, 52, 44)     # px; one line down to NAME_FLOOR, then two lines from the top
NAME_FLOOR = 60
TAGLINE_SIZES = (40, 36, 32, 28)
TAGLINE_FLOOR = 32
ELLIPSIS = "…"
JPEG_QUALITY = 85
# Bump when the drawing changes: cached cards are named by their inputs and this.
CARD_VERSION = "2"


class CardText(NamedTuple):
    size: int
    lines: tuple[str, ...]



def _wrap(text: str, fits, max_lines: int) -> list[str] | None:
    """Greedy lines of whole words (a word too long for a line is cut between characters);
    None when more than `max_lines` are needed."""
    lines: list[str] = []
    line = ""
    for separator, word in break_points(text):
        candidate = f"{line}{separator}{word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for cluster in clusters(word):
            if fits(line + cluster):
                line += cluster
            else:
                lines.append(line)
                line = cluster
        if len(lines) > max_lines:
            return None
    lines.append(line)
    return lines if len(lines) <= max_lines else None


def _ellipsized(text: str, fits, max_lines: int) -> list[str]:
    """The first lines of `text`, the last one cut between clusters to end in an ellipsis."""
    cut = clusters(text)
    low, high = 0, len(cut)  # the most clusters that still wrap with the ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if _wrap("".join(cut[:middle]).rstrip() + ELLIPSIS, fits, max_lines) is not None:
            low = middle
        else:
            high = middle - 1
    return _wrap("".join(cut[:low]).rstrip() + ELLIPSIS, fits, max_lines) or [ELLIPSIS]


def fit_text(text: str, weight: str, sizes: tuple[int, ...], floor: int, max_lines: int,
             width: int = TEXT_WIDTH) -> CardText:
    """The largest size and lines at which `text` fits `width`: shrink, then wrap, then ellipsis."""
    direction = text_direction(text)

    def fitting(size):
        return lambda line: line_width(line, weight, size, direction) <= width

    for size in sizes:
        if size >= floor and fitting(size)(text):
            return CardText(size, (text,))
    for size in sizes:
        lines = _wrap(text, fitting(size), max_lines)
        if lines is not None:
            return CardText(size, tuple(lines))
    return CardText(sizes[-1], tuple(_ellipsized(text, fitting(sizes[-1]), max_lines)))


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _cover_background(cover: Image.Image) -> Image.Image:
    """The cover filling the card, blurred a little and darkened so white text reads on it."""
    cover = cover.convert("RGB")
    scale = max(WIDTH / cover.width, HEIGHT / cover.height)
    size = (max(WIDTH, round(cover.width * scale)), max(HEIGHT, round(cover.height * scale)))
    cover = cover.resize(size, Image.Resampling.LANCZOS)
    left, top = (cover.width - WIDTH) // 2, (cover.height - HEIGHT) // 2
    cover = cover.crop((left, top, left + WIDTH, top + HEIGHT)).filter(ImageFilter.GaussianBlur(6))
    return Image.blend(cover, Image.new("RGB", (WIDTH, HEIGHT), (12, 10, 20)), 0.55)


def _avatar_disc(avatar: Image.Image) -> tuple[Image.Image, Image.Image]:
    """The avatar cropped to a square and its circular mask, AVATAR px, drawn at 4x and reduced (smooth edge)."""
    avatar = avatar.convert("RGB")
    side = min(avatar.size)
    left, top = (avatar.width - side) // 2, (avatar.height - side) // 2
    avatar = avatar.crop((left, top, left + side, top + side)).resize((AVATAR, AVATAR), Image.Resampling.LANCZOS)
    mask = Image.new("L", (AVATAR * 4, AVATAR * 4), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, AVATAR * 4 - 1, AVATAR * 4 - 1), fill=255)
    return avatar, mask.resize((AVATAR, AVATAR), Image.Resampling.LANCZOS)


def social_card(*, name: str, tagline: str, avatar: Image.Image | None, cover: Image.Image | None,
                page_colour: str, text_colour: str, accent: str) -> tuple[str, bytes]:
    """("png" or "jpg", the card's bytes). Colours are CSS hex colours (the theme's dark
    scheme: the card is one picture for every viewer, and a dark card shows photos best)."""
    name, tagline = drawable(name), drawable(tagline)
    if cover is not None:
        card, ink, muted = _cover_background(cover), (255, 255, 255), (230, 230, 236)
    else:
        card = Image.new("RGB", (WIDTH, HEIGHT), _hex(page_colour))
        ImageDraw.Draw(card).rectangle((0, HEIGHT - 16, WIDTH, HEIGHT), fill=_hex(accent))
        ink = _hex(text_colour)
        muted = tuple(round(a * 0.8 + b * 0.2) for a, b in zip(ink, _hex(page_colour)))
    direction = text_direction(name or tagline)
    rtl = direction == "rtl"
    draw = ImageDraw.Draw(card)
    text_left = MARGIN if rtl else MARGIN + AVATAR + 56
    if avatar is not None:
        disc, mask = _avatar_disc(avatar)
        x = WIDTH - MARGIN - AVATAR if rtl else MARGIN
        y = (HEIGHT - AVATAR) // 2
        ring = 8
        draw.ellipse((x - ring, y - ring, x + AVATAR + ring, y + AVATAR + ring), fill=(255, 255, 255))
        card.paste(disc, (x, y), mask)
    else:
        text_left = MARGIN
    width = WIDTH - 2 * MARGIN - (AVATAR + 56 if avatar is not None else 0)
    blocks = []
    if name:
        blocks.append(("bold", fit_text(name, "bold", NAME_SIZES, NAME_FLOOR, 2, width), ink, 1.12))
    if tagline:
        blocks.append(("regular", fit_text(tagline, "regular", TAGLINE_SIZES, TAGLINE_FLOOR, 3, width), muted, 1.3))
    gap = 28
    heights = [round(text.size * spacing) * len(text.lines) for _, text, _, spacing in blocks]
    y = (HEIGHT - sum(heights) - gap * (len(blocks) - 1)) // 2
    for (weight, text, colour, spacing), height in zip(blocks, heights):
        ascent = font("text", weight, text.size).getmetrics()[0]  # every face on the text face's baseline
        for line in text.lines:
            line_direction = text_direction(line) if text_direction(line) == "rtl" else direction
            draw_line(draw, text_left + width if rtl else text_left, y + ascent, line, weight=weight,
                      size=text.size, fill=colour, direction=line_direction, right=rtl)
            y += round(text.size * spacing)
        y += gap
    return _smaller(card, photograph=cover is not None)


def _smaller(card: Image.Image, photograph: bool) -> tuple[str, bytes]:
    """The card as PNG or JPEG, whichever has fewer bytes. A photograph (a cover behind the
    text) is a JPEG without trying: its PNG is 10-15 times larger (~800 KB for ~60 KB)."""
    png, jpeg = io.BytesIO(), io.BytesIO()
    if photograph:
        card.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return "jpg", jpeg.getvalue()
    # zlib's default level 6: level 9 took 0.13 s a card and optimize's filter search up
    # to 0.9 s (most of a card's time), for a flat card 1-6% smaller.
    card.save(png, "PNG", compress_level=6)
    card.save(jpeg, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ("png", png.getvalue()) if len(png.getvalue()) <= len(jpeg.getvalue()) else ("jpg", jpeg.getvalue())
