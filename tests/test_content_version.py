"""The content version in the built site: each page's meta tag and api/version.json hold
the hash of exactly the rows the page was made from, the same hash `biogen verify`
computes from D1's rows (generator.cloudflare.d1.Content) and the Worker sends as x-content-version."""

from __future__ import annotations

import json
import re

import pytest

from generator.data.content_hash import VERSION_FILE
from generator.data.content import local_content
from generator.data.db import connect
from generator.data.model import load_profiles, model_covers_schema
from sitekit import build_site, execute, make_site, snapshot

META = re.compile(rb'<meta name="?content-version"? content="?([0-9a-f]{32})"?>')


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def expected(site) -> tuple[dict[str, str], str]:
    """{username: content hash} and the content version, read from every column of the database."""
    conn = connect(site / "content" / "bio.db")
    try:
        content = local_content(conn)
        return {content.usernames[p]: h for p, h in content.hashes.items()}, content.version
    finally:
        conn.close()


def page_hashes(site) -> dict[str, str]:
    files = snapshot(site / "dist")
    conn = connect(site / "content" / "bio.db")
    usernames = [p.username for p in load_profiles(conn)]
    conn.close()
    found = {}
    for username in usernames:
        match = META.findall(files[f"{username}.html"])
        assert len(match) == 1, f"{username}.html has {len(match)} content-version meta tags"
        found[username] = match[0].decode()
    return found


def test_every_page_carries_its_profiles_content_hash(site):
    build_site(site)
    hashes, version = expected(site)
    assert page_hashes(site) == hashes
    document = json.loads((site / "dist" / VERSION_FILE).read_text())
    assert document == {"contentVersion": version, "profiles": hashes}


def test_a_change_to_any_column_changes_that_page_only(site):
    build_site(site)
    before = page_hashes(site)
    execute(site, "UPDATE carousel_items SET order_index = order_index + 1 "
                  "WHERE profile_id = (SELECT id FROM profiles WHERE username = 'ana')")
    build_site(site)
    after = page_hashes(site)
    assert after == expected(site)[0]
    assert {u for u in after if after[u] != before[u]} == {"ana"}


def test_a_column_added_by_a_site_migration_is_part_of_the_hash(site):
    # The model does not know this column: the build reads every column to hash it.
    execute(site, "ALTER TABLE bio_links ADD COLUMN badge TEXT")
    conn = connect(site / "content" / "bio.db")
    assert not model_covers_schema(conn)
    conn.close()
    build_site(site)
    first = page_hashes(site)
    assert first == expected(site)[0]
    execute(site, "UPDATE bio_links SET badge = 'new' WHERE id = 'b1'")
    build_site(site)
    after = page_hashes(site)
    assert after == expected(site)[0]
    assert {u for u in after if after[u] != first[u]} == {"ana"}


def test_real_order_indexes_hash_as_every_reader_hashes_them(site):
    execute(site, "UPDATE social_links SET order_index = 1.5 WHERE id = 's1'")
    build_site(site)
    assert page_hashes(site) == expected(site)[0]


def test_the_fast_hash_equals_the_plain_one_for_every_kind_of_value():
    from generator.data.content_hash import profile_hash
    row = ("p1", "ana", "Ana", None, b"\x00\xff", "", "2026-11-01 09:00:00", 1700000000)
    children = [("social_links", [("s2", "p1", "X", "https://x", None, 2), ("s1", "p1", "Y", "https://y", "y", 1.5)]),
                ("bio_links", [])]
    assert profile_hash(row, children, whole_numbers_are_integers=True) == profile_hash(row, children)
    # A whole-number REAL hashes as an integer (as wrangler's JSON gives it), on the plain path.
    assert profile_hash(row[:7] + (1700000000.0,), children) == profile_hash(row, children)


def test_version_json_is_content_hash_version_document_byte_for_byte(site):
    from generator.data.content_hash import version_document
    # Ids and usernames that JSON must escape or keep as they are.
    execute(site, "INSERT INTO profiles (id, username, display_name, created_at, updated_at) VALUES "
                  "('q\"\\\\é😀\t', 'zz-odd', 'Odd', '2026-01-01 00:00:00', '2026-01-01 00:00:00')")
    build_site(site)
    conn = connect(site / "content" / "bio.db")
    content = local_content(conn)
    conn.close()
    hashes = {p: [content.usernames[p], h] for p, h in content.hashes.items()}
    assert (site / "dist" / VERSION_FILE).read_text(encoding="utf-8") == version_document(hashes)


def test_version_json_patched_after_a_few_changes_equals_one_made_whole(site, caplog):
    from generator.data.content_hash import version_document
    build_site(site)
    execute(site, "UPDATE bio_links SET name = 'Patched' WHERE id = 'b1'; "
                  "UPDATE profiles SET tagline = 'new' WHERE username = 'minimal'")
    with caplog.at_level("DEBUG", logger="generator.build.build"):
        build_site(site)
    assert "api/version.json: 2 hashes patched" in caplog.text
    patched = (site / "dist" / VERSION_FILE).read_bytes()
    conn = connect(site / "content" / "bio.db")
    content = local_content(conn)
    conn.close()
    hashes = {p: [content.usernames[p], h] for p, h in content.hashes.items()}
    assert patched.decode() == version_document(hashes)
    build_site(site, full=True)
    assert (site / "dist" / VERSION_FILE).read_bytes() == patched


def test_content_version_does_not_depend_on_order():
    from generator.data.content_hash import content_version
    hashes = {"p1": "a" * 32, "p2": "b" * 32, "p3": "c" * 32}
    assert content_version(hashes) == content_version(dict(reversed(hashes.items())))
    assert content_version(hashes) != content_version({**hashes, "p2": "d" * 32})
    assert content_version({}) == "0" * 32
