"""The reference Worker (worker/) under the real `wrangler dev --local`: byte for byte the build's JSON."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.cloudflare.wrangler import free_port
from sitekit import build_site, execute
from wranglerkit import ROOT, WRANGLER_TOML, needs_wrangler, wrangler, wrangler_site

pytestmark = [needs_wrangler, pytest.mark.slow]

WORKER_TOML = """name = "premium-bio-api"
main = "{main}"
compatibility_date = "2026-04-01"

[vars]
DOMAIN = "{domain}"

[[d1_databases]]
binding = "DB"
database_name = "premium-bio-db"
database_id = "11111111-2222-3333-4444-555555555555"

[[kv_namespaces]]
binding = "CONFIG_CACHE"
id = "0123456789abcdef0123456789abcdef"
"""


def get(url: str) -> tuple[int, bytes, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def start_worker(site: Path, domain: str = "default"):
    """`wrangler dev` on the Worker, sharing the site's local D1 and KV (same ids, same state folder)."""
    config = site / "worker.toml"
    config.write_text(WORKER_TOML.format(main=ROOT / "worker" / "src" / "index.js", domain=domain))
    port = free_port()
    return wrangler(site).start(["dev", "--config", str(config), "--local", "--ip", "127.0.0.1", "--port", str(port),
                                 "--persist-to", str(site / ".wrangler" / "state"), "--inspector-port",
                                 str(free_port()), "--show-interactive-dev-session=false"], port=port)


def push(site: Path) -> str:
    result = CliRunner().invoke(cli, ["d1", "push", "--local", "--site", str(site)])
    assert result.exit_code == 0, result.output
    return result.output


def assert_same_bytes(site: Path, server, usernames=None) -> None:
    folder = site / "dist" / "api" / "profiles"
    versions = json.loads((site / "dist" / "api" / "version.json").read_text())["profiles"]
    files = sorted(folder.glob("*.json")) if usernames is None else [folder / f"{u}.json" for u in usernames]
    assert files

    def check(path: Path):
        status, body, headers = get(f"{server.url}/api/profiles/{urllib.request.quote(path.stem)}")
        assert status == 200, (path.stem, body)
        assert body == path.read_bytes(), path.stem
        assert headers.get("x-content-version") == versions[path.stem], path.stem

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(check, files))


# Every setting of linh.example.com (text the JSON must escape among them), and a row of
# NULLs for rtl, which must keep the document of a profile without settings.
SETTINGS_SQL = (
    "INSERT INTO profile_settings (profile_id, theme, accent, button_shape, language, show_links, show_products, "
    "show_tools, links_heading, products_heading, tools_heading, seo_title, seo_title_template, seo_description) "
    "VALUES ('p-vi', 'bold', '#0A7B55', 'pill', 'vi', 1, 0, 0, 'Liên kết \"hay\" 🌸', 'Cửa hàng', 'Công cụ', "
    "'Linh \\ Nguyễn', '%s | Linh', 'Xin chào </script> & \u2028');"
    "INSERT INTO profile_settings (profile_id) VALUES ('p-rtl')")


# Items' details: a live link with a detail page (text the JSON must escape), a product with
# a badge and a group, a link not started yet and a product already ended (both left out,
# by the build at its time and by the Worker at the request's), and times far enough away
# that the two agree whenever the test runs.
ITEMS_SQL = (
    "INSERT INTO item_details (item_id, profile_id, slug, subtitle, content, cta_text, starts_at) VALUES "
    "('b1', 'p-ana', 'portfolio', 'Sub \"quoted\"', '# Hi\n\n</script> &  ', 'Open', '2020-01-01T00:00:00Z'), "
    "('b2', 'p-ana', NULL, NULL, NULL, NULL, '2999-01-01T00:00:00Z');"
    "INSERT INTO item_details (item_id, profile_id, description, badge, group_name, ends_at) VALUES "
    "('pr1', 'p-ana', 'A *pack*', 'hot', 'Icons', '2999-01-01T00:00:00Z'), "
    "('pr2', 'p-vi', NULL, 'new', NULL, '2020-01-01T00:00:00Z')")


