#!/usr/bin/env python3
"""Regenerate ``generator/build/icons.json`` from pinned, well-kept icon sets.

Nothing in icons.json is drawn by hand: every glyph is copied from

* ``simple-icons`` (brand marks, CC0-1.0), and
* ``lucide-static`` (generic icons, ISC),

both installed from the npm registry at the exact versions pinned below into a
temporary folder (``npm install --no-save --prefix TMP ...``), so the project
itself never depends on npm.

Only the icons listed in this file are kept.  Every glyph is parsed and
re-serialised from an allow-list: only ``path``, ``circle``, ``rect``,
``line``, ``polyline``, ``polygon`` and ``ellipse`` elements with plain
geometry attributes are accepted, anything else (scripts, styles, links,
event handlers, groups, text...) makes the script stop with an error.

Usage (run from the repository root)::

    python tools/update_icons.py            # install packages, rewrite icons.json
    python tools/update_icons.py --check    # exit 1 if icons.json is out of date
    python tools/update_icons.py --node-modules DIR   # reuse an existing install

To update a set, change the pinned version below, run the script, review the
diff of icons.json, and update generator/build/ICONS-LICENSES.md to match.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import quoteattr

SIMPLE_ICONS = "simple-icons"
SIMPLE_ICONS_VERSION = "16.37.0"
SIMPLE_ICONS_LICENSE = "CC0-1.0"
LUCIDE = "lucide-static"
LUCIDE_VERSION = "1.62.0"
LUCIDE_LICENSE = "ISC"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "generator" / "build" / "icons.json"
FORMAT_VERSION = 1

# --------------------------------------------------------------------------
# What we keep.
#
# BRANDS: simple-icons slug -> extra metadata.  ``domains`` are the hosts a
# brand is known by (subdomains match too, the longest match wins);
# ``aliases`` are extra names accepted in the "icon"/"platform" columns,
# on top of the slug, the title and simple-icons' own "aka"/"loc" aliases.
# ``label`` overrides the accessible name (defaults to the title).
# --------------------------------------------------------------------------
BRANDS: dict[str, dict] = {
    "x": {
        "label": "X (Twitter)",
        "domains": ["x.com", "twitter.com"],
        "aliases": ["Twitter/X", "X (Twitter)", "X.com", "tweet"],
    },
    "instagram": {"domains": ["instagram.com", "instagr.am"], "aliases": ["IG", "insta"]},
    "facebook": {"domains": ["facebook.com", "fb.com", "fb.me", "fb.watch"], "aliases": ["FB"]},
    "youtube": {
        "domains": ["youtube.com", "youtu.be", "youtube-nocookie.com"],
        "aliases": ["YT", "You Tube"],
    },
    "youtubemusic": {"domains": ["music.youtube.com"], "aliases": ["YT Music"]},
    "tiktok": {"domains": ["tiktok.com"], "aliases": ["Tik Tok"]},
    "github": {"domains": ["github.com"], "aliases": []},
    "githubsponsors": {"domains": [], "aliases": []},
    "gitlab": {"domains": ["gitlab.com"], "aliases": []},
    "bitbucket": {"domains": ["bitbucket.org"], "aliases": []},
    "mastodon": {
        "domains": [
            "mastodon.social",
            "mastodon.online",
            "mastodon.world",
            "mstdn.social",
            "mas.to",
            "fosstodon.org",
            "hachyderm.io",
            "infosec.exchange",
            "joinmastodon.org",
        ],
        "aliases": ["fediverse"],
    },
    "bluesky": {"domains": ["bsky.app", "bsky.social"], "aliases": ["Blue Sky"]},
    "threads": {"domains": ["threads.net", "threads.com"], "aliases": []},
    "twitch": {"domains": ["twitch.tv"], "aliases": []},
    "kick": {"domains": ["kick.com"], "aliases": []},
    "discord": {"domains": ["discord.com", "discord.gg", "discordapp.com"], "aliases": []},
    "telegram": {"domains": ["t.me", "telegram.me", "telegram.org", "telegram.dog"], "aliases": ["TG"]},
    "whatsapp": {"domains": ["wa.me", "whatsapp.com"], "aliases": ["Whats App"]},
    "signal": {"domains": ["signal.me", "signal.org", "signal.group"], "aliases": []},
    "messenger": {
        "domains": ["m.me", "messenger.com"],
        "aliases": ["Facebook Messenger", "FB Messenger"],
    },
    "zalo": {"domains": ["zalo.me", "zaloapp.com"], "aliases": []},
    "line": {"domains": ["line.me", "lin.ee"], "aliases": ["LINE app"]},
    "kakaotalk": {
        "domains": ["open.kakao.com", "pf.kakao.com", "qr.kakao.com"],
        "aliases": ["Kakao"],
    },
    "wechat": {"domains": ["weixin.qq.com", "wechat.com"], "aliases": ["Weixin", "微信"]},
    "viber": {"domains": ["viber.com", "viber.me"], "aliases": []},
    "sinaweibo": {"domains": ["weibo.com", "weibo.cn"], "aliases": ["Weibo", "微博"]},
    "xiaohongshu": {
        "domains": ["xiaohongshu.com", "xhslink.com"],
        "aliases": ["RedNote", "Little Red Book", "XHS"],
    },
    "bilibili": {"domains": ["bilibili.com", "b23.tv"], "aliases": []},
    "zhihu": {"domains": ["zhihu.com"], "aliases": []},
    "vk": {"domains": ["vk.com", "vk.ru"], "aliases": ["VKontakte"]},
    "naver": {"domains": ["naver.com", "naver.me"], "aliases": []},
    "reddit": {"domains": ["reddit.com", "redd.it"], "aliases": []},
    "pinterest": {"domains": ["pinterest.com", "pin.it"], "aliases": []},
    "snapchat": {"domains": ["snapchat.com"], "aliases": ["Snap"]},
    "tumblr": {"domains": ["tumblr.com"], "aliases": []},
    "quora": {"domains": ["quora.com"], "aliases": []},
    "spotify": {"domains": ["spotify.com", "spotify.link"], "aliases": []},
    "applemusic": {"domains": ["music.apple.com"], "aliases": []},
    "applepodcasts": {"domains": ["podcasts.apple.com"], "aliases": []},
    "soundcloud": {"domains": ["soundcloud.com"], "aliases": ["Sound Cloud"]},
    "bandcamp": {"domains": ["bandcamp.com"], "aliases": []},
    "deezer": {"domains": ["deezer.com", "deezer.page.link"], "aliases": []},
    "tidal": {"domains": ["tidal.com"], "aliases": []},
    "mixcloud": {"domains": ["mixcloud.com"], "aliases": []},
    "vimeo": {"domains": ["vimeo.com"], "aliases": []},
    "patreon": {"domains": ["patreon.com"], "aliases": []},
    "kofi": {"domains": ["ko-fi.com"], "aliases": []},
    "buymeacoffee": {"domains": ["buymeacoffee.com", "buymeacoff.ee"], "aliases": ["BMC"]},
    "opencollective": {"domains": ["opencollective.com"], "aliases": []},
    "liberapay": {"domains": ["liberapay.com"], "aliases": []},
    "onlyfans": {"domains": ["onlyfans.com"], "aliases": []},
    "gumroad": {"domains": ["gumroad.com"], "aliases": []},
    "substack": {"domains": ["substack.com"], "aliases": []},
    "medium": {"domains": ["medium.com"], "aliases": []},
    "devdotto": {"domains": ["dev.to"], "aliases": ["DEV Community"]},
    "hashnode": {"domains": ["hashnode.com", "hashnode.dev"], "aliases": []},
    "wordpress": {"domains": ["wordpress.com", "wordpress.org"], "aliases": []},
    "ghost": {"domains": ["ghost.io"], "aliases": []},
    "notion": {"domains": ["notion.so", "notion.site"], "aliases": []},
    "stackoverflow": {"domains": ["stackoverflow.com"], "aliases": []},
    "huggingface": {"domains": ["huggingface.co", "hf.co"], "aliases": []},
    "orcid": {"domains": ["orcid.org"], "aliases": []},
    "googlescholar": {"domains": ["scholar.google.com"], "aliases": []},
    "dribbble": {"domains": ["dribbble.com"], "aliases": []},
    "behance": {"domains": ["behance.net"], "aliases": []},
    "figma": {"domains": ["figma.com"], "aliases": []},
    "artstation": {"domains": ["artstation.com"], "aliases": []},
    "deviantart": {"domains": ["deviantart.com"], "aliases": []},
    "flickr": {"domains": ["flickr.com", "flic.kr"], "aliases": []},
    "unsplash": {"domains": ["unsplash.com"], "aliases": []},
    "producthunt": {"domains": ["producthunt.com"], "aliases": []},
    "etsy": {"domains": ["etsy.com", "etsy.me"], "aliases": []},
    "shopify": {"domains": ["shopify.com", "myshopify.com"], "aliases": []},
    "shopee": {"domains": ["shopee.vn", "shopee.com", "shopee.sg", "shopee.co.id", "shopee.ph"], "aliases": []},
    "ebay": {"domains": ["ebay.com"], "aliases": []},
    "kickstarter": {"domains": ["kickstarter.com"], "aliases": []},
    "paypal": {"domains": ["paypal.com", "paypal.me"], "aliases": []},
    "cashapp": {"domains": ["cash.app", "cash.me"], "aliases": []},
    "venmo": {"domains": ["venmo.com"], "aliases": []},
    "linktree": {"domains": ["linktr.ee"], "aliases": []},
    "calendly": {"domains": ["calendly.com"], "aliases": []},
    "zoom": {"domains": ["zoom.us"], "aliases": []},
    "googlemaps": {"domains": ["maps.google.com", "maps.app.goo.gl"], "aliases": []},
    "googleplay": {"domains": ["play.google.com"], "aliases": []},
    "appstore": {"domains": ["apps.apple.com"], "aliases": []},
    "steam": {"domains": ["steamcommunity.com", "steampowered.com"], "aliases": []},
    "itchdotio": {"domains": ["itch.io"], "aliases": []},
    "goodreads": {"domains": ["goodreads.com"], "aliases": []},
    "letterboxd": {"domains": ["letterboxd.com", "boxd.it"], "aliases": []},
    "strava": {"domains": ["strava.com"], "aliases": []},
    "matrix": {"domains": ["matrix.to"], "aliases": []},
}

# Brands that simple-icons does not ship (LinkedIn's mark was removed from
# simple-icons at the owner's request).  They keep their name and domains but
# are shown with a generic Lucide glyph and have no brand colour: we do not
# redraw trademarks.
BRAND_FALLBACKS: dict[str, dict] = {
    "linkedin": {
        "title": "LinkedIn",
        "lucide": "briefcase-business",
        "domains": ["linkedin.com", "lnkd.in"],
        "aliases": ["Linked In"],
    },
}

# Generic Lucide icons: lucide name -> (label, extra aliases).  The lucide
# name itself always matches ("message-circle", "MessageCircle", ...).
GENERIC: dict[str, tuple[str, list[str]]] = {
    "globe": ("Website", ["website", "web", "site", "web site", "homepage", "home page", "www", "url", "internet", "portfolio"]),
    "earth": ("Website", ["globe-2"]),
    "link": ("Link", ["links", "hyperlink", "other"]),
    "external-link": ("Link", []),
    "mail": ("Email", ["email", "e-mail", "mailto", "email address"]),
    "at-sign": ("Email", []),
    "phone": ("Phone", ["telephone", "tel", "call", "mobile", "phone number", "hotline"]),
    "message-circle": ("Message", ["message", "messages", "chat", "sms", "text message", "dm"]),
    "send": ("Send a message", []),
    "map-pin": ("Location", ["location", "address", "map", "maps", "directions", "place"]),
    "rss": ("RSS feed", ["feed", "atom", "rss feed", "blog"]),
    "newspaper": ("Newsletter", ["newsletter", "news"]),
    "calendar": ("Calendar", ["events", "event", "schedule", "booking", "bookings", "appointment", "appointments", "agenda"]),
    "file-text": ("Document", ["document", "documents", "resume", "résumé", "cv", "pdf", "file", "article"]),
    "shopping-bag": ("Shop", ["shop", "store", "merch", "merchandise", "shopping", "online shop"]),
    "music": ("Music", ["songs", "audio", "listen", "playlist"]),
    "podcast": ("Podcast", ["podcasts"]),
    "camera": ("Photos", ["photo", "photos", "photography", "pictures", "gallery"]),
    "video": ("Video", ["videos", "film", "films"]),
    "heart": ("Support", ["donate", "donation", "donations", "support", "tip", "tips", "tip jar"]),
    "user": ("About", ["about", "about me", "profile", "bio"]),
}

ALLOWED_ELEMENTS: dict[str, tuple[str, ...]] = {
    "path": ("d", "fill", "fill-rule", "clip-rule"),
    "circle": ("cx", "cy", "r", "fill"),
    "rect": ("x", "y", "width", "height", "rx", "ry", "fill"),
    "line": ("x1", "y1", "x2", "y2"),
    "polyline": ("points",),
    "polygon": ("points", "fill"),
    "ellipse": ("cx", "cy", "rx", "ry", "fill"),
}
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_PATH_DATA = re.compile(r"[MmLlHhVvCcSsQqTtAaZz0-9eE.,+\-\s]+")
_POINTS = re.compile(r"[0-9eE.,+\-\s]+")
_ENUMS = {
    "fill": {"none", "currentColor"},
    "fill-rule": {"nonzero", "evenodd"},
    "clip-rule": {"nonzero", "evenodd"},
}
SVG_NS = "http://www.w3.org/2000/svg"
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_HEX = re.compile(r"[0-9A-F]{6}")


class IconError(ValueError):
    """Raised when upstream data is not what we are willing to ship."""


def normalize_name(name: str) -> str:
    """Matching key for names: case-folded, only letters and digits kept.

    Must stay identical to ``generator.build.icons._normalize``.
    """
    name = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in name if ch.isalnum())


def _valid_value(attr: str, value: str) -> bool:
    if attr in _ENUMS:
        return value in _ENUMS[attr]
    if attr == "d":
        return bool(_PATH_DATA.fullmatch(value))
    if attr == "points":
        return bool(_POINTS.fullmatch(value))
    return bool(_NUMBER.fullmatch(value))


def sanitize_svg(svg_text: str, *, what: str = "icon") -> str:
    """Return the inner markup of a 24x24 SVG icon, re-serialised.

    Raises IconError for anything outside the allow-list: other elements
    (script, style, a, use, image, g, text, foreignObject...), other
    attributes (style, class, href, on*, transform, ...), non-geometric
    attribute values, text content, DOCTYPE/entities or another viewBox.
    """
    if "<!DOCTYPE" in svg_text.upper() or "<!ENTITY" in svg_text.upper():
        raise IconError(f"{what}: DOCTYPE/ENTITY declarations are not allowed")
    try:
        root = ET.fromstring(svg_text)
    except ET.ParseError as exc:
        raise IconError(f"{what}: not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise IconError(f"{what}: root element is {root.tag!r}, expected svg")
    if root.get("viewBox") != "0 0 24 24":
        raise IconError(f"{what}: viewBox {root.get('viewBox')!r} is not '0 0 24 24'")
    if (root.text or "").strip():
        raise IconError(f"{what}: unexpected text in <svg>")
    parts: list[str] = []
    for child in root:
        tag = child.tag
        if not isinstance(tag, str) or not tag.startswith(f"{{{SVG_NS}}}"):
            raise IconError(f"{what}: element {tag!r} is not allowed")
        local = tag[len(SVG_NS) + 2 :]
        if (child.tail or "").strip():
            raise IconError(f"{what}: unexpected text after <{local}>")
        if local == "title":
            # simple-icons puts the brand name here; we build our own label.
            if len(child) or child.attrib:
                raise IconError(f"{what}: unexpected content in <title>")
            continue
        allowed = ALLOWED_ELEMENTS.get(local)
        if allowed is None:
            raise IconError(f"{what}: element <{local}> is not allowed")
        if len(child) or (child.text or "").strip():
            raise IconError(f"{what}: <{local}> must be empty")
        attrs: list[str] = []
        for attr, value in child.attrib.items():
            if attr not in allowed:
                raise IconError(f"{what}: attribute {attr!r} on <{local}> is not allowed")
            value = value.strip()
            if not _valid_value(attr, value):
                raise IconError(f"{what}: bad value for {attr!r} on <{local}>: {value[:60]!r}")
            attrs.append(f"{attr}={quoteattr(value)}")
        if not attrs:
            raise IconError(f"{what}: <{local}> has no geometry")
        parts.append(f"<{local} {' '.join(attrs)}/>")
    if not parts:
        raise IconError(f"{what}: no drawable elements")
    return "".join(parts)


# --------------------------------------------------------------------------
# Reading the packages
# --------------------------------------------------------------------------
def npm_install(prefix: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is required to regenerate icons.json")
    cmd = [
        npm,
        "install",
        "--no-save",
        "--prefix",
        str(prefix),
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        f"{SIMPLE_ICONS}@{SIMPLE_ICONS_VERSION}",
        f"{LUCIDE}@{LUCIDE_VERSION}",
    ]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    return prefix / "node_modules"


def _check_version(node_modules: Path, package: str, version: str) -> dict:
    meta = json.loads((node_modules / package / "package.json").read_text(encoding="utf-8"))
    if meta.get("version") != version:
        raise IconError(f"{package}: installed {meta.get('version')!r}, pinned {version!r}")
    return meta


def _lucide_copyrights(node_modules: Path) -> list[str]:
    """Copyright lines of lucide-static's LICENSE: Lucide's, then Feather's."""
    text = (node_modules / LUCIDE / "LICENSE").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.startswith("Copyright")]
    if len(lines) != 2 or "Lucide" not in lines[0]:
        raise IconError(f"lucide-static: unexpected copyright lines in LICENSE: {lines}")
    return lines


