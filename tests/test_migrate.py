"""generator.data.migrate: wrangler's file order and tracking table, atomic migrations."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from generator.data import db
from generator.errors import DatabaseError, MigrationError
from generator.data.migrate import (TRACKING_TABLE_SQL, apply_pending, applied_names, create_database, discover,
                               open_migrated, pending, split_statements)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
REPO_MIGRATIONS = ["0001_initial_schema.sql", "0002_seed_default_profile.sql", "0004_profile_settings.sql",
                   "0005_domains.sql", "0006_rich_content.sql"]

# The statement as wrangler's documentation shows it (whitespace aside).
WRANGLER_TRACKING_SQL = """CREATE TABLE IF NOT EXISTS d1_migrations(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);"""


def _touch(folder: Path, *names: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("SELECT 1;\n")


def _fresh_names(path: Path) -> list[str]:
    """d1_migrations as another program would see it (a separate connection)."""
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM d1_migrations ORDER BY id")]
    finally:
        conn.close()


def _fresh_tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def _sqlite_error_text(sql: str) -> str:
    """The message SQLite itself gives for `sql`."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(sql)
    except sqlite3.Error as error:
        return str(error)
    finally:
        conn.close()
    raise AssertionError(f"{sql!r} did not fail")


# --------------------------------------------------------------------------
# discover()
# --------------------------------------------------------------------------

def test_discover_orders_by_the_integer_not_the_text(tmp_path):
    _touch(tmp_path, "0010_ten.sql", "0002_two.sql", "1_one.sql", "0100_hundred.sql", "11_eleven.sql")
    assert [m.name for m in discover(tmp_path)] == [
        "1_one.sql", "0002_two.sql", "0010_ten.sql", "11_eleven.sql", "0100_hundred.sql"]
    assert [m.number for m in discover(tmp_path)] == [1, 2, 10, 11, 100]


def test_discover_uses_only_the_number_before_the_first_underscore(tmp_path):
    _touch(tmp_path, "0003_add_2_tables.sql", "0002_x_99.sql")
    found = discover(tmp_path)
    assert [(m.number, m.name) for m in found] == [(2, "0002_x_99.sql"), (3, "0003_add_2_tables.sql")]
    assert found[0].path == tmp_path / "0002_x_99.sql"


def test_discover_ignores_files_that_are_not_sql(tmp_path):
    _touch(tmp_path, "0001_a.sql")
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "0002_b.sql.bak").write_text("SELECT 1;")
    assert [m.name for m in discover(tmp_path)] == ["0001_a.sql"]


def test_discover_of_the_repository_folder():
    assert [m.name for m in discover(MIGRATIONS)] == REPO_MIGRATIONS


@pytest.mark.parametrize("bad", ["initial.sql", "0001-initial.sql", "abc_initial.sql", "v1_initial.sql",
                                 "_0001.sql", "0001.sql"])
def test_discover_refuses_a_badly_named_file(tmp_path, bad):
    _touch(tmp_path, "0001_good.sql", bad)
    with pytest.raises(MigrationError) as caught:
        discover(tmp_path)
    assert bad in str(caught.value)
    assert "NNNN_description.sql" in str(caught.value)


@pytest.mark.parametrize("first, second", [("0002_a.sql", "0002_b.sql"), ("0002_a.sql", "2_b.sql"),
                                           ("0002_a.sql", "00002_b.sql")])
def test_discover_refuses_two_files_with_the_same_number(tmp_path, first, second):
    _touch(tmp_path, "0001_start.sql", first, second)
    with pytest.raises(MigrationError) as caught:
        discover(tmp_path)
    message = str(caught.value)
    assert "share the number 2" in message
    assert first in message or second in message


# --------------------------------------------------------------------------
# create_database() and the tracking table
# --------------------------------------------------------------------------

def test_create_database_applies_both_migrations_and_records_them(db_path):
    applied = create_database(db_path, MIGRATIONS)
    assert [m.name for m in applied] == REPO_MIGRATIONS
    assert _fresh_names(db_path) == REPO_MIGRATIONS
    conn = sqlite3.connect(db_path)
    rows = conn.execute("SELECT id, name, applied_at FROM d1_migrations ORDER BY id").fetchall()
    conn.close()
    assert [r[0] for r in rows] == list(range(1, len(REPO_MIGRATIONS) + 1))
    assert all(r[2] for r in rows)  # applied_at filled in by its default


