"""generator.data.db: foreign keys, WAL, and the change journal kept by triggers."""

from __future__ import annotations

import sqlite3
import time

import pytest

from generator.data import db
from generator.errors import DatabaseError

CHILD_TABLES = ("social_links", "bio_links", "products", "carousel_items")


# --------------------------------------------------------------------------
# connect()
# --------------------------------------------------------------------------

def test_connect_turns_foreign_keys_on(migrated_db):
    assert migrated_db.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_connect_uses_wal(migrated_db, db_path):
    assert migrated_db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    # The mode is stored in the file: a plain connection sees it too.
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        other.close()


def test_connect_is_in_autocommit_mode_with_a_busy_timeout(migrated_db):
    assert migrated_db.isolation_level is None
    assert not migrated_db.in_transaction
    assert migrated_db.execute("PRAGMA busy_timeout").fetchone() == (int(db.BUSY_TIMEOUT_SECONDS * 1000),)


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_a_child_of_an_unknown_profile_is_refused(migrated_db, add_child, table):
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        add_child(migrated_db, table, "c1", "no-such-profile")
    assert migrated_db.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,)


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_moving_a_child_to_an_unknown_profile_is_refused(migrated_db, add_child, table):
    add_child(migrated_db, table, "c1", "default-profile-id")
    with pytest.raises(sqlite3.IntegrityError):
        migrated_db.execute(f"UPDATE {table} SET profile_id = 'nobody' WHERE id = 'c1'")


