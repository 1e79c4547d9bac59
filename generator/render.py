"""Where the HTML is made: the Jinja environment and each page's view of a profile."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from generator import icons
from generator.biodata import _text
from generator.config import Config
from generator.markdown import plain_text, render_inline
from generator.model import Profile

# C0 controls other than tab and newline are not allowed in HTML text; they are
# dropped from what the page shows (the JSON document keeps them exactly).
_HTML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DESCRIPTION_MAX = 160  # search engines cut meta descriptions near 155-160 characters
TITLE_MAX = 60


@dataclass(frozen=True)
class SiteContext:
    """What every page shares: URLs, language, and the hashed asset names."""

    base_url: str
    language: str
    home: str
    assets: dict[str, str]  # logical name -> "/assets/name.<hash>.ext"
    media: dict[str, str]   # local image reference -> "/media/<hash>.ext"

    def asset_url(self, name: str) -> str:
        """The content-hashed URL of the packaged or site asset `name`."""
        return self.assets[name]

    def image_url(self, reference: str | None) -> str | None:
        """Where the page loads an image from: the copied local file, or the remote URL."""
        if not reference:
            return None
        return self.media.get(reference, reference)

    def absolute(self, url: str) -> str:
        """`url` made absolute against base_url (remote URLs are already absolute)."""
        return url if "://" in url else self.base_url + url


def make_environment(config: Config) -> jinja2.Environment:
    """The Jinja environment: autoescape everywhere, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in config.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    return env


def _show(value: object) -> str:
    text = _text(value)
    return _HTML_UNSAFE.sub("", text) if _HTML_UNSAFE.search(text) else text


@lru_cache(maxsize=4096)
def _markdown(value: str) -> Markup:
    return render_inline(_show(value))


@lru_cache(maxsize=1024)
def _icon(icon: str | None, platform: str | None, url: str | None) -> icons.Icon:
    return icons.resolve_icon(icon, platform, url)


def _truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:-") + "…"


def json_ld(document: dict) -> Markup:
    """`document` as JSON that cannot end its <script> element early."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def profile_view(profile: Profile, site: SiteContext, *, canonical_path: str) -> dict:
    """Everything the profile template shows, computed from one profile."""
    name = _show(profile.display_name)
    tagline = _show(profile.tagline)
    tagline_plain = plain_text(tagline) if tagline else ""
    avatar = site.image_url(profile.avatar_url)
    cover = site.image_url(profile.cover_url)
    social = []
    for link in profile.social_links:
        icon = _icon(link.icon, _text(link.platform), link.url)
        social.append({"label": _show(link.platform).strip() or icon.label, "url": link.url,
                       "icon": Markup(icon.svg), "key": icon.key})
    links = [{"name": _show(b.name), "url": b.url,
              "description": _markdown(b.description) if b.description else "",
              "background": site.image_url(b.background_image)} for b in profile.bio_links]
    products = [{"name": _show(p.name), "price": _show(p.price), "url": p.url,
                 "image": site.image_url(p.image_url)} for p in profile.products]
    tools = [{"name": _show(c.name), "url": c.url, "logo": site.image_url(c.logo_url)}
             for c in profile.carousel_items]
    canonical = site.base_url + canonical_path
    description = _truncate(tagline_plain, DESCRIPTION_MAX) if tagline_plain else f"Links, products and tools from {name}."
    og_image = site.absolute(cover or avatar) if (cover or avatar) else None
    person = {"@context": "https://schema.org", "@type": "Person", "name": name, "url": canonical}
    if tagline_plain:
        person["description"] = tagline_plain
    if avatar:
        person["image"] = site.absolute(avatar)
    same_as = [s["url"] for s in social if s["url"].lower().startswith(("https:", "http:"))]
    if same_as:
        person["sameAs"] = same_as
    return {
        "username": profile.username,
        "name": name,
        "title": _truncate(f"{name} · {tagline_plain}", TITLE_MAX) if tagline_plain else name,
        "tagline": _markdown(tagline) if tagline else "",
        "description": description,
        "canonical": canonical,
        "avatar": avatar,
        "cover": cover,
        "og_image": og_image,
        "social": social,
        "links": links,
        "products": products,
        "tools": tools,
        "json_ld": json_ld(person),
    }


class Renderer:
    """Renders pages with one compiled template set (made once per process)."""

    def __init__(self, config: Config, site: SiteContext):
        self.site = site
        self.env = make_environment(config)
        self.env.globals.update(site=site, asset_url=site.asset_url, language=config.language)
        self._profile = self.env.get_template("profile.html")

    def profile_page(self, profile: Profile, *, canonical_path: str) -> str:
        """The HTML page of `profile`."""
        return self._profile.render(page=profile_view(profile, self.site, canonical_path=canonical_path))

    def page(self, template: str, **context) -> str:
        """Any other page (404, the directory of profiles)."""
        return self.env.get_template(template).render(**context)


def template_sources(config: Config) -> list[Path]:
    """Every template file the site uses, site overrides first."""
    seen, files = set(), []
    for folder in config.template_dirs:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in seen:
                seen.add(relative)
                files.append(path)
    return files