def test_create_database_makes_missing_parent_folders(tmp_path):
    path = tmp_path / "a" / "b" / "site.db"
    create_database(path, MIGRATIONS)
    assert path.is_file()


def test_tracking_table_sql_is_what_sqlite_stores_for_wranglers_statement(migrated_db):
    stored = migrated_db.execute("SELECT sql FROM sqlite_master WHERE name = 'd1_migrations'").fetchone()[0]
    # SQLite keeps the text from the table name on, dropping "IF NOT EXISTS" and the ';'.
    assert stored == TRACKING_TABLE_SQL.replace("IF NOT EXISTS ", "").rstrip(";")


def test_tracking_table_sql_is_wranglers_statement_apart_from_whitespace():
    assert TRACKING_TABLE_SQL.split() == WRANGLER_TRACKING_SQL.split()


def test_tracking_table_columns_match_wrangler(migrated_db):
    # (name, type, notnull, default, pk)
    columns = [tuple(row[1:]) for row in migrated_db.execute("PRAGMA table_info(d1_migrations)")]
    assert columns == [
        ("id", "INTEGER", 0, None, 1),
        ("name", "TEXT", 0, None, 0),
        ("applied_at", "TIMESTAMP", 1, "CURRENT_TIMESTAMP", 0),
    ]
    # AUTOINCREMENT keeps its counter in sqlite_sequence.
    assert migrated_db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'd1_migrations'").fetchone() == (len(REPO_MIGRATIONS),)
    # UNIQUE on name.
    indexes = migrated_db.execute("PRAGMA index_list(d1_migrations)").fetchall()
    assert [(row[2], row[3]) for row in indexes] == [(1, "u")]
    assert [r[2] for r in migrated_db.execute(f"PRAGMA index_info({indexes[0][1]})")] == ["name"]


def test_tracking_table_made_by_wrangler_is_used_as_is(db_path):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(WRANGLER_TRACKING_SQL)
    conn.close()
    conn = db.connect(db_path)
    try:
        assert [m.name for m in apply_pending(conn, MIGRATIONS)] == REPO_MIGRATIONS
        assert applied_names(conn) == REPO_MIGRATIONS
    finally:
        conn.close()


def test_a_migration_wrangler_applied_is_not_applied_again(db_path, migrations_dir):
    # wrangler applied 0001 (its tracking row is the only proof: no checksum).
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.executescript(WRANGLER_TRACKING_SQL)
    conn.executescript((migrations_dir / REPO_MIGRATIONS[0]).read_text())
    conn.execute("INSERT INTO d1_migrations (name) VALUES (?)", (REPO_MIGRATIONS[0],))
    conn.close()
    conn = db.connect(db_path)
    try:
        assert [m.name for m in pending(conn, migrations_dir)] == REPO_MIGRATIONS[1:]
        assert [m.name for m in apply_pending(conn, migrations_dir)] == REPO_MIGRATIONS[1:]
        assert applied_names(conn) == REPO_MIGRATIONS
    finally:
        conn.close()


def test_applied_names_of_a_database_without_tracking_table_is_empty(tmp_path):
    conn = db.connect(tmp_path / "blank.db")
    try:
        assert applied_names(conn) == []
        assert [m.name for m in pending(conn, MIGRATIONS)] == REPO_MIGRATIONS
    finally:
        conn.close()


# --------------------------------------------------------------------------
# The schema of 0001 and the seed of 0002
# --------------------------------------------------------------------------

