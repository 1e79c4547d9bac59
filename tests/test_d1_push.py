"""biogen d1 push/pull against the real local D1 (wrangler 4.86.0, offline)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.cloudflare.d1 import local_d1_file
from generator.data.db import KEYS
from sitekit import execute
from wranglerkit import needs_wrangler, wrangler, wrangler_site



def biogen(site, *args):
    result = CliRunner().invoke(cli, [*args, "--site", str(site)])
    return result


def d1_rows(site, sql, params=()):
    path = local_d1_file(site, load_config(site).d1)
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def local_rows(site, sql):
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


TABLES = ("profiles", "social_links", "bio_links", "products", "carousel_items", "profile_settings", "domains",
          "item_details")


def same_content(site):
    for table in TABLES:
        order = KEYS[table]
        assert d1_rows(site, f"SELECT * FROM {table} ORDER BY {order}") == local_rows(site, f"SELECT * FROM {table} ORDER BY {order}"), table


@pytest.fixture
def site(tmp_path):
    return wrangler_site(tmp_path / "site")


@needs_wrangler
@pytest.mark.slow
def test_push_sends_the_content_then_only_the_changes(site):
    first = biogen(site, "d1", "push", "--local")
    assert first.exit_code == 0, first.output
    same_content(site)
    again = biogen(site, "d1", "push", "--local")
    assert "already holds the local content" in again.output, again.output
    execute(site, "UPDATE bio_links SET name = 'Changed' WHERE id = 'b1';"
                  "DELETE FROM profiles WHERE username = 'minimal';"
                  "INSERT INTO profiles (id, username, display_name) VALUES ('p-new', 'newbie', 'New');"
                  "INSERT INTO bio_links (id, profile_id, name, url, order_index) VALUES ('bn', 'p-new', 'N', 'https://n.example', 0)")
    second = biogen(site, "d1", "push", "--local")
    assert second.exit_code == 0, second.output
    assert "3 rows written, 1 deleted" in second.output and "3 profiles changed" in second.output
    same_content(site)


@needs_wrangler
@pytest.mark.slow
def test_a_table_biogen_does_not_own_keeps_its_rows(site):
    biogen(site, "d1", "push", "--local")
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "CREATE TABLE admin_users (id INTEGER PRIMARY KEY, username TEXT, password_hash TEXT);"
                        "INSERT INTO admin_users (username, password_hash) VALUES ('admin', 'x')"])
    execute(site, "DELETE FROM profiles")
    assert biogen(site, "d1", "push", "--local", "--full").exit_code == 0
    assert d1_rows(site, "SELECT username FROM admin_users") == [("admin",)]
    assert d1_rows(site, "SELECT count(*) FROM profiles") == [(0,)]


@needs_wrangler
@pytest.mark.slow
def test_an_edit_made_in_d1_makes_push_refuse_until_pulled(site):
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "UPDATE profiles SET tagline = 'Edited in the admin panel' WHERE username = 'ana'"])
    execute(site, "UPDATE profiles SET display_name = 'Local edit' WHERE username = 'rtl'")
    refused = biogen(site, "d1", "push", "--local")
    assert refused.exit_code == 1
    assert "ana" in refused.output and "biogen d1 pull --local" in refused.output and "--force" in refused.output
    assert "rtl" not in refused.output.split("profile")[-1]
    pulled = biogen(site, "d1", "pull", "--local")
    assert pulled.exit_code == 0, pulled.output
    assert local_rows(site, "SELECT tagline FROM profiles WHERE username = 'ana'") == [("Edited in the admin panel",)]
    pushed = biogen(site, "d1", "push", "--local")
    assert pushed.exit_code == 0, pushed.output
    same_content(site)


@needs_wrangler
@pytest.mark.slow
def test_force_overwrites_edits_made_in_d1(site):
    biogen(site, "d1", "push", "--local")
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command", "DELETE FROM profiles WHERE username = 'rtl'"])
    assert biogen(site, "d1", "push", "--local").exit_code == 1
    assert biogen(site, "d1", "push", "--local", "--force").exit_code == 0
    same_content(site)


@needs_wrangler
@pytest.mark.slow
def test_push_deletes_the_cached_documents_of_changed_profiles(site):
    biogen(site, "d1", "push", "--local")
    tool = wrangler(site)
    for name in ("ana", "rtl"):
        tool.run(["kv", "key", "put", f"profile:{name}", "{}", "--binding", "CONFIG_CACHE", "--local"])
    execute(site, "UPDATE profiles SET tagline = 'new' WHERE username = 'ana'")
    result = biogen(site, "d1", "push", "--local")
    assert "deleted 1 cached document" in result.output, result.output
    gone = tool.run(["kv", "key", "get", "profile:ana", "--binding", "CONFIG_CACHE", "--local"], check=False)
    kept = tool.run(["kv", "key", "get", "profile:rtl", "--binding", "CONFIG_CACHE", "--local"], check=False)
    assert "Value not found" in gone.stdout + gone.stderr
    assert kept.stdout.strip() == "{}"


@needs_wrangler
@pytest.mark.slow
def test_a_purge_that_failed_after_the_write_is_made_by_the_next_push(site, monkeypatch):
    import generator.cloudflare.kv
    from generator.cloudflare.wrangler import WranglerError
    biogen(site, "d1", "push", "--local")
    tool = wrangler(site)
    tool.run(["kv", "key", "put", "profile:ana", "{}", "--binding", "CONFIG_CACHE", "--local"])
    execute(site, "UPDATE profiles SET tagline = 'new' WHERE username = 'ana'")

    def unreachable(*args):
        raise WranglerError("wrangler kv bulk delete failed: the network went away")
    with monkeypatch.context() as patched:
        patched.setattr(generator.cloudflare.kv, "purge_cache", unreachable)
        failed = biogen(site, "d1", "push", "--local")
    assert failed.exit_code == 1 and "the network went away" in failed.output, failed.output
    assert d1_rows(site, "SELECT tagline FROM profiles WHERE username = 'ana'") == [("new",)]  # the write went through
    kept = tool.run(["kv", "key", "get", "profile:ana", "--binding", "CONFIG_CACHE", "--local"], check=False)
    assert kept.stdout.strip() == "{}"  # stale: the Worker would serve it for up to an hour

    retried = biogen(site, "d1", "push", "--local")
    assert retried.exit_code == 0, retried.output
    assert "already holds the local content" in retried.output, retried.output  # nothing left to send, but:
    assert "deleted 1 cached document(s) from KV that an earlier push changed" in retried.output, retried.output
    gone = tool.run(["kv", "key", "get", "profile:ana", "--binding", "CONFIG_CACHE", "--local"], check=False)
    assert "Value not found" in gone.stdout + gone.stderr
    assert "deleted" not in biogen(site, "d1", "push", "--local").output  # and then nothing is left to delete


# Every control character but NUL (C0, DEL, C1, the JSON-breaking U+2028/U+2029), among others.
CONTROLS = "".join(map(chr, [*range(1, 32), *range(0x7f, 0xa0), 0x2028, 0x2029]))
HOSTILE = ["it's \"quoted\"", "back\\slash\\", "ctrl \x01\x07\x1b\t\r\n end", f"all [{CONTROLS}] \r\n\r", "emoji 🌸👩‍👩‍👧 Nguyễn",
           "'); DROP TABLE profiles; --", "/* open comment", "x" * 1_000_000, "é" * 300_000 + "'" * 1000]
HUGE = HOSTILE.index("x" * 1_000_000)


def documents(path, readonly=True):
    """Every profile's BioData document (the Worker's exact bytes) in the database at `path`."""
    from generator.data.biodata import biodata_json
    from generator.data.db import connect
    from generator.data.model import load_profiles
    conn = connect(path, readonly=readonly)
    try:
        return {p.username: biodata_json(p) for p in load_profiles(conn)}
    finally:
        conn.close()


def d1_file(site):
    return local_d1_file(site, load_config(site).d1)


def in_d1(site, table, columns, rows):
    """Write rows straight into the local D1 with wrangler, as the admin panel does (upserts by id)."""
    from generator.cloudflare import d1sql
    sql = site / "admin.sql"
    sql.write_text(d1sql.script(d1sql.upsert_statements(table, columns, rows)), encoding="utf-8")
    wrangler(site).run(["d1", "execute", "DB", "--local", "--file", str(sql), "--yes"])


@needs_wrangler
@pytest.mark.slow
def test_hostile_content_survives_the_round_trip(site):
    for index, text in enumerate(HOSTILE):
        execute(site, "INSERT INTO bio_links (id, profile_id, name, url, description, order_index) "
                      "VALUES (?, 'p-min', ?, 'https://x.example', ?, ?)", (f"h{index}", text[:100], text, 10 + index))
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    same_content(site)
    assert [r[0] for r in d1_rows(site, "SELECT description FROM bio_links WHERE id LIKE 'h%' ORDER BY order_index")] == HOSTILE
    # The admin panel edits them in D1: other hostile texts, a new hostile link, a hostile tagline.
    edited = [text[::-1] + " \\'\"" for text in HOSTILE]
    in_d1(site, "bio_links", ["id", "profile_id", "name", "url", "description", "order_index"],
          [(f"h{i}", "p-min", text[:100], "https://x.example", text, 10 + i) for i, text in enumerate(edited)]
          + [("h-new", "p-min", "new \x02 🌸 '--", "https://y.example/?q='1'", HOSTILE[HUGE], 99)])
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "UPDATE profiles SET tagline = 'Robert''); DROP TABLE profiles; -- \\ \u200f' WHERE id = 'p-min'"])
    pulled = biogen(site, "d1", "pull", "--local")
    assert pulled.exit_code == 0, pulled.output
    # The local database now shows exactly what D1 shows, every text unchanged.
    assert documents(site / "content" / "bio.db", readonly=False) == documents(d1_file(site))
    query = "SELECT name, url, description FROM bio_links WHERE profile_id = 'p-min' ORDER BY order_index"
    assert local_rows(site, query) == d1_rows(site, query)
    assert [r[2] for r in local_rows(site, query)] == [*edited, HOSTILE[HUGE]]
    assert local_rows(site, "SELECT tagline FROM profiles WHERE id = 'p-min'") == [("Robert'); DROP TABLE profiles; -- \\ \u200f",)]
    # Pulled: the next push is not refused, and leaves both sides row for row the same.
    again = biogen(site, "d1", "push", "--local")
    assert again.exit_code == 0, again.output
    same_content(site)


@needs_wrangler
@pytest.mark.slow
def test_verify_passes_after_push_and_names_what_differs(site):
    from sitekit import build_site
    build_site(site)
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    ok = biogen(site, "verify", "--local")
    assert ok.exit_code == 0 and "matches" in ok.output, ok.output
    tool = wrangler(site)
    tool.run(["d1", "execute", "DB", "--local", "--command",
              "DROP INDEX idx_products_profile; UPDATE profiles SET tagline = 'x' WHERE username = 'rtl';"
              "INSERT INTO d1_migrations (name) VALUES ('0003_admin_users.sql')"])
    bad = biogen(site, "verify", "--local")
    assert bad.exit_code == 1
    assert "index idx_products_profile on products is missing in D1" in bad.output
    # The current site's own 0003 is not one of this site's migrations: a note, not a difference.
    assert "migration 0003_admin_users.sql is applied in D1 but not locally" not in bad.output
    assert "profiles that differ (1): rtl" in bad.output


ENV_ONLY = """name = "bio-test"
pages_build_output_dir = "dist"
compatibility_date = "2026-04-01"

