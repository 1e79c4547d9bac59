"""biogen d1 pull mirrors D1's rows: against the real local D1 (wrangler 4.86.0, offline),
and, for the cases that need no wrangler, against a D1 file made with sqlite3 where
wrangler keeps the local one."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.cloudflare import d1sql
from generator.cloudflare.d1 import local_d1_file, open_d1
from generator.config import load_config
from generator.data.db import CHILD_TABLES, KEYS, PROFILE_TABLES
from sitekit import build_site, execute, make_site
from wranglerkit import WRANGLER, WRANGLER_TOML, needs_wrangler, wrangler, wrangler_site


def biogen(site, *args):
    return CliRunner().invoke(cli, [*args, "--site", str(site)])


def rows_of(path: Path, tables=PROFILE_TABLES) -> dict[str, list[tuple]]:
    """Every row of `tables` in the SQLite file at `path`, every column, by primary key."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {'rowid' if t.startswith('biogen_') else KEYS[t]}").fetchall()
                for t in tables}
    finally:
        conn.close()


def local_db(site) -> Path:
    return site / "content" / "bio.db"


def d1_path(site, remote=False) -> Path:
    if not remote:
        return local_d1_file(site, load_config(site).d1)
    # fake_cloudflare keeps "remote" D1 in its own folder, its file named as the local one.
    return site / ".cloudflare" / "v3" / "d1" / local_d1_file(site, load_config(site).d1).relative_to(
        site / ".wrangler" / "state" / "v3" / "d1")


def admin_save(username: str, profile: dict, children: dict[str, list[dict]]) -> str:
    """SQL doing what the current site's admin panel does when it saves a profile (one DB.batch):
    upsert the profile row by username (a new one gets a new UUID; D1 stamps the times),
    then delete every child of the profile and insert the new ones with new UUIDs."""
    q = d1sql.quote
    owner = f"(SELECT id FROM profiles WHERE username = {q(username)})"
    names = ["id", "username", *profile]
    sets = ", ".join(f"{c} = excluded.{c}" for c in profile)
    sql = [f"INSERT INTO profiles ({', '.join(names)}) VALUES "
           f"({', '.join(q(v) for v in [str(uuid.uuid4()), username, *profile.values()])}) "
           f"ON CONFLICT(username) DO UPDATE SET {sets}, updated_at = CURRENT_TIMESTAMP;"]
    sql += [f"DELETE FROM {table} WHERE profile_id = {owner};" for table in CHILD_TABLES]
    for table, rows in children.items():
        for index, row in enumerate(rows):
            sql.append(f"INSERT INTO {table} (id, profile_id, {', '.join(row)}, order_index) VALUES "
                       f"({q(str(uuid.uuid4()))}, {owner}, {', '.join(q(v) for v in row.values())}, {index});")
    return "\n".join(sql) + "\n"


# Ana edited in the admin panel: a new tagline, one social link dropped, a link renamed;
# every child comes back with a new id.
ANA_SAVED = admin_save("ana", {"display_name": "Ana Souza", "tagline": "Edited in the admin panel",
                               "avatar_url": "/images/avatar.jpg", "cover_url": "images/cover.jpg"}, {
    "social_links": [{"platform": "GitHub", "url": "https://github.com/ana", "icon": "github"},
                     {"platform": "Email", "url": "mailto:ana@example.com", "icon": "Mail"}],
    "bio_links": [{"name": "Portfolio 2027", "url": "https://ana.example.com", "description": "Selected *work* from 2020 on",
                   "background_image": "images/cover.jpg"},
                  {"name": "Blog", "url": "https://ana.example.com/blog", "description": None, "background_image": None}],
    "products": [{"name": "Icon pack", "image_url": "/images/logo.png", "price": "$29", "url": "https://shop.example.com/icons"}],
    "carousel_items": [{"name": "Figma", "logo_url": "/images/logo.png", "url": "https://figma.com"},
                       {"name": "Notion", "logo_url": None, "url": "https://notion.so"}],
})
# A profile created in the admin panel, which the local database does not have yet.
NEWBIE_SAVED = admin_save("newbie", {"display_name": "New Bie", "tagline": "made in D1", "avatar_url": None,
                                     "cover_url": None}, {
    "social_links": [{"platform": "Website", "url": "https://newbie.example", "icon": "Globe"}],
    "bio_links": [{"name": "First", "url": "https://newbie.example/1", "description": "one", "background_image": None},
                  {"name": "Second", "url": "https://newbie.example/2", "description": None, "background_image": None}],
})