def _feather_derived(node_modules: Path) -> set[str]:
    """Lucide icons that lucide-static's LICENSE says derive from Feather (MIT)."""
    text = (node_modules / LUCIDE / "LICENSE").read_text(encoding="utf-8")
    marker = "derived from the Feather project:"
    if marker not in text:
        return set()
    listing = text.split(marker, 1)[1].split("\n\n", 2)[1]
    return {name.strip() for name in listing.split(",") if name.strip()}


def _lucide_body(node_modules: Path, name: str) -> str:
    path = node_modules / LUCIDE / "icons" / f"{name}.svg"
    if not path.is_file():
        raise IconError(f"lucide-static {LUCIDE_VERSION} has no icon {name!r}")
    return sanitize_svg(path.read_text(encoding="utf-8"), what=f"lucide:{name}")


def build(node_modules: Path) -> dict:
    si_meta = _check_version(node_modules, SIMPLE_ICONS, SIMPLE_ICONS_VERSION)
    lu_meta = _check_version(node_modules, LUCIDE, LUCIDE_VERSION)
    if si_meta.get("license") != SIMPLE_ICONS_LICENSE or lu_meta.get("license") != LUCIDE_LICENSE:
        raise IconError("package licence changed upstream; review before updating")

    si_data = json.loads(
        (node_modules / SIMPLE_ICONS / "data" / "simple-icons.json").read_text(encoding="utf-8")
    )
    si_by_slug = {entry["slug"]: entry for entry in si_data}

    icons: dict[str, dict] = {}

    for slug, extra in BRANDS.items():
        entry = si_by_slug.get(slug)
        if entry is None:
            raise IconError(f"simple-icons {SIMPLE_ICONS_VERSION} has no icon {slug!r}")
        licence = (entry.get("license") or {}).get("type", SIMPLE_ICONS_LICENSE)
        if licence != SIMPLE_ICONS_LICENSE:
            raise IconError(f"simple-icons {slug!r} is under {licence}, not {SIMPLE_ICONS_LICENSE}")
        hex_colour = str(entry["hex"]).upper()
        if not _HEX.fullmatch(hex_colour):
            raise IconError(f"simple-icons {slug!r}: bad hex {entry['hex']!r}")
        svg_text = (node_modules / SIMPLE_ICONS / "icons" / f"{slug}.svg").read_text(encoding="utf-8")
        upstream_aliases = entry.get("aliases") or {}
        aliases = list(extra.get("aliases", []))
        aliases += upstream_aliases.get("aka", [])
        aliases += list((upstream_aliases.get("loc") or {}).values())
        icons[slug] = {
            "kind": "brand",
            "label": extra.get("label", entry["title"]),
            "title": entry["title"],
            "hex": hex_colour,
            "style": "fill",
            "source": f"{SIMPLE_ICONS}:{slug}",
            "body": sanitize_svg(svg_text, what=f"simple-icons:{slug}"),
            "domains": list(extra.get("domains", [])),
            "aliases": aliases,
        }

    for key, extra in BRAND_FALLBACKS.items():
        if key in si_by_slug:
            raise IconError(f"simple-icons now ships {key!r}: move it to BRANDS")
        icons[key] = {
            "kind": "brand",
            "label": extra["title"],
            "title": extra["title"],
            "hex": None,
            "style": "stroke",
            "source": f"{LUCIDE}:{extra['lucide']}",
            "body": _lucide_body(node_modules, extra["lucide"]),
            "domains": list(extra["domains"]),
            "aliases": list(extra["aliases"]),
        }

    for name, (label, aliases) in GENERIC.items():
        if name in icons:
            raise IconError(f"key {name!r} used twice")
        icons[name] = {
            "kind": "generic",
            "label": label,
            "style": "stroke",
            "source": f"{LUCIDE}:{name}",
            "body": _lucide_body(node_modules, name),
            "aliases": list(aliases),
        }

    _finalise(icons)

    return {
        "format": FORMAT_VERSION,
        "generated_by": "tools/update_icons.py",
        "sources": {
            SIMPLE_ICONS: {
                "version": SIMPLE_ICONS_VERSION,
                "license": SIMPLE_ICONS_LICENSE,
                "homepage": si_meta.get("homepage", "https://simpleicons.org"),
                "note": "Brand marks are trademarks of their respective owners.",
            },
            LUCIDE: {
                "version": LUCIDE_VERSION,
                "license": LUCIDE_LICENSE,
                "homepage": lu_meta.get("homepage", "https://lucide.dev"),
                "copyright": _lucide_copyrights(node_modules)[0],
                "feather_derived": sorted(
                    {
                        icon["source"].split(":", 1)[1]
                        for icon in icons.values()
                        if icon["source"].startswith(f"{LUCIDE}:")
                    }
                    & _feather_derived(node_modules)
                ),
                "feather_license": "MIT",
                "feather_copyright": _lucide_copyrights(node_modules)[1],
            },
        },
        "icons": icons,
    }