# (name, type, notnull, default, pk) per column, exactly as the design gives them.
SCHEMA = {
    "profiles": [
        ("id", "TEXT", 0, None, 1),
        ("username", "TEXT", 1, None, 0),
        ("display_name", "TEXT", 1, None, 0),
        ("tagline", "TEXT", 0, None, 0),
        ("avatar_url", "TEXT", 0, None, 0),
        ("cover_url", "TEXT", 0, None, 0),
        ("created_at", "DATETIME", 0, "CURRENT_TIMESTAMP", 0),
        ("updated_at", "DATETIME", 0, "CURRENT_TIMESTAMP", 0),
    ],
    "social_links": [
        ("id", "TEXT", 0, None, 1),
        ("profile_id", "TEXT", 1, None, 0),
        ("platform", "TEXT", 1, None, 0),
        ("url", "TEXT", 1, None, 0),
        ("icon", "TEXT", 0, None, 0),
        ("order_index", "INTEGER", 0, "0", 0),
    ],
    "bio_links": [
        ("id", "TEXT", 0, None, 1),
        ("profile_id", "TEXT", 1, None, 0),
        ("name", "TEXT", 1, None, 0),
        ("url", "TEXT", 1, None, 0),
        ("description", "TEXT", 0, None, 0),
        ("background_image", "TEXT", 0, None, 0),
        ("order_index", "INTEGER", 0, "0", 0),
    ],
    "products": [
        ("id", "TEXT", 0, None, 1),
        ("profile_id", "TEXT", 1, None, 0),
        ("name", "TEXT", 1, None, 0),
        ("image_url", "TEXT", 0, None, 0),
        ("price", "TEXT", 1, None, 0),
        ("url", "TEXT", 1, None, 0),
        ("order_index", "INTEGER", 0, "0", 0),
    ],
    "carousel_items": [
        ("id", "TEXT", 0, None, 1),
        ("profile_id", "TEXT", 1, None, 0),
        ("name", "TEXT", 1, None, 0),
        ("logo_url", "TEXT", 0, None, 0),
        ("url", "TEXT", 1, None, 0),
        ("order_index", "INTEGER", 0, "0", 0),
    ],
}

INDEXES = {
    "idx_profile_username": ("profiles", ["username"]),
    "idx_social_profile": ("social_links", ["profile_id"]),
    "idx_bio_links_profile": ("bio_links", ["profile_id"]),
    "idx_products_profile": ("products", ["profile_id"]),
    "idx_carousel_profile": ("carousel_items", ["profile_id"]),
}


@pytest.fixture
def schema_only(tmp_path):
    """A database with only 0001 applied."""
    folder = tmp_path / "only1"
    folder.mkdir()
    (folder / REPO_MIGRATIONS[0]).write_text((MIGRATIONS / REPO_MIGRATIONS[0]).read_text())
    path = tmp_path / "schema.db"
    create_database(path, folder)
    conn = db.connect(path)
    yield conn
    conn.close()


def test_0001_creates_exactly_the_five_tables(schema_only):
    own = {name for name in db.table_names(schema_only)
           if not name.startswith(("sqlite_", "biogen_")) and name != "d1_migrations"}
    assert own == set(SCHEMA)


@pytest.mark.parametrize("table", sorted(SCHEMA))
def test_0001_columns_types_not_null_defaults_and_keys(schema_only, table):
    columns = [tuple(row[1:]) for row in schema_only.execute(f"PRAGMA table_info({table})")]
    assert columns == SCHEMA[table]


def test_0001_creates_the_five_indexes_by_name(schema_only):
    named = schema_only.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND name NOT LIKE 'biogen%'").fetchall()
    assert {name: table for name, table in named} == {name: spec[0] for name, spec in INDEXES.items()}
    for name, (_, columns) in INDEXES.items():
        assert [row[2] for row in schema_only.execute(f"PRAGMA index_info({name})")] == columns


def test_0001_username_is_unique(schema_only):
    unique = [row for row in schema_only.execute("PRAGMA index_list(profiles)") if row[2] == 1 and row[3] == "u"]
    assert len(unique) == 1
    assert [r[2] for r in schema_only.execute(f"PRAGMA index_info({unique[0][1]})")] == ["username"]


@pytest.mark.parametrize("table", sorted(set(SCHEMA) - {"profiles"}))
def test_0001_children_reference_profiles_on_delete_cascade(schema_only, table):
    keys = schema_only.execute(f"PRAGMA foreign_key_list({table})").fetchall()
    # (id, seq, table, from, to, on_update, on_delete, match)
    assert [tuple(k) for k in keys] == [(0, 0, "profiles", "profile_id", "id", "NO ACTION", "CASCADE", "NONE")]


def test_0001_profiles_has_no_foreign_keys(schema_only):
    assert schema_only.execute("PRAGMA foreign_key_list(profiles)").fetchall() == []


def test_0002_seeds_exactly_the_default_profile(migrated_db):
    rows = migrated_db.execute(
        "SELECT id, username, display_name, tagline, avatar_url, cover_url FROM profiles").fetchall()
    assert rows == [(
        "default-profile-id",
        "default",
        "Default Profile",
        "Premium Bio Website",
        "https://images.unsplash.com/photo-1535713875002-d1d0cf377fde",
        "https://images.unsplash.com/photo-1579546929518-9e396f3cc809",
    )]
    created, updated = migrated_db.execute("SELECT created_at, updated_at FROM profiles").fetchone()
    assert created and updated
    for table in db.CHILD_TABLES:
        assert migrated_db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