def test_worker_answers_every_profile_with_the_static_json_bytes(tmp_path):
    site = wrangler_site(tmp_path / "site")
    execute(site, SETTINGS_SQL)
    execute(site, ITEMS_SQL)
    build_site(site)
    documents = site / "dist" / "api" / "profiles"
    ana = json.loads((documents / "ana.json").read_text())
    assert [link["name"] for link in ana["links"]] == ["Portfolio"] and ana["links"][0]["detailContent"]["slug"] == \
        "portfolio"
    assert ana["products"][0]["badge"] == "hot" and json.loads((documents / "linh.example.com.json").read_text())[
        "products"] == []
    assert list(json.loads((documents / "linh.example.com.json").read_text()))[-2:] == ["settings", "seo"]
    assert list(json.loads((documents / "rtl.json").read_text())) == ["profile", "links", "products", "aiTools"]
    push(site)
    assert CliRunner().invoke(cli, ["verify", "--local", "--site", str(site)]).exit_code == 0
    with start_worker(site) as server:
        assert_same_bytes(site, server)
        status, body, _ = get(f"{server.url}/api/config")
        assert status == 200 and body == (site / "dist" / "api" / "profiles" / "default.json").read_bytes()
        status, body, headers = get(f"{server.url}/api/profiles/nobody")
        assert status == 404 and json.loads(body)["error"] and headers["Content-Type"].startswith("application/json")
        # Change, add and delete profiles and children; the cached documents must not survive the push.
        execute(site, "UPDATE bio_links SET name = 'Portfolio 2026' WHERE id = 'b1';"
                      "DELETE FROM social_links WHERE id = 's2';"
                      "DELETE FROM profiles WHERE username = 'minimal';"
                      "INSERT INTO profiles (id, username, display_name, tagline) VALUES ('p-new', 'newbie', 'Né \"wbie\"', 'a\\b');"
                      "INSERT INTO products (id, profile_id, name, price, url, order_index) VALUES "
                      "('pn', 'p-new', 'Thing', '9.90', 'https://shop.example', 0);"
                      # A changed setting, a first one, and settings removed: each a new document.
                      "UPDATE profile_settings SET show_products = 1, accent = NULL WHERE profile_id = 'p-vi';"
                      "UPDATE profile_settings SET seo_description = 'وصف' WHERE profile_id = 'p-rtl';"
                      "INSERT INTO profile_settings (profile_id, show_tools) VALUES ('p-ana', 0)")
        build_site(site)
        output = push(site)
        assert "rows written" in output and "cached document" in output
        assert_same_bytes(site, server)
        assert json.loads((documents / "rtl.json").read_text())["seo"] == {"description": "وصف"}
        execute(site, "DELETE FROM profile_settings WHERE profile_id = 'p-ana'")
        build_site(site)
        push(site)
        assert_same_bytes(site, server, ["ana"])
        status, _, _ = get(f"{server.url}/api/profiles/minimal")
        assert status == 404
    assert CliRunner().invoke(cli, ["verify", "--local", "--site", str(site)]).exit_code == 0


def test_config_for_a_domain_without_a_profile_is_the_seeded_default_document_uncached(tmp_path):
    from generator.data.biodata import biodata_json
    from generator.data.migrate import create_database
    from generator.data.model import load_profiles
    site = wrangler_site(tmp_path / "site")
    push(site)
    # The built-in document is the one biogen makes of the profile migrations/0002 seeds.
    from generator.data.db import connect
    create_database(tmp_path / "fresh.db", ROOT / "migrations")
    fresh = connect(tmp_path / "fresh.db")
    seeded = {p.username: biodata_json(p) for p in load_profiles(fresh)}
    fresh.close()
    with start_worker(site, domain="nobody.example.com") as server:
        for _ in range(2):
            status, body, headers = get(f"{server.url}/api/config")
            assert status == 200 and body.decode() == seeded["default"], body
            assert headers["Content-Type"].startswith("application/json") and "x-content-version" not in headers
        status, body, _ = get(f"{server.url}/api/profiles/nobody.example.com")
        assert status == 404 and json.loads(body)["error"]
    cached = wrangler(site).run(["kv", "key", "get", "profile:nobody.example.com", "--binding", "CONFIG_CACHE",
                                 "--local", "--persist-to", str(site / ".wrangler" / "state")], check=False)
    assert "Value not found" in cached.stdout + cached.stderr


def test_worker_matches_a_1000_profile_site(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synthetic import make_site
    site = make_site(tmp_path / "big", 1000)
    (site / "wrangler.toml").write_text(WRANGLER_TOML)
    shutil.copytree(ROOT / "migrations", site / "migrations")
    build_site(site)
    push(site)
    with start_worker(site) as server:
        assert_same_bytes(site, server)
        execute(site, "UPDATE bio_links SET description = 'changed' WHERE id = 'p000007-l3';"
                      "DELETE FROM profiles WHERE id = 'p000010'")
        build_site(site)
        output = push(site)
        assert "1 rows written, 24 deleted" in output and "2 profiles changed" in output, output
        assert_same_bytes(site, server, ["user-00007", "user-00011"])
    assert CliRunner().invoke(cli, ["verify", "--local", "--site", str(site)]).exit_code == 0


def get_with_host(server, path: str, host: str) -> tuple[int, bytes, dict]:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, {k.lower(): v for k, v in response.getheaders()}


def test_config_is_answered_by_hostname_with_domain_the_fallback(tmp_path):
    site = wrangler_site(tmp_path / "site")
    execute(site, "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.com', 'p-ana', 'main'), "
                  "('ana.example.net', 'p-ana', 'alias'), ('www.ana.example.com', 'p-ana', 'redirect')")
    build_site(site)
    push(site)
    documents = site / "dist" / "api" / "profiles"
    versions = json.loads((site / "dist" / "api" / "version.json").read_text())["profiles"]
    with start_worker(site, domain="minimal") as server:
        for host, username in [("ana.example.com", "ana"), ("ANA.example.net.", "ana"),
                               ("linh.example.com", "linh.example.com"), (f"127.0.0.1:{server.port}", "minimal"),
                               ("evil.example", "minimal"), ("premium-bio-api.workers.dev", "minimal")]:
            status, body, headers = get_with_host(server, "/api/config", host)
            assert status == 200 and body == (documents / f"{username}.json").read_bytes(), host
            # The content hash covers the hostnames: the Worker's equals the build's.
            assert headers["x-content-version"] == versions[username], host
        status, body, headers = get_with_host(server, "/api/config", "www.ana.example.com")
        assert status == 301 and headers["location"] == "https://ana.example.com/api/config"
        status, body, _ = get_with_host(server, "/api/config", "nobody.example")
        assert b"nobody.example" not in body
