"""Helpers for tests that build real sites in temporary folders."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from generator.build.build import build
from generator.config import load_config
from generator.data.migrate import create_database

FIXTURE = Path(__file__).parent / "fixtures" / "site"
MIGRATIONS = Path(__file__).parent.parent / "migrations"


def make_site(folder: Path) -> Path:
    """A copy of the fixture site in `folder`, its database made from the migrations."""
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("profiles.sql"))
    database = folder / "content" / "bio.db"
    create_database(database, MIGRATIONS)
    execute(folder, (FIXTURE / "profiles.sql").read_text())
    return folder


def execute(site: Path, sql: str, params: tuple = ()) -> None:
    """Change the site's database as another program would: plain sqlite3, committed."""
    conn = sqlite3.connect(site / "content" / "bio.db")
    conn.execute("PRAGMA foreign_keys = ON")
    with conn:
        if params:
            conn.execute(sql, params)
        else:
            conn.executescript(sql)
    conn.close()


def build_site(site: Path, **options):
    """Build `site` as `biogen build` does."""
    return build(load_config(site), **options)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (following the output link) by relative path."""
    root = folder.resolve()
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    """Each file's modification time (ns) and inode, to prove files were not rewritten."""
    root = folder.resolve()
    return {path.relative_to(root).as_posix(): (path.stat().st_mtime_ns, path.stat().st_ino)
            for path in sorted(root.rglob("*")) if path.is_file()}
