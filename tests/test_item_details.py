"""item_details: detail content, product description/badge/group and schedules of links and
products, in BioData (only when set), import -> export byte-identical, the rules, the slugs,
the content hash and the change journal."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.authoring import documents
from generator.cli import cli
from generator.data import db
from generator.data.biodata import biodata_json, to_biodata
from generator.data.content_hash import profile_hash
from generator.data.item_details import (COLUMNS, is_live, next_change, schedule_warnings, slug_from_name,
                                         unique_slug, value_problem)
from generator.data.model import ItemDetails, load_profiles, profile_row
from generator.data.validate import link_problem, profile_problems
from generator.errors import DocumentError
from test_export import empty_site


RICH = {
    "profile": {"name": "Linh", "tagline": "", "avatar": "", "coverImage": "", "socialLinks": []},
    "links": [
        {"id": 1, "name": "Khóa học Hè", "url": "https://example.com/course", "description": "", "backgroundImage": "",
         "detailContent": {"subtitle": "Tám tuần", "content": "# Nội dung\n\n- một\n- hai\n\n<script>x</script>",
                           "ctaText": "Đăng ký"},
         "startsAt": "2026-06-01T00:00:00Z"},
        {"id": 2, "name": "Plain", "url": "https://example.com/b", "description": "", "backgroundImage": ""},
        {"id": 3, "name": "Khóa học Hè", "url": "https://example.com/c", "description": "", "backgroundImage": "",
         "detailContent": {"content": "Second page, same name"}},
    ],
    "products": [
        {"id": 1, "name": "Mug", "image": "", "price": "9", "url": "https://example.com/m",
         "description": "A *mug*", "badge": "hot", "group": "Shop", "endsAt": "2030-01-01T00:00:00Z"},
        {"id": 2, "name": "Call", "image": "", "price": "50", "url": "https://example.com/call", "group": "Consulting",
         "detailContent": {"content": "One hour", "ctaText": "Book", "ctaUrl": "https://example.com/book",
                           "slug": "call"}},
    ],
    "aiTools": [],
}


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--site", str(site)])


def test_import_export_import_export_is_byte_identical(tmp_path):
    source = tmp_path / "rich.json"
    source.write_text(json.dumps(RICH, ensure_ascii=False), encoding="utf-8")
    first_site = empty_site(tmp_path / "one")
    assert run(first_site, "import", str(source), "--username", "linh").exit_code == 0
    first = run(first_site, "export", "linh").output
    exported = json.loads(first)
    # Slugs come from the name, unique within the profile; a given slug is kept.
    assert [link.get("detailContent", {}).get("slug") for link in exported["links"]] == \
        ["khoa-hoc-he", None, "khoa-hoc-he-2"]
    assert exported["products"][1]["detailContent"]["slug"] == "call"
    assert list(exported["products"][0]) == ["id", "name", "image", "price", "url", "description", "badge", "group",
                                             "endsAt"]
    assert list(exported["links"][0]) == ["id", "name", "url", "description", "backgroundImage", "detailContent",
                                          "startsAt"]
    assert list(exported["links"][0]["detailContent"]) == ["subtitle", "content", "ctaText", "slug"]
    assert "detailContent" not in exported["links"][1] and "startsAt" not in exported["links"][1]
    second_site = empty_site(tmp_path / "two")
    (tmp_path / "first.json").write_text(first, encoding="utf-8")
    assert run(second_site, "import", str(tmp_path / "first.json"), "--username", "linh").exit_code == 0
    assert run(second_site, "export", "linh").output == first
    again = run(second_site, "import", str(tmp_path / "first.json"), "--username", "linh")
    assert "unchanged 1 profile" in again.output
    shown = run(second_site, "profile", "show", "linh").output
    assert "page: /linh/khoa-hoc-he  |  startsAt: 2026-06-01T00:00:00Z" in shown
    assert "description: A *mug*  |  badge: hot  |  group: Shop  |  endsAt: 2030-01-01T00:00:00Z" in shown


def test_changing_one_products_details_keeps_the_links_and_their_details(tmp_path):
    site = empty_site(tmp_path / "site")
    source = tmp_path / "rich.json"
    source.write_text(json.dumps(RICH), encoding="utf-8")
    run(site, "import", str(source), "--username", "linh")
    changed = json.loads(json.dumps(RICH))
    changed["products"][0]["badge"] = "new"
    source.write_text(json.dumps(changed), encoding="utf-8")
    result = run(site, "import", str(source), "--username", "linh")
    assert "products: 1 removed, 1 added" in result.output and "links:" not in result.output
    exported = json.loads(run(site, "export", "linh").output)
    assert exported["products"][0]["badge"] == "new"
    assert exported["links"][0]["detailContent"]["slug"] == "khoa-hoc-he"
    conn = sqlite3.connect(site / "content" / "bio.db")
    # The replaced product's old row is gone with it: no row names an item that does not exist.
    assert conn.execute("SELECT count(*) FROM item_details WHERE item_id NOT IN "
                        "(SELECT id FROM bio_links UNION SELECT id FROM products)").fetchone()[0] == 0


@pytest.mark.parametrize("path, change, words", [
    ("$.links[0].detailContent.slug", lambda d: d["links"][0]["detailContent"].update(slug="Bad Slug"),
     ["'Bad Slug'", "lowercase", "'bad-slug'"]),
    ("$.products[1].detailContent.slug", lambda d: d["links"][0]["detailContent"].update(slug="call"),
     ["'call'", "unique within a profile"]),
    ("$.products[0].badge", lambda d: d["products"][0].update(badge="sale"), ["'sale'", "new, hot, limited"]),
    ("$.links[0].startsAt", lambda d: d["links"][0].update(startsAt="2026-06-01 10:00"),
     ["YYYY-MM-DDTHH:MM:SSZ"]),
    ("$.products[0].endsAt", lambda d: d["products"][0].update(endsAt="2026-06-01T10:00:00+07:00"), ["UTC"]),
    ("$.products[1].detailContent.ctaUrl",
     lambda d: d["products"][1]["detailContent"].update(ctaUrl="javascript:alert(1)"), ["'javascript'"]),
    ("$.links[0].detailContent.content", lambda d: d["links"][0]["detailContent"].pop("content"), ["is missing"]),
    ("$.links[0].badge", lambda d: d["links"][0].update(badge="hot"), ["not a key biogen knows"]),
    ("$.links[0].detailContent.body", lambda d: d["links"][0]["detailContent"].update(body="x"),
     ["not a key biogen knows"]),
    ("$.products[0].description", lambda d: d["products"][0].update(description="x" * 301), ["at most 300"]),
])
def test_bad_details_are_refused_with_their_json_path(path, change, words):
    document = json.loads(json.dumps(RICH))
    change(document)
    with pytest.raises(DocumentError) as raised:
        documents.incoming_profiles("doc.json", document, username="linh")
    messages = {where: message for where, message in raised.value.problems}
    assert path in messages, raised.value.problems
    for word in words:
        assert word in messages[path]


def test_a_profile_without_details_keeps_its_bytes_and_hash(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1", "ana")
    add_child(migrated_db, "bio_links", "l1", "p1")
    add_child(migrated_db, "products", "x1", "p1")
    before = next(load_profiles(migrated_db, ids=["p1"]))
    assert before.item_details == ()
    expected = ('{"profile":{"name":"Name of p1","tagline":"","avatar":"","coverImage":"","socialLinks":[]},'
                '"links":[{"id":1,"name":"A link","url":"https://example.com","description":"","backgroundImage":""}],'
                '"products":[{"id":1,"name":"A product","image":"","price":"10","url":"https://example.com/buy"}],'
                '"aiTools":[]}')
    assert biodata_json(before) == expected == biodata_json(before, "2026-01-01T00:00:00Z")
    hash_before = profile_hash(profile_row(before), [(t, getattr(before, t)) for t in db.CHILD_TABLES])
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, badge) VALUES ('x1', 'p1', 'new')")
    after = next(load_profiles(migrated_db, ids=["p1"]))
    assert profile_hash(profile_row(after), [(t, getattr(after, t)) for t in db.CHILD_TABLES]) != hash_before
    assert biodata_json(after) == expected.replace('"url":"https://example.com/buy"}',
                                                   '"url":"https://example.com/buy","badge":"new"}')
    assert biodata_json(after) == json.dumps(to_biodata(after), ensure_ascii=False, separators=(",", ":"))


def test_the_journal_records_writes_to_item_details(migrated_db, add_profile):
    add_profile(migrated_db, "p1", "ana")
    db.install_journal(migrated_db)
    _, seq = db.journal_position(migrated_db)
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, badge) VALUES ('x', 'p1', 'hot')")
    assert db.journal_since(migrated_db, seq) == ["p1"]


def _details(item_id="x1", **values) -> ItemDetails:
    return ItemDetails(item_id, "p1", **{c: values.get(c) for c in COLUMNS})


def test_the_build_shows_only_live_items_numbered_as_shown(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1", "ana")
    for number in (1, 2, 3):
        add_child(migrated_db, "bio_links", f"l{number}", "p1", name=f"L{number}", order_index=number)
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, starts_at) VALUES ('l1', 'p1', "
                        "'2026-06-01T00:00:00Z'), ('l2', 'p1', NULL)")
    migrated_db.execute("UPDATE item_details SET ends_at = '2026-07-01T00:00:00Z' WHERE item_id = 'l2'")
    profile = next(load_profiles(migrated_db, ids=["p1"]))

    def shown(now):
        return [(link["id"], link["name"]) for link in to_biodata(profile, now)["links"]]

    assert shown("2026-05-31T23:59:59Z") == [(1, "L2"), (2, "L3")]
    assert shown("2026-06-01T00:00:00Z") == [(1, "L1"), (2, "L2"), (3, "L3")]
    assert shown("2026-07-01T00:00:00Z") == [(1, "L1"), (2, "L3")]
    assert [link["name"] for link in to_biodata(profile)["links"]] == ["L1", "L2", "L3"]  # export: every item
    assert next_change(profile, "2026-05-01T00:00:00Z") == "2026-06-01T00:00:00Z"
    assert next_change(profile, "2026-06-01T00:00:00Z") == "2026-07-01T00:00:00Z"
    assert next_change(profile, "2026-07-01T00:00:00Z") is None


def test_is_live_without_a_row_or_a_time():
    assert is_live(None, "2026-01-01T00:00:00Z") and is_live(_details(starts_at="2099-01-01T00:00:00Z"), None)


def test_slugs_from_names():
    assert slug_from_name("Khóa học Hè 2026!") == "khoa-hoc-he-2026"
    assert slug_from_name("Đồ ăn") == "do-an"
    assert slug_from_name("🔥🔥") == "item" and slug_from_name("index") == "item"
    assert slug_from_name("x" * 100) == "x" * 64
    assert unique_slug("Mug", {"mug", "mug-2"}) == "mug-3"
    assert unique_slug("x" * 100, {"x" * 64}) == "x" * 62 + "-2"


@pytest.mark.parametrize("column, value", [("slug", "a--b"), ("slug", "-a"), ("slug", "A"), ("slug", "index"),
                                           ("slug", "x" * 65), ("badge", "Hot"), ("starts_at", "2026-02-30T00:00:00Z"),
                                           ("ends_at", "2026-01-01T00:00Z"), ("subtitle", "two\nlines"),
                                           ("cta_text", " "), ("content", "x" * 20_001), ("cta_url", "/relative"),
                                           ("group_name", 5)])
def test_bad_values_are_refused(column, value):
    assert value_problem(column, value, link_problem)


def test_rules_of_a_whole_profile(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1", "ana")
    add_child(migrated_db, "bio_links", "l1", "p1")
    add_child(migrated_db, "bio_links", "l2", "p1")
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, slug, content, badge) VALUES "
                        "('l1', 'p1', 'same', 'x', 'hot'), ('l2', 'p1', 'same', 'y', NULL), "
                        "('gone', 'p1', NULL, NULL, NULL)")
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, subtitle) VALUES ('l3', 'p1', 'Sub')")
    add_child(migrated_db, "bio_links", "l3", "p1")
    problems = {(p.row_id, p.column): p.message for p in profile_problems(next(load_profiles(migrated_db, ids=["p1"])))
                if p.table == "item_details"}
    assert "products only" in problems[("l1", "badge")]
    assert "unique within a profile" in problems[("l2", "slug")]
    assert "names no link or product" in problems[("gone", "item_id")]
    assert "needs content" in problems[("l3", "subtitle")]


def test_schedule_warnings(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1", "ana")
    add_child(migrated_db, "bio_links", "l1", "p1", name="Backwards")
    add_child(migrated_db, "products", "x1", "p1", name="Over")
    add_child(migrated_db, "products", "x2", "p1", name="Fine")
    migrated_db.execute("INSERT INTO item_details (item_id, profile_id, starts_at, ends_at) VALUES "
                        "('l1', 'p1', '2026-06-01T00:00:00Z', '2026-05-01T00:00:00Z'), "
                        "('x1', 'p1', NULL, '2026-01-01T00:00:00Z'), ('x2', 'p1', NULL, '2027-01-01T00:00:00Z')")
    warnings = schedule_warnings(next(load_profiles(migrated_db, ids=["p1"])), "2026-03-01T00:00:00Z")
    assert len(warnings) == 2
    assert "link 'Backwards'" in warnings[0] and "before it starts" in warnings[0]
    assert "product 'Over'" in warnings[1] and "ended at 2026-01-01T00:00:00Z" in warnings[1]
