"""biogen init: a new site that builds at once, and that never loses an existing file."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config, packaged_dir
from generator.data.migrate import discover

# The newest compatibility date the pinned wrangler accepts.
NEWEST_COMPATIBILITY_DATE = "2026-04-26"


def init(*args: str):
    return CliRunner().invoke(cli, ["init", *args])


def test_init_makes_a_site_that_builds(tmp_path):
    site = tmp_path / "My Bio"
    result = init(str(site))
    assert result.exit_code == 0, result.output
    for name in ("biogen.toml", "wrangler.toml", ".gitignore", "README.md", "content/bio.db",
                 "migrations/0001_initial_schema.sql", "migrations/0002_seed_default_profile.sql"):
        assert (site / name).is_file(), name
        assert f"created    {Path(site.name) / name}" in result.output or name in result.output
    assert sorted(p.name for p in (site / "migrations").iterdir()) == [m.name for m in discover(packaged_dir("migrations"))]
    assert "#" in (site / "biogen.toml").read_text()  # commented
    build = CliRunner().invoke(cli, ["build", "--site", str(site)])
    assert build.exit_code == 0, build.output
    assert (site / "dist" / "default.html").is_file()
    assert CliRunner().invoke(cli, ["check", "--site", str(site)]).exit_code == 0


def test_wrangler_toml_declares_pages_and_d1(tmp_path):
    assert init(str(tmp_path / "site")).exit_code == 0
    wrangler = tomllib.loads((tmp_path / "site" / "wrangler.toml").read_text())
    assert wrangler["name"] == "site"
    assert wrangler["pages_build_output_dir"] == "dist"
    assert wrangler["compatibility_date"] <= NEWEST_COMPATIBILITY_DATE
    assert wrangler["d1_databases"] == [{"binding": "DB", "database_name": "premium-bio-db",
                                         "database_id": "00000000-0000-0000-0000-000000000000",
                                         "migrations_dir": "migrations"}]
    config = load_config(tmp_path / "site")
    assert config.d1.binding == "DB" and config.output == tmp_path / "site" / "dist"
    assert config.migrations_dir == tmp_path / "site" / "migrations"


def test_gitignore_covers_output_caches_and_tools(tmp_path):
    assert init(str(tmp_path)).exit_code == 0
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    for entry in ("/dist", "/.dist.trees/", "/.biogen/", "/.wrangler/", "/node_modules/"):
        assert entry in ignored


def test_the_database_has_every_migration_applied(tmp_path):
    assert init(str(tmp_path)).exit_code == 0
    conn = sqlite3.connect(tmp_path / "content" / "bio.db")
    applied = [row[0] for row in conn.execute("SELECT name FROM d1_migrations ORDER BY id")]
    conn.close()
    assert applied == ["0001_initial_schema.sql", "0002_seed_default_profile.sql", "0004_profile_settings.sql",
                       "0005_domains.sql", "0006_rich_content.sql"]


def test_existing_files_are_kept_unless_force_and_the_database_always(tmp_path):
    (tmp_path / "README.md").write_text("my own readme\n")
    (tmp_path / "biogen.toml").write_text('base_url = "https://mine.example.com"\n')
    first = init(str(tmp_path))
    assert first.exit_code == 0
    assert "kept" in first.output and "README.md" in first.output
    assert (tmp_path / "README.md").read_text() == "my own readme\n"
    assert (tmp_path / "biogen.toml").read_text() == 'base_url = "https://mine.example.com"\n'
    conn = sqlite3.connect(tmp_path / "content" / "bio.db")
    with conn:
        conn.execute("UPDATE profiles SET display_name = 'Mine' WHERE username = 'default'")
    conn.close()
    forced = init(str(tmp_path), "--force")
    assert forced.exit_code == 0
    assert "replaced   " in forced.output
    assert (tmp_path / "README.md").read_text() != "my own readme\n"
    conn = sqlite3.connect(tmp_path / "content" / "bio.db")
    assert conn.execute("SELECT display_name FROM profiles").fetchall() == [("Mine",)]
    conn.close()


def test_dry_run_writes_nothing(tmp_path):
    result = init(str(tmp_path / "new"), "--dry-run")
    assert result.exit_code == 0 and "create     " in result.output
    assert not (tmp_path / "new").exists()


def test_init_into_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    result = init(str(tmp_path / "file"))
    assert result.exit_code == 2 and "is a file" in result.output
