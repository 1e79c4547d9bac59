"""The domains table: hostname rules, biogen domain add|rm|list, check's rules, and what the
table does (and does not do) to a profile's rows, content hash and BioData document."""

from __future__ import annotations

import re
import shlex
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.data import db
from generator.data.biodata import biodata_json
from generator.data.content import profile_hashes
from generator.data.domains import any_username_hostname, hostname_map, hostname_problem, normalize_hostname, read_hostname_map
from generator.data.model import load_profiles
from sitekit import execute, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def run(site: Path, *args: str):
    return CliRunner().invoke(cli, [*args, "--site", str(site)])


def rows(site: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("written, stored", [
    ("Linh.Example.COM", "linh.example.com"),
    ("linh.example.com.", "linh.example.com"),
    ("  shop.example.org ", "shop.example.org"),
    ("bücher.example", "xn--bcher-kva.example"),
    ("ÄRZTE.example", "xn--rzte-koa.example"),
])
def test_hostnames_are_stored_as_a_browser_sends_them(written, stored):
    assert normalize_hostname(written) == stored
    assert hostname_problem(stored) is None


@pytest.mark.parametrize("value, words", [
    ("", "is empty"),
    ("https://linh.example.com", "not a bare hostname"),
    ("linh.example.com:8443", "not a bare hostname"),
    ("linh.example.com/shop", "not a bare hostname"),
    ("Linh.example.com", "write 'linh.example.com'"),
    ("linh.example.com.", "write 'linh.example.com'"),
    ("bücher.example", "write 'xn--bcher-kva.example'"),
    ("localhost", "has a dot"),
    ("a..example", "the label ''"),
    ("-a.example", "the label '-a'"),
    ("a_b.example", "the label 'a_b'"),
    ("x" * 64 + ".example", "1 to 63"),
    (".".join(["a" * 63] * 4) + ".ex", "at most 253"),
    ("xn--zz.example", "not a valid IDNA"),
    ("192.168.0.1", "IP address"),
    ("premium-bio.pages.dev", "Cloudflare's own addresses"),
    ("pages.dev", "Cloudflare's own addresses"),
])
def test_hostname_rules_name_what_is_wrong(value, words):
    assert words in hostname_problem(value)


def test_domain_add_makes_the_first_hostname_main_and_later_ones_aliases(site):
    first = run(site, "domain", "add", "Ana.Example.com", "ana")
    assert first.exit_code == 0, first.output
    assert first.output == "ana.example.com: main of ana\n"
    assert run(site, "domain", "add", "bücher.example", "ana").output == "xn--bcher-kva.example: alias of ana\n"
    assert run(site, "domain", "add", "www.ana.example.com", "ana", "--redirect").exit_code == 0
    assert rows(site, "SELECT hostname, profile_id, kind FROM domains ORDER BY rowid") == [
        ("ana.example.com", "p-ana", "main"), ("xn--bcher-kva.example", "p-ana", "alias"),
        ("www.ana.example.com", "p-ana", "redirect")]
    # A new main hostname: the old one becomes an alias, and the page (its canonical URL) changed.
    moved = run(site, "domain", "add", "xn--bcher-kva.example", "ana", "--main")
    assert moved.output == "xn--bcher-kva.example: main of ana (was alias) (ana.example.com is an alias now)\n"
    assert rows(site, "SELECT kind FROM domains ORDER BY rowid") == [("alias",), ("main",), ("redirect",)]
    assert rows(site, "SELECT updated_at FROM profiles WHERE id = 'p-ana'") != [("2026-11-01 09:00:00",)]
    listed = run(site, "domain", "list")
    assert listed.output.splitlines() == [
        "ana.example.com        alias     ana",
        "linh.example.com       username  linh.example.com",
        "www.ana.example.com    redirect  ana",
        "xn--bcher-kva.example  main      ana"]


@pytest.mark.parametrize("args, words", [
    (("domain", "add", "linh.example.com", "ana"), "is the username of profile 'linh.example.com'"),
    (("domain", "add", "shop.example.com:443", "ana"), "not a bare hostname"),
    (("domain", "add", "www.ana.example.com", "ana", "--redirect"), "it has none: add one first"),
    (("domain", "add", "ana.example.com", "nobody"), "no profile named 'nobody'"),
])
def test_domain_add_refuses_with_a_clear_message_and_writes_nothing(site, args, words):
    result = run(site, *args)
    assert result.exit_code == 1 and words in result.output
    assert rows(site, "SELECT count(*) FROM domains") == [(0,)]


def test_a_hostname_leads_to_one_profile(site):
    assert run(site, "domain", "add", "shop.example.com", "ana").exit_code == 0
    taken = run(site, "domain", "add", "SHOP.example.com", "minimal")
    assert taken.exit_code == 1
    assert "'shop.example.com' belongs to profile 'ana'" in taken.output and "biogen domain rm shop.example.com" in taken.output
    assert rows(site, "SELECT hostname, profile_id FROM domains") == [("shop.example.com", "p-ana")]


def test_domain_rm_keeps_a_main_hostname_that_redirects_lead_to(site):
    for args in (("ana.example.com", "ana"), ("www.ana.example.com", "ana", "--redirect")):
        assert run(site, "domain", "add", *args).exit_code == 0
    kept = run(site, "domain", "rm", "ana.example.com")
    assert kept.exit_code == 1 and "www.ana.example.com redirect to it: remove them first" in kept.output
    assert run(site, "domain", "rm", "WWW.ana.example.com").output == "www.ana.example.com: removed (redirect of ana)\n"
    assert run(site, "domain", "rm", "ana.example.com").exit_code == 0
    assert run(site, "domain", "rm", "ana.example.com").output.startswith(
        "error: 'ana.example.com' is not in the domains table")
    assert rows(site, "SELECT count(*) FROM domains") == [(0,)]


def test_check_finds_rows_other_tools_wrote(site):
    execute(site, "INSERT INTO domains (hostname, profile_id, kind) VALUES "
                  "('Shop.Example', 'p-ana', 'main'), ('a.example', 'p-ana', 'main'), ('b.example', 'p-min', 'redirect'), "
                  "('c.example', 'p-min', 'primary'), ('linh.example.com', 'p-rtl', 'alias'), ('bio.example.com', 'p-rtl', 'alias')")
    execute(site, "PRAGMA foreign_keys = OFF; INSERT INTO domains VALUES ('lost.example', 'p-gone', 'main')")
    result = run(site, "check")
    assert result.exit_code == 1
    for line in [
        "profile 'ana': domains row 'Shop.Example', column hostname: 'Shop.Example' is not in the form a browser sends: "
        "write 'shop.example'",
        "profile 'ana': domains row 'a.example', column kind: the profile has 2 main hostnames (Shop.Example, a.example)",
        "profile 'minimal': domains row 'b.example', column kind: 'redirect' leads to the profile's main hostname, "
        "and it has none",
        "profile 'minimal': domains row 'c.example', column kind: 'primary' is not a kind of hostname",
        "profile 'rtl': domains row 'linh.example.com', column hostname: 'linh.example.com' is the username of "
        "profile 'linh.example.com', which answers it already",
        "profile 'p-gone': domains row 'lost.example', column profile_id: names no profile",
        "profile 'rtl': domains row 'bio.example.com', column hostname: 'bio.example.com' is the site's own address",
    ]:
        assert line in result.output


def test_hostnames_are_site_data_not_biodata_but_the_hash_covers_them(site):
    database = site / "content" / "bio.db"
    conn = db.connect(database)
    try:
        before_json = [biodata_json(p) for p in load_profiles(conn)]
        before_hash = profile_hashes(conn, ["p-ana"], {})["p-ana"]
        seq = db.journal_position(conn)[1]
    finally:
        conn.close()
    assert run(site, "domain", "add", "ana.example.com", "ana").exit_code == 0
    execute(site, "UPDATE profiles SET updated_at = '2026-11-01 09:00:00' WHERE id = 'p-ana'")
    conn = db.connect(database)
    try:
        profiles = list(load_profiles(conn))
        ana = next(p for p in profiles if p.id == "p-ana")
        assert ana.main_hostname == "ana.example.com" and [d.kind for d in ana.domains] == ["main"]
        assert [biodata_json(p) for p in profiles] == before_json
        with_domain = profile_hashes(conn, ["p-ana"], {})["p-ana"]
        assert with_domain != before_hash
        assert "p-ana" in db.journal_since(conn, seq)
    finally:
        conn.close()
    assert run(site, "domain", "rm", "ana.example.com").exit_code == 0
    execute(site, "UPDATE profiles SET updated_at = '2026-11-01 09:00:00' WHERE id = 'p-ana'")
    conn = db.connect(database)
    try:
        assert profile_hashes(conn, ["p-ana"], {})["p-ana"] == before_hash
    finally:
        conn.close()


def test_the_hostname_map_routes_usernames_rows_and_redirects(site):
    for args in (("ana.example.com", "ana"), ("ana.example.net", "ana", "--alias"),
                 ("www.ana.example.com", "ana", "--redirect"), ("linh.example.org", "linh.example.com")):
        assert run(site, "domain", "add", *args).exit_code == 0
    conn = db.connect(site / "content" / "bio.db")
    try:
        hosts = read_hostname_map(conn)
    finally:
        conn.close()
    assert hosts == {
        "ana.example.com": {"username": "ana", "canonical": "ana.example.com"},
        "ana.example.net": {"username": "ana", "canonical": "ana.example.com"},
        # linh.example.org was its first: main. Its username is a hostname too, and answers.
        "linh.example.com": {"username": "linh.example.com", "canonical": "linh.example.org"},
        "linh.example.org": {"username": "linh.example.com", "canonical": "linh.example.org"},
        "www.ana.example.com": {"redirect": "ana.example.com"},
    }
    # A profile's own username joins the map only with rows (then its canonical is the main
    # row's, else the username itself); a username that is a hostname without rows is found
    # by the Worker by itself.
    assert hostname_map([("a.example", "a_b", "alias"), ("b.example", "shop.example", "alias")]) == {
        "a.example": {"username": "a_b", "canonical": ""},
        "b.example": {"username": "shop.example", "canonical": "shop.example"},
        "shop.example": {"username": "shop.example", "canonical": "shop.example"}}
    # The site's own address is never a profile's: no canonical there, and a redirect with
    # nowhere to go is left out (the host answers as the site does).
    assert hostname_map([("b.example", "shop.example", "alias"), ("www.shop.example", "shop.example", "redirect")],
                        site_host="shop.example") == {"b.example": {"username": "shop.example", "canonical": ""}}
    conn = db.connect(site / "content" / "bio.db")
    try:
        assert any_username_hostname(conn)
        conn.execute("UPDATE profiles SET username = 'linh_x.example' WHERE id = 'p-vi'")
        assert not any_username_hostname(conn)
    finally:
        conn.close()


def test_the_readmes_domain_commands_run_as_written(site):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Domains"):]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S).group(1)
    commands = [shlex.split(line.split("#")[0]) for line in block.strip().splitlines()]
    assert [words[:3] for words in commands][:2] == [["biogen", "domain", "add"]] * 2
    for words in commands:
        result = run(site, *words[1:])
        assert result.exit_code == 0, (words, result.output)
    assert rows(site, "SELECT hostname, kind FROM domains ORDER BY hostname") == [
        ("linh.example.com", "main"), ("www.linh.example.com", "redirect")]


# ---- biogen export --all and import carry the hostnames ------------------------------------

def export_all(site: Path) -> str:
    result = run(site, "export", "--all")
    assert result.exit_code == 0, result.output
    return result.output


def test_export_all_lists_the_hostnames_beside_biodata_only_when_there_are_some(site):
    before = export_all(site)
    assert '"domains"' not in before  # a site without hostnames exports as before
    assert run(site, "domain", "add", "shop.example.org", "ana").exit_code == 0
    assert run(site, "domain", "add", "www.shop.example.org", "ana", "--redirect").exit_code == 0
    after = export_all(site)
    assert after.startswith(before[:-1] + ',"domains":{')
    assert after.endswith('"shop.example.org":{"username":"ana","kind":"main"},'
                          '"www.shop.example.org":{"username":"ana","kind":"redirect"}}}')


def test_export_import_into_an_empty_database_export_again_keeps_every_hostname(site, tmp_path):
    assert run(site, "domain", "add", "shop.example.org", "ana").exit_code == 0
    assert run(site, "domain", "add", "ana.example.net", "ana", "--alias").exit_code == 0
    exported = export_all(site)
    (tmp_path / "all.json").write_text(exported, encoding="utf-8")
    (site / "content" / "bio.db").unlink()
    assert run(site, "migrate").exit_code == 0
    execute(site, "DELETE FROM profiles")
    result = run(site, "import", str(tmp_path / "all.json"))
    assert result.exit_code == 0, result.output
    assert "2 hostnames" in result.output
    assert export_all(site) == exported


def test_an_import_sets_the_hostnames_of_the_profiles_it_names_and_a_file_without_leaves_them(site, tmp_path):
    assert run(site, "domain", "add", "old.example.org", "ana").exit_code == 0
    document = export_all(site)
    # Edge Config content (no "domains"): ana keeps her hostname.
    (tmp_path / "edge.json").write_text(document.split(',"domains"')[0] + "}", encoding="utf-8")
    assert run(site, "import", str(tmp_path / "edge.json")).exit_code == 0
    assert rows(site, "SELECT hostname FROM domains") == [("old.example.org",)]
    # An export whose "domains" gives ana another hostname: the old one goes, in one import.
    (tmp_path / "new.json").write_text(document.replace("old.example.org", "new.example.org"), encoding="utf-8")
    result = run(site, "import", str(tmp_path / "new.json"))
    assert result.exit_code == 0, result.output
    assert re.search(r"change\s+ana\s+domains", result.output)
    assert rows(site, "SELECT hostname, kind FROM domains") == [("new.example.org", "main")]


def test_a_hostname_may_move_between_two_profiles_of_one_import(site, tmp_path):
    other = rows(site, "SELECT username FROM profiles WHERE username != 'ana' ORDER BY username LIMIT 1")[0][0]
    assert run(site, "domain", "add", "moving.example.org", "ana").exit_code == 0
    document = export_all(site).replace('"username":"ana"', f'"username":"{other}"')
    (tmp_path / "moved.json").write_text(document, encoding="utf-8")
    result = run(site, "import", str(tmp_path / "moved.json"))
    assert result.exit_code == 0, result.output
    assert rows(site, "SELECT p.username FROM domains d JOIN profiles p ON p.id = d.profile_id") == [(other,)]


@pytest.mark.parametrize("domains, words", [
    ('["shop.example.org"]', "$.domains: is not an object"),
    ('{"Shop.example.org":{"username":"ana","kind":"main"}}', "write 'shop.example.org'"),
    ('{"shop.example.org":{"username":"nobody","kind":"main"}}', "$.domains['shop.example.org'].username: 'nobody' "
                                                                  "is not a profile of this file"),
    ('{"shop.example.org":{"username":"ana","kind":"primary"}}', "'primary' is not a kind of hostname"),
    ('{"shop.example.org":{"username":"ana"}}', 'is not {"username"'),
    ('{"a.example.org":{"username":"ana","kind":"main"},"b.example.org":{"username":"ana","kind":"main"}}',
     "profile 'ana' has 2 main hostnames"),
    ('{"www.example.org":{"username":"ana","kind":"redirect"}}', "no main hostname to lead to"),
])
def test_an_import_with_wrong_hostnames_names_them_and_writes_nothing(site, tmp_path, domains, words):
    before = export_all(site)
    (tmp_path / "bad.json").write_text(before[:-1] + ',"domains":' + domains + "}", encoding="utf-8")
    result = run(site, "import", str(tmp_path / "bad.json"))
    assert result.exit_code != 0
    assert words in result.output, result.output
    assert "nothing was written" in result.output
    assert export_all(site) == before


def test_an_import_cannot_take_a_hostname_of_a_profile_it_leaves_alone(site, tmp_path):
    other = rows(site, "SELECT username FROM profiles WHERE username != 'ana' ORDER BY username LIMIT 1")[0][0]
    assert run(site, "domain", "add", "taken.example.org", other).exit_code == 0
    ana = run(site, "export", "ana").output
    (tmp_path / "ana.json").write_text('{"bioData":{"ana":' + ana + '},"domains":{"taken.example.org":'
                                       '{"username":"ana","kind":"main"}}}', encoding="utf-8")
    before = export_all(site)
    result = run(site, "import", str(tmp_path / "ana.json"))
    assert result.exit_code != 0
    assert f"'taken.example.org' belongs to profile {other!r}, which this file does not import" in result.output
    assert export_all(site) == before
