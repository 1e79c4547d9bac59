"""Where the HTML is made: the Jinja environment and each page's view of a profile."""

from __future__ import annotations

import contextlib
import re
import traceback
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jinja2
from markupsafe import Markup, escape

from generator.build import attributes, icons, translations
from generator.build.detail import DetailPage, ProductGroup, detail_pages, item_views, product_groups
from generator.build.directory import DirectoryPage, page_url
from generator.data.biodata import _text, dumps
from generator.config import Config
from generator.errors import TemplateError
from generator.build.render_context import ImageView, SiteContext, shared_picture
from generator.build.markdown import plain_text, render_inline
from generator.build.page_words import PageLanguage, heading, language_view, section_shown, seo
from generator.build.page_words import shown as _show, truncate as _truncate
from generator.data.text import text_direction
from generator.data.urls import href
from generator.data.model import Profile
from generator.share.structured_data import profile_page_document

DESCRIPTION_MAX = 160  # search engines cut meta descriptions near 155-160 characters
TITLE_MAX = 60


_NEEDS_ESCAPE = re.compile(r"[&<>'\"]").search  # exactly what markupsafe.escape replaces


def output_escape(value: object) -> object:
    """What `{{ value }}` writes: markupsafe.escape's text, without wrapping each piece in
    a new Markup object (a page is joined into one str anyway) and without copying what
    is Markup already. Same bytes; a 23-item page renders in ~55 us instead of ~90 us."""
    kind = value.__class__
    if kind is str:
        return str(escape(value)) if _NEEDS_ESCAPE(value) else value
    if kind is Markup:
        return value
    return escape(value)


class _Template(jinja2.Template):
    """Templates whose output expressions escape with output_escape.

    Jinja's compiled code calls the module-level name `escape` only around output
    expressions (jinja2/compiler.py, _output_child_pre); each template's module
    namespace is its functions' globals, so the name is rebound there."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        namespace = getattr(getattr(template, "root_render_func", None), "__globals__", None)
        if namespace is not None and "escape" in namespace:  # else: Jinja's own escape, slower
            namespace["escape"] = output_escape
        return template


def make_environment(config: Config) -> jinja2.Environment:
    """The Jinja environment: autoescape everywhere, undefined names are errors."""
    cache = config.cache_dir / "templates"
    cache.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        # Compiling the templates takes ~40 ms, a third of a one-profile rebuild;
        # the compiled code is cached by the source's checksum.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache)),
        loader=jinja2.FileSystemLoader([str(path) for path in config.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.template_class = _Template
    env.filters["attribute_value"] = attributes.attribute_value
    return env


@lru_cache(maxsize=4096)
def _markdown(value: str) -> Markup:
    return render_inline(_show(value))


_named_icon = lru_cache(maxsize=1024)(icons.named_icon)


def _icon(icon: str | None, platform: str | None, url: str | None) -> icons.Icon:
    """The icon for a social link; cached by name, since every profile's URL differs."""
    return _named_icon(icon, platform) or icons.resolve_icon(icon, platform, url)


def _social_label(platform: str, icon: icons.Icon, names: dict[str, str]) -> str:
    """The accessible name: the platform as written, or the brand's own spelling of it
    ("instagram" -> "Instagram", "Youtube" -> "YouTube"), or a generic icon's name in the
    page's language ("mail" -> "Email", "Điện thoại" stays as written)."""
    if not platform or platform.casefold() in (icon.label.casefold(), icon.key):
        return names.get(icon.key, icon.label)
    return platform


_JSON_LD_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                  "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_ld(document: dict) -> Markup:
    """`document` as JSON that cannot end its <script> element early."""
    return Markup(dumps(document).translate(_JSON_LD_ESCAPES))


class SocialView(NamedTuple):
    label: str
    url: str
    icon: str  # the URL of the icon's symbol file
    key: str


class LinkView(NamedTuple):
    name: str
    url: str
    description: Markup | str
    background: ImageView | None
    page: str = ""             # its detail page's path, or ""
    more: str = ""             # the detail link's accessible name ("Details: <name>")