[env.production]
d1_databases = [{ binding = "DB", database_name = "bio-prod", database_id = "aaaaaaaa-0000-0000-0000-000000000001", migrations_dir = "migrations" }]
kv_namespaces = [{ binding = "CONFIG_CACHE", id = "11111111111111111111111111111111" }]

[env.preview]
d1_databases = [{ binding = "DB", database_name = "bio-preview", database_id = "bbbbbbbb-0000-0000-0000-000000000002", migrations_dir = "migrations" }]
kv_namespaces = [{ binding = "CONFIG_CACHE", id = "22222222222222222222222222222222" }]
"""


@needs_wrangler
@pytest.mark.slow
def test_bindings_declared_per_environment_are_chosen_with_env(tmp_path):
    site = wrangler_site(tmp_path / "site", ENV_ONLY)
    unchosen = biogen(site, "d1", "push", "--local")
    assert unchosen.exit_code == 1 and "--env" in unchosen.output
    pushed = biogen(site, "d1", "push", "--local", "--env", "preview")
    assert pushed.exit_code == 0, pushed.output
    assert "bio-preview" in pushed.output
    assert biogen(site, "verify", "--local", "--env", "production").exit_code == 1  # never pushed there
    assert biogen(site, "verify", "--local", "--env", "preview").exit_code == 1  # not built yet


def test_the_built_content_version_is_the_same_whether_built_in_full_or_incrementally(tmp_path):
    from generator.data.content_hash import VERSION_FILE
    from generator.data.content import local_content
    from generator.data.db import connect
    from sitekit import make_site, build_site
    site = make_site(tmp_path / "site")
    build_site(site)
    execute(site, "UPDATE bio_links SET name = 'x' WHERE id = 'b1'; DELETE FROM profiles WHERE username = 'rtl';"
                  "UPDATE profiles SET username = 'ana2' WHERE username = 'ana'")
    build_site(site)
    incremental = (site / "dist" / VERSION_FILE).read_text()
    conn = connect(site / "content" / "bio.db")
    version = local_content(conn).version
    conn.close()
    assert json.loads(incremental)["contentVersion"] == version and "ana2" in incremental and "rtl" not in incremental
    build_site(site, full=True)
    assert (site / "dist" / VERSION_FILE).read_text() == incremental


# ---- proportional pushes, --remote through the helper, interrupted pushes ----------------------

def push_with(site, tool, **options):
    """d1push.push() with the wrangler helper `tool` (to count or interrupt its commands)."""
    from generator.cloudflare import d1push
    from generator.cloudflare.d1 import open_d1
    from generator.data.db import connect
    conn = connect(site / "content" / "bio.db")
    try:
        return d1push.push(conn, open_d1(load_config(site), remote=options.pop("remote", False), wrangler=tool),
                           **options)
    finally:
        conn.close()


@needs_wrangler
@pytest.mark.slow
def test_a_push_reads_the_local_d1_in_place_and_runs_wrangler_only_to_write(site):
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    tool = wrangler(site)
    assert push_with(site, tool).diff.empty and tool.history == []
    execute(site, "UPDATE bio_links SET name = 'Changed' WHERE id = 'b1'")
    result = push_with(site, tool)
    assert [args[:3] for args in tool.history] == [["d1", "execute", "DB"]] and "--file" in tool.history[0]
    assert result.diff.rows == 1 and result.diff.changed_profiles == ["ana"]
    same_content(site)


@needs_wrangler
@pytest.mark.slow
def test_a_remote_push_reads_d1_in_one_wrangler_call(site, monkeypatch):
    from test_publish import TOKEN, fake_cloudflare
    from wranglerkit import WRANGLER
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    tool = wrangler(site, runner=fake_cloudflare(site, []), executable=WRANGLER)
    push_with(site, tool, remote=True)
    execute(site, "UPDATE bio_links SET name = 'Changed' WHERE id = 'b1'; DELETE FROM products WHERE id = 'pr2'")
    tool.history.clear()
    result = push_with(site, tool, remote=True)
    assert result.diff.rows == 2 and result.diff.changed_profiles == ["ana", "linh.example.com"]
    commands = [[a for a in args if not a.startswith("SELECT") and not a.endswith((".sql", ".json"))]
                for args in tool.history]
    assert commands == [["d1", "execute", "DB", "--remote", "--command", "--json"],
                        ["d1", "execute", "DB", "--remote", "--file", "--yes"],
                        ["kv", "bulk", "delete", "--binding", "CONFIG_CACHE", "--remote", "--force"]], commands
    tool.history.clear()
    assert push_with(site, tool, remote=True).diff.empty and len(tool.history) == 1


def stopping(site, how: str, calls: list):
    """The real wrangler, with the push's D1 write failing midway ("fail": a last statement D1
    refuses, so wrangler rolls the whole file back), the push killed right after it ("kill"),
    or wrangler and its workerd killed (SIGKILL) while it writes ("killed while writing")."""
    import os
    import signal
    import subprocess
    from generator.cloudflare.wrangler import _subprocess_runner

    def runner(argv, env, cwd):
        args = argv[1:]
        if args[:2] == ["d1", "execute"] and "--file" in args:
            calls.append(args)
            if how == "fail":
                path = Path(args[args.index("--file") + 1])
                path.write_text(path.read_text() + "INSERT INTO no_such_table VALUES (1);\n")
            if how == "killed while writing":
                process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                           start_new_session=True)
                try:
                    process.wait(1.5)   # about when wrangler has started workerd and sends the file
                except subprocess.TimeoutExpired:
                    pass
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
                raise KeyboardInterrupt
            result = _subprocess_runner(argv, env, cwd)
            if how == "kill":
                raise KeyboardInterrupt
            return result
        return _subprocess_runner(argv, env, cwd)
    return runner


@needs_wrangler
@pytest.mark.slow
@pytest.mark.parametrize("how", ["fail", "kill", "killed while writing"])
def test_a_push_stopped_at_its_write_is_finished_by_the_next_one(site, how):
    from generator.cloudflare.wrangler import WranglerError
    from sitekit import build_site
    from wranglerkit import WRANGLER
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    before = d1_rows(site, "SELECT id, name FROM bio_links ORDER BY id")
    execute(site, "UPDATE bio_links SET name = 'Changed' WHERE id = 'b1'; DELETE FROM profiles WHERE id = 'p-rtl';"
                  "INSERT INTO products (id, profile_id, name, price, url, order_index) "
                  "VALUES ('pn', 'p-min', 'New', '1', 'https://n.example', 0)")
    calls = []
    tool = wrangler(site, runner=stopping(site, how, calls), executable=WRANGLER)
    with pytest.raises(WranglerError if how == "fail" else KeyboardInterrupt):
        push_with(site, tool)
    assert len(calls) == 1
    after = local_rows(site, "SELECT id, name FROM bio_links ORDER BY id")
    if how == "fail":  # all or nothing: D1 holds its old rows
        assert d1_rows(site, "SELECT id, name FROM bio_links ORDER BY id") == before
    elif how == "kill":
        same_content(site)
    else:  # killed at some moment of the write: the old rows or the new ones, never a mix
        assert d1_rows(site, "SELECT id, name FROM bio_links ORDER BY id") in (before, after)
    # The same profile changes again locally, and the admin panel edits another one in D1.
    execute(site, "UPDATE bio_links SET name = 'Changed again' WHERE id = 'b1'")
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "UPDATE profiles SET tagline = 'admin' WHERE id = 'p-vi'"])
    refused = biogen(site, "d1", "push", "--local")
    assert refused.exit_code == 1 and "to 1 profile: linh.example.com. Run" in refused.output, refused.output
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "UPDATE profiles SET tagline = 'Xin chào! Mình là Linh 👋' WHERE id = 'p-vi'"])
    # Only biogen's own rows remain unrecorded: the next push takes them as its own and finishes.
    finished = biogen(site, "d1", "push", "--local")
    assert finished.exit_code == 0, finished.output
    same_content(site)
    build_site(site)
    verified = biogen(site, "verify", "--local")
    assert verified.exit_code == 0, verified.output
    assert "already holds" in biogen(site, "d1", "push", "--local").output


@needs_wrangler
@pytest.mark.slow
def test_hostile_content_reads_back_the_same_through_wranglers_json(site, monkeypatch):
    from test_publish import TOKEN, fake_cloudflare
    from wranglerkit import WRANGLER
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    for index, text in enumerate(HOSTILE):
        execute(site, "INSERT INTO bio_links (id, profile_id, name, url, description, order_index) "
                      "VALUES (?, 'p-min', ?, 'https://x.example', ?, ?)", (f"h{index}", text[:100], text, 10 + index))
    tool = wrangler(site, runner=fake_cloudflare(site, []), executable=WRANGLER)
    assert not push_with(site, tool, remote=True).diff.empty
    # Read back through `wrangler d1 execute --remote --json`, every value equals the local one.
    assert push_with(site, tool, remote=True).diff.empty


# The current site's own migration, which its D1 holds and biogen never ships.
ADMIN_USERS_SQL = """CREATE TABLE admin_users (id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, last_login DATETIME);"""


@needs_wrangler
@pytest.mark.slow
def test_a_d1_that_holds_the_current_sites_0003_gets_0004_and_verifies(site, tmp_path):
    from generator.data.migrate import TRACKING_TABLE_SQL
    from sitekit import build_site
    # D1 as the current site left it: its migrations 0001-0003 applied by wrangler, no 0004.
    script = tmp_path / "current-site.sql"
    script.write_text("\n".join([
        TRACKING_TABLE_SQL,
        (site / "migrations" / "0001_initial_schema.sql").read_text(),
        (site / "migrations" / "0002_seed_default_profile.sql").read_text(),
        ADMIN_USERS_SQL,
        "INSERT INTO d1_migrations (name) VALUES ('0001_initial_schema.sql'), ('0002_seed_default_profile.sql'), "
        "('0003_admin_users.sql');"]))
    wrangler(site).run(["d1", "execute", "DB", "--local", "--file", str(script)])
    pushed = biogen(site, "d1", "push", "--local")
    assert pushed.exit_code == 0, pushed.output
    assert [name for (name,) in d1_rows(site, "SELECT name FROM d1_migrations ORDER BY id")] == [
        "0001_initial_schema.sql", "0002_seed_default_profile.sql", "0003_admin_users.sql",
        "0004_profile_settings.sql", "0005_domains.sql", "0006_rich_content.sql"]
    assert d1_rows(site, "SELECT count(*) FROM profile_settings") == [(0,)]
    build_site(site)
    verified = biogen(site, "verify", "--local")
    assert verified.exit_code == 0, verified.output
    from generator.cloudflare.d1 import open_d1
    from generator.cloudflare.verify import verify
    from generator.data.migrate import open_migrated
    config = load_config(site)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        report = verify(conn, open_d1(config, remote=False))
    finally:
        conn.close()
    assert report.ok and any("0003_admin_users.sql is applied only in D1" in n for n in report.notes), report.notes
    assert any("table admin_users exists only in D1" in n for n in report.notes), report.notes


@needs_wrangler
@pytest.mark.slow
def test_hostnames_go_to_d1_and_come_back_with_pull(site):
    from sitekit import build_site
    execute(site, "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.com', 'p-ana', 'main'), "
                  "('www.ana.example.com', 'p-ana', 'redirect')")
    build_site(site)
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    same_content(site)
    assert biogen(site, "verify", "--local").exit_code == 0
    execute(site, "DELETE FROM domains WHERE hostname = 'www.ana.example.com';"
                  "INSERT INTO domains (hostname, profile_id, kind) VALUES ('shop.example.org', 'p-min', 'main')")
    pushed = biogen(site, "d1", "push", "--local")
    assert pushed.exit_code == 0 and "2 profiles changed" in pushed.output, pushed.output
    same_content(site)
    # A hostname added in D1 (by another tool) changes ana's content hash there: pull brings it here.
    wrangler(site).run(["d1", "execute", "DB", "--local", "--command",
                        "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.net', 'p-ana', 'alias')"])
    assert biogen(site, "d1", "push", "--local").exit_code == 1
    pulled = biogen(site, "d1", "pull", "--local")
    assert pulled.exit_code == 0, pulled.output
    same_content(site)
    assert local_rows(site, "SELECT kind FROM domains WHERE hostname = 'ana.example.net'") == [("alias",)]