# --------------------------------------------------------------------------
# apply_pending()
# --------------------------------------------------------------------------

def test_apply_pending_on_an_up_to_date_database_applies_nothing(migrated_db):
    before = migrated_db.execute("SELECT id, name, applied_at FROM d1_migrations").fetchall()
    assert apply_pending(migrated_db, MIGRATIONS) == []
    assert migrated_db.execute("SELECT id, name, applied_at FROM d1_migrations").fetchall() == before
    assert pending(migrated_db, MIGRATIONS) == []


def test_apply_pending_applies_a_new_migration_and_records_it(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_add_theme.sql").write_text(
        "ALTER TABLE profiles ADD COLUMN theme TEXT DEFAULT 'dark';\n")
    conn = db.connect(db_path)
    try:
        assert [m.name for m in apply_pending(conn, migrations_dir)] == ["0105_add_theme.sql"]
        assert conn.execute("SELECT theme FROM profiles").fetchall() == [("dark",)]
    finally:
        conn.close()
    assert _fresh_names(db_path) == REPO_MIGRATIONS + ["0105_add_theme.sql"]


def test_a_migration_name_with_a_quote_is_recorded_exactly(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_o'brien.sql").write_text("CREATE TABLE t3 (x);\n")
    conn = db.connect(db_path)
    try:
        apply_pending(conn, migrations_dir)
    finally:
        conn.close()
    assert _fresh_names(db_path)[-1] == "0105_o'brien.sql"


def test_a_migration_without_final_semicolon_or_newline_is_applied(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_x.sql").write_text("CREATE TABLE t3 (x) -- no semicolon")
    conn = db.connect(db_path)
    try:
        apply_pending(conn, migrations_dir)
        assert not conn.in_transaction
    finally:
        conn.close()
    assert "t3" in _fresh_tables(db_path)
    assert _fresh_names(db_path)[-1] == "0105_x.sql"


BAD_SQL = "CREATE TABLE first_table (x INTEGER);\nINSERT INTO profiles VALUES ('p', 'u', 'n', NULL, NULL, NULL, NULL, NULL);\nSELEC broken FROM nowhere;\n"


def test_a_failing_migration_is_rolled_back_whole(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    bad = migrations_dir / "0105_broken.sql"
    bad.write_text(BAD_SQL)
    conn = db.connect(db_path)
    try:
        with pytest.raises(MigrationError) as caught:
            apply_pending(conn, migrations_dir)
        assert not conn.in_transaction
        assert "first_table" not in db.table_names(conn)
        assert conn.execute("SELECT count(*) FROM profiles WHERE id = 'p'").fetchone() == (0,)
    finally:
        conn.close()
    message = str(caught.value)
    assert str(bad) in message
    assert _sqlite_error_text("SELEC broken FROM nowhere;") in message
    assert "rolled back" in message
    # What another program sees afterwards:
    assert "first_table" not in _fresh_tables(db_path)
    assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_a_failing_migration_leaves_earlier_ones_applied(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_good.sql").write_text("CREATE TABLE good (x);\n")
    (migrations_dir / "0106_bad.sql").write_text("CREATE TABLE bad (x);\nINSERT INTO nowhere VALUES (1);\n")
    (migrations_dir / "0107_later.sql").write_text("CREATE TABLE later (x);\n")
    conn = db.connect(db_path)
    try:
        with pytest.raises(MigrationError, match="0106_bad.sql.*no such table: nowhere"):
            apply_pending(conn, migrations_dir)
    finally:
        conn.close()
    tables = _fresh_tables(db_path)
    assert "good" in tables and "bad" not in tables and "later" not in tables
    assert _fresh_names(db_path) == REPO_MIGRATIONS + ["0105_good.sql"]


def test_a_constraint_failure_in_a_migration_is_rolled_back(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_dup.sql").write_text(
        "CREATE TABLE t3 (x);\n"
        "INSERT INTO profiles (id, username, display_name) VALUES ('x', 'default', 'Dup');\n")
    conn = db.connect(db_path)
    try:
        with pytest.raises(MigrationError) as caught:
            apply_pending(conn, migrations_dir)
    finally:
        conn.close()
    assert "UNIQUE constraint failed: profiles.username" in str(caught.value)
    assert "t3" not in _fresh_tables(db_path)
    assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_create_database_that_fails_leaves_no_file(tmp_path, migrations_dir):
    (migrations_dir / "0105_broken.sql").write_text(BAD_SQL)
    path = tmp_path / "new.db"
    with pytest.raises(MigrationError):
        create_database(path, migrations_dir)
    assert not path.exists()
    assert not Path(f"{path}-wal").exists()
    assert not Path(f"{path}-shm").exists()


@pytest.mark.parametrize("statement", [
    "BEGIN TRANSACTION;",
    "BEGIN;",
    "begin immediate;",
    "COMMIT;",
    "END TRANSACTION;",
    "ROLLBACK;",
    "SAVEPOINT s1;",
    "RELEASE s1;",
    "/* a comment first */ BEGIN;",
    "-- a comment line\nCOMMIT;",
])
def test_a_migration_with_a_transaction_statement_is_refused_and_changes_nothing(db_path, migrations_dir,
                                                                                statement):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_tx.sql").write_text(
        f"CREATE TABLE before_tx (x);\n{statement}\nCREATE TABLE after_tx (y);\n")
    conn = db.connect(db_path)
    try:
        with pytest.raises(MigrationError) as caught:
            apply_pending(conn, migrations_dir)
        assert not conn.in_transaction
    finally:
        conn.close()
    assert "0105_tx.sql" in str(caught.value)
    assert "not allowed" in str(caught.value)
    tables = _fresh_tables(db_path)
    assert "before_tx" not in tables and "after_tx" not in tables
    assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_a_commit_on_the_same_line_as_another_statement_is_refused_and_changes_nothing(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_tx.sql").write_text("CREATE TABLE sneaky (x); COMMIT;\n")
    conn = db.connect(db_path)
    try:
        with pytest.raises(MigrationError):
            apply_pending(conn, migrations_dir)
    finally:
        conn.close()
    assert "sneaky" not in _fresh_tables(db_path)
    assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_a_migration_ending_in_an_unterminated_comment_is_applied_and_recorded_or_refused(db_path, migrations_dir):
    # SQLite accepts a /* comment that runs to the end of the input; either applying the
    # file (and recording it) or refusing it (changing nothing) is fine, but not both halves.
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_x.sql").write_text("CREATE TABLE t3 (x);\n/* TODO: more columns")
    conn = db.connect(db_path)
    try:
        try:
            applied = [m.name for m in apply_pending(conn, migrations_dir)]
        except MigrationError:
            applied = []
        in_transaction = conn.in_transaction
    finally:
        conn.close()
    assert not in_transaction
    if applied:
        assert applied == ["0105_x.sql"]
        assert "t3" in _fresh_tables(db_path)
        assert _fresh_names(db_path) == REPO_MIGRATIONS + ["0105_x.sql"]
    else:
        assert "t3" not in _fresh_tables(db_path)
        assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_a_trigger_with_begin_and_end_is_allowed(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_audit.sql").write_text(
        "-- keep a record of new profiles\n"
        "CREATE TABLE audit (profile_id TEXT, note TEXT);\n"
        "CREATE TRIGGER audit_profiles AFTER INSERT ON profiles\n"
        "BEGIN\n"
        "  INSERT INTO audit VALUES (NEW.id, 'added; by trigger');\n"
        "END;\n"
        "CREATE TRIGGER audit_delete AFTER DELETE ON profiles BEGIN INSERT INTO audit VALUES (OLD.id, 'gone'); END;\n")
    conn = db.connect(db_path)
    try:
        assert [m.name for m in apply_pending(conn, migrations_dir)] == ["0105_audit.sql"]
        conn.execute("INSERT INTO profiles (id, username, display_name) VALUES ('p1', 'alice', 'Alice')")
        conn.execute("DELETE FROM profiles WHERE id = 'p1'")
        assert conn.execute("SELECT profile_id, note FROM audit ORDER BY rowid").fetchall() == [
            ("p1", "added; by trigger"), ("p1", "gone")]
    finally:
        conn.close()
    assert _fresh_names(db_path)[-1] == "0105_audit.sql"


def test_apply_pending_installs_the_change_journal(migrated_db):
    assert db.journal_intact(migrated_db)


# --------------------------------------------------------------------------
# open_migrated()
# --------------------------------------------------------------------------

def test_open_migrated_creates_a_missing_database_and_logs_a_notice(db_path, caplog):
    with caplog.at_level(logging.INFO, logger="generator.data.migrate"):
        conn = open_migrated(db_path, MIGRATIONS)
    try:
        assert db_path.is_file()
        assert applied_names(conn) == REPO_MIGRATIONS
        assert conn.execute("SELECT username FROM profiles").fetchall() == [("default",)]
        assert db.journal_intact(conn)
    finally:
        conn.close()
    notices = [r for r in caplog.records if r.name == "generator.data.migrate" and r.levelno >= logging.WARNING]
    assert len(notices) == 1
    assert "notice" in notices[0].getMessage()
    assert str(db_path) in notices[0].getMessage()


def test_open_migrated_opens_an_up_to_date_database_without_a_notice(db_path, caplog):
    create_database(db_path, MIGRATIONS)
    with caplog.at_level(logging.INFO, logger="generator.data.migrate"):
        conn = open_migrated(db_path, MIGRATIONS)
    conn.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_open_migrated_refuses_a_database_with_pending_migrations(db_path, migrations_dir):
    create_database(db_path, migrations_dir)
    (migrations_dir / "0105_add_theme.sql").write_text("ALTER TABLE profiles ADD COLUMN theme TEXT;\n")
    with pytest.raises(DatabaseError) as caught:
        open_migrated(db_path, migrations_dir)
    message = str(caught.value)
    assert "0105_add_theme.sql" in message
    assert "`biogen migrate`" in message
    assert str(db_path) in message
    # Nothing was applied behind the user's back.
    assert _fresh_names(db_path) == REPO_MIGRATIONS


def test_open_migrated_restores_a_damaged_journal(db_path):
    create_database(db_path, MIGRATIONS)
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER biogen_journal_products_insert")
    conn.close()
    conn = open_migrated(db_path, MIGRATIONS)
    try:
        assert db.journal_intact(conn)
    finally:
        conn.close()


# --------------------------------------------------------------------------
# split_statements()
# --------------------------------------------------------------------------

def test_split_statements_splits_lines():
    assert split_statements("CREATE TABLE a (x);\nCREATE TABLE b (y);\n") == [
        "CREATE TABLE a (x);", "CREATE TABLE b (y);"]


def test_split_statements_keeps_a_multiline_statement_whole():
    sql = "CREATE TABLE a (\n  x TEXT,\n  y TEXT\n);\nSELECT 1;\n"
    assert split_statements(sql) == ["CREATE TABLE a (\n  x TEXT,\n  y TEXT\n);", "SELECT 1;"]


def test_split_statements_ignores_semicolons_in_strings_and_identifiers():
    sql = ("INSERT INTO t VALUES ('a;b', 'it''s; fine');\n"
           "INSERT INTO t VALUES ('multi\nline; text');\n"
           'SELECT "odd;name" FROM t;\n')
    assert split_statements(sql) == [
        "INSERT INTO t VALUES ('a;b', 'it''s; fine');",
        "INSERT INTO t VALUES ('multi\nline; text');",
        'SELECT "odd;name" FROM t;',
    ]


def test_split_statements_drops_comment_only_chunks():
    sql = "-- header; with a semicolon\n/* block;\n comment; */\n;\n\n"
    assert split_statements(sql) == []


def test_split_statements_ignores_semicolons_in_comments():
    sql = "SELECT 1 -- not the end;\n+ 1;\nSELECT /* ; */ 2;\n"
    assert split_statements(sql) == ["SELECT 1 -- not the end;\n+ 1;", "SELECT /* ; */ 2;"]


def test_split_statements_keeps_a_trigger_whole():
    trigger = ("CREATE TRIGGER t AFTER INSERT ON profiles\nBEGIN\n"
               "  INSERT INTO audit VALUES (NEW.id);\n  UPDATE audit SET n = 'x;y';\nEND;")
    assert split_statements(f"{trigger}\nSELECT 1;\n") == [trigger, "SELECT 1;"]


def test_split_statements_keeps_an_unterminated_last_statement():
    assert split_statements("SELECT 1;\nSELECT 2") == ["SELECT 1;", "SELECT 2"]


def test_split_statements_of_the_repository_migrations():
    statements = split_statements((MIGRATIONS / REPO_MIGRATIONS[0]).read_text())
    assert len(statements) == 10  # five tables, five indexes
    assert sum(s.lstrip("- \n").count("CREATE INDEX") for s in statements) == 5
    assert len(split_statements((MIGRATIONS / REPO_MIGRATIONS[1]).read_text())) == 1


def test_split_statements_splits_two_statements_on_one_line():
    assert split_statements("SELECT 1; SELECT 2;\n") == ["SELECT 1;", "SELECT 2;"]