class ProductView(NamedTuple):
    name: str
    price: str
    url: str
    image: ImageView | None
    description: Markup | str = ""
    badge: str = ""            # the badge's words in the page's language
    page: str = ""
    more: str = ""


class ToolView(NamedTuple):
    name: str
    url: str
    logo: ImageView | None


class PageView(NamedTuple):
    """What the profile template shows. Named tuples, not dicts: Jinja reads an
    attribute in ~0.3 us and a dict key in ~1.3 us (it tries getattr first), which
    halved the render time of a 23-item page (350 -> 180 us)."""

    username: str
    name: str
    lang: str
    dir: str
    title: str
    og_title: str
    tagline: Markup | str
    description: str
    canonical: str
    avatar: ImageView | None
    cover: ImageView | None
    og_image: str | None
    social: list[SocialView]
    links: list[LinkView]
    products: list[ProductGroup]   # one unnamed group when no product has a group (detail.product_groups)
    tools: list[ToolView]
    links_heading: str
    products_heading: str
    tools_heading: str
    json_ld: Markup | str                  # "" with [share] structured_data = false
    content_hash: str
    note: str                              # the tagline as plain text, whole (the contact card's NOTE)
    photo: str | None                      # the avatar's absolute URL (JSON-LD image, the card's PHOTO)
    vcard_url: str | None                  # /<username>.vcf, when the site makes contact cards
    qr_url: str | None                     # /qr/<username>.svg, when the site makes QR codes
    address: str                           # the canonical URL as people type it: no scheme, no final "/"
    share_words: dict[str, str]            # the share kit's words in the page's language
    og_card: bool = False                  # og_image is the social card (1200x630, generator.share.card)
    og_size: tuple[int, int] | None = None  # og_image's (width, height) when known
    og_alt: str = ""                       # what og_image shows, in words ("" when it is only a picture)
    more: str = ""                         # the words of a link to an item's detail page
    rich: str = ""                         # the stylesheet of items' details, for a page that shows any


