"""What changed in a profile between two moments, in plain words (generator.editor.changes):
the pure comparison behind every refused save, part by part, and the editor's bounded
memory of the profiles its pages showed."""

from __future__ import annotations

import dataclasses

import pytest

from generator.data.model import BioLink, CarouselItem, Domain, ItemDetails, Product, Profile, ProfileSettings, \
    SocialLink
from generator.editor import changes, item_forms

KIND = {kind.slug: kind for kind in item_forms.KINDS}


def _row(kind_slug: str, item_id: str, title: str, url: str, order: int, **others):
    """A row of one of the four lists, its optional columns NULL unless given."""
    make = {"social-links": SocialLink, "links": BioLink, "products": Product, "tools": CarouselItem}[kind_slug]
    values = dict.fromkeys(make._fields)
    values.update(id=item_id, profile_id="p", url=url, order_index=order, **others)
    values[KIND[kind_slug].title_column] = title
    if make is Product:
        values["price"] = values["price"] or "$1"
    return make(**values)


def _profile(**parts) -> Profile:
    own = {"id": "p", "username": "ana", "display_name": "Ana", "tagline": None, "avatar_url": None,
           "cover_url": None, "created_at": "2026-01-01 00:00:00", "updated_at": "2026-01-01 00:00:00"}
    return Profile(**(own | parts))


def _rows(kind_slug: str, *names: str) -> tuple:
    return tuple(_row(kind_slug, f"{kind_slug}-{name}", name, f"https://example.com/{name}", order)
                 for order, name in enumerate(names))


def _part(before: Profile, after: Profile, key: str) -> list[str]:
    found = [part for part in changes.between(before, after) if part.key == key]
    assert len(found) == 1, changes.between(before, after)
    return list(found[0].changes)


def test_nothing_changed_is_an_empty_list_even_when_only_timestamps_and_order_numbers_moved():
    before = _profile(bio_links=_rows("links", "Shop", "Blog"))
    assert changes.between(before, before) == []
    renumbered = tuple(row._replace(order_index=row.order_index * 10 + 5) for row in before.bio_links)
    after = dataclasses.replace(before, bio_links=renumbered, updated_at="2026-12-07 22:00:00")
    assert changes.between(before, after) == []


def test_the_profiles_own_fields_before_and_after():
    before = _profile()
    after = dataclasses.replace(before, display_name="Ana S.", tagline="New <b>line</b>")
    assert _part(before, after, "profile") == ["Display name: “Ana” → “Ana S.”",
                                               "Tagline: empty → “New <b>line</b>”"]
    assert [part.heading for part in changes.between(before, after)] == ["The profile"]


@pytest.mark.parametrize("slug", list(KIND))
def test_a_list_names_rows_added_removed_and_renamed(slug):
    before = _profile(**{KIND[slug].table: _rows(slug, "Shop", "Blog", "Old")})
    rows = list(_rows(slug, "Shop", "Blog", "Old"))
    rows[1] = rows[1]._replace(**{KIND[slug].title_column: "Journal"})
    rows = [rows[0], rows[1], _row(slug, "new", "Fresh", "https://example.com/fresh", 9)]
    after = dataclasses.replace(before, **{KIND[slug].table: tuple(rows)})
    assert _part(before, after, slug) == ["Removed “Old”", "Added “Fresh”", "Renamed “Blog” to “Journal”"]


@pytest.mark.parametrize("slug", list(KIND))
def test_a_list_names_a_changed_address_and_a_changed_order(slug):
    kind = KIND[slug]
    before = _profile(**{kind.table: _rows(slug, "Shop", "Blog", "Art")})
    shop, blog, art = getattr(before, kind.table)
    moved = (blog._replace(order_index=0), shop._replace(order_index=1, url="https://shop.example.net/"),
             art)
    after = dataclasses.replace(before, **{kind.table: moved})
    address = next(field.label for field in kind.fields if field.column == "url")
    assert _part(before, after, slug) == [
        f"{address} of “Shop”: “https://example.com/Shop” → “https://shop.example.net/”",
        "Order changed: now “Blog”, “Shop”, “Art”"]


def test_a_social_links_icon_and_a_links_optional_fields():
    before = _profile(social_links=(_row("social-links", "s", "Mail", "mailto:a@example.com", 0, icon="Mail"),),
                      bio_links=(_row("links", "b", "Shop", "https://example.com", 0, description="Old"),))
    after = dataclasses.replace(before, social_links=(before.social_links[0]._replace(icon=None),),
                                bio_links=(before.bio_links[0]._replace(description=None,
                                                                        background_image="images/bg.jpg"),))
    assert _part(before, after, "social-links") == ["Icon of “Mail”: “Mail” → automatic"]
    assert _part(before, after, "links") == ["Description of “Shop”: “Old” → empty",
                                             "Background image of “Shop”: empty → “images/bg.jpg”"]


