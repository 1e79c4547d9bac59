"""Shared fixtures: real SQLite databases on disk, made from the repository's migrations.

Helpers that insert rows use plain SQL, the way sqlite-utils, Datasette or a GUI
would write to the database, so the tests see exactly what biogen would read.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from generator.data import db
from generator.data.migrate import create_database

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"

# Required columns of each child table and a harmless value for each.
CHILD_DEFAULTS = {
    "social_links": {"platform": "Website", "url": "https://example.com", "icon": None},
    "bio_links": {"name": "A link", "url": "https://example.com", "description": None, "background_image": None},
    "products": {"name": "A product", "price": "10", "url": "https://example.com/buy", "image_url": None},
    "carousel_items": {"name": "A tool", "url": "https://example.com/tool", "logo_url": None},
}


def insert_profile(conn: sqlite3.Connection, id: str, username: str | None = None, **columns) -> str:
    """Insert one profile with plain SQL; returns its id."""
    row = {"id": id, "username": username if username is not None else id,
           "display_name": f"Name of {id}"}
    row.update(columns)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO profiles ({names}) VALUES ({marks})", tuple(row.values()))
    return id


def insert_child(conn: sqlite3.Connection, table: str, id: str, profile_id: str, **columns) -> str:
    """Insert one row of a child table with plain SQL; returns its id."""
    row = {"id": id, "profile_id": profile_id, **CHILD_DEFAULTS[table]}
    row.update(columns)
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(row.values()))
    return id


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    """A private copy of migrations/ that a test may add files to."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives (not created yet)."""
    return tmp_path / "content" / "bio.db"


@pytest.fixture
def migrated_db(db_path: Path):
    """A connection to a new database made from the repository's migrations."""
    create_database(db_path, MIGRATIONS)
    conn = db.connect(db_path)
    yield conn
    conn.close()


@pytest.fixture
def empty_db(migrated_db: sqlite3.Connection) -> sqlite3.Connection:
    """A migrated database without the seeded default profile."""
    migrated_db.execute("DELETE FROM profiles")
    return migrated_db


@pytest.fixture
def add_profile():
    """insert_profile(conn, id, username=None, **columns) as a fixture."""
    return insert_profile


@pytest.fixture
def add_child():
    """insert_child(conn, table, id, profile_id, **columns) as a fixture."""
    return insert_child


@pytest.fixture(autouse=True)
def _reset_biogen_logging():
    """The CLI configures the `generator` logger for its process; undo it after each
    test so caplog in later tests sees biogen's records again."""
    import logging
    yield
    logger = logging.getLogger("generator")
    logger.handlers[:] = []
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output instead of comparing with it")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def pytest_terminal_summary(terminalreporter, config):
    """Say where tests/test_quality.py left its screenshots and Lighthouse reports."""
    folder = getattr(config, "biogen_screenshots", None)
    if folder:
        terminalreporter.write_sep("-", "screenshots and Lighthouse reports")
        terminalreporter.write_line(str(folder))
