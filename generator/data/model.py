"""Profiles and their children as immutable records, loaded in a fixed number of queries.

`load_profiles()` runs eight queries whatever the number of profiles (one per table,
ordered by profile), and joins them while streaming, so memory stays flat at
100,000 profiles. Children come in the order the Worker's `ORDER BY order_index`
gives: NULL first, then ascending, ties in rowid (insertion) order.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple


class SocialLink(NamedTuple):
    id: str
    profile_id: str
    platform: str
    url: str
    icon: str | None
    order_index: int | None


class BioLink(NamedTuple):
    id: str
    profile_id: str
    name: str
    url: str
    description: str | None
    background_image: str | None
    order_index: int | None


class Product(NamedTuple):
    id: str
    profile_id: str
    name: str
    image_url: str | None
    price: str
    url: str
    order_index: int | None


class CarouselItem(NamedTuple):
    id: str
    profile_id: str
    name: str
    logo_url: str | None
    url: str
    order_index: int | None


class ProfileSettings(NamedTuple):
    """A profile's row of profile_settings: NULL in a column means the default."""

    profile_id: str
    theme: str | None
    accent: str | None
    button_shape: str | None
    language: str | None
    show_links: int | None
    show_products: int | None
    show_tools: int | None
    links_heading: str | None
    products_heading: str | None
    tools_heading: str | None
    seo_title: str | None
    seo_title_template: str | None
    seo_description: str | None


class Domain(NamedTuple):
    """A hostname the profile is served on (the table domains, generator.data.domains):
    kind is 'main', 'alias' or 'redirect'."""

    hostname: str
    profile_id: str
    kind: str


class ItemDetails(NamedTuple):
    """A bio link's or a product's row of item_details (generator.data.item_details):
    its detail page, a product's description, badge and group, and its schedule."""

    item_id: str
    profile_id: str
    slug: str | None
    subtitle: str | None
    content: str | None
    cta_text: str | None
    cta_url: str | None
    description: str | None
    badge: str | None
    group_name: str | None
    starts_at: str | None
    ends_at: str | None


@dataclass(frozen=True, slots=True)
class Profile:
    """One profile with its children, each tuple already in display order."""

    id: str
    username: str
    display_name: str
    tagline: str | None
    avatar_url: str | None
    cover_url: str | None
    created_at: str | None
    updated_at: str | None
    social_links: tuple[SocialLink, ...] = ()
    bio_links: tuple[BioLink, ...] = ()
    products: tuple[Product, ...] = ()
    carousel_items: tuple[CarouselItem, ...] = ()
    profile_settings: tuple[ProfileSettings, ...] = ()   # one row, or none: every setting at its default
    domains: tuple[Domain, ...] = ()   # its hostnames, in the order they were added
    item_details: tuple[ItemDetails, ...] = ()   # rows for the links and products that have any

    @property
    def main_hostname(self) -> str | None:
        """The hostname the profile's page names as its canonical address, or None."""
        return next((row.hostname for row in self.domains if row.kind == "main"), None)

    @property
    def settings(self) -> ProfileSettings | None:
        """The profile's settings row, or None when it has none."""
        return self.profile_settings[0] if self.profile_settings else None

    def details(self) -> dict[str, ItemDetails]:
        """{item id: its item_details row}; {} for the many profiles without any."""
        return {row.item_id: row for row in self.item_details}


PROFILE_COLUMNS = ("id", "username", "display_name", "tagline", "avatar_url", "cover_url", "created_at", "updated_at")
CHILDREN = (
    ("social_links", SocialLink),
    ("bio_links", BioLink),
    ("products", Product),
    ("carousel_items", CarouselItem),
)
# Every table a profile's content has besides its own row, in db.CHILD_TABLES order:
# the lists, then the settings, then the hostnames, then the items' details.
PARTS = CHILDREN + (("profile_settings", ProfileSettings), ("domains", Domain), ("item_details", ItemDetails))
# Every column of the profile tables as the migrations in this repository make them.
MODEL_COLUMNS = {"profiles": list(PROFILE_COLUMNS), **{table: list(row._fields) for table, row in PARTS}}


