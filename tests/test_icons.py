"""Tests for generator.build.icons and the data written by tools/update_icons.py."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import icons
from generator.build.icons import Icon, brand_color, resolve_icon

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "generator" / "build" / "icons.json"
SVG_NS = "{http://www.w3.org/2000/svg}"
DRAWING_TAGS = {"path", "circle", "rect", "line", "polyline", "polygon", "ellipse"}


def _load_update_script():
    spec = importlib.util.spec_from_file_location("update_icons", ROOT / "tools" / "update_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _all_icons() -> list[Icon]:
    return [icons.get_icon(k) for k in icons.brand_keys() + icons.generic_keys()]


# --------------------------------------------------------------------------
# Lucide names used by the current site data
# --------------------------------------------------------------------------
LUCIDE_NAMES = {
    "Globe": "globe",
    "Twitter": "x",
    "Mail": "mail",
    "Youtube": "youtube",
    "Github": "github",
    "Linkedin": "linkedin",
    "Instagram": "instagram",
    "Facebook": "facebook",
    "Twitch": "twitch",
    "Phone": "phone",
    "Link": "link",
    "MessageCircle": "message-circle",
    "Send": "send",
    "Music": "music",
    "Camera": "camera",
    "Video": "video",
    "ShoppingBag": "shopping-bag",
    "Rss": "rss",
    "MapPin": "map-pin",
    "Calendar": "calendar",
    "Globe2": "earth",
    # generic names from the brief, in kebab-case
    "file-text": "file-text",
    "message-circle": "message-circle",
    "map-pin": "map-pin",
    "shopping-bag": "shopping-bag",
}


@pytest.mark.parametrize("name,key", sorted(LUCIDE_NAMES.items()))
def test_lucide_names_resolve(name, key):
    for variant in (name, name.lower(), name.upper(), f"  {name}  "):
        got = resolve_icon(variant, None, None)
        assert got.key == key, variant
        assert got.label


@pytest.mark.parametrize(
    "variant",
    ["MessageCircle", "message-circle", "message_circle", "Message Circle", "MESSAGE.CIRCLE", "messagecircle"],
)
def test_separators_ignored(variant):
    assert resolve_icon(variant, None, None).key == "message-circle"


def test_lucide_brand_names_give_brand_labels():
    assert resolve_icon("Twitter", None, None).label == "X (Twitter)"
    assert resolve_icon("Youtube", None, None).label == "YouTube"
    assert resolve_icon("Github", None, None).label == "GitHub"
    assert resolve_icon("Linkedin", None, None).label == "LinkedIn"
    assert resolve_icon("Globe", None, None).label == "Website"
    assert resolve_icon("Globe2", None, None).label == "Website"
    assert resolve_icon("Mail", None, None).label == "Email"


# --------------------------------------------------------------------------
# Brands
# --------------------------------------------------------------------------
REQUIRED_BRANDS = """
x instagram facebook youtube tiktok linkedin github gitlab mastodon bluesky threads
twitch discord telegram whatsapp signal reddit pinterest snapchat spotify applemusic
soundcloud bandcamp patreon kofi buymeacoffee substack medium devdotto stackoverflow
dribbble behance figma producthunt etsy shopify paypal cashapp venmo vimeo tumblr zalo
messenger line kakaotalk wechat sinaweibo xiaohongshu
""".split()


def test_at_least_40_brands_and_required_present():
    brands = icons.brand_keys()
    assert len(brands) >= 40
    missing = [b for b in REQUIRED_BRANDS if b not in brands]
    assert not missing


@pytest.mark.parametrize(
    "name,key",
    [
        ("github", "github"),
        ("GitHub", "github"),
        ("Ko-fi", "kofi"),
        ("kofi", "kofi"),
        ("Buy Me A Coffee", "buymeacoffee"),
        ("dev.to", "devdotto"),
        ("Stack Overflow", "stackoverflow"),
        ("Apple Music", "applemusic"),
        ("Cash App", "cashapp"),
        ("X", "x"),
        ("TikTok", "tiktok"),
        ("WhatsApp", "whatsapp"),
        ("Zalo", "zalo"),
        ("Sina Weibo", "sinaweibo"),
        ("Weibo", "sinaweibo"),
        ("小红书", "xiaohongshu"),
        ("RedNote", "xiaohongshu"),
        ("KakaoTalk", "kakaotalk"),
        ("bsky", "bluesky"),
    ],
)
def test_brand_by_slug_or_title(name, key):
    assert resolve_icon(name, None, None).key == key


@pytest.mark.parametrize(
    "platform,key",
    [
        ("LinkedIn", "linkedin"),
        ("Twitter/X", "x"),
        ("X (Twitter)", "x"),
        ("Twitter", "x"),
        ("Email", "mail"),
        ("E-mail", "mail"),
        ("Website", "globe"),
        ("Phone", "phone"),
        ("Facebook Messenger", "messenger"),
        ("YouTube Music", "youtubemusic"),
        ("github.com", "github"),
    ],
)
def test_platform_column(platform, key):
    assert resolve_icon(None, platform, None).key == key
    assert resolve_icon("", platform, "").key == key
    assert resolve_icon("not-an-icon-name", platform, "https://example.org").key == key


@pytest.mark.parametrize(
    "url,key",
    [
        ("https://github.com/octocat", "github"),
        ("https://www.github.com/octocat", "github"),
        ("http://GITHUB.COM/octocat", "github"),
        ("github.com/octocat", "github"),
        ("https://gist.github.com/octocat", "github"),
        ("https://x.com/jack", "x"),
        ("https://twitter.com/jack", "x"),
        ("https://mobile.twitter.com/jack", "x"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://m.youtube.com/@someone", "youtube"),
        ("https://www.youtube.com/@someone", "youtube"),
        ("https://music.youtube.com/channel/1", "youtubemusic"),
        ("https://t.me/someone", "telegram"),
        ("https://wa.me/84900000000", "whatsapp"),
        ("https://zalo.me/0900000000", "zalo"),
        ("https://m.me/someone", "messenger"),
        ("https://open.spotify.com/artist/1", "spotify"),
        ("https://someone.substack.com/", "substack"),
        ("https://alice.bsky.social", "bluesky"),
        ("https://bsky.app/profile/alice.bsky.social", "bluesky"),
        ("https://artist.bandcamp.com/album/x", "bandcamp"),
        ("https://ko-fi.com/someone", "kofi"),
        ("https://www.linkedin.com/in/someone", "linkedin"),
        ("https://music.apple.com/us/artist/1", "applemusic"),
        ("https://mastodon.social/@someone", "mastodon"),
        ("https://dev.to/someone", "devdotto"),
        ("https://github.com.:443/octocat", "github"),
    ],
)
def test_url_host(url, key):
    assert resolve_icon(None, None, url).key == key
    assert resolve_icon("", "  ", url).key == key


def test_lookalike_hosts_are_not_brands():
    assert resolve_icon(None, None, "https://github.com.evil.example/x").key == "globe"
    assert resolve_icon(None, None, "https://notgithub.com/x").key == "globe"
    assert resolve_icon(None, None, "https://me/x").key == "link"


def test_mailto_and_tel():
    mail = resolve_icon(None, None, "mailto:hello@example.com")
    assert mail.key == "mail" and mail.label == "Email"
    assert resolve_icon(None, None, "MAILTO:hello@example.com").key == "mail"
    phone = resolve_icon(None, None, "tel:+84900000000")
    assert phone.key == "phone" and phone.label == "Phone"
    assert resolve_icon(None, "", " tel:+1 555 0100 ").key == "phone"


def test_precedence_icon_then_platform_then_url():
    assert resolve_icon("Instagram", "GitHub", "https://x.com/a").key == "instagram"
    assert resolve_icon("unknown-thing", "GitHub", "https://x.com/a").key == "github"
    assert resolve_icon("unknown-thing", "My stuff", "https://x.com/a").key == "x"


def test_unknown_falls_back_to_generic():
    web = resolve_icon("NoSuchIcon", "Something else", "https://example.org/page")
    assert web.key == "globe" and web.label == "Website"
    for args in [(None, None, None), ("", "", ""), ("???", "???", "???"), (None, None, "ftp://example.org")]:
        fallback = resolve_icon(*args)
        assert fallback.key == "link" and fallback.label == "Link"
    assert resolve_icon(None, None, "javascript:alert(1)").key == "link"


def test_brand_color():
    assert brand_color("github") == "#181717"
    for key in icons.brand_keys():
        colour = brand_color(key)
        assert colour is None or re.fullmatch(r"#[0-9A-F]{6}", colour)
    assert brand_color("linkedin") is None  # no CC0 mark upstream, generic glyph
    assert brand_color("globe") is None
    assert brand_color("no-such-brand") is None
    assert brand_color("") is None


# --------------------------------------------------------------------------
# SVG safety and shape
# --------------------------------------------------------------------------
def test_every_svg_is_well_formed_and_inert():
    all_icons = _all_icons()
    assert len(all_icons) == len(set(i.key for i in all_icons))
    for icon in all_icons:
        root = ET.fromstring(icon.svg)
        assert root.tag == f"{SVG_NS}svg", icon.key
        assert root.get("viewBox") == "0 0 24 24"
        assert root.get("aria-hidden") == "true"
        assert root.get("focusable") == "false"
        assert root.get("width") == "24" and root.get("height") == "24"
        children = list(root)
        assert children, icon.key
        for child in root.iter():
            tag = child.tag.removeprefix(SVG_NS)
            assert child is root or tag in DRAWING_TAGS, (icon.key, tag)
            for attr in child.attrib:
                assert not attr.lower().startswith("on"), (icon.key, attr)
                assert "href" not in attr.lower() and attr != "style", (icon.key, attr)
        lowered = icon.svg.lower()
        for bad in ("script", "style", "href", "javascript:", "<!"):
            assert bad not in lowered, (icon.key, bad)
        assert not re.search(r"\son\w*\s*=", lowered), icon.key


def test_brand_and_generic_styles():
    gh = icons.get_icon("github")
    assert 'fill="currentColor"' in gh.svg and "stroke=" not in gh.svg
    globe = icons.get_icon("globe")
    for attr in (
        'fill="none"',
        'stroke="currentColor"',
        'stroke-width="2"',
        'stroke-linecap="round"',
        'stroke-linejoin="round"',
    ):
        assert attr in globe.svg
    assert gh.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"')


def test_user_text_never_reaches_svg():
    evil = '"><script>alert(1)</script>'
    got = resolve_icon(evil, evil, "https://example.org/" + evil)
    assert "script" not in got.svg and evil not in got.svg
    assert got.svg == icons.get_icon(got.key).svg


def test_icon_is_frozen():
    icon = resolve_icon("github", None, None)
    with pytest.raises(FrozenInstanceError):
        icon.key = "other"  # type: ignore[misc]


def test_get_icon():
    assert icons.get_icon("github").label == "GitHub"
    assert icons.get_icon("GitHub") is None  # exact keys only
    assert icons.get_icon(None) is None  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Never raises
# --------------------------------------------------------------------------
NASTY = [
    None,
    "",
    " ",
    "\t\n\r ",
    "\x00",
    "\ud800",
    "💩",
    "🐙 GitHub",
    "a" * 100_000,
    "https://" + "a." * 50_000 + "com",
    "http://[::1",
    "http://[",
    "http://]",
    "https://",
    "//",
    ":",
    "::::",
    "mailto:",
    "tel:",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://user:pass@github.com:99999/x",
    "https://例え.テスト/パス",
    "https://xn--n3h.com",
    "https://%00.com",
    "\u2028\u2029",
    "ＧｉｔＨｕｂ",
    "<svg onload=alert(1)>",
    "..",
    ".",
    "-",
]


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_nasty_inputs_never_raise(value):
    for args in ((value, None, None), (None, value, None), (None, None, value), (value, value, value)):
        got = resolve_icon(*args)
        assert isinstance(got, Icon)
        assert got.label and got.svg.startswith("<svg ")


def test_non_string_inputs_never_raise():
    for value in (123, 1.5, b"github", ["github"], object()):
        assert isinstance(resolve_icon(value, value, value), Icon)  # type: ignore[arg-type]


def test_fullwidth_name_matches():
    assert resolve_icon("ＧｉｔＨｕｂ", None, None).key == "github"


_text = st.one_of(st.none(), st.text(max_size=300))


@settings(max_examples=300, deadline=None)
@given(_text, _text, _text)
def test_resolve_never_raises(icon, platform, url):
    got = resolve_icon(icon, platform, url)
    assert isinstance(got, Icon)
    assert got.svg == icons.get_icon(got.key).svg


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["http", "https", "", "mailto", "tel", "ftp", "javascript"]),
    st.text(alphabet="abcdefgxyz0123456789.-:@[]%/?#", max_size=60),
)
def test_resolve_url_like_never_raises(scheme, rest):
    url = f"{scheme}://{rest}" if scheme else rest
    assert isinstance(resolve_icon(None, None, url), Icon)


# --------------------------------------------------------------------------
# Data file and update script
# --------------------------------------------------------------------------
def test_data_file_header_and_size():
    raw = DATA.read_bytes()
    assert len(raw) < 120 * 1024
    assert raw.endswith(b"\n")
    data = json.loads(raw)
    sources = data["sources"]
    assert sources["simple-icons"]["version"] == "16.37.0"
    assert sources["simple-icons"]["license"] == "CC0-1.0"
    assert sources["lucide-static"]["version"] == "1.62.0"
    assert sources["lucide-static"]["license"] == "ISC"
    assert "Lucide" in sources["lucide-static"]["copyright"]
    assert icons.icon_sources() == sources
    # Deterministic formatting: the file is exactly what the script renders.
    assert _load_update_script().render(data) == raw.decode("utf-8")


def test_names_and_domains_are_unambiguous():
    update = _load_update_script()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    seen_names: dict[str, str] = {}
    seen_domains: dict[str, str] = {}
    for key, entry in data["icons"].items():
        for name in [key, entry.get("title", ""), *entry["aliases"]]:
            norm = update.normalize_name(name)
            if norm:
                assert seen_names.setdefault(norm, key) == key, name
                # generator.build.icons and the script normalise the same way
                assert icons._normalize(name) == norm
        for domain in entry.get("domains", []):
            assert seen_domains.setdefault(domain, key) == key, domain


GOOD_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><title>T</title>{}</svg>'


def test_sanitizer_accepts_plain_shapes():
    update = _load_update_script()
    body = update.sanitize_svg(
        GOOD_SVG.format(
            '<path d="M1 2L3 4z"/><circle cx="12" cy="12" r="10"/>'
            '<rect x="2" y="2" width="20" height="20" rx="2"/><line x1="1" y1="1" x2="2" y2="2"/>'
            '<polyline points="1,2 3,4"/><polygon points="1 2 3 4 5 6"/><ellipse cx="1" cy="2" rx="3" ry="4"/>'
        )
    )
    assert body.startswith('<path d="M1 2L3 4z"/><circle ')
    ET.fromstring(GOOD_SVG.format(body))


@pytest.mark.parametrize(
    "inner",
    [
        "<script>alert(1)</script>",
        "<style>path{fill:red}</style>",
        '<path d="M0 0" onclick="alert(1)"/>',
        '<path d="M0 0" style="fill:red"/>',
        '<path d="M0 0" class="x"/>',
        '<path d="M0 0" transform="scale(2)"/>',
        '<a href="https://example.org"><path d="M0 0"/></a>',
        '<use href="#x"/>',
        '<image href="x.png"/>',
        '<g><path d="M0 0"/></g>',
        '<text>hi</text>',
        '<foreignObject/>',
        '<path d="url(javascript:alert(1))"/>',
        '<path d="M0 0" fill="url(#grad)"/>',
        '<circle cx="1" cy="1" r="expression(1)"/>',
        '<path xmlns:xl="http://www.w3.org/1999/xlink" xl:href="#a" d="M0 0"/>',
        '<path d="M0 0">text</path>',
        "",
    ],
)
def test_sanitizer_refuses_anything_else(inner):
    update = _load_update_script()
    with pytest.raises(update.IconError):
        update.sanitize_svg(GOOD_SVG.format(inner))


def test_sanitizer_refuses_doctype_and_other_grids():
    update = _load_update_script()
    with pytest.raises(update.IconError):
        update.sanitize_svg('<!DOCTYPE svg [<!ENTITY x "y">]>' + GOOD_SVG.format('<path d="M0 0"/>'))
    with pytest.raises(update.IconError):
        update.sanitize_svg(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M0 0"/></svg>'
        )
    with pytest.raises(update.IconError):
        update.sanitize_svg("<svg><path d='M0 0'/></svg>")
