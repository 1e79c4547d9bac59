"""Items' details on pages: a link's or a product's own page at /<username>/<slug>, from its
item_details row (subtitle, Markdown body, call to action), with the item's image as hero;
and on the profile page, the link to it, a product's description and badge, and groups.

Static files like the profile pages (`<username>/<slug>.html`), made by the same worker in
the same pass, in the profile's language and look, with rich.css beside the look's
stylesheet: what only these pages and items' details need stays out of the profile pages'.
"""

from __future__ import annotations

from typing import NamedTuple

from markupsafe import Markup

from generator.build import translations
from generator.build.markdown import plain_text, render_block, render_inline
from generator.build.page_words import PageLanguage, truncate
from generator.build.page_words import shown as _show
from generator.build.render_context import ImageView, SiteContext
from generator.data.item_details import has_page, is_live
from generator.data.model import ItemDetails, Profile
from generator.data.text import text_direction
from generator.data.urls import href

DESCRIPTION_MAX = 160
TITLE_MAX = 60


class DetailView(NamedTuple):
    """What the detail template shows."""

    lang: str
    dir: str
    title: str
    description: str
    canonical: str
    og_image: str | None
    og_size: tuple[int, int] | None    # og_image's (width, height) when known
    profile_path: str
    back: str              # "Back to <name>"
    name: str
    subtitle: str
    price: str
    badge: str
    hero: ImageView | None
    body: Markup
    cta_text: str
    cta_url: str
    content_hash: str
    rich: str              # rich.css


def item_path(username: str, slug: str) -> str:
    """The path of an item's detail page (its file is `<username>/<slug>.html`)."""
    return f"/{username}/{slug}"


class ProductGroup(NamedTuple):
    """Products under one heading on a profile page (render.ProductView each)."""

    name: str                  # "" for products without a group (and for a page without groups)
    products: list


class DetailPage(NamedTuple):
    """One detail page to write: its output file and its view."""

    path: str              # <username>/<slug>.html
    url_path: str          # /<username>/<slug>
    view: DetailView


def detail_pages(profile: Profile, site: SiteContext, language: PageLanguage, *, profile_path: str,
                 content_hash: str, now: str | None, image_html) -> list[DetailPage]:
    """The detail page of every live link and product with detail content, in the profile
    page's direction. `image_html(view, alt)` draws a body image prepared by the build."""
    details = profile.details()
    if not details:
        return []
    name, tagline = _show(profile.display_name), _show(profile.tagline)
    direction = language.dir or text_direction(name, plain_text(tagline) if tagline else "")
    pages = []
    items = [(b, b.background_image, "background", None) for b in profile.bio_links]
    items += [(p, p.image_url, "product", p.price) for p in profile.products]
    for item, image_ref, role, price in items:
        row = details.get(item.id)
        if not has_page(row) or not is_live(row, now):
            continue
        url_path = item_path(profile.username, row.slug)
        pages.append(DetailPage(f"{profile.username}/{row.slug}.html", url_path, _view(
            item, row, site, language, image=site.image(image_ref, role), price=price, profile_name=name,
            profile_path=profile_path, url_path=url_path, direction=direction,
            content_hash=content_hash, image_html=image_html)))
    return pages


def item_views(profile: Profile, details: dict, links: list, products: list, language: PageLanguage,
               now: str | None) -> tuple[list, list, list[str], bool]:
    """The views (one per link and product, or none for a hidden section) of the live ones
    with their details: a detail page's link, a product's description (inline Markdown) and
    badge (words, not colour alone); each live product's group ("" for none); and whether
    the page shows any of it (and needs rich.css)."""
    def extra(item_id: str, name: str) -> dict:
        row = details.get(item_id)
        if not has_page(row):
            return {}
        return {"page": item_path(profile.username, row.slug), "more": translations.fill(language.item["more_label"],
                                                                                          {"name": name})}
    links = [view._replace(**extra(b.id, view.name)) for b, view in zip(profile.bio_links, links)
             if is_live(details.get(b.id), now)]
    live_products = [(p, view) for p, view in zip(profile.products, products) if is_live(details.get(p.id), now)]
    shown = []
    for p, view in live_products:
        row = details.get(p.id)
        changes = extra(p.id, view.name)
        if row is not None and row.description:
            changes["description"] = render_inline(_show(row.description))
        if row is not None and row.badge:
            changes["badge"] = language.item.get(f"badge.{row.badge}", row.badge)
        shown.append(view._replace(**changes))
    groups = [_show(details[p.id].group_name) if p.id in details and details[p.id].group_name else ""
              for p, _ in live_products]
    rich = any(groups) or any(b.page for b in links) or any(p.page or p.description or p.badge for p in shown)
    return links, shown, groups, rich


def product_groups(products: list, groups: list[str] | None) -> list[ProductGroup]:
    """Products under their groups' headings, groups in the order their first product comes,
    products without a group first, under no heading; one unnamed group without groups."""
    if not products:
        return []
    if not groups or not any(groups):
        return [ProductGroup("", products)]
    by_group: dict[str, list] = {}
    for product, group in zip(products, groups):
        by_group.setdefault(group, []).append(product)
    ordered = sorted(by_group.items(), key=lambda item: item[0] != "")  # stable: the ungrouped ones first
    return [ProductGroup(name, items) for name, items in ordered]


def _view(item, row: ItemDetails, site: SiteContext, language: PageLanguage, *, image: ImageView | None,
          price, profile_name: str, profile_path: str, url_path: str, direction: str, content_hash: str,
          image_html) -> DetailView:
    item_name = _show(item.name)
    subtitle = _show(row.subtitle) if row.subtitle else ""
    lead = plain_text(subtitle) if subtitle else plain_text(" ".join(_show(row.content).split())[:DESCRIPTION_MAX * 2])
    description = truncate(lead, DESCRIPTION_MAX) or item_name

    def body_image(source: str, alt: str):
        view = site.image(source, "body") if (source, "body") in site.images else None
        return image_html(view, alt) if view is not None else None

    return DetailView(
        lang=language.lang,
        dir=direction,
        title=truncate(f"{item_name} · {profile_name}", TITLE_MAX),
        description=description,
        canonical=site.base_url + url_path,
        og_image=site.absolute(image.og or image.src) if image else None,
        og_size=image.og_size if image else None,
        profile_path=profile_path,
        back=translations.fill(language.item["back"], {"name": profile_name}),
        name=item_name,
        subtitle=subtitle,
        price=_show(price) if price is not None else "",
        badge=language.item.get(f"badge.{row.badge}", row.badge) if row.badge else "",
        hero=image,
        body=render_block(_show(row.content), body_image),
        cta_text=_show(row.cta_text) if row.cta_text else language.item["cta"],
        cta_url=href(row.cta_url or item.url),
        content_hash=content_hash,
        rich=site.asset_url("rich.css"),
    )
