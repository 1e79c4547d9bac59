"""generator.data.model: profiles and children in five queries, in the Worker's order."""

from __future__ import annotations

import dataclasses

import pytest

from generator.data.db import PROFILE_TABLES
from generator.data.model import (BioLink, CarouselItem, Product, Profile, SocialLink, load_profiles, order_ties,
                             profile_ids, tie_warnings)

CHILD_TABLES = ("social_links", "bio_links", "products", "carousel_items")


def _count_queries(conn, run):
    statements = []
    conn.set_trace_callback(statements.append)
    try:
        result = run()
    finally:
        conn.set_trace_callback(None)
    return result, statements


def _fill(conn, add_profile, add_child, count: int, children: int = 2) -> None:
    conn.execute("BEGIN")  # one transaction: fast
    for n in range(count):
        pid = f"p{n:03d}"
        add_profile(conn, pid)
        for table in CHILD_TABLES:
            for c in range(children):
                add_child(conn, table, f"{pid}-{table}-{c}", pid, order_index=c)
    conn.execute("COMMIT")


# --------------------------------------------------------------------------
# Five queries whatever the number of profiles
# --------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 50])
def test_load_profiles_runs_exactly_one_query_per_table(empty_db, add_profile, add_child, count):
    _fill(empty_db, add_profile, add_child, count)
    profiles, statements = _count_queries(empty_db, lambda: list(load_profiles(empty_db)))
    assert len(profiles) == count
    assert len(statements) == len(PROFILE_TABLES)
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)
    assert all(len(p.bio_links) == 2 and len(p.carousel_items) == 2 for p in profiles)


def test_load_profiles_runs_one_query_per_table_with_an_ids_filter(empty_db, add_profile, add_child):
    _fill(empty_db, add_profile, add_child, 20)
    profiles, statements = _count_queries(
        empty_db, lambda: list(load_profiles(empty_db, ids=["p003", "p007", "p011"])))
    assert [p.id for p in profiles] == ["p003", "p007", "p011"]
    assert len(statements) == len(PROFILE_TABLES)


def test_load_profiles_with_no_profiles(empty_db):
    assert list(load_profiles(empty_db)) == []


# --------------------------------------------------------------------------
# What a profile holds
# --------------------------------------------------------------------------

def test_profile_fields_and_child_types(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1", "alice", display_name="Alice", tagline="Hi", avatar_url="/a.jpg",
                cover_url="https://c.example/c.jpg")
    add_child(empty_db, "social_links", "s1", "p1", platform="Twitter", url="https://x.com/a", icon="Twitter",
              order_index=4)
    add_child(empty_db, "bio_links", "b1", "p1", name="Blog", url="https://b.example", description="d",
              background_image="/bg.jpg", order_index=1)
    add_child(empty_db, "products", "pr1", "p1", name="Book", image_url="/book.png", price="29",
              url="https://shop.example", order_index=2)
    add_child(empty_db, "carousel_items", "c1", "p1", name="Tool", logo_url="/logo.svg", url="https://t.example",
              order_index=3)
    [profile] = load_profiles(empty_db)
    assert isinstance(profile, Profile)
    assert (profile.id, profile.username, profile.display_name, profile.tagline, profile.avatar_url,
            profile.cover_url) == ("p1", "alice", "Alice", "Hi", "/a.jpg", "https://c.example/c.jpg")
    assert profile.created_at and profile.updated_at
    assert profile.social_links == (SocialLink("s1", "p1", "Twitter", "https://x.com/a", "Twitter", 4),)
    assert profile.bio_links == (BioLink("b1", "p1", "Blog", "https://b.example", "d", "/bg.jpg", 1),)
    assert profile.products == (Product("pr1", "p1", "Book", "/book.png", "29", "https://shop.example", 2),)
    assert profile.carousel_items == (CarouselItem("c1", "p1", "Tool", "/logo.svg", "https://t.example", 3),)


def test_profiles_are_immutable(migrated_db):
    [profile] = load_profiles(migrated_db)
    with pytest.raises(dataclasses.FrozenInstanceError):
        profile.username = "other"
    assert isinstance(profile.bio_links, tuple)


