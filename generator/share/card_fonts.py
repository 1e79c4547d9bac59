"""The social card's lettering: which font draws which character, and a line measured and
drawn run by run, each run in the font that has its characters.

Pillow draws a string in one font and has no fallback, so a line is cut into clusters
(a letter with its combining marks; an emoji with its sequence: ZWJ joins, skin tone,
variation selector, keycap, tag letters, a flag's two letters), each cluster gets the
first face that maps its first character (or the emoji face, when the cluster is an
emoji sequence), and neighbouring clusters of one face and one direction make a run:

- text: DejaVu Sans, regular and bold (Latin with Vietnamese, Greek, Cyrillic, Hebrew,
  Arabic), 349 KB for both;
- cjk: Droid Sans Fallback (kana, Hangul, CJK punctuation and fullwidth forms, and the
  10,831 Han characters of GB 2312, Big5 level 1, JIS X 0208 and KS X 1001), 2.1 MB,
  one weight: a bold line strokes its outline (size / 40 px) in its own colour;
- emoji: Twemoji, colour layers drawn at any size, 1.5 MB.

tools/subset_fonts.py makes them, with their licences and the coverage-<face>.txt lists
read here, so a face is opened only when a line needs it: a Latin card never loads the
CJK or emoji font. A character no face maps (a rare Han character, a script none has)
is left out of the card rather than drawn as a box.

Order: a line of one face is drawn as one run in the line's direction (raqm's FriBiDi
orders it whole). A line of several faces is ordered here, by a reduced Unicode bidi
algorithm over clusters: Hebrew and Arabic are right to left, other letters left to
right, digits after a right-to-left letter a left-to-right number inside it, emoji,
spaces and punctuation take the direction of their neighbours when both agree and the
line's otherwise; runs of higher levels are reversed (UAX #9, rule L2). Without raqm
(Pillow's basic layout) nothing is shaped: a right-to-left run is drawn with its
clusters reversed, unjoined, and an emoji sequence as its parts (a thumb and a skin
tone swatch).
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from pathlib import Path
from typing import NamedTuple

from PIL import ImageDraw, ImageFont, features

FONTS = Path(__file__).parent / "fonts"
FACES = ("text", "cjk", "emoji")     # the order a character's face is looked for in
ZWJ, TEXT_STYLE, EMOJI_STYLE, KEYCAP = "\u200d", "\ufe0e", "\ufe0f", "\u20e3"
# Lines may break between these without a space (Chinese and Japanese), never before
# the punctuation that closes a phrase.
CJK_BREAKABLE = ((0x3000, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                 (0xFF00, 0xFFEF))
NO_BREAK_BEFORE = set("、。，．！？：；）」』】〕〉》ー・ゝゞヽヾぁぃぅぇぉっゃゅょァィゥェォッャュョ")


class Run(NamedTuple):
    face: str
    text: str
    rtl: bool


def raqm_missing() -> bool:
    """True when Pillow lacks raqm: text is then drawn unshaped (see the docstring)."""
    return not features.check("raqm")


@functools.cache
def _coverage(face: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for line in (FONTS / f"coverage-{face}.txt").read_text().split():
        start, end = line.split("-")
        starts.append(int(start, 16))
        ends.append(int(end, 16))
    return starts, ends


def covers(face: str, char: str) -> bool:
    starts, ends = _coverage(face)
    at = bisect_right(starts, ord(char)) - 1
    return at >= 0 and ord(char) <= ends[at]


@functools.cache
def font(face: str, weight: str, size: int) -> ImageFont.FreeTypeFont:
    name = f"card-{weight}.ttf" if face == "text" else f"card-{face}.ttf"
    engine = ImageFont.Layout.BASIC if raqm_missing() else ImageFont.Layout.RAQM
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=engine)


def _emoji_part(char: str) -> bool:
    """A character that makes the one before it an emoji sequence."""
    code = ord(char)
    return char in (ZWJ, EMOJI_STYLE, KEYCAP) or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _pictograph(char: str) -> bool:
    """An emoji a ZWJ may join to another (not a keycap's digit, a flag's letter, a modifier)."""
    return (char not in "#*0123456789" and not _emoji_part(char) and not _regional(char)
            and covers("emoji", char))


def clusters(text: str) -> list[str]:
    """`text` cut where a cut may fall: never inside a letter with its marks or an emoji sequence."""
    found: list[str] = []
    for char in text:
        if found and (unicodedata.category(char) in ("Mn", "Mc", "Me") or char == TEXT_STYLE or _emoji_part(char)
                      or found[-1].endswith(ZWJ) and _pictograph(found[-1][0]) and _pictograph(char)
                      or _regional(char) and len(found[-1]) == 1 and _regional(found[-1])):
            found[-1] += char
        else:
            found.append(char)
    return found


def face_of(cluster: str) -> str | None:
    """The face that draws `cluster`, or None when none does (nor a joiner, selector,
    keycap or tag with no emoji before it: drawn alone it is nothing, and raqm fails)."""
    code = ord(cluster[0])
    if cluster[0] in (ZWJ, TEXT_STYLE, EMOJI_STYLE, KEYCAP) or 0xE0020 <= code <= 0xE007F:
        return None
    sequence = any(_emoji_part(char) or _regional(char) for char in cluster[1:]) or _regional(cluster[0])
    if sequence and covers("emoji", cluster[0]):
        return "emoji"
    return next((face for face in FACES if covers(face, cluster[0])), None)


def _faced(text: str) -> list[tuple[str, str]]:
    """(face, cluster) for each cluster some face draws, without the characters its face lacks
    (a text-style selector, a mark the font has not)."""
    kept = []
    for cluster in clusters(text):
        face = face_of(cluster)
        if face is not None:
            kept.append((face, "".join(char for char in cluster if covers(face, char))))
    return kept


def drawable(text: str) -> str:
    """`text` without what no card font draws (and the white space that leaves doubled)."""
    return " ".join("".join(cluster for _, cluster in _faced(text)).split())


def _strong(face: str, cluster: str) -> str:
    """"R", "L", "N" (a number) or "" (neutral: emoji, space, punctuation)."""
    if face == "emoji":
        return ""
    kind = unicodedata.bidirectional(cluster[0])
    return {"R": "R", "AL": "R", "L": "L", "EN": "N", "AN": "N"}.get(kind, "")


@functools.lru_cache(maxsize=4096)
def runs(line: str, direction: str) -> tuple[Run, ...]:
    """The runs of `line` (drawable text) in visual order, left to right."""
    faced = _faced(line)
    rtl = direction == "rtl"
    if len({face for face, _ in faced}) <= 1:
        return (Run(faced[0][0], "".join(cluster for _, cluster in faced), rtl),) if faced else ()
    kinds = [_strong(face, cluster) for face, cluster in faced]
    previous = "R" if rtl else "L"
    for at, kind in enumerate(kinds):  # a number after a left-to-right letter is left to right
        if kind == "N" and previous == "L":
            kinds[at] = "L"
        elif kind in ("R", "L"):
            previous = kind
    levels = []
    for at, kind in enumerate(kinds):
        if not kind:  # neutral: its neighbours' direction when they agree (numbers count as R)
            before = next((k for k in reversed(kinds[:at]) if k), "R" if rtl else "L").replace("N", "R")
            after = next((k for k in kinds[at + 1:] if k), "R" if rtl else "L").replace("N", "R")
            kind = before if before == after else ("R" if rtl else "L")
        levels.append({"L": 2 if rtl else 0, "R": 1, "N": 2}[kind])
    grouped: list[list] = []
    for (face, cluster), level in zip(faced, levels):
        if grouped and grouped[-1][0] == face and grouped[-1][2] == level:
            grouped[-1][1] += cluster
        else:
            grouped.append([face, cluster, level])
    for level in range(max(levels), 0, -1):  # UAX #9 L2: reverse each stretch at this level or higher
        at = 0
        while at < len(grouped):
            if grouped[at][2] >= level:
                end = at
                while end < len(grouped) and grouped[end][2] >= level:
                    end += 1
                grouped[at:end] = grouped[at:end][::-1]
                at = end
            else:
                at += 1
    return tuple(Run(face, text, level % 2 == 1) for face, text, level in grouped)


def _stroke(run: Run, weight: str, size: int) -> int:
    """The outline stroke that makes the one-weight CJK face bold: 2 px at 60-88 px."""
    return round(size / 40) if run.face == "cjk" and weight == "bold" else 0


def _shown(run: Run) -> str:
    # Without raqm nothing reorders right-to-left text: reverse it so it reads in order.
    return "".join(clusters(run.text)[::-1]) if run.rtl and raqm_missing() else run.text


def _options(run: Run) -> dict:
    return {} if raqm_missing() else {"direction": "rtl" if run.rtl else "ltr"}


@functools.lru_cache(maxsize=16384)
def _run_width(run: Run, weight: str, size: int) -> float:
    return font(run.face, weight, size).getlength(_shown(run), **_options(run)) + 2 * _stroke(run, weight, size)


def line_width(line: str, weight: str, size: int, direction: str) -> float:
    """The width of `line` drawn at `size` px, its glyphs' full extent."""
    return sum(_run_width(run, weight, size) for run in runs(line, direction))


