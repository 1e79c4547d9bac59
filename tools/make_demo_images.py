#!/usr/bin/env python3
"""Draw the demo images under content/images/ with Pillow alone.

Every image is original abstract art drawn here from shapes and gradients:
illustrated avatars, gradient covers, link backgrounds, studio-style "product
photos" of simple rendered objects, and tool logos. Nothing is downloaded and
no font is used, so the output depends only on Pillow.

The output is deterministic: every random choice comes from a seeded
random.Random, and the files carry no metadata (no EXIF, no text chunks, no
timestamps), so running the script twice writes the same bytes.

Usage (from the repository root)::

    python tools/make_demo_images.py            # (re)write content/images/...
    python tools/make_demo_images.py --check    # exit 1 if a file would change

Photos are JPEG (quality 82, optimized, progressive); logos are PNG with
transparency. The script refuses to finish if a file exceeds its size budget.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "content" / "images"
SEED = 20261101

# Size budgets in bytes, by kind.
BUDGET = {"avatar": 60_000, "cover": 150_000, "link": 100_000, "product": 100_000, "logo": 100_000}
TOTAL_BUDGET = 1_500_000

Color = tuple[int, int, int]


# --------------------------------------------------------------------------- helpers

def rgb(value: str) -> Color:
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def mix(a: str | Color, b: str | Color, t: float) -> Color:
    a = rgb(a) if isinstance(a, str) else a
    b = rgb(b) if isinstance(b, str) else b
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def solid(size: tuple[int, int], color: str | Color) -> Image.Image:
    return Image.new("RGB", size, rgb(color) if isinstance(color, str) else color)


def mesh(size: tuple[int, int], rows: list[list[str]], blur: float = 0) -> Image.Image:
    """A smooth gradient through a small grid of colours (a bicubic upscale)."""
    small = Image.new("RGB", (len(rows[0]), len(rows)))
    small.putdata([rgb(c) for row in rows for c in row])
    # Two steps keep the bicubic upscale free of visible seams.
    middle = small.resize((len(rows[0]) * 16, len(rows) * 16), Image.BICUBIC)
    image = middle.resize(size, Image.BICUBIC)
    return image.filter(ImageFilter.GaussianBlur(blur)) if blur else image


def linear(size: tuple[int, int], start: str | Color, end: str | Color, angle: float = 90) -> Image.Image:
    """A linear gradient from `start` to `end`; angle 90 runs top to bottom, 0 left to right."""
    w, h = size
    side = int(math.hypot(w, h)) + 4
    ramp = Image.linear_gradient("L").resize((side, side), Image.BICUBIC)  # black at top
    ramp = ramp.rotate(90 - angle, resample=Image.BICUBIC, fillcolor=None)
    left, top = (side - w) // 2, (side - h) // 2
    mask = ramp.crop((left, top, left + w, top + h))
    return Image.composite(solid(size, end), solid(size, start), mask)


def radial(size: tuple[int, int], inner: str | Color, outer: str | Color,
           box: tuple[float, float, float, float] | None = None) -> Image.Image:
    """A radial gradient: `inner` at the centre of `box` (default: the whole image) to `outer`."""
    w, h = size
    box = box or (0, 0, w, h)
    ramp = Image.radial_gradient("L")  # 256x256, 0 in the centre, 255 at radius 128
    bw, bh = max(1, round(box[2] - box[0])), max(1, round(box[3] - box[1]))
    ramp = ramp.resize((bw, bh), Image.BICUBIC)
    mask = Image.new("L", size, 255)
    mask.paste(ramp, (round(box[0]), round(box[1])))
    return Image.composite(solid(size, outer), solid(size, inner), mask)


def shape_mask(size: tuple[int, int], draw_fn, blur: float = 0) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw_fn(ImageDraw.Draw(mask))
    return mask.filter(ImageFilter.GaussianBlur(blur)) if blur else mask


def paint(image: Image.Image, mask: Image.Image, fill, opacity: float = 1.0) -> None:
    """Lay `fill` (a colour or an image of the same size) on `image` through `mask`."""
    if not isinstance(fill, Image.Image):
        fill = solid(image.size, fill)
    if opacity < 1:
        mask = mask.point(lambda v: round(v * opacity))
    image.paste(fill.convert(image.mode) if fill.mode != image.mode else fill, (0, 0), mask)


def glow(image: Image.Image, center: tuple[float, float], radius: float, color, opacity: float,
         blur: float) -> None:
    """A soft round light."""
    x, y = center
    mask = shape_mask(image.size, lambda d: d.ellipse((x - radius, y - radius, x + radius, y + radius),
                                                        fill=255), blur)
    paint(image, mask, color, opacity)


def shadow(image: Image.Image, box: tuple[float, float, float, float], opacity: float, blur: float,
           color: str = "#1a1428") -> None:
    """A soft elliptical contact shadow."""
    paint(image, shape_mask(image.size, lambda d: d.ellipse(box, fill=255), blur), color, opacity)


def downsample(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    return image.resize(size, Image.LANCZOS)


def sine_band(width: int, height: int, base: float, amp: float, freq: float, phase: float,
              thickness: float, steps: int = 200) -> list[tuple[float, float]]:
    top, bottom = [], []
    for i in range(steps + 1):
        x = width * i / steps
        y = base + amp * math.sin(freq * x / width * 2 * math.pi + phase)
        swell = thickness * (0.55 + 0.45 * math.sin(x / width * math.pi * 1.3 + phase * 0.7))
        top.append((x, y - swell / 2))
        bottom.append((x, y + swell / 2))
    return top + bottom[::-1]


# --------------------------------------------------------------------------- encoders

def jpeg_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- avatars

AVATARS = {
    "ana": dict(background=[["#ffe3d3", "#f9cde3"], ["#d7c8ff", "#b4a6ff"]], sun="#fff6ea",
                skin="#d9a483", skin_shade="#b9805f", hair="#2a1c2c", hair_light="#4a3346",
                top="#5b45f5", top_dark="#3524a8", accent="#f2c14e", style="bob"),
    "rtl": dict(background=[["#d8efe6", "#f3e3c8"], ["#a9d8cf", "#e9c99a"]], sun="#fffaf0",
                skin="#c68b64", skin_shade="#a26e4c", hair="#231612", hair_light="#3d2a22",
                top="#c2603f", top_dark="#8e3f27", accent="#f4d58d", style="long"),
}


def avatar(spec: dict, size: int = 400, scale: int = 4) -> Image.Image:
    S = size * scale
    img = mesh((S, S), spec["background"])
    W = H = S
    glow(img, (0.5 * W, 0.44 * H), 0.36 * W, spec["sun"], 0.7, 0.04 * W)
    glow(img, (0.82 * W, 0.16 * H), 0.12 * W, "#ffffff", 0.35, 0.05 * W)

    hair_grad = linear((S, S), spec["hair_light"], spec["hair"], 70)
    # Hair behind the head.
    if spec["style"] == "bob":
        back = shape_mask((S, S), lambda d: (
            d.ellipse((0.285 * W, 0.135 * H, 0.715 * W, 0.60 * H), fill=255),
            d.rounded_rectangle((0.285 * W, 0.34 * H, 0.715 * W, 0.64 * H), radius=0.06 * W, fill=255)))
    else:
        back = shape_mask((S, S), lambda d: (
            d.ellipse((0.28 * W, 0.13 * H, 0.72 * W, 0.60 * H), fill=255),
            d.rounded_rectangle((0.265 * W, 0.34 * H, 0.735 * W, 0.86 * H), radius=0.11 * W, fill=255)))
    paint(img, back, hair_grad)

    # Shoulders: a wide rounded shape with a soft top light.
    body_grad = linear((S, S), spec["top"], spec["top_dark"], 75)
    body = shape_mask((S, S), lambda d: d.ellipse((0.13 * W, 0.70 * H, 0.87 * W, 1.45 * H), fill=255))
    paint(img, body, body_grad)
    # Neck, with the head's shadow at its top.
    neck = shape_mask((S, S), lambda d: d.rounded_rectangle((0.435 * W, 0.50 * H, 0.565 * W, 0.76 * H),
                                                            radius=0.05 * W, fill=255))
    paint(img, neck, spec["skin_shade"])
    collar = shape_mask((S, S), lambda d: d.ellipse((0.40 * W, 0.69 * H, 0.60 * W, 0.79 * H), fill=255))
    paint(img, collar, spec["skin_shade"])
    if spec["style"] == "long":
        # Long hair falls in front of the shoulders.
        for x0, x1 in ((0.265, 0.385), (0.615, 0.735)):
            lock = shape_mask((S, S), lambda d, x0=x0, x1=x1: d.rounded_rectangle(
                (x0 * W, 0.45 * H, x1 * W, 0.92 * H), radius=0.06 * W, fill=255))
            paint(img, lock, hair_grad)
    # Head.
    head_grad = radial((S, S), mix(spec["skin"], "#ffffff", 0.18), spec["skin"],
                       (0.30 * W, 0.16 * H, 0.66 * W, 0.56 * H))
    head = shape_mask((S, S), lambda d: d.ellipse((0.345 * W, 0.215 * H, 0.655 * W, 0.615 * H), fill=255))
    paint(img, head, head_grad)
    # Blush and a hint of a smile keep the face friendly without features.
    glow(img, (0.41 * W, 0.48 * H), 0.035 * W, "#ef8f88", 0.45, 0.02 * W)
    glow(img, (0.59 * W, 0.48 * H), 0.035 * W, "#ef8f88", 0.45, 0.02 * W)
    smile = shape_mask((S, S), lambda d: d.arc((0.465 * W, 0.495 * H, 0.535 * W, 0.545 * H), 20, 160,
                                               fill=255, width=round(0.008 * W)))
    paint(img, smile, spec["skin_shade"])
    for ex in (0.44, 0.56):
        eye = shape_mask((S, S), lambda d, ex=ex: d.arc((ex * W - 0.022 * W, 0.425 * H, ex * W + 0.022 * W,
                                                          0.455 * H), 200, 340, fill=255,
                                                         width=round(0.008 * W)))
        paint(img, eye, spec["hair"])
    # Fringe over the top of the head, parted to one side.
    if spec["style"] == "bob":
        cap = shape_mask((S, S), lambda d: d.ellipse((0.325 * W, 0.17 * H, 0.675 * W, 0.55 * H), fill=255))
        cut = shape_mask((S, S), lambda d: d.polygon(
            [(0, 0), (W, 0), (W, 0.33 * H), (0.62 * W, 0.30 * H), (0.45 * W, 0.36 * H), (0.30 * W, 0.44 * H),
             (0, 0.44 * H)], fill=255), 0.004 * W)
    else:
        cap = shape_mask((S, S), lambda d: d.ellipse((0.33 * W, 0.17 * H, 0.67 * W, 0.52 * H), fill=255))
        cut = shape_mask((S, S), lambda d: d.polygon(
            [(0, 0), (W, 0), (W, 0.40 * H), (0.64 * W, 0.33 * H), (0.52 * W, 0.28 * H), (0.48 * W, 0.28 * H),
             (0.36 * W, 0.33 * H), (0, 0.40 * H)], fill=255), 0.004 * W)
    paint(img, ImageChops.multiply(cap, cut), hair_grad)
    shine = shape_mask((S, S), lambda d: d.arc((0.37 * W, 0.20 * H, 0.63 * W, 0.46 * H), 215, 265,
                                               fill=255, width=round(0.012 * W)), 0.004 * W)
    paint(img, shine, "#ffffff", 0.18)
    # Earrings.
    for ex in (0.345, 0.655):
        glow(img, (ex * W, 0.545 * H), 0.014 * W, spec["accent"], 1.0, 0.001 * W)
    return downsample(img, (size, size))


# --------------------------------------------------------------------------- covers and link backgrounds

def cover_ana(size=(1600, 600), scale: int = 2) -> Image.Image:
    W, H = size[0] * scale, size[1] * scale
    img = mesh((W, H), [["#241a63", "#4b39d9", "#9b5fe0", "#f08fb0"],
                        ["#1a1446", "#5b45f5", "#c86dd7", "#ffab91"],
                        ["#140f36", "#3c2db8", "#a04fc4", "#ff9a8b"]])
    glow(img, (0.78 * W, 0.2 * H), 0.22 * H, "#ffd6c4", 0.55, 0.18 * H)
    glow(img, (0.18 * W, 0.85 * H), 0.35 * H, "#6d5efc", 0.5, 0.25 * H)
    rng = random.Random(SEED + 1)
    # Silky ribbons: bands between two sine curves, lighter toward the middle.
    for i in range(7):
        band = sine_band(W, H, base=H * (0.35 + 0.05 * i), amp=H * (0.16 - 0.012 * i), freq=0.9 + 0.05 * i,
                         phase=1.2 + 0.35 * i, thickness=H * (0.05 + 0.02 * rng.random()))
        paint(img, shape_mask((W, H), lambda d, band=band: d.polygon(band, fill=255), 1.5 * scale),
              "#ffffff", 0.05 + 0.025 * (3 - abs(3 - i)))
    for i in range(26):
        line = sine_band(W, H, base=H * (0.42 + 0.012 * i), amp=H * 0.2, freq=0.8, phase=0.6 + 0.045 * i,
                         thickness=1.2 * scale)
        paint(img, shape_mask((W, H), lambda d, line=line: d.polygon(line, fill=255)), "#ffffff", 0.16)
    for _ in range(14):
        x, y, r = rng.uniform(0.05, 0.95) * W, rng.uniform(0.08, 0.92) * H, rng.uniform(1.2, 3.2) * scale
        glow(img, (x, y), r, "#fff4ec", rng.uniform(0.35, 0.8), r * 0.6)
    return downsample(img, size)


def link_arcs(size=(1200, 450), scale: int = 2) -> Image.Image:
    """Bauhaus-style arcs in warm earth tones."""
    W, H = size[0] * scale, size[1] * scale
    img = linear((W, H), "#f4e7d7", "#ead2bd", 20)
    palette = ["#c8553d", "#f28f3b", "#ffd5a5", "#588b8b", "#2d3047", "#e4b363"]
    cx, cy = 0.78 * W, 1.05 * H
    for i, radius in enumerate(range(int(1.0 * H), int(0.1 * H), -int(0.11 * H))):
        color = palette[i % len(palette)]
        paint(img, shape_mask((W, H), lambda d, r=radius: d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)),
              color)
    # A second, smaller set on the left, and a sun.
    cx2, cy2 = 0.16 * W, 1.0 * H
    for i, radius in enumerate(range(int(0.55 * H), int(0.05 * H), -int(0.1 * H))):
        color = palette[(i + 3) % len(palette)]
        paint(img, shape_mask((W, H), lambda d, r=radius: d.ellipse((cx2 - r, cy2 - r, cx2 + r, cy2 + r),
                                                                     fill=255)), color)
    glow(img, (0.45 * W, 0.3 * H), 0.12 * H, "#c8553d", 1.0, 1)
    return downsample(img, size).filter(ImageFilter.GaussianBlur(0.4))


def link_aurora(size=(1200, 450), scale: int = 1) -> Image.Image:
    """Soft aurora light over a night sky."""
    W, H = size[0] * scale, size[1] * scale
    img = linear((W, H), "#0b1026", "#1b1542", 90)
    rng = random.Random(SEED + 2)
    for _ in range(60):
        x, y = rng.uniform(0, W), rng.uniform(0, 0.7 * H)
        glow(img, (x, y), rng.uniform(0.8, 1.8), "#ffffff", rng.uniform(0.3, 0.9), 0.6)
    for color, base, phase, opacity in (("#2dd4bf", 0.45, 0.4, 0.65), ("#7c3aed", 0.55, 1.9, 0.6),
                                        ("#f472b6", 0.68, 3.1, 0.45), ("#38bdf8", 0.38, 2.5, 0.35)):
        band = sine_band(W, H, base=H * base, amp=H * 0.14, freq=1.1, phase=phase, thickness=H * 0.22)
        paint(img, shape_mask((W, H), lambda d, band=band: d.polygon(band, fill=255), 0.09 * H), color, opacity)
    # A low horizon of hills.
    hills = [(0, H)] + [(W * i / 60, H * (0.86 - 0.06 * math.sin(i / 60 * 5.5 + 0.8) - 0.03 * math.sin(i / 7)))
                        for i in range(61)] + [(W, H)]
    paint(img, shape_mask((W, H), lambda d: d.polygon(hills, fill=255), 1), "#070a18")
    return img


def link_dots(size=(1200, 450), scale: int = 2) -> Image.Image:
    """A halftone wave of dots on a sage gradient."""
    W, H = size[0] * scale, size[1] * scale
    img = linear((W, H), "#2f5d50", "#9cc5a1", 15)
    step = 30 * scale
    mask = Image.new("L", (W, H), 0)
    draw = ImageDraw.Draw(mask)
    for row in range(-1, H // step + 2):
        for col in range(-1, W // step + 2):
            x = col * step + (step / 2 if row % 2 else 0)
            y = row * step
            wave = math.sin(x / W * 2 * math.pi * 1.2 + y / H * 2.2) * 0.5 + 0.5
            r = step * (0.08 + 0.36 * wave)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    paint(img, mask, "#eaf4e2", 0.55)
    glow(img, (0.7 * W, 0.4 * H), 0.45 * H, "#f6e7b4", 0.25, 0.3 * H)
    return downsample(img, size)


# --------------------------------------------------------------------------- product photos

def studio(size: int, wall: str, floor: str, horizon: float = 0.66) -> Image.Image:
    """A seamless studio backdrop: wall, a soft bend, floor."""
    img = linear((size, size), mix(wall, "#ffffff", 0.25), wall, 90)
    floor_img = linear((size, size), floor, mix(floor, "#000000", 0.08), 90)
    mask = shape_mask((size, size), lambda d: d.rectangle((0, horizon * size, size, size), fill=255), 0.03 * size)
    img.paste(floor_img, (0, 0), mask)
    glow(img, (0.3 * size, 0.22 * size), 0.3 * size, "#ffffff", 0.35, 0.2 * size)
    return img


def product_book(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"])
    shadow(img, (0.24 * S, 0.75 * S, 0.84 * S, 0.84 * S), 0.45, 0.03 * S)
    # Page block on the right, then the cover and spine.
    pages = shape_mask((S, S), lambda d: d.rounded_rectangle((0.36 * S, 0.19 * S, 0.72 * S, 0.79 * S),
                                                             radius=0.012 * S, fill=255))
    paint(img, pages, linear((S, S), "#fbf7ef", "#e6dccb", 0))
    for i in range(12):
        y = 0.22 * S + i * 0.046 * S
        paint(img, shape_mask((S, S), lambda d, y=y: d.line((0.70 * S, y, 0.715 * S, y + 0.01 * S), fill=255,
                                                             width=max(1, scale))), "#cbbfa9", 0.8)
    cover = shape_mask((S, S), lambda d: d.rounded_rectangle((0.28 * S, 0.17 * S, 0.70 * S, 0.78 * S),
                                                             radius=0.016 * S, fill=255))
    paint(img, cover, linear((S, S), colors["cover"], colors["cover_dark"], 60))
    spine = shape_mask((S, S), lambda d: d.rounded_rectangle((0.28 * S, 0.17 * S, 0.315 * S, 0.78 * S),
                                                             radius=0.012 * S, fill=255))
    paint(img, spine, colors["cover_dark"], 0.7)
    paint(img, shape_mask((S, S), lambda d: d.line((0.318 * S, 0.17 * S, 0.318 * S, 0.78 * S), fill=255,
                                                    width=scale * 2)), "#ffffff", 0.15)
    # Cover art: a sun over stripes, and title bars.
    cx, cy, r = 0.505 * S, 0.40 * S, 0.10 * S
    paint(img, shape_mask((S, S), lambda d: d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)),
          colors["art"])
    for i in range(4):
        y = 0.445 * S + i * 0.025 * S
        paint(img, shape_mask((S, S), lambda d, y=y: d.rectangle((0.385 * S, y, 0.625 * S, y + 0.011 * S),
                                                                  fill=255)), colors["cover"])
    for x1, y, w in ((0.60, 0.60, 0.013), (0.52, 0.64, 0.009)):
        paint(img, shape_mask((S, S), lambda d, x1=x1, y=y, w=w: d.rounded_rectangle(
            (0.385 * S, y * S, x1 * S, (y + w) * S), radius=w * S / 2, fill=255)), colors["art"], 0.9)
    # A glossy sheen across the cover.
    sheen = shape_mask((S, S), lambda d: d.polygon([(0.33 * S, 0.17 * S), (0.45 * S, 0.17 * S),
                                                    (0.34 * S, 0.78 * S), (0.32 * S, 0.78 * S)], fill=255),
                       0.02 * S)
    paint(img, ImageChops.multiply(sheen, cover), "#ffffff", 0.12)
    return downsample(img, (size, size))


def product_phone(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"], 0.7)
    layer = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x0, y0, x1, y1 = 0.35 * S, 0.12 * S, 0.65 * S, 0.80 * S
    d.rounded_rectangle((x0, y0, x1, y1), radius=0.05 * S, fill="#15151c")
    sx0, sy0, sx1, sy1 = x0 + 0.012 * S, y0 + 0.012 * S, x1 - 0.012 * S, y1 - 0.012 * S
    screen = linear((S, S), colors["screen"], mix(colors["screen"], "#ffffff", 0.6), 90).convert("RGBA")
    smask = shape_mask((S, S), lambda m: m.rounded_rectangle((sx0, sy0, sx1, sy1), radius=0.04 * S, fill=255))
    layer.paste(screen, (0, 0), smask)
    d = ImageDraw.Draw(layer)
    d.rounded_rectangle((0.47 * S, sy0 + 0.012 * S, 0.53 * S, sy0 + 0.028 * S), radius=0.01 * S, fill="#15151c")
    # App UI: a header, a week strip and cards.
    pad = 0.02 * S
    d.rounded_rectangle((sx0 + pad, sy0 + 0.06 * S, sx0 + 0.16 * S, sy0 + 0.075 * S), radius=0.007 * S,
                        fill=colors["ink"])
    for i in range(7):
        cx = sx0 + pad + 0.013 * S + i * 0.0345 * S
        fill = colors["accent"] if i == 3 else "#ffffff"
        d.ellipse((cx - 0.013 * S, sy0 + 0.10 * S, cx + 0.013 * S, sy0 + 0.126 * S), fill=fill)
    card_colors = colors["cards"]
    y = sy0 + 0.15 * S
    for i, height in enumerate((0.11, 0.07, 0.09, 0.07)):
        d.rounded_rectangle((sx0 + pad, y, sx1 - pad, y + height * S), radius=0.018 * S,
                            fill=card_colors[i % len(card_colors)])
        d.rounded_rectangle((sx0 + 2 * pad, y + 0.02 * S, sx0 + 0.15 * S, y + 0.032 * S), radius=0.006 * S,
                            fill="#ffffff")
        d.rounded_rectangle((sx0 + 2 * pad, y + 0.042 * S, sx0 + 0.11 * S, y + 0.05 * S), radius=0.004 * S,
                            fill=(255, 255, 255, 170))
        y += height * S + 0.015 * S
    layer = layer.rotate(-9, resample=Image.BICUBIC, center=(0.5 * S, 0.5 * S))
    shadow(img, (0.30 * S, 0.78 * S, 0.76 * S, 0.86 * S), 0.35, 0.035 * S)
    soft = layer.getchannel("A").filter(ImageFilter.GaussianBlur(0.03 * S))
    paint(img, ImageChops.offset(soft, round(0.03 * S), round(0.03 * S)), "#1a1428", 0.25)
    img.paste(layer, (0, 0), layer)
    return downsample(img, (size, size))


def _cylinder_shading(size: int, x0: float, x1: float, color: str) -> Image.Image:
    """A horizontal light falloff across a cylinder between x0 and x1."""
    small = Image.new("RGB", (9, 1))
    tones = [0.55, 0.2, -0.05, 0.25, 0.05, -0.15, -0.3, -0.45, -0.55]
    small.putdata([mix(color, "#ffffff", t) if t > 0 else mix(color, "#000000", -t) for t in tones])
    band = small.resize((max(1, round(x1 - x0)), size), Image.BICUBIC)
    out = solid((size, size), color)
    out.paste(band, (round(x0), 0))
    return out


def product_mug(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"], 0.64)
    x0, x1, top, bottom = 0.30 * S, 0.64 * S, 0.30 * S, 0.76 * S
    ry = 0.045 * S
    shadow(img, (0.24 * S, bottom - 0.03 * S, 0.86 * S, bottom + 0.05 * S), 0.45, 0.03 * S)
    body_fill = _cylinder_shading(S, x0, x1, colors["mug"])
    # Handle: a thick ring on the right, shaded like the body.
    handle = shape_mask((S, S), lambda d: d.ellipse((0.56 * S, 0.39 * S, 0.76 * S, 0.65 * S), fill=255))
    hole = shape_mask((S, S), lambda d: d.ellipse((0.605 * S, 0.44 * S, 0.715 * S, 0.60 * S), fill=255))
    paint(img, ImageChops.subtract(handle, hole), linear((S, S), mix(colors["mug"], "#000000", 0.25),
                                                         mix(colors["mug"], "#000000", 0.45), 0))
    body = shape_mask((S, S), lambda d: (d.rectangle((x0, top, x1, bottom), fill=255),
                                          d.ellipse((x0, bottom - ry, x1, bottom + ry), fill=255)))
    paint(img, body, body_fill)
    # Glaze band and the rim with coffee inside.
    band = shape_mask((S, S), lambda d: d.rectangle((x0, 0.56 * S, x1, 0.62 * S), fill=255))
    paint(img, ImageChops.multiply(band, body), _cylinder_shading(S, x0, x1, colors["band"]))
    rim = shape_mask((S, S), lambda d: d.ellipse((x0, top - ry, x1, top + ry), fill=255))
    paint(img, rim, mix(colors["mug"], "#ffffff", 0.35))
    inner = shape_mask((S, S), lambda d: d.ellipse((x0 + 0.012 * S, top - ry + 0.008 * S, x1 - 0.012 * S,
                                                    top + ry - 0.006 * S), fill=255))
    paint(img, inner, radial((S, S), "#6b4430", "#2e1a10", (x0, top - 2 * ry, x1, top + 2 * ry)))
    crema = shape_mask((S, S), lambda d: d.ellipse((0.41 * S, top - 0.014 * S, 0.49 * S, top + 0.008 * S),
                                                   fill=255), 0.004 * S)
    paint(img, crema, "#c89b72", 0.5)
    # Steam.
    for k, x in enumerate((0.43, 0.50)):
        pts = [(x * S + 0.02 * S * math.sin(t / 10 * 2 * math.pi + k), (0.24 - 0.012 * t) * S)
               for t in range(12)]
        paint(img, shape_mask((S, S), lambda d, pts=pts: d.line(pts, fill=255, width=round(0.012 * S),
                                                                 joint="curve"), 0.01 * S), "#ffffff", 0.5)
    return downsample(img, (size, size))


def product_print(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"], 0.78)
    # The frame leans against the wall: its shadow falls to the right.
    fx0, fy0, fx1, fy1 = 0.25 * S, 0.12 * S, 0.75 * S, 0.80 * S
    paint(img, shape_mask((S, S), lambda d: d.rectangle((fx0 + 0.03 * S, fy0 + 0.03 * S, fx1 + 0.04 * S,
                                                          fy1 + 0.01 * S), fill=255), 0.03 * S), "#1a1428", 0.3)
    paint(img, shape_mask((S, S), lambda d: d.rectangle((fx0, fy0, fx1, fy1), fill=255)),
          linear((S, S), colors["frame"], mix(colors["frame"], "#000000", 0.3), 45))
    m = 0.022 * S
    paint(img, shape_mask((S, S), lambda d: d.rectangle((fx0 + m, fy0 + m, fx1 - m, fy1 - m), fill=255)),
          "#fbf8f2")
    ax0, ay0, ax1, ay1 = fx0 + 0.07 * S, fy0 + 0.08 * S, fx1 - 0.07 * S, fy1 - 0.08 * S
    aw, ah = round(ax1 - ax0), round(ay1 - ay0)
    art = Image.new("RGB", (aw, ah), rgb("#f1e4d3"))
    ad = ImageDraw.Draw(art)
    for i, color in enumerate(colors["art"]):
        r = aw * (0.62 - 0.11 * i)
        ad.ellipse((aw * 0.5 - r, ah * 0.92 - r, aw * 0.5 + r, ah * 0.92 + r), fill=color)
    ad.ellipse((aw * 0.62, ah * 0.14, aw * 0.82, ah * 0.14 + aw * 0.2), fill=colors["art"][0])
    ad.rectangle((0, ah * 0.92, aw, ah), fill="#f1e4d3")
    img.paste(art, (round(ax0), round(ay0)))
    # Glass reflection.
    glass = shape_mask((S, S), lambda d: d.polygon([(fx0 + m, fy0 + m), (fx0 + 0.2 * S, fy0 + m),
                                                    (fx0 + m, fy0 + 0.35 * S)], fill=255), 0.02 * S)
    paint(img, glass, "#ffffff", 0.18)
    return downsample(img, (size, size))


def product_shapes(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"], 0.6)
    # Cube (isometric), sphere and cylinder, each with its contact shadow.
    shadow(img, (0.08 * S, 0.72 * S, 0.55 * S, 0.82 * S), 0.4, 0.03 * S)
    shadow(img, (0.48 * S, 0.76 * S, 0.92 * S, 0.86 * S), 0.4, 0.03 * S)
    shadow(img, (0.40 * S, 0.52 * S, 0.70 * S, 0.60 * S), 0.3, 0.025 * S)
    # Cylinder at the back.
    cx0, cx1, ctop, cbot, ry = 0.44 * S, 0.66 * S, 0.28 * S, 0.56 * S, 0.03 * S
    body = shape_mask((S, S), lambda d: (d.rectangle((cx0, ctop, cx1, cbot), fill=255),
                                          d.ellipse((cx0, cbot - ry, cx1, cbot + ry), fill=255)))
    paint(img, body, _cylinder_shading(S, cx0, cx1, colors["cylinder"]))
    paint(img, shape_mask((S, S), lambda d: d.ellipse((cx0, ctop - ry, cx1, ctop + ry), fill=255)),
          mix(colors["cylinder"], "#ffffff", 0.35))
    # Cube on the left.
    c, s, h = (0.30 * S, 0.56 * S), 0.16 * S, 0.18 * S
    top = [(c[0], c[1] - 0.5 * s), (c[0] + s, c[1]), (c[0], c[1] + 0.5 * s), (c[0] - s, c[1])]
    left = [top[3], top[2], (top[2][0], top[2][1] + h), (top[3][0], top[3][1] + h)]
    right = [top[2], top[1], (top[1][0], top[1][1] + h), (top[2][0], top[2][1] + h)]
    for face, tone in ((left, -0.05), (right, -0.3), (top, 0.3)):
        color = mix(colors["cube"], "#ffffff", tone) if tone > 0 else mix(colors["cube"], "#000000", -tone)
        paint(img, shape_mask((S, S), lambda d, face=face: d.polygon(face, fill=255)), color)
    # Sphere in front.
    r, center = 0.15 * S, (0.70 * S, 0.66 * S)
    sphere = shape_mask((S, S), lambda d: d.ellipse((center[0] - r, center[1] - r, center[0] + r,
                                                      center[1] + r), fill=255))
    shade = radial((S, S), mix(colors["sphere"], "#ffffff", 0.55), mix(colors["sphere"], "#000000", 0.45),
                   (center[0] - 1.6 * r, center[1] - 1.6 * r, center[0] + 1.2 * r, center[1] + 1.2 * r))
    paint(img, sphere, shade)
    return downsample(img, (size, size))


def product_tote(colors: dict, size: int = 800, scale: int = 2) -> Image.Image:
    S = size * scale
    img = studio(S, colors["wall"], colors["floor"], 0.74)
    shadow(img, (0.22 * S, 0.80 * S, 0.80 * S, 0.88 * S), 0.4, 0.03 * S)
    # Handles behind the bag.
    for x in (0.37, 0.53):
        handle = shape_mask((S, S), lambda d, x=x: d.arc((x * S, 0.12 * S, (x + 0.12) * S, 0.52 * S), 180, 360,
                                                          fill=255, width=round(0.022 * S)))
        paint(img, handle, mix(colors["bag"], "#000000", 0.22))
    bag = shape_mask((S, S), lambda d: d.polygon([(0.27 * S, 0.32 * S), (0.73 * S, 0.32 * S),
                                                  (0.76 * S, 0.84 * S), (0.24 * S, 0.84 * S)], fill=255))
    paint(img, bag, linear((S, S), mix(colors["bag"], "#ffffff", 0.2), mix(colors["bag"], "#000000", 0.1), 20))
    # Stitched hem and a printed mark.
    paint(img, shape_mask((S, S), lambda d: d.line((0.272 * S, 0.36 * S, 0.728 * S, 0.36 * S), fill=255,
                                                    width=round(0.004 * S))), mix(colors["bag"], "#000000", 0.2))
    cx, cy, r = 0.5 * S, 0.56 * S, 0.11 * S
    paint(img, shape_mask((S, S), lambda d: d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)),
          colors["print"])
    paint(img, shape_mask((S, S), lambda d: d.rectangle((cx - r, cy, cx + r, cy + r), fill=255)),
          colors["print2"], 0.9)
    for i in range(3):
        y = 0.70 * S + i * 0.025 * S
        paint(img, shape_mask((S, S), lambda d, y=y, i=i: d.rounded_rectangle(
            (0.42 * S, y, (0.58 - 0.03 * i) * S, y + 0.009 * S), radius=0.004 * S, fill=255)), colors["print2"])
    return downsample(img, (size, size))


# --------------------------------------------------------------------------- tool logos

def _tile(S: int, start: str, end: str, angle: float = 60) -> Image.Image:
    logo = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    mask = shape_mask((S, S), lambda d: d.rounded_rectangle((0.06 * S, 0.06 * S, 0.94 * S, 0.94 * S),
                                                            radius=0.22 * S, fill=255))
    logo.paste(linear((S, S), start, end, angle).convert("RGBA"), (0, 0), mask)
    return logo


def _glyph(logo: Image.Image, draw_fn, color="#ffffff", opacity: float = 1.0) -> None:
    mask = shape_mask(logo.size, draw_fn)
    if opacity < 1:
        mask = mask.point(lambda v: round(v * opacity))
    layer = Image.new("RGBA", logo.size, rgb(color) + (255,))
    layer.putalpha(mask)
    logo.alpha_composite(layer)


def logo_lumen(S: int) -> Image.Image:
    logo = _tile(S, "#ffb347", "#ff5f8f", 60)
    cx, cy = 0.5 * S, 0.5 * S
    star = []
    for i in range(360):
        t = math.radians(i)
        star.append((cx + 0.30 * S * math.cos(t) ** 3, cy + 0.30 * S * math.sin(t) ** 3))
    _glyph(logo, lambda d: d.polygon(star, fill=255))
    _glyph(logo, lambda d: d.ellipse((0.68 * S, 0.20 * S, 0.78 * S, 0.30 * S), fill=255), opacity=0.8)
    return logo


def logo_draftwise(S: int) -> Image.Image:
    logo = _tile(S, "#3b82f6", "#1e3a8a", 70)
    for i, length in enumerate((0.50, 0.40, 0.28)):
        y = 0.32 * S + i * 0.14 * S
        _glyph(logo, lambda d, y=y, length=length: d.rounded_rectangle(
            (0.24 * S, y, (0.24 + length) * S, y + 0.075 * S), radius=0.0375 * S, fill=255),
               opacity=1.0 - 0.2 * i)
    _glyph(logo, lambda d: d.ellipse((0.60 * S, 0.58 * S, 0.74 * S, 0.72 * S), fill=255), "#93c5fd")
    return logo


def logo_framekit(S: int) -> Image.Image:
    logo = _tile(S, "#334155", "#0f172a", 80)
    w = round(0.06 * S)
    _glyph(logo, lambda d: d.rounded_rectangle((0.22 * S, 0.22 * S, 0.62 * S, 0.62 * S), radius=0.08 * S,
                                               outline=255, width=w), "#a5b4fc")
    _glyph(logo, lambda d: d.rounded_rectangle((0.38 * S, 0.38 * S, 0.78 * S, 0.78 * S), radius=0.08 * S,
                                               outline=255, width=w))
    return logo


def logo_palette(S: int) -> Image.Image:
    logo = _tile(S, "#f472b6", "#fb923c", 45)
    r = 0.17 * S
    for (x, y), color in (((0.5, 0.37), "#ffffff"), ((0.39, 0.58), "#fde68a"), ((0.61, 0.58), "#fbcfe8")):
        _glyph(logo, lambda d, x=x, y=y: d.ellipse((x * S - r, y * S - r, x * S + r, y * S + r), fill=255),
               color, 0.75)
    return logo


def logo_echo(S: int) -> Image.Image:
    logo = _tile(S, "#14b8a6", "#0e7490", 60)
    heights = (0.16, 0.34, 0.50, 0.28, 0.42, 0.20)
    for i, h in enumerate(heights):
        x = 0.24 * S + i * 0.1 * S
        _glyph(logo, lambda d, x=x, h=h: d.rounded_rectangle((x, (0.5 - h / 2) * S, x + 0.055 * S,
                                                              (0.5 + h / 2) * S), radius=0.0275 * S, fill=255))
    return logo


def logo_orbit(S: int) -> Image.Image:
    """No tile: a planet with a ring, on transparency."""
    logo = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    ring_back = shape_mask((S, S), lambda d: d.ellipse((0.06 * S, 0.36 * S, 0.94 * S, 0.64 * S), outline=255,
                                                        width=round(0.045 * S)))
    planet = shape_mask((S, S), lambda d: d.ellipse((0.24 * S, 0.24 * S, 0.76 * S, 0.76 * S), fill=255))
    front_half = shape_mask((S, S), lambda d: d.rectangle((0, 0.5 * S, S, S), fill=255))
    layer = Image.new("RGBA", (S, S), rgb("#a78bfa") + (255,))
    layer.putalpha(ring_back)
    logo.alpha_composite(layer)
    body = radial((S, S), "#c4b5fd", "#4c1d95", (0.12 * S, 0.12 * S, 0.82 * S, 0.82 * S)).convert("RGBA")
    body.putalpha(planet)
    logo.alpha_composite(body)
    front = Image.new("RGBA", (S, S), rgb("#ede9fe") + (255,))
    front.putalpha(ImageChops.multiply(ring_back, front_half))
    logo.alpha_composite(front)
    _glyph(logo, lambda d: d.ellipse((0.80 * S, 0.14 * S, 0.90 * S, 0.24 * S), fill=255), "#f9a8d4")
    return logo


def logo_glyph(S: int) -> Image.Image:
    logo = _tile(S, "#18181b", "#3f3f46", 90)
    tri = [(0.5 * S, 0.22 * S), (0.78 * S, 0.74 * S), (0.22 * S, 0.74 * S)]
    mask = shape_mask((S, S), lambda d: d.polygon(tri, fill=255))
    layer = linear((S, S), "#fde047", "#f97316", 60).convert("RGBA")
    layer.putalpha(mask)
    logo.alpha_composite(layer)
    _glyph(logo, lambda d: d.polygon([(0.5 * S, 0.46 * S), (0.6 * S, 0.66 * S), (0.4 * S, 0.66 * S)], fill=255),
           "#18181b")
    return logo


def logo_northstar(S: int) -> Image.Image:
    """No tile: a round badge with rising bars and a star."""
    logo = Image.new("RGBA", (S, S), (0, 0, 0, 0))
    disc = shape_mask((S, S), lambda d: d.ellipse((0.04 * S, 0.04 * S, 0.96 * S, 0.96 * S), fill=255))
    layer = linear((S, S), "#10b981", "#065f46", 70).convert("RGBA")
    layer.putalpha(disc)
    logo.alpha_composite(layer)
    for i, h in enumerate((0.16, 0.26, 0.38)):
        x = 0.27 * S + i * 0.13 * S
        _glyph(logo, lambda d, x=x, h=h: d.rounded_rectangle((x, (0.72 - h) * S, x + 0.09 * S, 0.72 * S),
                                                              radius=0.02 * S, fill=255), opacity=0.7 + 0.15 * i)
    cx, cy, r = 0.70 * S, 0.26 * S, 0.09 * S
    star = [(cx + r * math.cos(t) ** 3, cy + r * math.sin(t) ** 3)
            for t in (math.radians(i) for i in range(360))]
    _glyph(logo, lambda d: d.polygon(star, fill=255), "#fef3c7")
    return logo


def logo(draw_fn, size: int = 256, scale: int = 4) -> Image.Image:
    return draw_fn(size * scale).resize((size, size), Image.LANCZOS)


# --------------------------------------------------------------------------- the catalogue

ANA_PRODUCTS = {
    "brand-playbook": lambda: product_book(dict(wall="#e9e4f7", floor="#d6cfee", cover="#5b45f5",
                                                cover_dark="#2f2391", art="#ffb199")),
    "content-planner": lambda: product_phone(dict(wall="#fde7dc", floor="#f4cfbf", screen="#f6f1ff",
                                                  ink="#2d2553", accent="#5b45f5",
                                                  cards=["#8b7bf7", "#f39ab6", "#67c7b5", "#f5b971"])),
    "studio-mug": lambda: product_mug(dict(wall="#dfeee8", floor="#c4ddd2", mug="#f4efe6", band="#5b45f5")),
    "soft-geometry-print": lambda: product_print(dict(wall="#efe6dc", floor="#cdb9a3", frame="#2b2b2f",
                                                      art=["#c8553d", "#f28f3b", "#588b8b", "#2d3047"])),
    "shape-pack": lambda: product_shapes(dict(wall="#e3e7f6", floor="#cdd3ec", cube="#f4a261",
                                              sphere="#7c6cf6", cylinder="#e9c46a")),
    "canvas-tote": lambda: product_tote(dict(wall="#f3ead7", floor="#e0d2b4", bag="#ece2cf", print="#5b45f5",
                                             print2="#ff9a8b")),
}

LINH_PRODUCTS = {
    "planner-2027": lambda: product_book(dict(wall="#fdeee4", floor="#f3d6c3", cover="#e76f51",
                                              cover_dark="#9c3d26", art="#ffe8a3")),
    "design-course": lambda: product_phone(dict(wall="#e2f1ee", floor="#c6e2dc", screen="#f3fbf9",
                                                ink="#134e4a", accent="#e76f51",
                                                cards=["#2a9d8f", "#e9c46a", "#f4a261", "#264653"])),
    "ca-phe-phin": lambda: product_mug(dict(wall="#f6ece0", floor="#e6d3bd", mug="#3a5a40", band="#dad7cd")),
}

TOOLS = {
    "lumen": logo_lumen, "draftwise": logo_draftwise, "framekit": logo_framekit, "palette-muse": logo_palette,
    "echo": logo_echo, "orbit": logo_orbit, "glyph-studio": logo_glyph, "northstar": logo_northstar,
}


def catalogue():
    """(relative path under content/images, kind, maker) for every image."""
    items = [
        ("ana/avatar.jpg", "avatar", lambda: avatar(AVATARS["ana"])),
        ("ana/cover.jpg", "cover", cover_ana),
        ("ana/links/studio-arcs.jpg", "link", link_arcs),
        ("ana/links/aurora.jpg", "link", link_aurora),
        ("ana/links/dot-wave.jpg", "link", link_dots),
        ("rtl/avatar.jpg", "avatar", lambda: avatar(AVATARS["rtl"])),
    ]
    items += [(f"ana/products/{name}.jpg", "product", make) for name, make in ANA_PRODUCTS.items()]
    items += [(f"ana/tools/{name}.png", "logo", lambda fn=fn: logo(fn)) for name, fn in TOOLS.items()]
    items += [(f"linh/products/{name}.jpg", "product", make) for name, make in LINH_PRODUCTS.items()]
    return items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")
    args = parser.parse_args(argv)
    total, stale, over = 0, [], []
    for relative, kind, make in catalogue():
        image = make()
        data = png_bytes(image) if relative.endswith(".png") else jpeg_bytes(image)
        path = IMAGES / relative
        total += len(data)
        if len(data) > BUDGET[kind]:
            over.append(f"{relative}: {len(data):,} bytes > {BUDGET[kind]:,} ({kind})")
        same = path.is_file() and path.read_bytes() == data
        if not same:
            stale.append(relative)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        print(f"{'ok   ' if same else 'stale' if args.check else 'wrote'}  {len(data):>7,}  {relative}"
              f"  {image.width}x{image.height}")
    print(f"total {total:,} bytes")
    if total > TOTAL_BUDGET:
        over.append(f"total {total:,} bytes > {TOTAL_BUDGET:,}")
    for problem in over:
        print(f"over budget: {problem}", file=sys.stderr)
    if over or (args.check and stale):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
