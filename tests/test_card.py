"""The social card: 1200x630, text fitted (shrink, wrap, ellipsis), scripts shaped, cached."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageChops, features

from generator.share.card import (_smaller, ELLIPSIS, HEIGHT, NAME_FLOOR, NAME_SIZES, WIDTH, _font, _width, direction_of,
                                  drawable, fit_text, social_card)
from sitekit import build_site, execute, make_site, mtimes, snapshot

DARK = dict(page_colour="#0d0f16", text_colour="#f5f5f7", accent="#a99dff")


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def widths(text, weight="bold"):
    return [_width(line, _font(weight, text.size), direction_of(line)) for line in text.lines]


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


def test_characters_the_fonts_lack_are_left_out_rather_than_drawn_as_boxes():
    assert drawable("Ana 東京 🌸 Nguyễn") == "Ana Nguyễn"
    assert drawable("שלום عليكم Ωμέγα Жанна") == "שלום عليكم Ωμέγα Жанна"


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
    font = _font("bold", 88)
    assert font.getlength("سارة", direction="rtl") < sum(font.getlength(c, direction="rtl") for c in "سارة")


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