def _finalise(icons: dict[str, dict]) -> None:
    """Dedupe/sort aliases and domains; refuse ambiguous names or domains."""
    names: dict[str, str] = {}
    domains: dict[str, str] = {}
    for key, icon in icons.items():
        # generator.build.icons matches the key, the title and every alias.
        own = [key, icon.get("title", "")] + icon["aliases"]
        for alias in own:
            norm = normalize_name(alias)
            if not norm:
                continue
            other = names.setdefault(norm, key)
            if other != key:
                raise IconError(f"name {alias!r} matches both {other!r} and {key!r}")
        # Keep only aliases that add a new matching key.
        implicit = {normalize_name(x) for x in (key, icon.get("title", "")) if x}
        seen: set[str] = set()
        kept = []
        # Prefer the shortest spelling of equivalent aliases ("email" over "e-mail").
        for alias in sorted(set(icon["aliases"]), key=lambda a: (normalize_name(a), len(a), a)):
            norm = normalize_name(alias)
            if norm and norm not in implicit and norm not in seen:
                seen.add(norm)
                kept.append(alias)
        icon["aliases"] = sorted(kept)
        if "domains" in icon:
            for domain in icon["domains"]:
                if not _DOMAIN.fullmatch(domain):
                    raise IconError(f"{key}: bad domain {domain!r}")
                other = domains.setdefault(domain, key)
                if other != key:
                    raise IconError(f"domain {domain!r} claimed by {other!r} and {key!r}")
            icon["domains"] = sorted(set(icon["domains"]))
        if icon.get("hex") is None:
            icon.pop("hex", None)


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--node-modules",
        type=Path,
        help="use this node_modules folder instead of installing into a temporary one",
    )
    parser.add_argument("--check", action="store_true", help="only report whether the output is up to date")
    args = parser.parse_args(argv)

    if args.node_modules:
        text = render(build(args.node_modules))
    else:
        with tempfile.TemporaryDirectory(prefix="biogen-icons-") as tmp:
            text = render(build(npm_install(Path(tmp))))

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run tools/update_icons.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date", file=sys.stderr)
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8", newline="\n")
    count = len(json.loads(text)["icons"])
    print(f"wrote {args.output} ({count} icons, {len(text.encode('utf-8'))} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
