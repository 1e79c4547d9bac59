"""A bio link's or a product's details (the table item_details): BioData names, rules, slugs
and the schedule.

A link or a product may have a detail page (subtitle, a Markdown body, a call to action,
at /<username>/<slug>), a product a description, a badge and a group, and either a time
it starts and a time it ends. The document carries only what is set, after the item's
existing keys, in the current site's newer shape:

    link:    ..., "detailContent": {"subtitle", "content", "ctaText", "ctaUrl", "slug"},
             "startsAt", "endsAt"
    product: ..., "description", "badge", "group", "detailContent": {...}, "startsAt", "endsAt"

`slug` is biogen's own: the page's address, stored so that renaming an item or adding
another does not move a shared link. Pure functions: the rules (`row_problems`,
`profile_item_problems`), a document's keys read back into columns (`read_item`), slugs
(`slug_from_name`, `unique_slug`) and the schedule (`is_live`, `next_change`, `schedule_warnings`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone

from generator.data.model import ItemDetails, Profile

# The rule of a link's URL (generator.data.validate.link_problem), passed in by the caller:
# validate applies this module's rules to a whole profile, so this module cannot import it.
LinkRule = Callable[[object], "str | None"]

COLUMNS = ItemDetails._fields[2:]
# (BioData key, column) of detailContent, in the document's order.
DETAIL_KEYS = (("subtitle", "subtitle"), ("content", "content"), ("ctaText", "cta_text"), ("ctaUrl", "cta_url"),
               ("slug", "slug"))
PRODUCT_KEYS = (("description", "description"), ("badge", "badge"), ("group", "group_name"))
SCHEDULE_KEYS = (("startsAt", "starts_at"), ("endsAt", "ends_at"))
# The keys an item of each table may carry besides its own columns.
ITEM_KEYS = {"bio_links": ("detailContent",) + tuple(k for k, _ in SCHEDULE_KEYS),
             "products": tuple(k for k, _ in PRODUCT_KEYS) + ("detailContent",) + tuple(k for k, _ in SCHEDULE_KEYS)}
PRODUCT_ONLY = ("description", "badge", "group_name")
DETAIL_COLUMNS = tuple(c for _, c in DETAIL_KEYS)

BADGES = ("new", "hot", "limited")
# A slug is one path segment of plain lowercase words: /ana/summer-course. 64 characters
# keeps the address short enough to share; "index" would be the profile folder's own page.
SLUG_MAX = 64
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED_SLUGS = frozenset({"index"})
# Limits in characters: a subtitle and a button's text sit on one line (60, the title's
# limit); a product's description is a line or two (300); a detail body is a page, and
# 20,000 characters (~3,000 words) keeps one page under ~40 KB of HTML.
TEXT_LIMITS = {"subtitle": 60, "cta_text": 60, "description": 300, "group_name": 60, "content": 20_000}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\n\r\t]")
# ISO 8601 in UTC, to the second: 2026-12-24T18:00:00Z. One spelling, so times compare as text
# in SQL (the reference Worker) exactly as here.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def parse_time(value: str) -> datetime | None:
    """The moment `value` names (YYYY-MM-DDTHH:MM:SSZ), or None when it is not one."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        return None
    try:
        return datetime.strptime(value, TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def format_time(moment: datetime) -> str:
    """`moment` in the one spelling times are stored in."""
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def has_page(row: ItemDetails | None) -> bool:
    """True when the item has a detail page: its body (content) is set."""
    return row is not None and row.content is not None


def is_live(row: ItemDetails | None, now: str | None) -> bool:
    """True when the item shows at `now` (a stored time; None: always): started, not ended."""
    if row is None or now is None:
        return True
    return (row.starts_at is None or row.starts_at <= now) and (row.ends_at is None or now < row.ends_at)


def next_change(profile: Profile, now: str) -> str | None:
    """The first start or end after `now` among the profile's items, or None."""
    times = [t for row in profile.item_details for t in (row.starts_at, row.ends_at)
             if t is not None and parse_time(t) is not None and t > now]
    return min(times, default=None)


# ---- slugs -------------------------------------------------------------------------------

def slug_from_name(name: str) -> str:
    """A slug for an item named `name`: accents dropped (Đồ ăn -> do-an), words joined by '-'."""
    text = str(name).replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", text))[:SLUG_MAX].strip("-")
    return slug if slug and slug not in RESERVED_SLUGS else "item"


def unique_slug(name: str, taken: set[str]) -> str:
    """slug_from_name(name), with -2, -3, ... added when another item of the profile has it."""
    base = slug_from_name(name)
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[:SLUG_MAX - len(suffix)].rstrip("-") + suffix, number + 1
    return slug


def assign_slugs(details: dict[str, list[dict | None]],
                 children: dict[str, list[tuple]]) -> list[tuple[tuple[str, int], str]]:
    """Give every detail page without a slug one from its item's name (the name is each row's
    first value), unique within the profile; ((table, index), problem) for a slug given twice.
    Slugs given in the document are kept as they are, so an export imports unchanged."""
    taken: dict[str, tuple[str, int]] = {}
    problems = []
    for table, rows in details.items():
        for index, values in enumerate(rows):
            slug = (values or {}).get("slug")
            if not isinstance(slug, str):
                continue
            if slug in taken:
                other_table, other = taken[slug]
                problems.append(((table, index), f"{slug!r} is already the slug of {other_table}[{other}]; "
                                                 "slugs are unique within a profile: choose another"))
            else:
                taken[slug] = (table, index)
    for table, rows in details.items():
        for index, values in enumerate(rows):
            if values and values.get("content") is not None and values.get("slug") is None:
                values["slug"] = unique_slug(children[table][index][0] or "", set(taken))
                taken[values["slug"]] = (table, index)
    return problems


def slug_problem(value: object) -> str | None:
    """Why `value` cannot be a slug, or None."""
    if not isinstance(value, str) or not value:
        return "is empty; a detail page needs a slug (lowercase letters, digits and '-'), such as 'summer-course'"
    if len(value) > SLUG_MAX:
        return f"is {len(value)} characters long; at most {SLUG_MAX} are allowed"
    if not _SLUG.fullmatch(value):
        return (f"{value!r} is not a slug: use lowercase letters a-z, digits and single '-' between words, "
                f"such as {slug_from_name(value)!r}")
    if value in RESERVED_SLUGS:
        return f"{value!r} is reserved; choose another slug"
    return None


# ---- rules -------------------------------------------------------------------------------

def value_problem(column: str, value: object, link_rule: LinkRule) -> str | None:
    """Why `value` cannot be stored in the item_details column `column`, or None (NULL: unset);
    cta_url is held to `link_rule`, as every link's URL is."""
    if value is None:
        return None
    if not isinstance(value, str):
        return f"holds {type(value).__name__} data ({value!r}), not text"
    if column == "slug":
        return slug_problem(value)
    if column == "cta_url":
        return link_rule(value)
    if column == "badge":
        return None if value in BADGES else f"{value!r} is not a badge: use {', '.join(BADGES)} (or leave it unset)"
    if column in ("starts_at", "ends_at"):
        if parse_time(value) is None:
            return (f"{_shown(value)} is not a UTC time in ISO 8601: write YYYY-MM-DDTHH:MM:SSZ, "
                    "such as 2026-12-24T18:00:00Z")
        return None
    if not value.strip():
        return "is blank; leave it unset (NULL) instead"
    if _CONTROL.search(value) or (column != "content" and _LINE_BREAK.search(value)):
        return f"{_shown(value)} contains a line break, tab or control character; write it on one line"
    limit = TEXT_LIMITS[column]
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit:,} are allowed: shorten it"
    return None


