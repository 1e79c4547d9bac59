"""SVG logos: passed through unchanged once they hold nothing active or external, and
fitted into their role's box. Pure; never rasterised."""

from __future__ import annotations

import re

from generator.images.codec import ImageError
from generator.images.sizes import Role


_SVG_NS = "{http://www.w3.org/2000/svg}"
_FORBIDDEN_ELEMENTS = {"script", "foreignobject", "image", "iframe", "embed", "object", "handler", "listener"}
_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def sanitize_svg(data: bytes, source: str) -> bytes:
    """The SVG unchanged if it holds nothing active or external; otherwise ImageError."""
    import xml.etree.ElementTree as ET  # here and below: a build without SVGs never needs it
    def refuse(what: str) -> ImageError:
        return ImageError(f"{source}: the SVG holds {what}, which a page must not load; "
                          "export the logo again as plain SVG (or as PNG)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImageError(f"{source}: the SVG is not UTF-8 text; save it again as UTF-8") from None
    declared = re.match(r"\s*<\?xml[^>]*encoding=['\"]([^'\"]+)", text)
    if declared and declared.group(1).lower() not in ("utf-8", "us-ascii", "ascii"):
        raise ImageError(f"{source}: the SVG declares encoding {declared.group(1)}; save it as UTF-8")
    if re.search(r"<!\s*(doctype|entity)", text, re.IGNORECASE):
        raise refuse("a DOCTYPE or ENTITY declaration")
    if re.search(r"<\?xml-stylesheet", text, re.IGNORECASE):
        raise refuse("an external stylesheet (<?xml-stylesheet?>)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        raise ImageError(f"{source}: the SVG is not well-formed XML ({error}); export it again") from None
    if _local(root.tag) != "svg":
        raise ImageError(f"{source}: the file is XML but not SVG (root element <{_local(root.tag)}>)")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS:
            raise refuse(f"a <{name}> element")
        if name == "style" and element.text:
            _check_css(element.text, refuse)
        for attribute, value in element.attrib.items():
            attr = _local(attribute)
            if attr.startswith("on"):
                raise refuse(f"an event handler ({attr}=)")
            if attr == "href" and not value.strip().startswith("#"):
                raise refuse(f"an external reference (<{name} href=\"{value[:60]}\">)")
            if name in ("set", "animate") and attr == "attributename" and (
                    _local(value) in ("href",) or value.lower().startswith("on")):
                raise refuse(f"an animation of {value}")
            _check_css(value, refuse)
    return data


def _check_css(text: str, refuse) -> None:
    if "@import" in text.lower():
        raise refuse("a CSS @import")
    for target in _URL.findall(text):
        if not target.startswith("#"):
            raise refuse(f"an external reference (url({target[:60]}))")


def _svg_size(data: bytes, role: Role) -> tuple[int, int]:
    """The SVG's intrinsic size fitted into the role's box (from width/height or viewBox)."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(data.decode("utf-8-sig"))
    width = height = None
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            width, height = float(box[2]), float(box[3])
        except ValueError:
            pass
    if not (width and height):
        try:
            width = float(re.match(r"[\d.]+", root.get("width", ""))[0])
            height = float(re.match(r"[\d.]+", root.get("height", ""))[0])
        except (TypeError, ValueError):
            width = height = None
    box_height = role.box_height or role.box_width
    if not (width and height and width > 0 and height > 0):
        return role.box_width, box_height
    scale = min(role.box_width / width, box_height / height)
    return max(1, round(width * scale)), max(1, round(height * scale))
