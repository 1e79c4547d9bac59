"""The command line: help everywhere, exit codes, messages, and the README's commands."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from generator.cli import cli
from sitekit import execute, make_site

REPO = Path(__file__).resolve().parent.parent


def _commands(group: click.Group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


def test_every_command_and_option_has_help():
    for path, command in _commands(cli):
        assert command.help, f"biogen {' '.join(path)} has no help text"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"biogen {' '.join(path)} {param.opts[0]} has no help text"
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_prints_a_summary_and_a_second_build_changes_nothing(tmp_path):
    site = make_site(tmp_path / "site")
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--site", str(site)])
    assert first.exit_code == 0, first.output
    assert re.search(r"built 5 profiles into .*: 5 rendered, \d+ files written", first.output)
    assert "Cloudflare Pages allows 20,000 files per deployment" in first.output
    second = runner.invoke(cli, ["build", "--site", str(site)])
    assert "is up to date: 5 profiles, nothing changed" in second.output


def test_invalid_data_exits_1_with_every_problem(tmp_path):
    site = make_site(tmp_path / "site")
    execute(site, "UPDATE bio_links SET url = 'javascript:alert(1)' WHERE id = 'b1';"
                  "UPDATE profiles SET display_name = '  ' WHERE id = 'p-min'")
    result = CliRunner().invoke(cli, ["build", "--site", str(site)])
    assert result.exit_code == 1
    assert "the database has problems (2); nothing was written" in result.output
    assert "profile 'ana': bio_links row 'b1', column url" in result.output
    assert "profile 'minimal': profiles row 'p-min', column display_name" in result.output
    check = CliRunner().invoke(cli, ["check", "--site", str(site)])
    assert check.exit_code == 1 and "bio_links row 'b1', column url" in check.output


def test_missing_config_says_how_to_fix(tmp_path):
    result = CliRunner().invoke(cli, ["build", "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert "no biogen.toml" in result.output and "biogen init" in result.output


def test_bad_config_reports_every_problem(tmp_path):
    (tmp_path / "biogen.toml").write_text('base_url = "ftp://x"\nlanguage = "not a tag!"\ncolour = "red"\n')
    result = CliRunner().invoke(cli, ["build", "--site", str(tmp_path)])
    assert result.exit_code == 1
    assert "base_url must be an absolute http(s) URL" in result.output
    assert "language must be a BCP 47 tag" in result.output
    assert "unknown setting 'colour'" in result.output


def test_migrate_list_changes_nothing_and_migrate_applies(tmp_path):
    site = make_site(tmp_path / "site")
    shutil.copytree(REPO / "migrations", site / "migrations")
    (site / "migrations" / "0105_add_theme.sql").write_text("ALTER TABLE profiles ADD COLUMN theme TEXT;\n")
    database = site / "content" / "bio.db"
    before = database.read_bytes()
    listed = CliRunner().invoke(cli, ["migrate", "--list", "--site", str(site)])
    assert listed.output.splitlines() == ["applied  0001_initial_schema.sql", "applied  0002_seed_default_profile.sql",
                                          "applied  0004_profile_settings.sql", "applied  0005_domains.sql",
                                          "applied  0006_rich_content.sql", "pending  0105_add_theme.sql"]
    assert database.read_bytes() == before
    applied = CliRunner().invoke(cli, ["migrate", "--site", str(site)])
    assert applied.exit_code == 0 and "applied 0105_add_theme.sql" in applied.output
    again = CliRunner().invoke(cli, ["migrate", "--site", str(site)])
    assert "no migrations to apply" in again.output


def test_failing_migration_names_the_file_and_rolls_back(tmp_path):
    site = make_site(tmp_path / "site")
    shutil.copytree(REPO / "migrations", site / "migrations")
    (site / "migrations" / "0105_broken.sql").write_text("CREATE TABLE themes (id TEXT);\nALTER TABLE nope ADD x;\n")
    result = CliRunner().invoke(cli, ["migrate", "--site", str(site)])
    assert result.exit_code == 1
    assert "0105_broken.sql" in result.output and "no such table: nope" in result.output
    import sqlite3
    conn = sqlite3.connect(site / "content" / "bio.db")
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'themes'").fetchone()
    assert not conn.execute("SELECT 1 FROM d1_migrations WHERE name = '0105_broken.sql'").fetchone()


def _readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    return [line for block in blocks[:2] for line in block.strip().splitlines()]


def test_readme_starts_with_the_two_commands():
    assert _readme_commands() == ["pip install -e . && biogen build", "pip install -e '.[test]' && pytest"]


def test_readme_build_command_builds_this_repository(tmp_path):
    """The first command's build, run on a copy of this repository's site."""
    site = tmp_path / "repo"
    site.mkdir()
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(REPO / name, site / name)
    shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    result = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=site, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # The seeded default profile and one demo avatar are remote images: offline (as
    # here) they cannot be fetched, and the build says so and keeps their URLs.
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert all("cannot be downloaded" in line and "keeps the original URL" in line for line in warnings), warnings
    dist = site / "dist"
    for name in ("index.html", "default.html", "ana.html", "minimal.html", "rtl.html", "404.html", "sitemap.xml"):
        assert (dist / name).is_file(), name