def load_profiles(conn: sqlite3.Connection, *, ids: Iterable[str] | None = None,
                  first_id: str | None = None, last_id: str | None = None) -> Iterator[Profile]:
    """Every profile (or those in `ids`, or with first_id <= id <= last_id), in id order."""
    where, params = "", []
    if ids is not None:
        where, params = "WHERE {key} IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))]
    elif first_id is not None and last_id is not None:
        where, params = "WHERE {key} BETWEEN ? AND ?", [first_id, last_id]
    profiles = conn.execute(
        f"SELECT {', '.join(PROFILE_COLUMNS)} FROM profiles {where.format(key='id')} ORDER BY id", params)
    streams = []
    for table, row_type in PARTS:
        order = "order_index, rowid" if "order_index" in row_type._fields else "rowid"
        cursor = conn.execute(
            f"SELECT {', '.join(row_type._fields)} FROM {table} {where.format(key='profile_id')} "
            f"ORDER BY profile_id, {order}", params)
        # tuple.__new__ through partial builds each row in C: ~3x faster than _make.
        streams.append(_grouped(cursor, functools.partial(tuple.__new__, row_type),
                                row_type._fields.index("profile_id")))
    heads = [next(stream, None) for stream in streams]
    for row in profiles:
        profile_id = row[0]
        children = []
        for index, stream in enumerate(streams):
            head = heads[index]
            # Skips children of a missing profile (written with foreign keys off).
            while head is not None and head[0] < profile_id:
                head = next(stream, None)
            if head is not None and head[0] == profile_id:
                children.append(head[1])
                head = next(stream, None)
            else:
                children.append(())
            heads[index] = head
        yield Profile(*row, *children)


def _grouped(cursor: sqlite3.Cursor, make, owner: int) -> Iterator[tuple[str, tuple]]:
    for profile_id, rows in groupby(cursor, key=itemgetter(owner)):
        yield profile_id, tuple(map(make, rows))


def profile_row(profile: Profile) -> tuple:
    """The profile's own row, in the schema's column order."""
    return tuple(getattr(profile, column) for column in PROFILE_COLUMNS)


def model_covers_schema(conn: sqlite3.Connection) -> bool:
    """True when the model holds every column of the profile tables (no site migration
    added one) and no column has REAL or BLOB affinity, so a profile's content hash
    can be computed from the model's rows as SQLite gives them (generator.data.content_hash)."""
    for table, columns in MODEL_COLUMNS.items():
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        if [row[1] for row in info] != columns or not all(_keeps_integers(row[2]) for row in info):
            return False
    return True


def _keeps_integers(declared_type: str) -> bool:
    """True for TEXT, INTEGER and NUMERIC affinity: SQLite stores a float that is a whole
    number as an integer (or as text) in such a column, so no 2.0 ever comes back."""
    kind = declared_type.upper()
    if "INT" in kind or any(word in kind for word in ("CHAR", "CLOB", "TEXT")):
        return True
    return bool(kind) and "BLOB" not in kind and not any(word in kind for word in ("REAL", "FLOA", "DOUB"))


def profile_ids(conn: sqlite3.Connection) -> list[str]:
    """Every profile id, in the order load_profiles() yields them."""
    return [row[0] for row in conn.execute("SELECT id FROM profiles ORDER BY id")]


def order_ties(profile: Profile) -> list[tuple[str, tuple[str, ...], int | None]]:
    """Children of one kind sharing an order_index: (table, row ids, order_index)."""
    ties = []
    for table, _ in CHILDREN:
        rows = getattr(profile, table)
        if len({row[-1] for row in rows}) == len(rows):
            continue  # the usual case, ~1 us a table: order_index is each row's last field
        for order_index, group in groupby(rows, key=lambda r: r.order_index):
            same = tuple(r.id for r in group)
            if len(same) > 1:
                ties.append((table, same, order_index))
    return ties


def tie_warnings(profile: Profile) -> list[str]:
    """A sentence for each group of children that share an order_index."""
    return [f"{table} rows {', '.join(map(repr, ids))} share order_index {index!r}; their order is up to SQLite "
            "and may differ in D1: give them distinct order_index values"
            for table, ids, index in order_ties(profile)]