def row_problems(row: ItemDetails, table: str | None, link_rule: LinkRule) -> list[tuple[str, str]]:
    """(column, message) for each rule the row breaks; `table` is the item's (None: no such item)."""
    problems = [(column, message) for column in COLUMNS
                if (message := value_problem(column, getattr(row, column), link_rule)) is not None]
    if table == "bio_links":
        problems += [(column, "is for products only; clear it on a link") for column in PRODUCT_ONLY
                     if getattr(row, column) is not None]
    if row.content is None:
        problems += [(column, "belongs to a detail page, which needs content (its Markdown body): "
                              "set content or clear this") for column in ("subtitle", "cta_text", "cta_url")
                     if getattr(row, column) is not None]
    elif row.slug is None:
        problems.append(("slug", slug_problem(None)))
    return problems


def schedule_warnings(profile: Profile, now: str) -> list[str]:
    """A sentence for each item that can never show again at `now`: it ends before it starts,
    or its end has passed. Warnings, not problems: the build simply leaves such an item out."""
    names = {**{b.id: ("link", b.name) for b in profile.bio_links}, **{p.id: ("product", p.name) for p in profile.products}}
    warnings = []
    for row in profile.item_details:
        if row.item_id not in names or parse_time(row.ends_at or "") is None:
            continue
        noun, name = names[row.item_id]
        where = f"{profile.username}: {noun} {name!r} (item_details {row.item_id})"
        if parse_time(row.starts_at or "") is not None and row.ends_at <= row.starts_at:
            warnings.append(f"{where} ends ({row.ends_at}) before it starts ({row.starts_at}), so it never shows; "
                            "fix starts_at or ends_at")
        elif row.ends_at <= now:
            warnings.append(f"{where} ended at {row.ends_at} and no longer shows; clear ends_at or remove the item")
    return warnings


