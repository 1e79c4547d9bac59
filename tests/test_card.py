"""The social card: 1200x630, text fitted (shrink, wrap, ellipsis), scripts shaped, cached."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops, ImageDraw, features

from generator.data.text import text_direction
from generator.share.card import (_smaller, ELLIPSIS, HEIGHT, MARGIN, NAME_FLOOR, NAME_SIZES, TAGLINE_FLOOR,
                                  TAGLINE_SIZES, WIDTH, fit_text, social_card)
from generator.share.card_fonts import _coverage, clusters, drawable, face_of, font, line_width, runs
from sitekit import build_site, execute, make_site, mtimes, snapshot

DARK = dict(page_colour="#0d0f16", text_colour="#f5f5f7", accent="#a99dff")


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def widths(text, weight="bold"):
    return [line_width(line, weight, text.size, text_direction(line)) for line in text.lines]


def test_a_short_name_is_one_line_at_the_largest_size():
    assert fit_text("Ana", "bold", NAME_SIZES, NAME_FLOOR, 2, 700) == (NAME_SIZES[0], ("Ana",))


def test_a_longer_name_shrinks_before_it_wraps():
    text = fit_text("Anastasia Nguyễn Minh", "bold", NAME_SIZES, NAME_FLOOR, 2, 900)  # 1,169 px at 88, 797 at 60
    assert len(text.lines) == 1 and NAME_FLOOR <= text.size < NAME_SIZES[0]
    assert max(widths(text)) <= 900


def test_a_long_name_wraps_and_a_longer_one_ends_in_an_ellipsis_without_cutting_a_letter():
    wrapped = fit_text("Trần Nguyễn Phương Thảo Hoàng Minh Khuê", "bold", NAME_SIZES, NAME_FLOOR, 2, 600)
    assert len(wrapped.lines) == 2 and max(widths(wrapped)) <= 600
    assert " ".join(wrapped.lines) == "Trần Nguyễn Phương Thảo Hoàng Minh Khuê"
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" as e + two combining marks (NFD)
    cut = fit_text(decomposed * 30, "bold", NAME_SIZES, NAME_FLOOR, 2, 600)  # one word, longer than two lines
    assert cut.size == NAME_SIZES[-1] and len(cut.lines) == 2 and cut.lines[-1].endswith(ELLIPSIS)
    assert max(widths(cut)) <= 600
    for line in cut.lines:  # a cut falls between a letter with its marks and the next letter
        assert not line.startswith(("\u0302", "\u0303")) and not line.rstrip(ELLIPSIS).endswith(("e", "e\u0302"))


def test_a_word_longer_than_the_line_is_cut_between_characters():
    text = fit_text("W" * 60, "bold", NAME_SIZES, NAME_FLOOR, 2, 600)
    assert max(widths(text)) <= 600 and text.lines[-1].endswith(ELLIPSIS)


def test_characters_no_font_has_are_left_out_rather_than_drawn_as_boxes():
    # 𠮷 (U+20BB7) is a Han character of no national set the CJK font keeps; no font has Devanagari.
    assert drawable("Ana 𠮷 नमस्ते Nguyễn 東京 🌸") == "Ana Nguyễn 東京 🌸"
    assert drawable("שלום عليكم Ωμέγα Жанна 김민준 王小明") == "שלום عليكم Ωμέγα Жанна 김민준 王小明"


def test_the_card_is_1200_by_630_and_the_same_bytes_every_time():
    kind, data = social_card(name="Ana Nguyễn", tagline="Designer", avatar=None, cover=None, **DARK)
    assert social_card(name="Ana Nguyễn", tagline="Designer", avatar=None, cover=None, **DARK) == (kind, data)
    assert Image.open(io.BytesIO(data)).size == (WIDTH, HEIGHT)
    assert data[:4] == (b"\x89PNG" if kind == "png" else b"\xff\xd8\xff\xe0"[:4])


@pytest.mark.parametrize("image", [Image.new("RGB", (WIDTH, HEIGHT), "#0d0f16"),
                                   Image.effect_noise((WIDTH, HEIGHT), 60).convert("RGB")])
def test_a_card_without_a_photograph_keeps_the_smaller_of_png_and_jpeg(image):
    png, jpeg = io.BytesIO(), io.BytesIO()
    image.save(png, "PNG", compress_level=6)
    image.save(jpeg, "JPEG", quality=85, optimize=True, progressive=True)
    kind, data = _smaller(image, photograph=False)
    assert len(data) == min(len(png.getvalue()), len(jpeg.getvalue()))
    assert kind == ("png" if len(png.getvalue()) <= len(jpeg.getvalue()) else "jpg")


def test_a_photograph_makes_a_jpeg_when_that_is_smaller():
    noise = Image.effect_noise((600, 300), 80).convert("RGB")
    kind, data = social_card(name="Ana", tagline="", avatar=noise, cover=noise, **DARK)
    assert kind == "jpg" and data[:2] == b"\xff\xd8"


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow without raqm draws right-to-left text unshaped")
def test_right_to_left_text_is_shaped_and_set_against_the_right_edge():
    blank = Image.open(io.BytesIO(social_card(name="", tagline="", avatar=None, cover=None, **DARK)[1])).convert("L")
    card = Image.open(io.BytesIO(social_card(name="سارة العلي", tagline="", avatar=None, cover=None,
                                             **DARK)[1])).convert("L")
    left, _, right, _ = ImageChops.difference(card, blank).getbbox()
    assert right > WIDTH - 100 and left > WIDTH / 3  # the text ends at the right margin
    # Shaped: the joined word is narrower than its letters drawn apart (isolated forms).
    bold = font("text", "bold", 88)
    assert bold.getlength("سارة", direction="rtl") < sum(bold.getlength(c, direction="rtl") for c in "سارة")


def card_image(name, tagline, avatar=None):
    return Image.open(io.BytesIO(social_card(name=name, tagline=tagline, avatar=avatar, cover=None, **DARK)[1])).convert("RGB")


def drawn(face, text, size=60):
    """`text` drawn alone in one face, as the card draws it (colour for emoji)."""
    image = Image.new("RGB", (size * 4, size * 2))
    ImageDraw.Draw(image).text((0, size * 1.5), text, font=font(face, "regular", size), fill=(255, 255, 255),
                               anchor="ls", embedded_color=face == "emoji")
    return image


def coloured(image):
    """The pixels of `image` far from grey (emoji colours; the card's text is white or grey),
    above the accent bar."""
    hsv = image.crop((0, 0, image.width, min(image.height, HEIGHT - 16))).convert("HSV")
    return ImageChops.multiply(hsv.getchannel("S").point(lambda saturation: 255 if saturation > 120 else 0),
                               hsv.getchannel("V").point(lambda value: 255 if value > 90 else 0))


def white(image):
    """The pixels of the card's text (#f5f5f7 on #0d0f16: bright and grey)."""
    hsv = image.crop((0, 0, image.width, HEIGHT - 16)).convert("HSV")
    return ImageChops.multiply(hsv.getchannel("S").point(lambda saturation: 255 if saturation < 40 else 0),
                               hsv.getchannel("V").point(lambda value: 255 if value > 200 else 0))


JAPANESE, CHINESE, KOREAN = "山田花子", "王小明", "김민준"
FAMILY, FLAG, SKIN_TONE, KEYCAP = "👨\u200d👩\u200d👧\u200d👦", "🇻🇳", "👍🏽", "1\ufe0f\u20e3"


def test_cjk_and_emoji_have_fonts_and_each_character_is_a_glyph_not_the_missing_glyph_box():
    for text, face in ((JAPANESE + "ひらがなカタカナ", "cjk"), (CHINESE + "，。", "cjk"), (KOREAN, "cjk"),
                       (FAMILY + FLAG + SKIN_TONE + KEYCAP + "🌸❤\ufe0f", "emoji")):
        assert drawable(text) == text
        assert [run.face for run in runs(text, "ltr")] == [face]
        missing = drawn(face, "\uffff").tobytes()  # no font maps U+FFFF: its .notdef glyph, the box
        for cluster in clusters(text):
            assert face_of(cluster) == face
            image = drawn(face, cluster)
            assert image.getbbox() is not None and image.tobytes() != missing, cluster
    for emoji in (FAMILY, FLAG, SKIN_TONE, KEYCAP):  # a sequence is one cluster, drawn in colour
        assert clusters(emoji) == [emoji] and coloured(drawn("emoji", emoji)).getbbox() is not None


@pytest.mark.parametrize("face", ["text", "cjk", "emoji"])
def test_the_coverage_lists_name_only_characters_their_fonts_draw(face):
    # A sample (every 41st listed character, ~550 for the CJK face): each is drawn unlike the
    # face's missing-glyph box, so a list out of step with its font shows.
    starts, ends = _coverage(face)
    listed = [code for start, end in zip(starts, ends) for code in range(start, end + 1)]
    missing = drawn(face, "\uffff", 20).tobytes()
    for code in listed[::41]:
        if face_of(chr(code)) == face:  # "#" and digits are the text face's, ZWJ no face's alone
            assert drawn(face, chr(code), 20).tobytes() != missing, f"U+{code:04X}"


def test_joiners_and_selectors_with_nothing_to_join_are_left_out():
    for stray in ("\ufe0f", "\u200d", "\U000e0067\U000e007f", "\u20e3", "\ufe0e"):
        kept = drawable(f"{stray}Ana {stray}🌸")  # neither the letter nor the emoji after it is lost
        assert drawable(stray) == "" and kept.startswith("Ana ") and kept.endswith("🌸")
        social_card(name=stray + "東京", tagline=stray, avatar=None, cover=None, **DARK)  # drawn, no error


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow's basic layout draws an emoji sequence as its parts")
def test_an_emoji_sequence_is_one_picture():
    emoji = font("emoji", "regular", 60)
    for sequence in (FAMILY, FLAG, SKIN_TONE, KEYCAP):  # one em wide, where its parts are two to seven
        assert emoji.getlength(sequence) == emoji.getlength("🌸") == 60, sequence


def test_a_cjk_name_and_an_emoji_tagline_are_drawn_on_the_card():
    name, tagline = f"{JAPANESE} {CHINESE} {KOREAN}", f"Hi {FAMILY} {FLAG} {SKIN_TONE}"
    card = card_image(name, tagline)
    assert card_image(name, tagline).tobytes() == card.tobytes()  # the same every time
    name_ink, tagline_ink = white(card_image(name, "")).getbbox(), white(card_image("", "Hi")).getbbox()
    assert name_ink is not None and name_ink[2] - name_ink[0] > 500  # ~10 characters at 60-88 px
    emoji = coloured(card_image("", tagline)).getbbox()
    assert emoji is not None and emoji[0] > tagline_ink[2] and emoji[2] - emoji[0] > 3 * 32  # after "Hi", all three
    for removed in (JAPANESE, CHINESE, KOREAN):  # each script's characters are on the card
        assert card_image(name.replace(removed, ""), tagline).tobytes() != card.tobytes()
    for removed in (FAMILY, FLAG, SKIN_TONE):
        assert card_image(name, tagline.replace(removed, "")).tobytes() != card.tobytes()


def test_a_long_cjk_line_wraps_between_characters_and_stays_inside_its_box():
    sentence = "こんにちは、私は東京でウェブデザインとブランディングの仕事をしています。"
    text = fit_text(sentence, "regular", TAGLINE_SIZES, TAGLINE_FLOOR, 3, 700)
    assert len(text.lines) > 1 and "".join(text.lines) == sentence  # no spaces: broken between characters
    assert max(widths(text, "regular")) <= 700
    after_a_word = fit_text("Ana " + sentence, "regular", TAGLINE_SIZES, TAGLINE_FLOOR, 3, 700)
    assert after_a_word.lines[0].startswith("Ana こんにちは")  # the sentence starts beside the word, not below it
    five = font("cjk", "regular", 40).getlength("あ" * 5)  # a line of five: the sixth character is "。"
    closed = fit_text("あ" * 5 + "。" + "あ" * 5, "regular", (40,), 40, 3, five)
    assert "".join(closed.lines) == "あ" * 5 + "。" + "あ" * 5 and closed.lines[0] == "あ" * 4
    assert not any(line.startswith("。") for line in closed.lines)  # never before closing punctuation
    cut = fit_text(sentence * 4, "regular", TAGLINE_SIZES, TAGLINE_FLOOR, 3, 700)
    assert len(cut.lines) == 3 and cut.lines[-1].endswith(ELLIPSIS) and max(widths(cut, "regular")) <= 700
    name = fit_text(JAPANESE * 8, "bold", NAME_SIZES, NAME_FLOOR, 2, 600)  # bold: the CJK face stroked
    assert len(name.lines) == 2 and max(widths(name)) <= 600
    card = card_image(JAPANESE * 8 + KOREAN * 3, (sentence + FAMILY) * 4)
    for ink in (white(card).getbbox(), coloured(card).getbbox()):
        assert ink[0] >= MARGIN and ink[2] <= WIDTH - MARGIN  # no glyph past the text's box


@pytest.mark.skipif(not features.check("raqm"), reason="Pillow without raqm does not order right-to-left text")
def test_an_emoji_in_right_to_left_text_keeps_its_place_in_reading_order():
    # Logically after the name, so left of it; between two Arabic words, between them.
    assert [run.face for run in runs("سارة 🌸", "rtl")] == ["emoji", "text"]
    assert [(run.face, run.text.strip()) for run in runs("سارة 🌸 العلي", "rtl")] == [
        ("text", "العلي"), ("emoji", "🌸"), ("text", "سارة")]
    assert [run.face for run in runs("Ana 🌸", "ltr")] == ["text", "emoji"]
    for name, emoji_left in (("سارة العلي 🌸", True), ("🌸 سارة العلي", False), ("Ana Nguyễn 🌸", False)):
        card = card_image(name, "")
        emoji, line = coloured(card).getbbox(), white(card).getbbox()  # the line: letters and emoji's white
        assert line[2] - line[0] > 4 * (emoji[2] - emoji[0])  # the name is drawn, not the emoji alone
        assert (emoji[0] + emoji[2] < line[0] + line[2]) is emoji_left, name  # which half the emoji is in


def test_the_build_draws_each_card_once_and_names_it_in_og_image(site):
    build_site(site)
    dist = site / "dist"
    html = (dist / "ana.html").read_text(encoding="utf-8")
    card = re.search(r'<meta property=og:image content=https://bio.example.com/(og/ana\.(?:png|jpg))>', html)[1]
    assert Image.open(dist / card).size == (1200, 630)
    assert "<meta name=twitter:card content=summary_large_image>" in html
    cached = sorted((site / ".biogen" / "cache" / "cards").iterdir())
    before = mtimes(dist)
    build_site(site)
    assert mtimes(dist) == before  # nothing changed: no card made, none written
    execute(site, "UPDATE profiles SET updated_at = '2030-01-01 00:00:00' WHERE username = 'ana'")
    summary = build_site(site)
    assert summary.rendered == 1 and sorted((site / ".biogen" / "cache" / "cards").iterdir()) == cached
    assert mtimes(dist)[card] == before[card]  # the same card: read from the cache, not written
    execute(site, "UPDATE profiles SET display_name = 'Ana Maria' WHERE username = 'ana'")
    build_site(site)
    assert len(list((site / ".biogen" / "cache" / "cards").iterdir())) == len(cached) + 1


def test_a_site_may_turn_social_cards_off(site):
    build_site(site)
    config = site / "biogen.toml"
    config.write_text(config.read_text() + "\n[share]\ncard = false\n")
    build_site(site)
    files = snapshot(site / "dist")
    assert not any(name.startswith("og/") for name in files)
    assert re.search(r'<meta property=og:image content=https://bio.example.com/m/\w+\.jpg>',
                     files["ana.html"].decode())
