"""The Worker's BioData document, byte for byte.

The current site's Worker answers `GET /api/config` with `Response.json(doc)`:
JSON.stringify with no spaces, keys in insertion order, non-ASCII as is, and only
`"`, `\\` and control characters escaped. `json.dumps(..., ensure_ascii=False,
separators=(",", ":"))` writes exactly that (both use \\b \\f \\n \\r \\t and
lowercase \\u00xx), so the static file and the Worker's answer are the same bytes.
"""

from __future__ import annotations

import json

from generator.model import Profile


def _text(value: object) -> str:
    """A column as the Worker returns it: NULL as "", a number as its string."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # JavaScript's String(29.0) is "29"
    return str(value)


def to_biodata(profile: Profile) -> dict:
    """The BioData document of `profile`, keys in the Worker's order."""
    return {
        "profile": {
            "name": _text(profile.display_name),
            "tagline": _text(profile.tagline),
            "avatar": _text(profile.avatar_url),
            "coverImage": _text(profile.cover_url),
            "socialLinks": [
                {"name": _text(s.platform), "url": _text(s.url), "icon": _text(s.icon)}
                for s in profile.social_links
            ],
        },
        "links": [
            {"id": i, "name": _text(b.name), "url": _text(b.url), "description": _text(b.description),
             "backgroundImage": _text(b.background_image)}
            for i, b in enumerate(profile.bio_links, 1)
        ],
        "products": [
            {"id": i, "name": _text(p.name), "image": _text(p.image_url), "price": _text(p.price), "url": _text(p.url)}
            for i, p in enumerate(profile.products, 1)
        ],
        "aiTools": [
            {"id": i, "name": _text(c.name), "logo": _text(c.logo_url), "url": _text(c.url)}
            for i, c in enumerate(profile.carousel_items, 1)
        ],
    }


def dumps(document: object) -> str:
    """`document` serialized as JavaScript's JSON.stringify does."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def biodata_json(profile: Profile) -> str:
    """The Worker's answer for `profile`, as text."""
    return dumps(to_biodata(profile))
