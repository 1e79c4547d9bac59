"""One deployment for every hostname: what biogen build writes for the domains table
(_worker.js, _routes.json, canonical URLs, the sitemaps)."""

from __future__ import annotations

import json
import pytest

from generator.build.hosts import worker_hosts
from sitekit import build_site, execute, make_site

DOMAINS = ("INSERT INTO domains (hostname, profile_id, kind) VALUES "
           "('ana.example.com', 'p-ana', 'main'), ('ana.example.net', 'p-ana', 'alias'), "
           "('www.ana.example.com', 'p-ana', 'redirect'), ('linh.example.org', 'p-vi', 'alias')")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = make_site(tmp_path_factory.mktemp("hosts") / "site")
    execute(folder, DOMAINS)
    build_site(folder)
    return folder


def test_the_build_writes_the_worker_the_routes_and_the_map(site):
    dist = site / "dist"
    routes = json.loads((dist / "_routes.json").read_text())
    assert routes["include"] == ["/", "/api/config", "/sitemap.xml", "/robots.txt"] and routes["exclude"] == []
    hosts = worker_hosts((dist / "_worker.js").read_text())
    assert hosts == {
        "ana.example.com": {"username": "ana", "canonical": "ana.example.com", "lastmod": "2026-11-01T09:00:00+00:00"},
        "ana.example.net": {"username": "ana", "canonical": "ana.example.com", "lastmod": "2026-11-01T09:00:00+00:00"},
        # linh.example.com has no main hostname: its page keeps the site's address as canonical.
        "linh.example.com": {"username": "linh.example.com", "canonical": "", "lastmod": "2026-11-03T11:00:00+00:00"},
        "linh.example.org": {"username": "linh.example.com", "canonical": "", "lastmod": "2026-11-03T11:00:00+00:00"},
        "www.ana.example.com": {"redirect": "ana.example.com"},
    }
    assert "export default" in (dist / "_worker.js").read_text()


def test_a_main_hostname_is_the_pages_canonical_url(site):
    page = (site / "dist" / "ana.html").read_text()
    assert '<link rel="canonical" href="https://ana.example.com/">' in page
    assert '<meta property="og:url" content="https://ana.example.com/">' in page
    assert '"url":"https://ana.example.com/"' in page
    other = (site / "dist" / "linh.example.com.html").read_text()
    assert '<link rel="canonical" href="https://bio.example.com/linh.example.com">' in other
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "https://bio.example.com/ana<" not in sitemap and "https://bio.example.com/linh.example.com<" in sitemap


def test_a_profile_without_hostnames_keeps_its_bytes(tmp_path, site):
    plain = make_site(tmp_path / "plain")
    build_site(plain)
    for name in ("minimal.html", "api/profiles/ana.json", "api/profiles/minimal.json", "404.html", "_headers"):
        assert (plain / "dist" / name).read_bytes() == (site / "dist" / name).read_bytes(), name


def test_no_hostname_no_worker(tmp_path):
    folder = make_site(tmp_path / "site")
    execute(folder, DOMAINS)
    build_site(folder)
    assert (folder / "dist" / "_worker.js").exists()
    # Without rows and without a username that is a hostname, the site is static again.
    execute(folder, "DELETE FROM domains; UPDATE profiles SET username = 'linh' WHERE id = 'p-vi'")
    build_site(folder)
    assert not (folder / "dist" / "_worker.js").exists() and not (folder / "dist" / "_routes.json").exists()
    assert "https://bio.example.com/ana<" in (folder / "dist" / "sitemap.xml").read_text()
