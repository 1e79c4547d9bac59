"""Make a synthetic site: N profiles with 5 social links, 8 bio links, 4 products,
6 carousel items and no images, as the build benchmark specifies. With `settings`,
every profile also has a settings row, spread over every built-in theme, a dozen
accent colours, the three button shapes and the built-in languages. With `details`, every
bio link has detail content (a subtitle and a Markdown body of ~600 characters, so a
detail page each: 8 more files a profile)."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from generator.data.migrate import create_database

CONFIG = """base_url = "https://bench.example.com"
home = "user-00000"
language = "en"
database = "content/bio.db"
output = "{output}"

[share]
# The share kit's social cards and QR codes (~30 ms a profile, once, then cached) are
# timed by benchmarks/share_cards.py; the build benchmarks time the pages, as before it.
card = false
qr = false
"""
# Accents every built-in theme accepts (none carries text below 4.5:1 in any theme).
ACCENTS = ["#7936e9", "#007068", "#a44900", "#be123c", "#1d4ed8", "#437000",
           "#a21caf", "#006e8a", "#b63900", "#334155", "#9f1239", "#166534"]
SHAPES = ["rounded", "pill", "square"]
LANGUAGES = ["en", "vi", "es", "ar", "ja"]
PLATFORMS = [("GitHub", "github", "https://github.com/{u}"), ("Twitter", "Twitter", "https://x.com/{u}"),
             ("Instagram", "instagram", "https://instagram.com/{u}"), ("YouTube", "Youtube", "https://youtube.com/@{u}"),
             ("Email", "Mail", "mailto:{u}@example.com")]


# A detail page's body: a heading, a list, emphasis and a link, as an owner would write one;
# each differs (its heading names the item), as real ones do.
DETAIL_BODY = ("## What you get from project {i} of {u}\n\n- Eight lessons, one a week\n- Notes and **exercises** for each\n"
               "- Answers to your questions\n\nEvery lesson builds on the one before; start any time and go at "
               "your own pace. See [the syllabus](https://example.com/syllabus) for the details, or write to "
               "ask what fits you best.\n\n> Small steps, every day.\n\nThe price covers everything: no "
               "subscription, no extras.")


def make_site(folder: Path, count: int, output: str = "dist", settings: bool = False, details: bool = False) -> Path:
    """Create `folder` with biogen.toml and a database of `count` profiles (each with a
    settings row when `settings`, and every link with detail content when `details`)."""
    from generator.build.themes import BUILT_IN_THEMES
    (folder / "content").mkdir(parents=True, exist_ok=True)
    (folder / "biogen.toml").write_text(CONFIG.format(output=output))
    database = folder / "content" / "bio.db"
    create_database(database, Path(__file__).resolve().parent.parent / "migrations")
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA foreign_keys = ON")
    # Bulk loading is not what is measured: drop the journal triggers while loading
    # (biogen reinstalls them, with a new epoch, the first time it opens the file).
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    with conn:
        for start in range(0, count, 5000):
            profiles, social, links, products, tools, rows, extras = [], [], [], [], [], [], []
            for n in range(start, min(start + 5000, count)):
                u = f"user-{n:05d}"
                pid = f"p{n:06d}"
                profiles.append((pid, u, f"Creator {n}", f"Designer, writer and maker #{n}. Building things on the web.",
                                 None, None, "2026-11-01 09:00:00", "2026-11-01 09:00:00"))
                for i, (platform, icon, url) in enumerate(PLATFORMS):
                    social.append((f"{pid}-s{i}", pid, platform, url.format(u=u), icon, i))
                for i in range(8):
                    links.append((f"{pid}-l{i}", pid, f"Project {i} by {u}", f"https://example.com/{u}/project-{i}",
                                  f"A short description of project {i}, with details.", None, i))
                    if details:
                        extras.append((f"{pid}-l{i}", pid, f"project-{i}", f"Everything about project {i}",
                                       DETAIL_BODY.format(i=i, u=u)))
                for i in range(4):
                    products.append((f"{pid}-p{i}", pid, f"Product {i}", None, f"${19 + i * 10}",
                                     f"https://shop.example.com/{u}/{i}", i))
                for i in range(6):
                    tools.append((f"{pid}-t{i}", pid, f"Tool {i}", None, f"https://tools.example.com/{i}", i))
                if settings:
                    rows.append((pid, BUILT_IN_THEMES[n % len(BUILT_IN_THEMES)], ACCENTS[n % len(ACCENTS)],
                                 SHAPES[n // 3 % len(SHAPES)], LANGUAGES[n % len(LANGUAGES)]))
            conn.executemany("INSERT INTO profiles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", profiles)
            conn.executemany("INSERT INTO social_links VALUES (?, ?, ?, ?, ?, ?)", social)
            conn.executemany("INSERT INTO bio_links VALUES (?, ?, ?, ?, ?, ?, ?)", links)
            conn.executemany("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?)", products)
            conn.executemany("INSERT INTO carousel_items VALUES (?, ?, ?, ?, ?, ?)", tools)
            conn.executemany("INSERT INTO profile_settings (profile_id, theme, accent, button_shape, language) "
                             "VALUES (?, ?, ?, ?, ?)", rows)
            conn.executemany("INSERT INTO item_details (item_id, profile_id, slug, subtitle, content) "
                             "VALUES (?, ?, ?, ?, ?)", extras)
        conn.execute("DELETE FROM profiles WHERE id = 'default-profile-id'")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--settings", action="store_true", help="give every profile a theme, accent, shape, language")
    parser.add_argument("--details", action="store_true", help="give every link detail content (a detail page)")
    args = parser.parse_args()
    make_site(args.folder, args.count, settings=args.settings, details=args.details)