def test_settings_before_and_now_with_the_defaults_named():
    before = _profile()
    after = dataclasses.replace(before, profile_settings=(ProfileSettings(
        "p", "bold", None, None, None, 0, 1, None, "My links", None, None, None, None, None),))
    assert _part(before, after, "settings") == ["Theme: default → “bold”", "Show the links: shown → hidden",
                                                "Links heading: default → “My links”"]
    back = changes.between(after, before)
    assert [part.changes for part in back] == [("Theme: “bold” → default", "Show the links: hidden → shown",
                                                "Links heading: “My links” → default")]
    # NULL and 1 both mean "shown": a switch rewritten so is no change a person sees.
    same = dataclasses.replace(before, profile_settings=(ProfileSettings("p", *[None] * 4, 1, None, None,
                                                                         *[None] * 6),))
    assert changes.between(before, same) == []


def test_details_and_schedule_of_each_item_under_its_name():
    links = _rows("links", "Course", "Blog")
    products = (_row("products", "pr", "Pack", "https://example.com/pack", 0),)
    before = _profile(bio_links=links, products=products, item_details=(
        ItemDetails("links-Course", "p", "course", None, "Old body", None, None, None, None, None,
                    "2026-01-01T00:00:00Z", None),))
    after = dataclasses.replace(before, item_details=(
        ItemDetails("links-Course", "p", "course", None, "New body", None, None, None, None, None,
                    "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"),
        ItemDetails("pr", "p", None, None, None, None, None, None, "hot", None, None, None)))
    parts = changes.between(before, after)
    assert [(part.key, part.heading, part.changes) for part in parts] == [
        ("details", "Details of the link “Course”", ("Content: “Old body” → “New body”",
                                                     "Starts: “2026-01-01T00:00:00Z” → “2026-02-01T00:00:00Z”",
                                                     "Ends: empty → “2026-03-01T00:00:00Z”")),
        ("details", "Details of the product “Pack”", ("Badge: empty → “hot”",))]


def test_an_item_removed_with_its_details_is_named_once_in_its_list():
    links = _rows("links", "Course", "Blog")
    before = _profile(bio_links=links, item_details=(
        ItemDetails("links-Course", "p", "course", None, "Body", *[None] * 7),))
    after = dataclasses.replace(before, bio_links=links[1:], item_details=())
    assert [(part.key, part.changes) for part in changes.between(before, after)] == [("links", ("Removed “Course”",))]


def test_hostnames_added_removed_and_their_kind_changed():
    before = _profile(domains=(Domain("ana.example.net", "p", "main"), Domain("old.example.net", "p", "alias")))
    after = dataclasses.replace(before, domains=(Domain("ana.example.net", "p", "redirect"),
                                                 Domain("new.example.net", "p", "main")))
    assert _part(before, after, "hostnames") == ["Removed “old.example.net” (alias)", "Added “new.example.net” (main)",
                                                 "“ana.example.net”: main → redirect"]


def test_long_values_are_cut_on_one_line_and_a_hidden_difference_is_still_named():
    long = "word " * 40
    assert changes.shortened("a\n\n  b") == "a b"
    cut = changes.shortened(long)
    assert len(cut) <= changes.SHORT and cut.endswith("…") and "\n" not in cut
    before = _profile(tagline=long + "one")
    after = dataclasses.replace(before, tagline=long + "two")
    assert _part(before, after, "profile") == [
        f"Tagline: changed (after its first {changes.SHORT} characters, or in its spaces or line breaks)"]


def test_many_names_in_an_order_are_cut_too():
    names = [f"L{n}" for n in range(changes.NAMES_SHOWN + 3)]
    before = _profile(bio_links=_rows("links", *names))
    after = dataclasses.replace(before, bio_links=tuple(reversed(before.bio_links)))
    [line] = _part(before, after, "links")
    assert line.endswith(" and 3 more") and line.count("“") == changes.NAMES_SHOWN


def test_snapshots_keep_the_last_ones_and_say_when_one_is_not_known():
    memory = changes.Snapshots(kept=2)
    first = _profile()
    later = dataclasses.replace(first, display_name="Later")
    memory.remember(first, "h1")
    memory.remember(later, "h2")
    assert memory.what_changed("h1", later) == changes.WhatChanged(True, (
        changes.Part("profile", "The profile", ("Display name: “Ana” → “Later”",)),))
    memory.remember(first, "h1")   # shown again: now the most recent
    memory.remember(later, "h3")   # drops h2, the least recently shown
    assert memory.recall("p", "h2") is None and memory.recall("p", "h1") is first
    assert memory.what_changed("h2", later) == changes.WhatChanged(False)
    assert memory.what_changed("", later) == changes.WhatChanged(False)
    assert memory.recall("another", "h1") is None   # keyed by the profile too
