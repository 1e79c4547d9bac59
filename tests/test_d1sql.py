"""D1-safe SQL: size limits, batching, upserts that never cascade, deletes of everything else."""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings, strategies as st

from generator.cloudflare import d1sql
from generator.data.migrate import split_statements
from conftest import MIGRATIONS

COLUMNS = {"profiles": ["id", "username", "display_name", "tagline", "avatar_url", "cover_url", "created_at",
                        "updated_at"],
           "social_links": ["id", "profile_id", "platform", "url", "icon", "order_index"],
           "bio_links": ["id", "profile_id", "name", "url", "description", "background_image", "order_index"],
           "products": ["id", "profile_id", "name", "image_url", "price", "url", "order_index"],
           "carousel_items": ["id", "profile_id", "name", "logo_url", "url", "order_index"],
           "profile_settings": ["profile_id", "theme", "accent", "button_shape", "language", "show_links",
                                "show_products", "show_tools", "links_heading", "products_heading", "tools_heading",
                                "seo_title", "seo_title_template", "seo_description"],
           "domains": ["hostname", "profile_id", "kind"],
           "item_details": ["item_id", "profile_id", "slug", "subtitle", "content", "cta_text", "cta_url",
                            "description", "badge", "group_name", "starts_at", "ends_at"]}


def _database() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    for path in sorted(MIGRATIONS.glob("*.sql")):
        conn.executescript(path.read_text())
    conn.execute("DELETE FROM profiles")
    return conn


def _run(conn: sqlite3.Connection, statements: list[str]) -> None:
    for statement in statements:
        assert len(statement.encode()) < d1sql.MAX_STATEMENT_BYTES, statement[:200]
        assert not statement.upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT"))
        assert "OR REPLACE" not in statement.upper()
        conn.execute(statement)


def _rows(conn: sqlite3.Connection) -> dict:
    return {t: sorted(conn.execute(f"SELECT {', '.join(c)} FROM {t}").fetchall()) for t, c in COLUMNS.items()}


def _site(profiles: int, links: int = 3, description: str | None = None) -> dict[str, list[tuple]]:
    rows = {t: [] for t in COLUMNS}
    for p in range(profiles):
        rows["profiles"].append((f"p{p:05}", f"user{p}", f"Name {p}", "it's \\ \"quoted\"", None, None,
                                 "2026-01-01 00:00:00", "2026-01-01 00:00:00"))
        for i in range(links):
            rows["bio_links"].append((f"p{p:05}-b{i}", f"p{p:05}", f"Link {i}", "https://example.com",
                                      description, None, i))
    return rows


def test_quote_doubles_quotes_and_keeps_everything_else():
    conn = sqlite3.connect(":memory:")
    for value in ["it's", "back\\slash", "line\nbreak\r\t\x01\x1f", "emoji 🌸 Nguyễn", "'; DROP TABLE profiles; --",
                  "/* not a comment */", 42, -1.5, None, b"\x00\xff"]:
        assert conn.execute(f"SELECT {d1sql.quote(value)}").fetchone()[0] == value


def test_every_statement_stays_under_100000_bytes_and_rows_are_batched():
    statements = d1sql.full_statements(COLUMNS, _site(3000, 3))
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert len(inserts) < 3000 * 4 / 100  # rows are batched, not one statement per row
    assert max(len(s.encode()) for s in statements) < d1sql.MAX_STATEMENT_BYTES
    conn = _database()
    _run(conn, statements)
    assert conn.execute("SELECT count(*) FROM bio_links").fetchone()[0] == 9000


def test_a_megabyte_value_is_written_in_pieces_under_the_limit():
    big = ("Ω'x" * 350_000)[:1_000_000]
    statements = d1sql.full_statements(COLUMNS, _site(2, 1, description=big))
    conn = _database()
    _run(conn, statements)
    assert {row[0] for row in conn.execute("SELECT description FROM bio_links")} == {big}


def test_parents_are_upserted_without_deleting_their_children():
    conn = _database()
    _run(conn, d1sql.full_statements(COLUMNS, _site(2, 2)))
    changed = _site(2, 2)
    changed["profiles"][0] = changed["profiles"][0][:2] + ("Renamed",) + changed["profiles"][0][3:]
    _run(conn, d1sql.change_statements(COLUMNS, {"profiles": [changed["profiles"][0]]}, {}))
    assert conn.execute("SELECT count(*) FROM bio_links").fetchone()[0] == 4
    assert conn.execute("SELECT display_name FROM profiles WHERE id = 'p00000'").fetchone()[0] == "Renamed"


def test_full_statements_bring_any_state_to_exactly_the_rows():
    conn = _database()
    _run(conn, d1sql.full_statements(COLUMNS, _site(50, 2)))
    conn.execute("INSERT INTO profiles (id, username, display_name) VALUES ('zzz', 'extra', 'X'), ('', 'e2', 'Y')")
    conn.execute("INSERT INTO bio_links (id, profile_id, name, url) VALUES ('p00003-extra', 'p00003', 'n', 'u')")
    target = _site(40, 1)
    _run(conn, d1sql.full_statements(COLUMNS, target))
    assert _rows(conn) == {t: sorted(rows) for t, rows in target.items()}


@settings(max_examples=40, deadline=None)
@given(st.sets(st.text(min_size=0, max_size=6), max_size=30), st.sets(st.text(min_size=0, max_size=6), max_size=30))
def test_delete_others_keeps_exactly_the_kept_ids(present, keep):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in present if "\x00" not in i])
    keep = {i for i in keep if "\x00" not in i}
    for statement in d1sql.delete_others_statements("t", keep):
        conn.execute(statement)
    assert {row[0] for row in conn.execute("SELECT id FROM t")} == {i for i in present if "\x00" not in i} & keep


def test_delete_others_of_many_ids_is_cut_into_statements_under_the_limit():
    keep = [f"{i:036}" for i in range(20_000)]
    statements = list(d1sql.delete_others_statements("profiles", keep))
    assert len(statements) > 1
    assert max(len(s.encode()) for s in statements) < d1sql.MAX_STATEMENT_BYTES


def test_export_script_splits_back_into_its_statements():
    statements = d1sql.full_statements(COLUMNS, _site(5, 2, description="a;b\n-- c ';' /* d */"))
    assert split_statements(d1sql.script(statements)) == statements