def test_children_go_to_their_own_profile(empty_db, add_profile, add_child):
    for pid in ("a", "b", "c"):
        add_profile(empty_db, pid)
    add_child(empty_db, "bio_links", "b-of-c", "c")
    add_child(empty_db, "bio_links", "b-of-a", "a")
    add_child(empty_db, "products", "pr-of-b", "b")
    profiles = {p.id: p for p in load_profiles(empty_db)}
    assert [b.id for b in profiles["a"].bio_links] == ["b-of-a"]
    assert profiles["b"].bio_links == ()
    assert [b.id for b in profiles["c"].bio_links] == ["b-of-c"]
    assert [p.id for p in profiles["b"].products] == ["pr-of-b"]
    assert profiles["a"].products == profiles["c"].products == ()
    assert all(p.social_links == () and p.carousel_items == () for p in profiles.values())


def test_profiles_come_in_id_order_and_profile_ids_agrees(empty_db, add_profile):
    for pid in ("m", "b", "z", "a", "B"):
        add_profile(empty_db, pid, f"user-{pid.lower()}{'2' if pid == 'B' else ''}")
    assert [p.id for p in load_profiles(empty_db)] == ["B", "a", "b", "m", "z"]  # binary collation
    assert profile_ids(empty_db) == ["B", "a", "b", "m", "z"]


# --------------------------------------------------------------------------
# The Worker's ORDER BY order_index
# --------------------------------------------------------------------------

@pytest.mark.parametrize("table", CHILD_TABLES)
def test_children_are_ordered_null_first_then_ascending_ties_in_insertion_order(empty_db, add_profile, add_child,
                                                                                 table):
    add_profile(empty_db, "p1")
    # Inserted in this order (rowid order); ids chosen so id order differs from rowid order.
    rows = [("k", 2), ("z", None), ("c", 1), ("y", 2), ("a", -5), ("x", None), ("b", 2), ("m", 10)]
    for child_id, order_index in rows:
        add_child(empty_db, table, child_id, "p1", order_index=order_index)
    [profile] = load_profiles(empty_db)
    children = getattr(profile, table)
    assert [(c.id, c.order_index) for c in children] == [
        ("z", None), ("x", None), ("a", -5), ("c", 1), ("k", 2), ("y", 2), ("b", 2), ("m", 10)]