def run_in_d1(site, sql: str, tool=None, remote=False) -> None:
    """`sql` run in D1 by wrangler, all or nothing (the admin panel's DB.batch)."""
    path = site / f"admin-{uuid.uuid4().hex[:8]}.sql"
    path.write_text(sql, encoding="utf-8")
    (tool or wrangler(site)).run(["d1", "execute", "DB", "--remote" if remote else "--local", "--file", str(path),
                                  "--yes"])


def pull_with(site, tool=None, *, remote=False, dry_run=False):
    """pull() with the wrangler helper `tool` (to count its commands); a local pull runs none."""
    from generator.cloudflare.pull import pull
    from generator.data.db import connect
    tool = tool or wrangler(site)
    conn = connect(local_db(site))
    try:
        result = pull(conn, open_d1(load_config(site), remote=remote, wrangler=tool), dry_run=dry_run)
    finally:
        conn.close()
    assert remote or tool.history == []
    return result


def verify_with(site, tool, *, remote=False):
    from generator.cloudflare.verify import verify
    from generator.data.db import connect
    conn = connect(local_db(site))
    try:
        return verify(conn, open_d1(load_config(site), remote=remote, wrangler=tool))
    finally:
        conn.close()


def push_with(site, tool, **options):
    from generator.cloudflare import d1push
    from generator.data.db import connect
    conn = connect(local_db(site))
    try:
        return d1push.push(conn, open_d1(load_config(site), remote=options.pop("remote", False), wrangler=tool),
                           **options)
    finally:
        conn.close()


@pytest.fixture
def site(tmp_path):
    return wrangler_site(tmp_path / "site")


# ---- the acceptance points, against wrangler's local D1 ------------------------------------

@needs_wrangler
@pytest.mark.slow
def test_after_an_admin_save_pull_mirrors_d1_so_verify_passes_and_push_finds_nothing(site):
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    run_in_d1(site, ANA_SAVED + NEWBIE_SAVED)
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-draft', 'draft', 'Only here');"
                  "INSERT INTO bio_links (id, profile_id, name, url) VALUES ('bd', 'p-draft', 'D', 'https://d.example')")
    d1_before = rows_of(d1_path(site))
    pulled = biogen(site, "d1", "pull", "--local")
    assert pulled.exit_code == 0, pulled.output
    # Every row of the five tables, every column: ids, order_index, created_at, updated_at.
    assert rows_of(local_db(site)) == d1_before
    build_site(site)
    verified = biogen(site, "verify", "--local")
    assert verified.exit_code == 0, verified.output
    again = biogen(site, "d1", "push", "--local")
    assert again.exit_code == 0 and "already holds the local content" in again.output, again.output
    assert rows_of(d1_path(site)) == d1_before      # the admin panel's ids stay
    # What changed, profile by profile.
    lines = pulled.output.splitlines()
    assert any(line.startswith("changed") and " ana " in f"{line} " and "profiles: tagline, updated_at" in line
               and "social_links: 3 removed, 2 added" in line for line in lines), pulled.output
    assert any(line.startswith("created") and "newbie" in line for line in lines), pulled.output
    assert any(line.startswith("removed") and "draft" in line for line in lines), pulled.output
    assert lines[-1].startswith("created 1, changed 1, removed 1, unchanged 4 profiles; "), pulled.output
    assert "unchanged 6 profiles" in biogen(site, "d1", "pull", "--local").output


