"""Make the social card's fonts (generator/share/fonts/) from DejaVu Sans:

    python tools/subset_fonts.py [--from /usr/share/fonts/truetype/dejavu]

Debian's fonts-dejavu-core holds DejaVu Sans (Bitstream Vera licence with the DejaVu
changes, public domain; its text is generator/share/fonts/LICENSE-DejaVu.txt). The
card needs Latin with Vietnamese, Greek, Cyrillic, Arabic and Hebrew, so each font is
cut to those blocks with their shaping tables (GSUB/GPOS, for Arabic's joined forms):
1.47 MB -> 349 KB for the regular and bold weights together. It also writes
coverage.txt, the code point ranges both fonts draw (generator.share.card leaves
other characters out of a card rather than drawing boxes).
Needs fontTools (`pip install fonttools`), a tool here only, never at build time.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "generator" / "share" / "fonts"
FONTS = {"DejaVuSans.ttf": "card-regular.ttf", "DejaVuSans-Bold.ttf": "card-bold.ttf"}
# Basic Latin to Latin Extended-B, IPA, spacing and combining marks (Vietnamese stacks
# them), Greek, Cyrillic, Hebrew, Arabic, Latin Extended Additional (Vietnamese's
# precomposed letters), general punctuation, currency signs, Arabic presentation forms.
UNICODES = ("U+0020-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-04FF,U+0590-05FF,U+0600-06FF,"
            "U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+FB1D-FB4F,U+FB50-FDFF,U+FE70-FEFF")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from", dest="source", type=Path, default=Path("/usr/share/fonts/truetype/dejavu"))
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    for source, target in FONTS.items():
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False  # drawn at 30-90 px, where hinting changes nothing visible
        font = subset.load_font(str(args.source / source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        subset.save_font(font, str(OUT / target), options)
        print(f"{OUT / target}: {(OUT / target).stat().st_size:,} bytes (from {(args.source / source).stat().st_size:,})")
    write_coverage()


def write_coverage() -> None:
    """coverage.txt: "START-END" hexadecimal code point ranges that every card font maps."""
    from fontTools.ttLib import TTFont
    common = None
    for target in FONTS.values():
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
    (OUT / "coverage.txt").write_text("".join(f"{a:04X}-{b:04X}\n" for a, b in ranges))


if __name__ == "__main__":
    main()
