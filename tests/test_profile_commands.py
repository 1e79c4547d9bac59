"""biogen profile list | show | rm | rename, and biogen check, on a real fixture site."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from sitekit import execute, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def run(site: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, [*args, "--site", str(site)], input=input)


def count(site: Path, sql: str) -> int:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _terminal_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def test_list_is_an_aligned_table(site):
    result = run(site, "profile", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["USERNAME", "NAME", "SOCIAL", "LINKS", "PRODUCTS", "TOOLS", "UPDATED"]
    assert [line.split()[0] for line in lines[1:-1]] == ["ana", "default", "linh.example.com", "minimal", "rtl"]
    ana = lines[1]
    assert ana.split()[:3] == ["ana", "Ana", "Souza"] and ana.split()[3:7] == ["3", "2", "1", "2"]
    assert ana.endswith("2026-11-01 09:00:00")
    # Columns line up on a terminal (the emoji takes two columns): each date starts under UPDATED.
    column = lines[0].index("UPDATED")
    assert {_terminal_width(line[:-len("2026-11-01 09:00:00")]) for line in lines[1:-1]} == {column}
    assert lines[-1] == "5 profiles"


def test_show_lists_children_in_display_order(site):
    result = run(site, "profile", "show", "ana")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ana  (id p-ana; created 2026-11-01 09:00:00")
    assert "socialLinks (3)\n  1. GitHub  |  https://github.com/ana  |  github\n  2. Twitter" in result.output
    assert "aiTools (2)" in result.output
    as_json = run(site, "profile", "show", "linh.example.com", "--json")
    assert json.loads(as_json.output)["profile"]["name"] == "Linh Nguyễn 🌸"
    assert "Linh Nguyễn 🌸" in as_json.output  # not \u escapes


def test_rm_asks_first_and_removes_the_children(site):
    declined = run(site, "profile", "rm", "ana", input="n\n")
    assert declined.exit_code == 1
    assert "Remove 'ana' and its 3 social links, 2 links, 1 product and 2 tools?" in declined.output
    assert count(site, "SELECT count(*) FROM profiles WHERE username = 'ana'") == 1
    accepted = run(site, "profile", "rm", "ana", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert count(site, "SELECT count(*) FROM profiles WHERE username = 'ana'") == 0
    for table in ("social_links", "bio_links", "products", "carousel_items"):
        assert count(site, f"SELECT count(*) FROM {table} WHERE profile_id = 'p-ana'") == 0


def test_rm_with_yes_does_not_ask(site):
    result = run(site, "profile", "rm", "rtl", "--yes")
    assert result.exit_code == 0 and "removed rtl and its 0 social links, 1 link" in result.output
    assert count(site, "SELECT count(*) FROM bio_links WHERE profile_id = 'p-rtl'") == 0


def test_rm_of_a_missing_profile(site):
    result = run(site, "profile", "rm", "nobody", "--yes")
    assert result.exit_code == 1 and "no profile named 'nobody'" in result.output


def test_rename_moves_the_profile_and_refuses_taken_or_invalid_names(site):
    taken = run(site, "profile", "rename", "ana", "minimal")
    assert taken.exit_code == 1 and "another profile is already named 'minimal'" in taken.output
    invalid = run(site, "profile", "rename", "ana", "Ana Souza")
    assert invalid.exit_code == 1 and "is not a valid username" in invalid.output
    reserved = run(site, "profile", "rename", "ana", "index")
    assert reserved.exit_code == 1 and "reserved" in reserved.output
    missing = run(site, "profile", "rename", "nobody", "someone")
    assert missing.exit_code == 1 and "no profile named 'nobody'" in missing.output
    done = run(site, "profile", "rename", "ana", "ana.example.com")
    assert done.exit_code == 0 and "renamed ana to ana.example.com" in done.output
    assert count(site, "SELECT count(*) FROM profiles WHERE username = 'ana.example.com' AND id = 'p-ana'") == 1
    assert count(site, "SELECT count(*) FROM bio_links WHERE profile_id = 'p-ana'") == 2


def test_renaming_the_home_profile_warns(site):
    result = run(site, "profile", "rename", "default", "home-page")
    assert result.exit_code == 0
    assert "biogen.toml's home is 'default': set home = 'home-page'" in result.output


def test_check_lists_every_problem_that_other_tools_let_through(site):
    assert run(site, "check").output.strip() == "5 profiles checked: no problems"
    # What sqlite-utils or Datasette would happily write:
    execute(site, "INSERT INTO bio_links (id, profile_id, name, url, order_index) "
                  "VALUES ('x1', 'p-ana', 'Bad', 'javascript:alert(1)', 5);"
                  "UPDATE profiles SET username = 'Not Valid' WHERE id = 'p-rtl';"
                  "UPDATE products SET price = '' WHERE id = 'pr2'")
    result = run(site, "check")
    assert result.exit_code == 1
    assert "the database has problems (3)" in result.output
    assert "profile 'ana': bio_links row 'x1', column url" in result.output
    assert "profiles row 'p-rtl', column username" in result.output
    assert "products row 'pr2', column price: is blank" in result.output


def _readme_block(heading: str, containing: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return next(block for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S) if containing in block)


def test_readme_sqlite_utils_commands_work_and_check_catches_what_they_let_through(site):
    script = _readme_block("### With other tools", "sqlite-utils insert")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", script], cwd=site, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "5 profiles checked: no problems" in result.stdout
    assert count(site, "SELECT count(*) FROM bio_links WHERE id = 'link-shop' AND profile_id = 'default-profile-id'") == 1
    assert count(site, "SELECT count(*) FROM profiles WHERE tagline = 'New tagline'") == 1
    # What the README warns about: sqlite-utils checks neither foreign keys nor URLs.
    bad = '{"id": "orphan", "profile_id": "no-such-profile", "name": "X", "url": "javascript:alert(1)"}'
    subprocess.run(["sqlite-utils", "insert", "content/bio.db", "bio_links", "-"], input=bad, cwd=site, env=env,
                   check=True, capture_output=True, text=True)
    checked = run(site, "check")
    assert checked.exit_code == 1
    assert "profile 'no-such-profile': bio_links row 'orphan', column profile_id: names no profile" in checked.output


# ---- biogen profile set, and settings in show and check ----------------------------------------

def settings_row(site: Path, profile_id: str) -> tuple | None:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute("SELECT * FROM profile_settings WHERE profile_id = ?", (profile_id,)).fetchone()
    finally:
        conn.close()


def updated_at(site: Path, username: str) -> str:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute("SELECT updated_at FROM profiles WHERE username = ?", (username,)).fetchone()[0]
    finally:
        conn.close()


def test_set_takes_biodata_or_column_names_and_show_lists_the_settings(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    assert "settings: none set (every setting at its default)" in run(site, "profile", "show", "ana").output
    result = run(site, "profile", "set", "ana", "theme=bold", "accent=#0a7", "showLinks=false", "show_tools=1",
                 "links_heading=Mis enlaces", "seo.title.template=%s | Ana")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ana: theme 'bold' (was the default)", "ana: accent '#0a7' (was the default)",
        "ana: showLinks false (was the default)", "ana: showAiTools true (was the default)",
        "ana: linksHeading 'Mis enlaces' (was the default)", "ana: seo.title.template '%s | Ana' (was the default)"]
    assert settings_row(site, "p-ana") == ("p-ana", "bold", "#0a7", None, None, 0, None, 1, "Mis enlaces", None, None,
                                           None, "%s | Ana", None)
    assert updated_at(site, "ana") == "2026-01-01 00:00:00"
    shown = run(site, "profile", "show", "ana").output
    assert ("settings\n  theme:              bold\n  accent:             #0a7\n  showLinks:          false\n"
            "  showAiTools:        true\n  linksHeading:       Mis enlaces\n  seo.title.template: %s | Ana\n"
            "socialLinks (3)") in shown
    document = json.loads(run(site, "profile", "show", "ana", "--json").output)
    assert document["settings"] == {"theme": "bold", "accent": "#0a7", "showLinks": False, "showAiTools": True,
                                    "linksHeading": "Mis enlaces"}
    assert document["seo"] == {"title": {"template": "%s | Ana"}}


def test_set_changes_updated_at_only_when_a_setting_changes(site, monkeypatch):
    before = updated_at(site, "ana")
    same = run(site, "profile", "set", "ana", "theme=")  # already the default
    assert same.exit_code == 0 and same.output == "ana: nothing changed\n"
    assert updated_at(site, "ana") == before and settings_row(site, "p-ana") is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # 2026-01-02 00:00:00 UTC
    assert run(site, "profile", "set", "ana", "buttonShape=pill").exit_code == 0
    assert updated_at(site, "ana") == "2026-01-02 00:00:00"
    assert updated_at(site, "minimal") == "2026-11-02 10:00:00"  # no other profile


def test_resetting_every_setting_deletes_the_row(site):
    assert run(site, "profile", "set", "rtl", "language=ar", "showProducts=no").exit_code == 0
    assert settings_row(site, "p-rtl")[4:7] == ("ar", None, 0)
    result = run(site, "profile", "set", "rtl", "language=")
    assert result.output == "rtl: language the default (was 'ar')\n"
    assert settings_row(site, "p-rtl") is not None
    assert run(site, "profile", "set", "rtl", "show_products=").exit_code == 0
    assert settings_row(site, "p-rtl") is None
    assert "settings" not in json.loads(run(site, "export", "rtl").output)


def test_set_refuses_bad_values_with_the_builds_rules_and_writes_nothing(site):
    assert run(site, "profile", "set", "ana", "theme=minimal").exit_code == 0
    before, stamp = settings_row(site, "p-ana"), updated_at(site, "ana")
    result = run(site, "profile", "set", "ana", "theme=bold", "accent=blue", "seo.title.template=Ana",
                 "toolsHeading=" + "x" * 61)
    assert result.exit_code == 1
    assert "cannot change the settings of 'ana' (3); nothing was written" in result.output
    assert "profile 'ana': profile_settings row 'p-ana', column accent: 'blue' is not a CSS hex colour" in result.output
    assert ("column seo_title_template: 'Ana' must contain %s exactly once (it holds 0), where the page's own title "
            "goes, such as '%s | Ana Souza' (the setting seo.title.template)") in result.output
    assert "column tools_heading: " in result.output and "61 characters long; at most 60" in result.output
    assert settings_row(site, "p-ana") == before and updated_at(site, "ana") == stamp


@pytest.mark.parametrize("words, message", [
    (["colour=#fff"], "'colour' is not a setting; use one of theme, accent, buttonShape"),
    (["showLinks=maybe"], "showLinks='maybe': write true or false"),
    (["theme"], "'theme' is not key=value"),
    (["theme=bold", "theme=minimal"], "theme is given more than once"),
    (["defaultCollapsed=true"], "'defaultCollapsed' is not a setting"),
])
def test_set_refuses_unknown_keys_and_unreadable_values(site, words, message):
    result = run(site, "profile", "set", "ana", *words)
    assert result.exit_code == 1 and message in result.output, result.output
    assert settings_row(site, "p-ana") is None


def test_set_needs_an_existing_profile_and_a_setting(site):
    missing = run(site, "profile", "set", "nobody", "theme=bold")
    assert missing.exit_code == 1 and "no profile named 'nobody'" in missing.output
    assert run(site, "profile", "set", "ana").exit_code == 2  # click: KEY=VALUE... is required


def test_check_names_bad_settings_that_other_tools_wrote(site):
    execute(site, "INSERT INTO profile_settings (profile_id, accent, show_links, seo_title_template) "
                  "VALUES ('p-ana', '#12345', 2, '%s and %s')")
    result = run(site, "check")
    assert result.exit_code == 1
    assert "the database has problems (3)" in result.output
    assert ("profile 'ana': profile_settings row 'p-ana', column accent: '#12345' is not a CSS hex colour: write #rgb "
            "or #rrggbb, such as #0a7 or #00aa77 (or reset it: `biogen profile set ana accent=`)") in result.output
    assert "column show_links: 2 is not 0 or 1" in result.output
    assert "column seo_title_template: '%s and %s' must contain %s exactly once (it holds 2)" in result.output
    assert run(site, "profile", "set", "ana", "accent=", "show_links=", "seo_title_template=").exit_code == 0
    assert run(site, "check").exit_code == 0


def test_readme_settings_commands_work(site):
    script = _readme_block("### Settings", "biogen profile set")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-e", "-c", script], cwd=site, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "settings\n  theme:              bold\n  buttonShape:        pill\n  language:           es\n" in result.stdout
    assert settings_row(site, "p-ana") == ("p-ana", "bold", None, "pill", "es", None, None, 0, "Mis enlaces", None,
                                           None, None, "%s | Ana Souza", "Designer and maker in Lisbon")