def test_deleting_a_profile_deletes_its_children_in_all_four_tables(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    for table in CHILD_TABLES:
        add_child(migrated_db, table, f"{table}-1", "p1")
        add_child(migrated_db, table, f"{table}-2", "p1")
        add_child(migrated_db, table, f"{table}-3", "p2")
    migrated_db.execute("DELETE FROM profiles WHERE id = 'p1'")
    for table in CHILD_TABLES:
        assert migrated_db.execute(f"SELECT id FROM {table}").fetchall() == [(f"{table}-3",)]


def test_connect_reports_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "bio.db"
    path.write_bytes(b"this is not an SQLite database, just some text" * 100)
    with pytest.raises(DatabaseError) as caught:
        db.connect(path)
    assert str(path) in str(caught.value)


def test_readonly_connection_reads_but_cannot_write(migrated_db, db_path):
    reader = db.connect(db_path, readonly=True)
    try:
        assert reader.execute("SELECT username FROM profiles").fetchall() == [("default",)]
        assert reader.execute("PRAGMA foreign_keys").fetchone() == (1,)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.execute("DELETE FROM profiles")
    finally:
        reader.close()


def _write_without_committing(writer: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE and enough rows to spill the page cache: in rollback-journal
    mode that takes the EXCLUSIVE lock and shuts every reader out; in WAL it does not."""
    writer.execute("PRAGMA cache_size = 1")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO profiles (id, username, display_name) VALUES ('p-uncommitted', 'u', 'U')")
    writer.executemany("INSERT INTO bio_links (id, profile_id, name, url) VALUES (?, 'p-uncommitted', ?, 'https://a.b')",
                       [(f"b{n}", "x" * 500) for n in range(200)])


def test_a_reader_is_not_blocked_by_an_open_write_transaction(migrated_db, db_path):
    writer = migrated_db
    _write_without_committing(writer)
    reader = db.connect(db_path)
    try:
        # Fail fast instead of waiting the full busy timeout if WAL were not in use.
        reader.execute("PRAGMA busy_timeout = 200")
        started = time.perf_counter()
        seen = reader.execute("SELECT id FROM profiles ORDER BY id").fetchall()
        elapsed = time.perf_counter() - started
        assert seen == [("default-profile-id",)]  # the uncommitted rows are invisible
        assert reader.execute("SELECT count(*) FROM bio_links").fetchone() == (0,)
        assert elapsed < 0.15
        # The writer still holds the write lock: a second writer is refused.
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            reader.execute("BEGIN IMMEDIATE")
        writer.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM profiles").fetchone() == (2,)
    finally:
        reader.close()


def test_without_wal_the_same_write_would_block_readers(migrated_db, db_path):
    # The control for the test above: it only proves something if a rollback journal fails it.
    migrated_db.execute("PRAGMA journal_mode = DELETE")
    _write_without_committing(migrated_db)
    reader = sqlite3.connect(db_path, timeout=0.1)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            reader.execute("SELECT count(*) FROM profiles").fetchone()
    finally:
        reader.close()
        migrated_db.execute("ROLLBACK")


def test_table_names_lists_the_tables(migrated_db):
    assert set(db.PROFILE_TABLES) <= db.table_names(migrated_db)
    assert "d1_migrations" in db.table_names(migrated_db)
    assert "idx_profile_username" not in db.table_names(migrated_db)


# --------------------------------------------------------------------------
# The change journal
# --------------------------------------------------------------------------

def _seq(conn) -> int:
    return db.journal_position(conn)[1]


def _triggers(conn) -> dict[str, str]:
    return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))


def test_the_journal_has_fifteen_triggers_as_biogen_writes_them(migrated_db):
    triggers = _triggers(migrated_db)
    expected = {f"biogen_journal_{table}_{operation}"
                for table in db.PROFILE_TABLES for operation in ("insert", "update", "delete")}
    assert set(db.JOURNAL_TRIGGERS) == expected
    assert {name: triggers[name] for name in expected} == db.JOURNAL_TRIGGERS
    assert db.journal_intact(migrated_db)


def test_install_journal_on_an_intact_journal_changes_nothing(migrated_db):
    epoch = db.journal_position(migrated_db)[0]
    assert db.install_journal(migrated_db) is False
    assert db.journal_position(migrated_db)[0] == epoch


def test_the_journal_starts_empty_with_an_epoch_and_a_database_id(migrated_db):
    epoch, seq = db.journal_position(migrated_db)
    assert seq == 0 and epoch
    meta = dict(migrated_db.execute("SELECT key, value FROM biogen_meta"))
    assert set(meta) == {"database_id", "journal_epoch"}
    assert db.journal_since(migrated_db, 0) == []


def test_install_journal_without_the_profile_tables_does_nothing(tmp_path):
    conn = db.connect(tmp_path / "other.db")
    try:
        assert db.install_journal(conn) is False
        assert db.table_names(conn) == set()
        assert db.journal_intact(conn) is False
    finally:
        conn.close()


def test_inserting_a_profile_is_recorded(migrated_db, add_profile):
    start = _seq(migrated_db)
    add_profile(migrated_db, "p1")
    assert db.journal_since(migrated_db, start) == ["p1"]


def test_updating_a_profile_is_recorded(migrated_db, add_profile):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    start = _seq(migrated_db)
    migrated_db.execute("UPDATE profiles SET tagline = 'new' WHERE id = 'p2'")
    assert db.journal_since(migrated_db, start) == ["p2"]


def test_changing_a_profile_id_records_old_and_new(migrated_db, add_profile):
    add_profile(migrated_db, "p1")
    start = _seq(migrated_db)
    migrated_db.execute("UPDATE profiles SET id = 'p9' WHERE id = 'p1'")
    assert db.journal_since(migrated_db, start) == ["p1", "p9"]


def test_deleting_a_profile_is_recorded(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    add_child(migrated_db, "bio_links", "b1", "p1")
    start = _seq(migrated_db)
    migrated_db.execute("DELETE FROM profiles WHERE id = 'p1'")
    assert db.journal_since(migrated_db, start) == ["p1"]


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_inserting_a_child_records_exactly_its_profile(migrated_db, add_profile, add_child, table):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    start = _seq(migrated_db)
    add_child(migrated_db, table, "c1", "p2")
    assert db.journal_since(migrated_db, start) == ["p2"]


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_updating_a_child_records_exactly_its_profile(migrated_db, add_profile, add_child, table):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    add_child(migrated_db, table, "c1", "p1")
    add_child(migrated_db, table, "c2", "p2")
    start = _seq(migrated_db)
    migrated_db.execute(f"UPDATE {table} SET order_index = 5 WHERE id = 'c1'")
    assert db.journal_since(migrated_db, start) == ["p1"]


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_deleting_a_child_records_exactly_its_profile(migrated_db, add_profile, add_child, table):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    add_child(migrated_db, table, "c1", "p1")
    add_child(migrated_db, table, "c2", "p2")
    start = _seq(migrated_db)
    migrated_db.execute(f"DELETE FROM {table} WHERE id = 'c2'")
    assert db.journal_since(migrated_db, start) == ["p2"]


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_moving_a_child_between_profiles_records_both(migrated_db, add_profile, add_child, table):
    for pid in ("p1", "p2", "p3"):
        add_profile(migrated_db, pid)
    add_child(migrated_db, table, "c1", "p1")
    start = _seq(migrated_db)
    migrated_db.execute(f"UPDATE {table} SET profile_id = 'p3' WHERE id = 'c1'")
    assert db.journal_since(migrated_db, start) == ["p1", "p3"]


def test_journal_since_returns_only_later_writes_and_each_profile_once(migrated_db, add_profile, add_child):
    add_profile(migrated_db, "p1")
    add_profile(migrated_db, "p2")
    middle = _seq(migrated_db)
    add_child(migrated_db, "bio_links", "b1", "p2")
    add_child(migrated_db, "bio_links", "b2", "p2")
    migrated_db.execute("UPDATE bio_links SET name = 'x' WHERE profile_id = 'p2'")
    assert db.journal_since(migrated_db, middle) == ["p2"]
    assert db.journal_since(migrated_db, 0) == ["p1", "p2"]
    assert db.journal_since(migrated_db, _seq(migrated_db)) == []


def test_journal_sequence_increases_with_every_write(migrated_db, add_profile):
    seen = []
    for pid in ("p1", "p2", "p1"):
        if pid == "p1" and seen:
            migrated_db.execute("UPDATE profiles SET tagline = 't' WHERE id = 'p1'")
        else:
            add_profile(migrated_db, pid)
        seen.append(_seq(migrated_db))
    assert seen == sorted(set(seen))


def test_a_rolled_back_write_is_not_recorded(migrated_db, add_profile):
    start = _seq(migrated_db)
    migrated_db.execute("BEGIN")
    add_profile(migrated_db, "p1")
    migrated_db.execute("ROLLBACK")
    assert db.journal_since(migrated_db, start) == []


def test_writes_from_a_plain_sqlite_connection_are_recorded(migrated_db, db_path):
    start = _seq(migrated_db)
    other = sqlite3.connect(db_path)  # another program: no foreign keys, default settings
    other.execute("INSERT INTO profiles (id, username, display_name) VALUES ('p7', 'seven', 'Seven')")
    other.commit()
    other.close()
    assert db.journal_since(migrated_db, start) == ["p7"]


def test_dropping_a_trigger_breaks_the_journal_and_install_restores_it(migrated_db, add_profile):
    epoch_before = db.journal_position(migrated_db)[0]
    migrated_db.execute("DROP TRIGGER biogen_journal_bio_links_update")
    assert db.journal_intact(migrated_db) is False
    assert db.install_journal(migrated_db) is True
    assert db.journal_intact(migrated_db) is True
    epoch_after = db.journal_position(migrated_db)[0]
    assert epoch_after and epoch_after != epoch_before
    # The restored trigger records again.
    add_profile(migrated_db, "p1")
    migrated_db.execute("INSERT INTO bio_links (id, profile_id, name, url) VALUES ('b', 'p1', 'n', 'https://a.b')")
    start = _seq(migrated_db)
    migrated_db.execute("UPDATE bio_links SET name = 'm' WHERE id = 'b'")
    assert db.journal_since(migrated_db, start) == ["p1"]


def test_an_altered_trigger_breaks_the_journal(migrated_db):
    migrated_db.execute("DROP TRIGGER biogen_journal_profiles_insert")
    migrated_db.execute("CREATE TRIGGER biogen_journal_profiles_insert AFTER INSERT ON profiles BEGIN SELECT 1; END")
    assert db.journal_intact(migrated_db) is False
    assert db.install_journal(migrated_db) is True
    assert _triggers(migrated_db)["biogen_journal_profiles_insert"] == \
        db.JOURNAL_TRIGGERS["biogen_journal_profiles_insert"]


def test_an_extra_journal_trigger_breaks_the_journal(migrated_db):
    migrated_db.execute("CREATE TRIGGER biogen_journal_extra AFTER INSERT ON profiles BEGIN SELECT 1; END")
    assert db.journal_intact(migrated_db) is False


def test_reinstalling_keeps_the_database_id_and_the_recorded_writes(migrated_db, add_profile):
    add_profile(migrated_db, "p1")
    database_id = migrated_db.execute("SELECT value FROM biogen_meta WHERE key = 'database_id'").fetchone()
    migrated_db.execute("DROP TRIGGER biogen_journal_profiles_delete")
    db.install_journal(migrated_db)
    assert migrated_db.execute("SELECT value FROM biogen_meta WHERE key = 'database_id'").fetchone() == database_id
    assert db.journal_since(migrated_db, 0) == ["p1"]


def test_install_journal_leaves_no_transaction_open(migrated_db):
    migrated_db.execute("DROP TRIGGER biogen_journal_profiles_delete")
    db.install_journal(migrated_db)
    assert not migrated_db.in_transaction
