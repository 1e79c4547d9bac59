"""The Worker's BioData document, byte for byte.

The current site's Worker answers `GET /api/config` with `Response.json(doc)`:
JSON.stringify with no spaces, keys in insertion order, non-ASCII as is, and only
`"`, `\\` and control characters escaped. `json.dumps(..., ensure_ascii=False,
separators=(",", ":"))` writes exactly that (both use \\b \\f \\n \\r \\t and
lowercase \\u00xx), so the static file and the Worker's answer are the same bytes.

A profile's settings (profile_settings) follow the four lists as `settings` and `seo`,
holding only the values that are set (generator.data.profile_settings); a profile
without settings, or whose settings are all NULL, has neither key and keeps the bytes
the current Worker answers for it.

A link's or a product's details (item_details) add keys to its entry, only those set
(generator.data.item_details.document_parts). Given `now` (a build's time), the lists hold
only the items live then, numbered 1, 2, ... as shown; without it (export), every item.
A profile without details keeps the current Worker's bytes either way.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from generator.data.item_details import document_parts, is_live
from generator.data.model import Profile, ProfileSettings
from generator.data.profile_settings import SETTINGS


def _text(value: object) -> str:
    """A column as the Worker returns it: NULL as "", a number as JavaScript's String()."""
    if value is None:
        return ""
    if isinstance(value, float):
        return js_number(value)
    return str(value)


def js_number(x: float) -> str:
    """`x` as JavaScript's Number.prototype.toString() writes it (29.0 -> "29", 1e21 -> "1e+21")."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr() gives the shortest digits that round-trip, as JavaScript does;
    # the layout rules are ECMA-262's Number::toString.
    parts = Decimal(repr(abs(x))).as_tuple()
    point = len(parts.digits) + parts.exponent
    digits = "".join(map(str, parts.digits)).rstrip("0")
    count = len(digits)
    if count <= point <= 21:
        return sign + digits + "0" * (point - count)
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    exponent = point - 1
    mantissa = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def to_biodata(profile: Profile, now: str | None = None) -> dict:
    """The BioData document of `profile`, keys in the Worker's order (items live at `now`, if given)."""
    details = profile.details()
    links = [b for b in profile.bio_links if is_live(details.get(b.id), now)]
    products = [p for p in profile.products if is_live(details.get(p.id), now)]
    document = {
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
             "backgroundImage": _text(b.background_image), **dict(document_parts(details.get(b.id), "bio_links"))}
            for i, b in enumerate(links, 1)
        ],
        "products": [
            {"id": i, "name": _text(p.name), "image": _text(p.image_url), "price": _text(p.price), "url": _text(p.url),
             **dict(document_parts(details.get(p.id), "products"))}
            for i, p in enumerate(products, 1)
        ],
        "aiTools": [
            {"id": i, "name": _text(c.name), "logo": _text(c.logo_url), "url": _text(c.url)}
            for i, c in enumerate(profile.carousel_items, 1)
        ],
    }
    document.update(settings_parts(profile.settings))
    return document


def settings_parts(row: ProfileSettings | None) -> list[tuple[str, dict]]:
    """The `settings` and `seo` keys of a document with only the set values, each left out
    when it holds none: [] for no row or a row of NULLs. A switch (0 or 1) is false or true."""
    if row is None:
        return []
    settings: dict = {}
    seo: dict = {}
    for setting, value in zip(SETTINGS, row[1:]):
        if value is None:
            continue
        # `!= 0` is the Worker's `!== 0`: the same answer for any value a column can hold.
        value = value != 0 if setting.kind == "switch" else _text(value)
        path = setting.path
        if path[0] == "settings":
            settings[path[1]] = value
        elif len(path) == 3:
            seo.setdefault(path[1], {})[path[2]] = value
        else:
            seo[path[1]] = value
    return [(key, part) for key, part in (("settings", settings), ("seo", seo)) if part]


# One encoder for every call: json.dumps() with non-default options builds a new
# JSONEncoder each time (~5 us, a tenth of this step's cost per profile).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(document: object) -> str:
    """`document` serialized as JavaScript's JSON.stringify does."""
    return _ENCODER.encode(document)


_quote = json.encoder.encode_basestring  # the C encoder json.dumps itself uses


def _q(value: object) -> str:
    return _quote(value if value.__class__ is str else _text(value))


def biodata_json(profile: Profile, now: str | None = None) -> str:
    """The Worker's answer for `profile`, as text: exactly dumps(to_biodata(profile, now)).

    Written out field by field, which takes ~20 us a profile against ~46 us for
    building the dicts and encoding them; a test holds the two byte-identical. The rare
    settings are encoded as to_biodata builds them, a few us for a profile that has them;
    so is a profile with item details.
    """
    if profile.item_details:
        return dumps(to_biodata(profile, now))
    social = ",".join(f'{{"name":{_q(s.platform)},"url":{_q(s.url)},"icon":{_q(s.icon)}}}'
                      for s in profile.social_links)
    links = ",".join(f'{{"id":{i},"name":{_q(b.name)},"url":{_q(b.url)},"description":{_q(b.description)},'
                     f'"backgroundImage":{_q(b.background_image)}}}' for i, b in enumerate(profile.bio_links, 1))
    products = ",".join(f'{{"id":{i},"name":{_q(p.name)},"image":{_q(p.image_url)},"price":{_q(p.price)},'
                        f'"url":{_q(p.url)}}}' for i, p in enumerate(profile.products, 1))
    tools = ",".join(f'{{"id":{i},"name":{_q(c.name)},"logo":{_q(c.logo_url)},"url":{_q(c.url)}}}'
                     for i, c in enumerate(profile.carousel_items, 1))
    settings = ""
    if profile.profile_settings:
        settings = "".join(f",{_quote(key)}:{dumps(part)}" for key, part in settings_parts(profile.settings))
    return (f'{{"profile":{{"name":{_q(profile.display_name)},"tagline":{_q(profile.tagline)},'
            f'"avatar":{_q(profile.avatar_url)},"coverImage":{_q(profile.cover_url)},"socialLinks":[{social}]}},'
            f'"links":[{links}],"products":[{products}],"aiTools":[{tools}]{settings}}}')
