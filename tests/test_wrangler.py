"""The wrangler helper, and biogen's migrations against the real wrangler's, both ways."""

from __future__ import annotations

import os
import sqlite3

import pytest

from generator.data import db
from generator.config import load_config
from generator.cloudflare.d1 import durable_object_id, local_d1_file
from generator.data.migrate import applied_names, create_database, pending
from generator.cloudflare.wrangler import QUIET_ENV, Result, Wrangler, WranglerError, redact, strip_ansi
from wranglerkit import needs_wrangler, wrangler, wrangler_site


def test_missing_wrangler_says_to_run_npm_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("BIOGEN_WRANGLER", "")
    helper = Wrangler(tmp_path, executable=None)
    monkeypatch.setattr("generator.cloudflare.wrangler.find_wrangler", lambda site: None)
    with pytest.raises(WranglerError, match=r"npm ci.*wrangler@4\.86\.0"):
        helper.run(["--version"])


def test_commands_are_argument_lists_with_a_quiet_environment(tmp_path):
    calls = []

    def runner(argv, env, cwd):
        calls.append((argv, env, cwd))
        return Result(argv[1:], 0, '[{"results": [{"a": 1}], "success": true}]', "")

    helper = Wrangler(tmp_path, env_name="production", runner=runner, executable=tmp_path / "wrangler")
    answer = helper.run_json(["d1", "execute", "DB", "--remote", "--command", "SELECT 'it''s'"])
    argv, env, cwd = calls[0]
    assert argv == [str(tmp_path / "wrangler"), "d1", "execute", "DB", "--remote", "--command", "SELECT 'it''s'",
                    "--json", "--env", "production"]
    assert all(env[k] == v for k, v in QUIET_ENV.items()) and cwd == tmp_path
    assert answer[0]["results"] == [{"a": 1}]


def test_failures_carry_wranglers_message_without_colours_or_the_token(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "secret-token-123")

    def runner(argv, env, cwd):
        assert env["CLOUDFLARE_API_TOKEN"] == "secret-token-123"  # inherited, never written anywhere
        return Result(argv[1:], 1, "", "\x1b[31m✘ \x1b[41;31m[\x1b[41;97mERROR\x1b[41;31m]\x1b[0m bad token "
                                       "secret-token-123\n")

    helper = Wrangler(tmp_path, runner=runner, executable=tmp_path / "wrangler")
    with pytest.raises(WranglerError) as raised:
        helper.run(["pages", "deploy", "dist"])
    assert "bad token ***" in str(raised.value) and "secret-token-123" not in str(raised.value)
    assert "\x1b" not in str(raised.value)
    assert strip_ansi("\x1b[1mok\x1b[0m") == "ok" and redact("x secret-token-123") == "x ***"


def test_dry_run_prints_commands_that_change_things_and_runs_nothing(tmp_path):
    printed = []
    helper = Wrangler(tmp_path, dry_run=True, echo=printed.append, runner=lambda *a: pytest.fail("ran"))
    helper.run(["pages", "deploy", "dist", "--project-name", "my bio"])
    assert printed == ["npx wrangler pages deploy dist --project-name 'my bio'"]


def test_the_local_d1_file_name_is_the_durable_object_id():
    # Observed with wrangler 4.86.0: database_id 00000000-... is kept in 9ba2b04b...sqlite
    assert durable_object_id("miniflare-D1DatabaseObject", "00000000-0000-0000-0000-000000000000") == (
        "9ba2b04bf514d9facfd57ed57d849e77241a7adc99d1c1545d06688b43d84248")


@needs_wrangler
@pytest.mark.slow
def test_wrangler_finds_nothing_to_apply_on_a_database_biogen_migrated(tmp_path):
    site = wrangler_site(tmp_path / "site")
    config = load_config(site)
    target = local_d1_file(site, config.d1)
    target.parent.mkdir(parents=True)
    create_database(target, config.migrations_dir)
    result = wrangler(site).run(["d1", "migrations", "apply", "DB", "--local"])
    assert "No migrations to apply" in strip_ansi(result.stdout + result.stderr)


@needs_wrangler
@pytest.mark.slow
def test_biogen_finds_nothing_to_apply_on_a_database_wrangler_migrated(tmp_path):
    site = wrangler_site(tmp_path / "site")
    config = load_config(site)
    wrangler(site).run(["d1", "migrations", "apply", "DB", "--local"])
    target = local_d1_file(site, config.d1)
    assert target.exists(), "wrangler keeps the local D1 where biogen looks for it"
    conn = sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)
    assert applied_names(conn) == ["0001_initial_schema.sql", "0002_seed_default_profile.sql", "0004_profile_settings.sql",
                                  "0005_domains.sql", "0006_rich_content.sql"]
    assert pending(conn, config.migrations_dir) == []
    conn.close()