def test_order_follows_rowid_even_after_an_update(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    add_child(empty_db, "bio_links", "first", "p1", order_index=1)
    add_child(empty_db, "bio_links", "second", "p1", order_index=0)
    empty_db.execute("UPDATE bio_links SET order_index = 1 WHERE id = 'second'")
    [profile] = load_profiles(empty_db)
    assert [b.id for b in profile.bio_links] == ["first", "second"]


def test_default_order_index_is_zero(empty_db, add_profile):
    add_profile(empty_db, "p1")
    empty_db.execute("INSERT INTO bio_links (id, profile_id, name, url) VALUES ('b1', 'p1', 'n', 'https://a.b')")
    [profile] = load_profiles(empty_db)
    assert profile.bio_links[0].order_index == 0


# --------------------------------------------------------------------------
# ids= and first_id/last_id
# --------------------------------------------------------------------------

@pytest.fixture
def five(empty_db, add_profile, add_child):
    for pid in ("p1", "p2", "p3", "p4", "p5"):
        add_profile(empty_db, pid)
        add_child(empty_db, "bio_links", f"{pid}-b", pid)
        add_child(empty_db, "social_links", f"{pid}-s", pid)
    return empty_db


def test_ids_filter_loads_only_those_profiles_with_their_children(five):
    profiles = list(load_profiles(five, ids=["p4", "p2", "nope"]))
    assert [p.id for p in profiles] == ["p2", "p4"]
    assert [[b.id for b in p.bio_links] for p in profiles] == [["p2-b"], ["p4-b"]]
    assert [[s.id for s in p.social_links] for p in profiles] == [["p2-s"], ["p4-s"]]


def test_ids_filter_accepts_any_iterable_and_duplicates(five):
    assert [p.id for p in load_profiles(five, ids=iter(["p3", "p3"]))] == ["p3"]
    assert [p.id for p in load_profiles(five, ids={"p5", "p1"})] == ["p1", "p5"]


def test_an_empty_ids_filter_loads_nothing(five):
    assert list(load_profiles(five, ids=[])) == []


def test_ids_with_quotes_and_unicode(empty_db, add_profile, add_child):
    odd = ["it's", 'say "hi"', "tiếng-việt", "🎉"]
    for n, pid in enumerate(odd):
        add_profile(empty_db, pid, f"u{n}")
        add_child(empty_db, "products", f"pr{n}", pid)
    profiles = list(load_profiles(empty_db, ids=odd[:2]))
    assert {p.id for p in profiles} == set(odd[:2])
    assert all(len(p.products) == 1 and p.products[0].profile_id == p.id for p in profiles)


def test_first_and_last_id_select_an_inclusive_range(five):
    profiles = list(load_profiles(five, first_id="p2", last_id="p4"))
    assert [p.id for p in profiles] == ["p2", "p3", "p4"]
    assert [p.bio_links[0].id for p in profiles] == ["p2-b", "p3-b", "p4-b"]
    assert [p.id for p in load_profiles(five, first_id="p5", last_id="p5")] == ["p5"]
    assert list(load_profiles(five, first_id="p9", last_id="q")) == []


def test_first_and_last_id_split_the_profiles_without_overlap(five):
    ids = profile_ids(five)
    halves = [list(load_profiles(five, first_id=ids[0], last_id=ids[2])),
              list(load_profiles(five, first_id=ids[3], last_id=ids[-1]))]
    assert [p.id for half in halves for p in half] == ids


# --------------------------------------------------------------------------
# Orphans (written with foreign keys off)
# --------------------------------------------------------------------------

def test_orphan_children_are_skipped_without_error(empty_db, add_profile, add_child):
    add_profile(empty_db, "m1")
    add_profile(empty_db, "m3")
    add_child(empty_db, "bio_links", "real-1", "m1")
    add_child(empty_db, "bio_links", "real-3", "m3")
    empty_db.execute("PRAGMA foreign_keys = OFF")
    try:
        for table in CHILD_TABLES:
            for ghost in ("a-before-all", "m2-between", "m1-", "z-after-all"):
                add_child(empty_db, table, f"{table}-{ghost}", ghost)
    finally:
        empty_db.execute("PRAGMA foreign_keys = ON")
    profiles = list(load_profiles(empty_db))
    assert [p.id for p in profiles] == ["m1", "m3"]
    assert [[b.id for b in p.bio_links] for p in profiles] == [["real-1"], ["real-3"]]
    for table in ("social_links", "products", "carousel_items"):
        assert all(getattr(p, table) == () for p in profiles)


def test_orphans_are_skipped_with_an_ids_filter(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    empty_db.execute("PRAGMA foreign_keys = OFF")
    add_child(empty_db, "products", "ghost", "p0")
    empty_db.execute("PRAGMA foreign_keys = ON")
    [profile] = load_profiles(empty_db, ids=["p0", "p1"])
    assert profile.id == "p1" and profile.products == ()


# --------------------------------------------------------------------------
# order_ties() and tie_warnings()
# --------------------------------------------------------------------------

def test_order_ties_finds_children_sharing_an_order_index(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    for child_id, order_index in [("b1", 1), ("b2", None), ("b3", 1), ("b4", 2), ("b5", None), ("b6", 1)]:
        add_child(empty_db, "bio_links", child_id, "p1", order_index=order_index)
    add_child(empty_db, "products", "pr1", "p1", order_index=0)
    add_child(empty_db, "products", "pr2", "p1", order_index=0)
    add_child(empty_db, "social_links", "s1", "p1", order_index=0)
    add_child(empty_db, "social_links", "s2", "p1", order_index=1)
    [profile] = load_profiles(empty_db)
    assert order_ties(profile) == [
        ("bio_links", ("b2", "b5"), None),
        ("bio_links", ("b1", "b3", "b6"), 1),
        ("products", ("pr1", "pr2"), 0),
    ]


def test_no_ties_no_warnings(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    for n in range(3):
        for table in CHILD_TABLES:
            add_child(empty_db, table, f"{table}{n}", "p1", order_index=n)
    [profile] = load_profiles(empty_db)
    assert order_ties(profile) == []
    assert tie_warnings(profile) == []


def test_ties_are_per_table(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    for table in CHILD_TABLES:
        add_child(empty_db, table, f"{table}-only", "p1", order_index=0)
    [profile] = load_profiles(empty_db)
    assert order_ties(profile) == []


def test_tie_warnings_name_table_rows_and_order_index(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    add_child(empty_db, "carousel_items", "c1", "p1", order_index=3)
    add_child(empty_db, "carousel_items", "c2", "p1", order_index=3)
    [profile] = load_profiles(empty_db)
    [warning] = tie_warnings(profile)
    assert "carousel_items" in warning
    assert "'c1', 'c2'" in warning
    assert "order_index 3" in warning
    assert "D1" in warning
