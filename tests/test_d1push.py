"""What differs between the local database and D1, found by SQLite (generator/cloudflare/d1push.py), on plain files."""

from __future__ import annotations

import shutil
import sqlite3

from generator.data.content import table_columns
from generator.cloudflare.d1push import content_of, differences, open_pair
from sitekit import execute, make_site


def pair_of(tmp_path, change_local="", change_d1=""):
    """The fixture's database as `here` and a copy of it, as D1 holds it, attached as `d1`."""
    site = make_site(tmp_path / "site")
    shutil.copy(site / "content" / "bio.db", tmp_path / "d1.sqlite")
    d1 = sqlite3.connect(tmp_path / "d1.sqlite")
    d1.execute("PRAGMA foreign_keys = ON")
    with d1:
        d1.executescript(change_d1)
    d1.close()
    if change_local:
        execute(site, change_local)
    pair = open_pair(site / "content" / "bio.db")
    pair.execute("ATTACH ? AS d1", (f"{(tmp_path / 'd1.sqlite').as_uri()}?mode=ro",))
    conn = sqlite3.connect(site / "content" / "bio.db")
    columns = table_columns(conn)
    conn.close()
    return pair, columns


def test_the_same_rows_differ_in_nothing(tmp_path):
    pair, columns = pair_of(tmp_path)
    found = differences(pair, columns)
    assert found.touched == set() and not any(found.upserts.values()) and not any(found.deletes.values())


def test_changed_added_and_deleted_rows_on_either_side_are_found_with_their_profiles(tmp_path):
    pair, columns = pair_of(
        tmp_path,
        change_local="UPDATE bio_links SET description = 'new' WHERE id = 'b1';"
                     "INSERT INTO products (id, profile_id, name, price, url, order_index) "
                     "VALUES ('pn', 'p-min', 'N', '1', 'https://n.example', 0);"
                     "INSERT INTO item_details (item_id, profile_id, badge) VALUES ('pn', 'p-min', 'new');"
                     "DELETE FROM carousel_items WHERE id = 'c2';"
                     "UPDATE social_links SET profile_id = 'p-min' WHERE id = 's4'",
        change_d1="UPDATE profiles SET tagline = 'admin' WHERE id = 'p-rtl';"
                  "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                  "VALUES ('bx', 'p-vi', 'Only in D1', 'https://x.example', 5)")
    found = differences(pair, columns)
    assert [row[0] for row in found.upserts["bio_links"]] == ["b1"]
    assert [row[0] for row in found.upserts["products"]] == ["pn"]
    assert [row[0] for row in found.upserts["profiles"]] == ["p-rtl"]
    assert [row[0] for row in found.upserts["social_links"]] == ["s4"]
    assert [row[0] for row in found.upserts["item_details"]] == ["pn"]
    assert found.deletes == {"profiles": [], "social_links": [], "bio_links": ["bx"], "products": [],
                             "carousel_items": ["c2"], "profile_settings": [],
                             "domains": [], "item_details": []}
    # s4 moved from p-vi to p-min: both profiles' documents change.
    assert found.touched == {"p-ana", "p-min", "p-rtl", "p-vi"}
    assert content_of(pair, "d1", columns, {"p-rtl"}).hashes != content_of(pair, "here", columns, {"p-rtl"}).hashes


def test_numbers_compare_by_value_and_text_bytewise(tmp_path):
    # 0.0 is 0 to every reader (D1's JSON says 0 for both); 'blog' is not 'Blog'.
    pair, columns = pair_of(tmp_path, change_local="UPDATE bio_links SET order_index = 0.0 WHERE id = 'b1';"
                                                   "UPDATE bio_links SET name = 'blog' WHERE id = 'b2'")
    found = differences(pair, columns)
    assert [row[0] for row in found.upserts["bio_links"]] == ["b2"] and found.touched == {"p-ana"}


def test_children_of_a_profile_missing_locally_are_not_content(tmp_path):
    # sqlite-utils leaves foreign keys off: a child can outlive its profile locally.
    site_change = "PRAGMA foreign_keys = OFF; DELETE FROM profiles WHERE id = 'p-rtl'"
    pair, columns = pair_of(tmp_path)
    conn = sqlite3.connect(tmp_path / "site" / "content" / "bio.db")
    conn.executescript(site_change)
    conn.close()
    found = differences(pair, columns)
    assert found.deletes["profiles"] == ["p-rtl"] and found.deletes["bio_links"] == ["b4"]
    assert found.touched == {"p-rtl"} and not any(found.upserts.values())