def profile_view(profile: Profile, site: SiteContext, *, canonical_path: str, content_hash: str,
                 language: PageLanguage, now: str | None = None) -> PageView:
    """Everything the profile template shows, computed from one profile, in `language`, with
    the links and products live at `now` (None: all), and their details (generator.build.detail)."""
    settings = profile.settings
    details = profile.details()
    name = _show(profile.display_name)
    tagline = _show(profile.tagline)
    tagline_plain = plain_text(tagline) if tagline else ""
    image = site.image
    avatar = image(profile.avatar_url, "avatar")
    cover = image(profile.cover_url, "cover")
    # Every URL the page writes passes through href (urls.py): a valid URL leading where
    # the stored one leads (the rules accept `?b="2"`, an href must say `?b=%222%22`).
    # Remote images get theirs in SiteContext.image; the JSON documents keep the stored text.
    social = []
    for link in profile.social_links:
        icon = _icon(link.icon, _text(link.platform), link.url)
        social.append(SocialView(_social_label(_show(link.platform).strip(), icon, language.social), href(link.url),
                                 site.assets[f"icons/{icon.key}.svg"], icon.key))
    # A hidden section is an empty one: the template leaves out an empty section whole.
    links = [LinkView(_show(b.name), href(b.url), _markdown(b.description) if b.description else "",
                      image(b.background_image, "background"))
             for b in profile.bio_links] if section_shown(settings, "show_links") else []
    products = [ProductView(_show(p.name), _show(p.price), href(p.url), image(p.image_url, "product"))
                for p in profile.products] if section_shown(settings, "show_products") else []
    groups, rich = [], False
    if details:
        links, products, groups, rich = item_views(profile, details, links, products, language, now)
    tools = [ToolView(_show(c.name), href(c.url), image(c.logo_url, "logo"))
             for c in profile.carousel_items] if section_shown(settings, "show_tools") else []
    canonical = site.absolute(canonical_path)  # a profile's own hostname is absolute already
    title = _truncate(f"{name} · {tagline_plain}", TITLE_MAX) if tagline_plain else name
    og_title = name
    if tagline_plain:
        description = _truncate(tagline_plain, DESCRIPTION_MAX)
    else:
        description = translations.fill(language.description, {"name": name})
    links_heading, products_heading, tools_heading = language.links, language.products, language.tools
    if settings is not None:
        title, og_title, description = seo(settings, title, og_title, description)
        links_heading = heading(settings.links_heading, links_heading)
        products_heading = heading(settings.products_heading, products_heading)
        tools_heading = heading(settings.tools_heading, tools_heading)
    shared, og_size, og_alt = shared_picture(cover, avatar, name)  # pages.py puts the social card in
    photo = site.absolute(avatar.og or avatar.src) if avatar else None
    json_ld_markup: Markup | str = ""
    if "structured_data" in site.share:
        json_ld_markup = json_ld(profile_page_document(
            name=name, image=photo, description=tagline_plain and _truncate(tagline_plain, DESCRIPTION_MAX),
            same_as=[s.url for s in social if s.url.lower().startswith(("https:", "http:"))],
            products=[(p.name, p.price) for p in products]))
    return PageView(
        username=profile.username,
        name=name,
        lang=language.lang,
        dir=language.dir or text_direction(name, tagline_plain),
        title=title,
        og_title=og_title,
        tagline=_markdown(tagline) if tagline else "",
        description=description,
        canonical=canonical,
        avatar=avatar,
        cover=cover,
        og_image=site.absolute(shared) if shared else None,
        og_size=og_size, og_alt=og_alt,
        social=social,
        links=links,
        products=product_groups(products, groups),
        tools=tools,
        links_heading=links_heading,
        products_heading=products_heading,
        tools_heading=tools_heading,
        json_ld=json_ld_markup,
        content_hash=content_hash,
        note=tagline_plain,
        photo=photo,
        vcard_url=f"/{profile.username}.vcf" if "vcard" in site.share else None,
        qr_url=f"/qr/{profile.username}.svg" if "qr" in site.share else None,
        address=canonical.split("://", 1)[1].rstrip("/"),
        share_words=language.share,
        more=language.item["more"],
        rich=site.asset_url("rich.css") if rich else "",
    )


def compile_templates(config: Config) -> None:
    """Compile every template, so a syntax error stops the build before any page is made.

    Compiled here, in the parent (~2 ms from the bytecode cache): compiled first in
    a worker's initializer instead, a syntax error made multiprocessing start new
    workers forever and the build never ended.
    """
    env = make_environment(config)
    for name in sorted(set(env.list_templates(extensions=("html", "xml", "txt")))):
        with _template_errors(config.site_dir):
            env.get_template(name)


_TEMPLATE_FRAME = re.compile(r"\.(?:html|xml|txt)$")


