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


# What the URL rules accept but a valid URL must percent-encode ("Illegal character
# in query"), in every place a page writes a URL: links of each kind, remote images,
# and Markdown links in the tagline and a description. A page must write each as
# generator.data.urls.href does; the JSON document keeps it exactly.
HOSTILE = "hostile"
HOSTILE_ROWS = {
    "profiles": [{"id": "p-hostile", "username": HOSTILE, "display_name": "Hostile URLs",
                  "tagline": 'Say [hi](<mailto:a b@example.com?subject=Hi there>), see [this](https://example.com/0?a=1&b="2") '
                             "or <https://bücher.example/café>",
                  "avatar_url": 'https://images.example.org/a b/café.jpg?q="x"&r={y}',
                  "cover_url": "https://bücher.example/cover|1.jpg?w=680#`top`"}],
    "social_links": [
        {"id": "s-h1", "platform": "Website", "url": 'https://example.com/0?a=1&b="2"', "icon": "Globe"},
        {"id": "s-h2", "platform": "Email", "url": 'mailto:a b@example.com?subject=Hi there&body="x"', "icon": "Mail"},
        {"id": "s-h3", "platform": "Phone", "url": "tel:+1 (555) 010-0100", "icon": "Phone"},
        {"id": "s-h4", "platform": "Mastodon", "url": "https://BÜCHER.example/@ana", "icon": "mastodon"}],
    "bio_links": [
        {"id": "b-h1", "name": "Braces", "url": "https://example.com/{a}|b\\c^d`e[f]?q={a}|b\\c^d`e[f]'g#h`i#j",
         "description": '[inline](<https://example.com/x y?q="z">) and <https://example.com/a\\b>',
         "background_image": 'https://images.example.org/bg image.jpg?w=1&q="x"'},
        {"id": "b-h2", "name": "Spaces", "url": "https://example.com/a b?c d#e f", "description": None,
         "background_image": None},
        {"id": "b-h3", "name": "Percent", "url": "https://example.com/100%?q=%zz&r=%20", "description": None,
         "background_image": None},
        {"id": "b-h4", "name": "Unicode", "url": "https://例え.テスト/パス?キー=値#断片", "description": None,
         "background_image": None},
        {"id": "b-h5", "name": "Backslash", "url": "https://example.com\\path\\to?x\\y", "description": None,
         "background_image": None}],
    "products": [{"id": "pr-h1", "name": "Mug", "price": "$5", "image_url": 'https://images.example.org/mug "1".png',
                  "url": 'https://shop.example.com/mug?size="L"&colour=<blue>'}],
    "carousel_items": [{"id": "c-h1", "name": "Tool", "logo_url": "https://images.example.org/logo|1.png",
                        "url": "https://faß.de/tool"}],
}


def add_hostile_profile(site: Path) -> None:
    """Add the profile `hostile` (HOSTILE_ROWS) to the site's database."""
    for table, rows in HOSTILE_ROWS.items():
        for order, row in enumerate(rows):
            row = dict(row) if table == "profiles" else {"profile_id": "p-hostile", "order_index": order, **row}
            execute(site, f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                    tuple(row.values()))