def profile_item_problems(profile: Profile, link_rule: LinkRule) -> list[tuple[str, str, str]]:
    """(item id, column, message) for every rule the profile's item_details rows break,
    including a slug used twice and a row whose item is not one of the profile's links
    or products."""
    tables = {**{b.id: "bio_links" for b in profile.bio_links}, **{p.id: "products" for p in profile.products}}
    problems = []
    owners: dict[str, str] = {}
    for row in profile.item_details:
        table = tables.get(row.item_id)
        if table is None:
            problems.append((row.item_id, "item_id", "names no link or product of this profile (its item was "
                                                     "deleted or given a new id): delete the row or fix item_id"))
        problems += [(row.item_id, column, message) for column, message in row_problems(row, table, link_rule)]
        if row.slug is not None and row.slug in owners:
            problems.append((row.item_id, "slug", f"{row.slug!r} is already the slug of item {owners[row.slug]!r} "
                                                  "of this profile; slugs are unique within a profile: choose another"))
        elif row.slug is not None:
            owners[row.slug] = row.item_id
    return problems


def _shown(value: str, limit: int = 70) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "...")


# ---- documents ---------------------------------------------------------------------------

def document_parts(row: ItemDetails | None, table: str) -> list[tuple[str, object]]:
    """The keys an item's row adds to its BioData entry, only those set; [] without a row."""
    if row is None:
        return []
    parts: list[tuple[str, object]] = []
    if table == "products":
        parts += [(key, getattr(row, column)) for key, column in PRODUCT_KEYS if getattr(row, column) is not None]
    if has_page(row):
        parts.append(("detailContent", {key: getattr(row, column) for key, column in DETAIL_KEYS
                                        if getattr(row, column) is not None}))
    parts += [(key, getattr(row, column)) for key, column in SCHEDULE_KEYS if getattr(row, column) is not None]
    return parts


def read_item(item: dict, table: str,
              link_rule: LinkRule) -> tuple[dict[str, object], list[tuple[tuple[str, ...], str]]]:
    """({column: value} of an item's extra keys, [(keys, problem)]); {} when it has none.

    A missing slug is left None here: the importer gives one from the name (unique_slug)."""
    values: dict[str, object] = {}
    problems: list[tuple[tuple[str, ...], str]] = []
    simple = (PRODUCT_KEYS if table == "products" else ()) + SCHEDULE_KEYS
    for key, column in simple:
        if item.get(key) is not None:
            values[column] = item[key]
    detail = item.get("detailContent")
    if detail is not None:
        if not isinstance(detail, dict):
            problems.append((("detailContent",), "must be an object {\"content\": ..., \"ctaText\": ...}"))
        else:
            known = tuple(k for k, _ in DETAIL_KEYS)
            problems += [(("detailContent", key), f"is not a key biogen knows here (known: {', '.join(known)}); "
                                                  "remove it") for key in detail if key not in known]
            for key, column in DETAIL_KEYS:
                if detail.get(key) is not None:
                    values[column] = detail[key]
            if detail.get("content") is None:
                problems.append((("detailContent", "content"), "is missing; a detail page needs its content "
                                                               "(Markdown text)"))
    paths = {column: (key,) for key, column in simple} | {column: ("detailContent", key) for key, column in DETAIL_KEYS}
    for column, value in values.items():
        message = value_problem(column, value, link_rule)
        if message:
            problems.append((paths[column], message))
    return values, problems