def draw_line(draw: ImageDraw.ImageDraw, x: float, baseline: float, line: str, *, weight: str, size: int,
              fill: tuple[int, int, int], direction: str, right: bool) -> None:
    """`line` on its baseline, starting at x, or ending at x when `right`."""
    if right:
        x -= line_width(line, weight, size, direction)
    for run in runs(line, direction):
        stroke = _stroke(run, weight, size)
        draw.text((x + stroke, baseline), _shown(run), font=font(run.face, weight, size), fill=fill, anchor="ls",
                  embedded_color=run.face == "emoji", stroke_width=stroke, stroke_fill=fill, **_options(run))
        x += _run_width(run, weight, size)


def break_points(text: str) -> list[tuple[str, str]]:
    """`text` as (separator, piece): where a line may break, at a space (separator " ")
    or between Chinese and Japanese characters (separator "")."""
    pieces: list[tuple[str, str]] = []
    for word in text.split(" "):
        separator, piece = " " if pieces else "", ""
        for cluster in clusters(word):
            breakable = _cjk(cluster) or (piece and _cjk(piece[-1]))
            if piece and breakable and cluster[0] not in NO_BREAK_BEFORE:
                pieces.append((separator, piece))
                separator, piece = "", ""
            piece += cluster
        pieces.append((separator, piece))
    return pieces


def _cjk(cluster: str) -> bool:
    code = ord(cluster[0])
    return any(start <= code <= end for start, end in CJK_BREAKABLE)