@needs_wrangler
@pytest.mark.slow
def test_a_local_pull_reads_d1_in_place_runs_no_wrangler_and_can_be_tried_first(site):
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    run_in_d1(site, ANA_SAVED + NEWBIE_SAVED)
    local_before = rows_of(local_db(site))
    dry = biogen(site, "d1", "pull", "--local", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert rows_of(local_db(site)) == local_before
    assert dry.output.splitlines()[-1] == ("would create 1, change 1, remove 0 and leave 4 unchanged profiles; "
                                           "would write 12 rows and delete 8 (dry run: nothing was written)"), dry.output
    assert dry.output.startswith("change     ana  profiles: tagline, updated_at; social_links: 3 removed, 2 added;")
    tool = wrangler(site)
    result = pull_with(site, tool)      # asserts that no wrangler command ran
    assert rows_of(local_db(site)) == rows_of(d1_path(site))
    assert [(c.action, c.username) for c in result.changes] == [("change", "ana"), ("create", "newbie")]


@needs_wrangler
@pytest.mark.slow
def test_after_an_admin_save_a_remote_pull_mirrors_d1_in_one_wrangler_call(site, monkeypatch):
    from test_publish import TOKEN, fake_cloudflare
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    tool = wrangler(site, runner=fake_cloudflare(site, []), executable=WRANGLER)
    push_with(site, tool, remote=True)
    run_in_d1(site, ANA_SAVED + NEWBIE_SAVED, tool, remote=True)
    d1_before = rows_of(d1_path(site, remote=True))
    tool.history.clear()
    pull_with(site, tool, remote=True)
    assert rows_of(local_db(site)) == d1_before
    assert [args[:5] for args in tool.history] == [["d1", "execute", "DB", "--remote", "--command"]], tool.history
    build_site(site)
    report = verify_with(site, tool, remote=True)       # 35 wrangler calls, most of this test's time
    assert report.ok, report.differences
    assert push_with(site, tool, remote=True).diff.empty
    assert rows_of(d1_path(site, remote=True)) == d1_before


@needs_wrangler
@pytest.mark.slow
def test_a_d1_row_that_breaks_the_builds_rules_is_named_and_nothing_is_written(site):
    assert biogen(site, "d1", "push", "--local").exit_code == 0
    hostile = admin_save("ana", {"display_name": "Ana", "avatar_url": "../../secret.png"}, {
        "bio_links": [{"name": "Click", "url": "javascript:alert(1)"}]})
    run_in_d1(site, hostile + NEWBIE_SAVED.replace("'newbie'", "'api'"))
    link_id, = [row[0] for row in rows_of(d1_path(site))["bio_links"] if row[3] == "javascript:alert(1)"]
    tables = (*PROFILE_TABLES, "biogen_journal", "biogen_d1_pushed", "biogen_meta")
    before = rows_of(local_db(site), tables)
    refused = biogen(site, "d1", "pull", "--local")
    assert refused.exit_code == 1
    assert f"bio_links row '{link_id}', column url: the scheme 'javascript' is not allowed" in refused.output
    assert "profiles row 'p-ana', column avatar_url" in refused.output and "escapes content/" in refused.output
    assert "column username: 'api' is reserved" in refused.output and "nothing was written" in refused.output
    assert rows_of(local_db(site), tables) == before


# ---- cases that need no wrangler: a D1 file made with sqlite3 where wrangler keeps it -----------

def fake_local_d1(site: Path, sql: str = "") -> Path:
    """The local D1 of `site` as wrangler leaves it after `d1 push --local`: the same schema,
    d1_migrations and rows (children of missing profiles left out, as push does); then `sql` run in it."""
    path = local_d1_file(site, load_config(site).d1)
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(local_db(site))
    target = sqlite3.connect(path)
    try:
        target.execute("PRAGMA foreign_keys = ON")
        for name, create in source.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                                           "AND sql IS NOT NULL AND name NOT LIKE 'biogen%' AND name NOT LIKE 'sqlite%' ORDER BY rowid"):
            target.execute(create)
        for table in ("d1_migrations", *PROFILE_TABLES):
            mine = " WHERE profile_id IN (SELECT id FROM profiles)" if table in CHILD_TABLES else ""
            rows = source.execute(f"SELECT * FROM {table}{mine} ORDER BY rowid").fetchall()
            if rows:
                target.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in rows[0])})", rows)
        target.commit()
        target.executescript(sql)
    finally:
        source.close()
        target.close()
    return path


@pytest.fixture
def plain_site(tmp_path):
    folder = make_site(tmp_path / "site")
    (folder / "wrangler.toml").write_text(WRANGLER_TOML)
    return folder