@contextlib.contextmanager
def _template_errors(site_dir: Path, rendering: str = ""):
    """Turn Jinja's errors into a TemplateError naming the template file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as error:
        where = _shown_path(error.filename or error.name or "?", site_dir)
        raise TemplateError(f"template {where}, line {error.lineno}: {error.message}") from None
    except jinja2.TemplateError as error:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _TEMPLATE_FRAME.search(frame.filename)]
        where = f"template {_shown_path(frames[-1].filename, site_dir)}, line {frames[-1].lineno}: " if frames else ""
        raise TemplateError(f"{where}{error}" + (f" (while rendering {rendering})" if rendering else "")) from None


def _shown_path(file: str, site_dir: Path) -> str:
    """`file` relative to the site folder when it is inside it (the site's own templates)."""
    try:
        return Path(file).resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return file


def _say(words: translations.Words):
    """The templates' `t(key, **values)`: the words of `key`; a key en.json lacks is the
    template's error, named with its file and line."""
    def say(key: str, **values: object) -> str:
        text = words.text.get(key)
        if text is None:
            raise jinja2.UndefinedError(f"no words for {key!r}: add the key to translations/en.json")
        return translations.fill(text, values)
    return say


class Renderer:
    """Renders pages with one compiled template set (made once per process)."""

    def __init__(self, config: Config, site: SiteContext):
        self.site = site
        self.site_dir = config.site_dir
        self.env = make_environment(config)
        # Read once a process: every file checked, each language resolved on first use.
        self.catalog = translations.Catalog(config.translation_dirs)
        site_words = translations.site_language_words(self.catalog, config.language)
        self._languages = {None: language_view(site_words, config.language, chosen=False)}
        # The 404 page and the directory speak the site's language (biogen.toml).
        self.env.globals.update(site=site, asset_url=site.asset_url, language=config.language,
                                language_dir=site_words.dir, t=_say(site_words))
        with _template_errors(self.site_dir):
            # Made once per process and look, not on every page: `{% include %}` and `{%
            # from ... import %}` each build a new template context per render, ~55 us of a
            # ~500 us page at 10,000 profiles. head.html shows nothing of the page but its
            # look (its stylesheet and theme colours), which a few hundred pages share.
            self._head_template = self.env.get_template("head.html")
            self._heads: dict = {}
            self.env.globals["head"] = self.head(site.looks.default)
            self.env.globals["picture"] = self.env.get_template("picture.html").module.picture
            self._profile = self.env.get_template("profile.html")

    def head(self, look) -> Markup:
        """head.html for pages of one look (generator.build.themes.Look)."""
        head = self._heads.get(look)
        if head is None:
            with _template_errors(self.site_dir):
                head = self._heads[look] = Markup(self._head_template.render(look=look).rstrip("\n"))
        return head

    def page_language(self, tag: str | None) -> PageLanguage:
        """The language a profile chose (None: the site's), resolved once per Renderer."""
        language = self._languages.get(tag)
        if language is None:
            language = self._languages[tag] = language_view(self.catalog.words(tag), tag, chosen=True)
        return language

    def language_of(self, profile: Profile) -> PageLanguage:
        """The language of a profile's pages: its settings' choice, or the site's."""
        return self._languages[None] if profile.settings is None else self.page_language(profile.settings.language)

    def view_of(self, profile: Profile, *, canonical_path: str, content_hash: str, now: str | None = None) -> PageView:
        """What the page of `profile` shows, in its language, with the items live at `now` (None: all)."""
        return profile_view(profile, self.site, canonical_path=canonical_path, content_hash=content_hash,
                            language=self.language_of(profile), now=now)

    def render_view(self, view: PageView, username: str, look=None) -> str:
        """The HTML page showing `view`, in `look` (the default look when None)."""
        with _template_errors(self.site_dir, f"profile {username!r}"):
            if look is None or look is self.site.looks.default:
                return self._profile.render(page=view)
            return self._profile.render(page=view, head=self.head(look))

    def detail_pages(self, profile: Profile, *, profile_path: str, content_hash: str, look=None,
                     now: str | None = None) -> list[tuple[DetailPage, str]]:
        """(page, HTML) of each live item's detail page, in the profile's language and look."""
        language = self.language_of(profile)
        picture, head = self.env.globals["picture"], self.head(look) if look is not None else self.env.globals["head"]
        pages = detail_pages(profile, self.site, language, profile_path=profile_path, content_hash=content_hash,
                             now=now, image_html=lambda view, alt: Markup(picture(view, alt=alt)))
        with _template_errors(self.site_dir, f"detail pages of {profile.username!r}"):
            template = self.env.get_template("detail.html")
            return [(page, template.render(page=page.view, head=head)) for page in pages]

    def directory_page(self, page: DirectoryPage) -> str:
        """One page of the directory of profiles (a generator.build.directory.DirectoryPage)."""
        profiles = [(username, _show(name).strip() or username) for username, name in page.rows]
        with _template_errors(self.site_dir, f"directory page {page.number}"):
            return self.env.get_template("directory.html").render(page=page, profiles=profiles, page_url=page_url)

    def page(self, template: str, **context) -> str:
        """Any other page (404, the directory of profiles)."""
        with _template_errors(self.site_dir, template):
            return self.env.get_template(template).render(**context)
