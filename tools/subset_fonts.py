"""Make the social card's fonts (generator/share/fonts/):

    python tools/subset_fonts.py [--from /usr/share/fonts/truetype/dejavu]
        [--cjk /usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf]
        [--emoji package/twemoji.woff2]

Three faces, each with its licence text beside it and a coverage-<face>.txt listing the
code point ranges it draws ("START-END", hexadecimal): generator.share.card_fonts picks
a face per character from these lists without opening the fonts, and leaves out of a
card what none of them draws, rather than drawing boxes.

- text (card-regular.ttf, card-bold.ttf): DejaVu Sans, Debian's fonts-dejavu-core
  (Bitstream Vera licence with the DejaVu changes, public domain), cut to Latin with
  Vietnamese, Greek, Cyrillic, Hebrew and Arabic with their shaping tables (GSUB/GPOS,
  for Arabic's joined forms): 1.47 MB -> 349 KB for both weights.
- cjk (card-cjk.ttf): Droid Sans Fallback, Debian's fonts-droid-fallback (Apache-2.0;
  DroidSansFallback.ttf, the file with Hangul: the "Full" one has 3 Hangul syllables),
  3.45 MB -> ~2.1 MB, cut to CJK punctuation, kana, Hangul compatibility jamo, all
  11,172 Hangul syllables, fullwidth forms, and the 10,831 Han characters of the
  national standard sets for everyday text: GB 2312 (6,763, simplified Chinese),
  Big5 level 1 (5,401, traditional Chinese), JIS X 0208 levels 1 and 2 (6,356,
  Japanese) and KS X 1001's hanja (4,888, Korean), read from Python's own codecs so the
  set is exact and reproducible. Left out: the other ~10,000 Han characters of
  Unicode's main block and the extensions (rare names, historic forms). One weight:
  the name is drawn with it too (see card_fonts for the stroke that makes it bold).
- emoji (card-emoji.ttf): Twemoji Mozilla from the npm package twemoji-colr-font@15.0.3
  (`npm pack twemoji-colr-font@15.0.3 && tar xzf twemoji-colr-font-15.0.3.tgz`; font
  OFL-1.1, artwork CC-BY-4.0, both in LICENSE-Twemoji.txt), colour vector layers
  (COLR/CPAL, drawn by FreeType at any size) with every emoji of Unicode 15 and its
  sequences (ZWJ, skin tones, flags, keycaps) as GSUB ligatures: 476 KB of WOFF2 ->
  ~1.5 MB of TrueType (Pillow reads TrueType). Debian's Noto Color Emoji is 10.9 MB of
  bitmaps at 109 px, and its bitmaps drawn smaller and re-encoded came out larger
  (6-10 MB: its PNGs are already quantised), so it was not used. Each emoji's base
  glyph, empty in the source, gets an outline that draws nothing but spans its colour
  layers: Pillow sizes the text's bitmap from the base glyphs' outlines, and cut every
  emoji off at the edge of the other glyphs' box without it (as a composite of the
  layers it cost 240 KB more).

Needs fontTools and Brotli (`pip install fonttools brotli`, Brotli to read WOFF2), tools
here only, never at build time.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.pens.ttGlyphPen import TTGlyphPen

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "generator" / "share" / "fonts"
TEXT_FONTS = {"DejaVuSans.ttf": "card-regular.ttf", "DejaVuSans-Bold.ttf": "card-bold.ttf"}
# Basic Latin to Latin Extended-B, IPA, spacing and combining marks (Vietnamese stacks
# them), Greek, Cyrillic, Hebrew, Arabic, Latin Extended Additional (Vietnamese's
# precomposed letters), general punctuation, currency signs, Arabic presentation forms.
TEXT_UNICODES = ("U+0020-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-04FF,U+0590-05FF,U+0600-06FF,"
                 "U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+FB1D-FB4F,U+FB50-FDFF,U+FE70-FEFF")
# CJK symbols and punctuation, hiragana, katakana, Hangul compatibility jamo, katakana
# phonetic extensions, Hangul syllables, fullwidth and halfwidth forms.
CJK_BLOCKS = ((0x3000, 0x303F), (0x3040, 0x309F), (0x30A0, 0x30FF), (0x3130, 0x318F), (0x31F0, 0x31FF),
              (0xAC00, 0xD7A3), (0xFF00, 0xFFEF))
# (codec, lead bytes, trail bytes) of the two-byte sets whose Han characters are kept.
HAN_SETS = (("gb2312", range(0xA1, 0xFF), range(0xA1, 0xFF)),
            ("big5", range(0xA4, 0xC7), [*range(0x40, 0x7F), *range(0xA1, 0xFF)]),  # level 1: A440-C67E
            ("euc_jp", range(0xA1, 0xFF), range(0xA1, 0xFF)),                        # JIS X 0208
            ("euc_kr", range(0xA1, 0xFF), range(0xA1, 0xFF)))                        # KS X 1001
CJK_SOURCE = Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf")
APACHE = Path("/usr/share/common-licenses/Apache-2.0")
DROID_COPYRIGHT = Path("/usr/share/doc/fonts-droid-fallback/copyright")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, default=Path("/usr/share/fonts/truetype/dejavu"))
    parser.add_argument("--cjk", type=Path, default=CJK_SOURCE, help="DroidSansFallback.ttf (fonts-droid-fallback)")
    parser.add_argument("--emoji", type=Path, default=Path("package/twemoji.woff2"),
                        help="twemoji.woff2 of the npm package twemoji-colr-font@15.0.3")
    args = parser.parse_args()
    for path in (args.source, args.cjk, args.emoji):
        if not path.exists():
            sys.exit(f"{path} is missing: see `python tools/subset_fonts.py --help` for where each font comes from")
    OUT.mkdir(parents=True, exist_ok=True)
    for source, target in TEXT_FONTS.items():
        cut(args.source / source, OUT / target, subset.parse_unicodes(TEXT_UNICODES))
    write_coverage("text", *TEXT_FONTS.values())
    cut(args.cjk, OUT / "card-cjk.ttf", cjk_unicodes())
    write_coverage("cjk", "card-cjk.ttf")
    (OUT / "LICENSE-DroidSansFallback.txt").write_text(DROID_COPYRIGHT.read_text() + "\n" + APACHE.read_text())
    emoji(args.emoji, OUT / "card-emoji.ttf")
    write_coverage("emoji", "card-emoji.ttf")
    shutil.copyfile(args.emoji.parent / "LICENSE", OUT / "LICENSE-Twemoji.txt")


def cjk_unicodes() -> set[int]:
    """The CJK blocks whole and the Han characters of HAN_SETS."""
    unicodes = {code for start, end in CJK_BLOCKS for code in range(start, end + 1)}
    for codec, leads, trails in HAN_SETS:
        for lead in leads:
            for trail in trails:
                try:
                    char = bytes([lead, trail]).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(char) == 1 and (0x3400 <= ord(char) <= 0x9FFF or 0xF900 <= ord(char) <= 0xFAFF):
                    unicodes.add(ord(char))
    return unicodes


def cut(source: Path, target: Path, unicodes) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # drawn at 28-88 px, where hinting changes nothing visible
    options.drop_tables += ["vhea", "vmtx"]  # the card sets no vertical text
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)
    print(f"{target}: {target.stat().st_size:,} bytes (from {source.stat().st_size:,})")


def emoji(source: Path, target: Path) -> None:
    """The emoji font as TrueType, without its hinting and editor tables, each colour
    glyph's empty base glyph made a composite of its layers (see the docstring)."""
    font = TTFont(str(source))
    font.flavor = None
    for table in ("FFTM", "cvt ", "gasp", "fpgm", "prep"):
        if table in font:
            del font[table]
    glyf = font["glyf"]
    for base, layers in font["COLR"].ColorLayers.items():
        if glyf[base].numberOfContours != 0:
            continue
        boxes = [glyf[layer.name] for layer in layers if glyf[layer.name].numberOfContours]
        # One contour of two points on the layers' corners: it encloses nothing (so
        # nothing shows where colour is not drawn), and its box is the layers' box.
        corners = [(min(g.xMin for g in boxes), min(g.yMin for g in boxes)),
                   (max(g.xMax for g in boxes), max(g.yMax for g in boxes))]
        glyf[base] = glyph_of(corners)
    font.save(str(target))
    print(f"{target}: {target.stat().st_size:,} bytes (from {source.stat().st_size:,} of WOFF2)")


def glyph_of(corners):
    pen = TTGlyphPen(None)
    pen.moveTo(corners[0])
    pen.lineTo(corners[1])
    pen.closePath()
    return pen.glyph()


def write_coverage(face: str, *targets: str) -> None:
    """coverage-<face>.txt: "START-END" hexadecimal code point ranges every font of the face maps."""
    common = None
    for target in targets:
        mapped = set(TTFont(str(OUT / target)).getBestCmap())
        common = mapped if common is None else common & mapped
    ranges, start, previous = [], None, None
    for code in sorted(common):
        if previous is not None and code == previous + 1:
            previous = code
            continue
        if start is not None:
            ranges.append((start, previous))
        start = previous = code
    ranges.append((start, previous))
    (OUT / f"coverage-{face}.txt").write_text("".join(f"{a:04X}-{b:04X}\n" for a, b in ranges))


if __name__ == "__main__":
    main()
