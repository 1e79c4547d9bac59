"""One image set, rendered in a worker process: which files a source of a given size
gets (its manifest), and encoding those the cache lacks from one decode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.images.cache import MEDIA_DIR, file_name
from generator.images.codec import EXTENSIONS, ImageError, decode, encode
from generator.images.fetch import sniff_image_type, write_atomic
from generator.images.palette import placeholder_class
from generator.images.sizes import (Role, _base_width, _cropped_size, crop_box, fallback_width, output_size,
                                    variant_widths)
from generator.images.svg import _svg_size, sanitize_svg


@dataclass(frozen=True)
class _Task:
    """One (source, role) to render in a worker: plain data, cheap to pickle."""

    path: str
    source: str          # the reference as the database holds it, for messages
    digest: str
    role: Role
    formats: tuple[str, ...]
    allowed: tuple[int, ...] | None
    images_dir: str
    version: str


def _plan(task: _Task, width: int, height: int, has_alpha: bool) -> dict:
    """Which files a source of (width, height) gets: the manifest, without encoding anything."""
    role = task.role
    widths = variant_widths(role, width, height, task.allowed)
    planned = []
    for format in task.formats:
        for w in widths:
            planned.append((format, *output_size(role, width, height, w)))
    fallback_format = "png" if has_alpha else "jpeg"
    fw = fallback_width(role, widths, width, height)
    fallback = (fallback_format, *output_size(role, width, height, fw))
    og = None
    if role.og_width:
        og = fallback if not has_alpha else ("jpeg", *fallback[1:])
    ordered = list(dict.fromkeys(planned + [fallback] + ([og] if og else [])))

    def variant(format, w, h):
        name = file_name(task.digest, role, w, h, format, task.version)
        return [f"{MEDIA_DIR}/{name}.{EXTENSIONS[format]}", w, h, format]
    base = output_size(role, width, height, _base_width(role, width, height))
    return {
        "width": base[0], "height": base[1],
        "variants": [variant(*entry) for entry in ordered],
        "fallback": variant(*fallback),
        "og": variant(*og) if og else None,
    }


def _render(task: _Task) -> tuple[dict, int]:
    """Decode once, encode every missing file of the set; returns (manifest, files encoded). Runs in a worker."""
    data = Path(task.path).read_bytes()
    if sniff_image_type(data[:64]) == "svg":
        return _render_svg(task, data), 0
    role = task.role
    image = decode(data, task.source, _reducible(task))
    if role.aspect is not None:
        box = crop_box(image.width, image.height, role.aspect)
    else:
        box = (0, 0, image.width, image.height)
    has_alpha = image.mode == "RGBA"
    manifest = _plan(task, image.width, image.height, has_alpha)
    encoded = 0
    images_dir = Path(task.images_dir)
    for path, w, h, format in {tuple(v) for v in manifest["variants"]}:
        target = images_dir / Path(path).name
        if target.exists():
            continue
        from PIL import Image
        resized = image.resize((w, h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        write_atomic(target, encode(resized, format))
        encoded += 1
    _add_sizes(manifest, images_dir)
    cropped = image.crop(box) if box != (0, 0, image.width, image.height) else image
    manifest["placeholder"] = placeholder_class(cropped)
    return manifest, encoded


def _add_sizes(manifest: dict, images_dir: Path) -> None:
    """Each file's size in bytes, appended to its manifest entry."""
    sizes = {}
    for key in ("variants", "fallback", "og"):
        entries = manifest[key] if key == "variants" else [manifest[key]] if manifest[key] else []
        for entry in entries:
            path = entry[0]
            if path not in sizes:
                sizes[path] = (images_dir / Path(path).name).stat().st_size
            entry.append(sizes[path])


def _reducible(task: _Task):
    """The scale a (width, height) source may be shrunk to and still give every planned file."""
    def scale(width: int, height: int) -> float:
        widths = variant_widths(task.role, width, height, task.allowed)
        widest = max(widths + [fallback_width(task.role, widths, width, height)])
        return widest / _cropped_size(task.role, width, height)[0]
    return scale


def _render_svg(task: _Task, data: bytes) -> dict:
    clean = sanitize_svg(data, task.source)
    name = file_name(clean)
    target = Path(task.images_dir) / f"{name}.svg"
    if not target.exists():
        write_atomic(target, clean)
    width, height = _svg_size(clean, task.role)
    variant = [f"{MEDIA_DIR}/{name}.svg", width, height, "svg", len(clean)]
    return {"width": width, "height": height, "variants": [variant], "fallback": variant,
            "og": None, "placeholder": ""}


def _run_task(task: _Task) -> tuple[dict | None, int, str | None]:
    """_render for a pool: errors come back as messages, never as a crashed worker."""
    try:
        manifest, encoded = _render(task)
        return manifest, encoded, None
    except ImageError as error:
        return None, 0, str(error)
