"""Image sizes: where each image sits on the page (its role) and the widths, crops and
fallback it gets there. Pure arithmetic, no Pillow."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """Where an image sits: its layout box in CSS px at 1x, its crop, and the sizes to make."""

    name: str
    box_width: int
    box_height: int | None
    crop: str                     # "square" | "fill" (cover-crop to the box's aspect) | "fit" (keep aspect)
    max_width: int | None = None  # widest file to make, when 3x of the box would be wasted
    og_width: int | None = None   # width of the og:image JPEG (also the <img src> fallback), or None

    @property
    def aspect(self) -> float | None:
        """Width over height of the crop, or None when the source's own aspect is kept."""
        if self.crop == "square":
            return 1.0
        if self.crop == "fill" and self.box_height:
            return self.box_width / self.box_height
        return None


# Boxes from assets/style.css. Avatar: a 120 px circle. Cover: the 680 px column,
# 220 px tall on desktop (168 on phones, same crop with object-fit); 3x (2040) is
# capped at 1360, which a 390 px phone at 3x (1170) still gets sharp. Product: a
# square of a 2-3 column grid, ~150-190 px wide, so 200 at 1x. Logo: 48x48 contain.
# Link background: the ~640 px card, 160 px tall, behind a dark gradient and text,
# so 2x is enough.
ROLES: dict[str, Role] = {
    "avatar": Role("avatar", 120, 120, "square", og_width=600),
    "cover": Role("cover", 680, 220, "fill", max_width=1360, og_width=1200),
    "product": Role("product", 200, 200, "square"),
    "logo": Role("logo", 48, 48, "fit"),
    "background": Role("background", 640, 160, "fill", max_width=1280),
    # An image in a detail page's Markdown body: the ~640 px column, its own aspect kept.
    "body": Role("body", 640, None, "fit", max_width=1280),
}
DENSITIES = (1, 2, 3)


def crop_box(source_width: int, source_height: int, aspect: float) -> tuple[int, int, int, int]:
    """The largest centred box of `aspect` (width/height) inside the source: (left, top, right, bottom)."""
    if source_width / source_height > aspect:
        width = max(1, min(source_width, round(source_height * aspect)))
        left = (source_width - width) // 2
        return left, 0, left + width, source_height
    height = max(1, min(source_height, round(source_width / aspect)))
    top = (source_height - height) // 2
    return 0, top, source_width, top + height


def _cropped_size(role: Role, source_width: int, source_height: int) -> tuple[int, int]:
    """The size of the part of the source that the role shows."""
    if role.aspect is None:
        return source_width, source_height
    left, top, right, bottom = crop_box(source_width, source_height, role.aspect)
    return right - left, bottom - top


def _base_width(role: Role, source_width: int, source_height: int) -> int:
    """The 1x width: the box, or for "fit" the width at which the image fits inside the box."""
    if role.crop == "fit" and role.box_height:
        return max(1, min(role.box_width, round(role.box_height * source_width / source_height)))
    return role.box_width


def variant_widths(role: Role, source_width: int, source_height: int,
                   allowed: tuple[int, ...] | None = None) -> list[int]:
    """Widths to make: 1x/2x/3x of the box (or `allowed`), capped, never wider than the source."""
    widest, _ = _cropped_size(role, source_width, source_height)
    if allowed:
        wanted = list(allowed)
    else:
        base = _base_width(role, source_width, source_height)
        wanted = [base * density for density in DENSITIES]
        if role.max_width:
            wanted = [w for w in wanted if w <= role.max_width] or [min(base, role.max_width)]
    return sorted({max(1, min(w, widest)) for w in wanted})


def output_size(role: Role, source_width: int, source_height: int, width: int) -> tuple[int, int]:
    """The (width, height) of a rendition `width` px wide, in the role's crop."""
    crop_width, crop_height = _cropped_size(role, source_width, source_height)
    width = max(1, min(width, crop_width))
    return width, max(1, round(width * crop_height / crop_width))


def fallback_width(role: Role, widths: list[int], source_width: int, source_height: int) -> int:
    """Width of the <img src> file: the og:image width for og roles, else the 2x width."""
    if role.og_width:
        return output_size(role, source_width, source_height, role.og_width)[0]
    return widths[min(1, len(widths) - 1)]