def test_usernames_swapped_renamed_and_reused_in_d1_are_mirrored(plain_site):
    path = fake_local_d1(plain_site, "UPDATE profiles SET username = 'tmp' WHERE id = 'p-ana';"
                                     "UPDATE profiles SET username = 'ana' WHERE id = 'p-rtl';"
                                     "UPDATE profiles SET username = 'rtl' WHERE id = 'p-ana';"
                                     "UPDATE profiles SET username = 'min' WHERE id = 'p-min';"
                                     "DELETE FROM profiles WHERE id = 'p-vi';"
                                     "INSERT INTO profiles (id, username, display_name) "
                                     "VALUES ('p-vi2', 'linh.example.com', 'Linh again')")
    result = pull_with(plain_site)
    assert sorted((c.action, c.previous, c.username) for c in result.changes) == [
        ("change", "ana", "rtl"), ("change", "minimal", "min"), ("change", "rtl", "ana"),
        ("create", None, "linh.example.com"), ("remove", None, "linh.example.com")]
    assert result.summary() == "created 1, changed 3, removed 1, unchanged 1 profiles; 4 rows written, 4 deleted"
    assert rows_of(local_db(plain_site)) == rows_of(path)


def test_only_the_pulled_profiles_are_written_and_the_journal_names_them(plain_site):
    from generator.data.db import connect, journal_position, journal_since
    path = fake_local_d1(plain_site, "UPDATE bio_links SET order_index = 5 WHERE id = 'b3';"
                                     "UPDATE profiles SET updated_at = '2027-01-01 00:00:00' WHERE id = 'p-rtl'")
    conn = connect(local_db(plain_site))
    _, seq = journal_position(conn)
    conn.close()
    result = pull_with(plain_site)
    assert result.summary().startswith("created 0, changed 2, removed 0, unchanged 3 profiles; 2 rows written")
    conn = connect(local_db(plain_site))
    assert journal_since(conn, seq) == ["p-rtl", "p-vi"]
    conn.close()
    assert rows_of(local_db(plain_site)) == rows_of(path)


def test_a_local_row_with_an_id_d1_gives_a_new_child_is_replaced(plain_site):
    # A local orphan (written with foreign keys off) holds the id D1 uses for a new link.
    conn = sqlite3.connect(local_db(plain_site))
    conn.execute("INSERT INTO bio_links (id, profile_id, name, url) VALUES ('bx', 'gone', 'Orphan', 'https://o.example')")
    conn.commit()
    conn.close()
    path = fake_local_d1(plain_site, "DELETE FROM bio_links WHERE id = 'bx';"
                                     "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                                     "VALUES ('bx', 'p-min', 'Mine', 'https://m.example', 0)")
    pull_with(plain_site)
    assert rows_of(local_db(plain_site)) == rows_of(path)


def test_a_child_without_its_profile_in_d1_is_a_problem(plain_site):
    from generator.errors import ValidationError
    fake_local_d1(plain_site, "PRAGMA foreign_keys = OFF; INSERT INTO products (id, profile_id, name, price, url) "
                              "VALUES ('lost', 'nobody', 'X', '1', 'https://x.example')")
    with pytest.raises(ValidationError, match=r"products row 'lost', column profile_id: names no profile in D1"):
        pull_with(plain_site)


def test_a_d1_without_a_local_migration_is_refused(plain_site):
    from generator.cloudflare.d1 import D1Error
    fake_local_d1(plain_site, "DELETE FROM d1_migrations WHERE name = '0002_seed_default_profile.sql'")
    with pytest.raises(D1Error, match=r"lacks 0002_seed_default_profile.sql, which the local database has applied"):
        pull_with(plain_site)


def test_a_push_left_pending_is_settled_by_the_pull_that_finds_its_rows_in_d1(plain_site):
    """A push killed after D1 took its rows but before it recorded them: D1 equals the local
    rows, and pull records D1's hash, so a later local edit is not taken for someone else's."""
    from generator.cloudflare.d1 import open_d1
    from generator.data.content import local_content
    from generator.data.db import connect
    fake_local_d1(plain_site)
    pull_with(plain_site)           # the first: every profile's hash is recorded
    target = open_d1(load_config(plain_site), remote=False).target
    conn = connect(local_db(plain_site))
    hashes = local_content(conn).hashes
    conn.execute("UPDATE biogen_d1_pushed SET hash = 'before the push' WHERE profile_id = 'p-ana'")
    conn.execute("INSERT INTO biogen_d1_pushing (target, profile_id, hash) VALUES (?, 'p-ana', ?)",
                 (target, hashes["p-ana"]))
    conn.close()
    assert pull_with(plain_site).changes == []
    found = rows_of(local_db(plain_site), ("biogen_d1_pushed", "biogen_d1_pushing"))
    assert (target, "p-ana", hashes["p-ana"]) in found["biogen_d1_pushed"] and found["biogen_d1_pushing"] == []
