"""One deployment for every hostname: what biogen build writes for the domains table
(_worker.js, _routes.json, canonical URLs, the sitemaps) and how biogen serve answers by Host.
tests/test_wrangler_domains.py runs the same output in `wrangler pages dev`."""

from __future__ import annotations

import json
import urllib.request

import pytest

from generator.build.hosts import HOST_PATHS, worker_hosts
from generator.preview.routing import PagesSite
from generator.preview.server import Preview, serving
from generator.share.qr import qr_svg
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


@pytest.fixture(scope="module")
def pages(site):
    return PagesSite(site / "dist")


def test_the_build_writes_the_worker_the_routes_and_the_map(site):
    dist = site / "dist"
    routes = json.loads((dist / "_routes.json").read_text())
    assert routes["include"] == ["/", "/api/config", "/sitemap.xml", "/robots.txt"] and routes["exclude"] == []
    hosts, site_host = worker_hosts((dist / "_worker.js").read_text())
    assert site_host == "bio.example.com"
    assert hosts == {
        "ana.example.com": {"username": "ana", "canonical": "ana.example.com", "lastmod": "2026-11-01T09:00:00+00:00"},
        "ana.example.net": {"username": "ana", "canonical": "ana.example.com", "lastmod": "2026-11-01T09:00:00+00:00"},
        # linh.example.com has no main row: its username is a hostname, so that is its page's address.
        "linh.example.com": {"username": "linh.example.com", "canonical": "linh.example.com",
                             "lastmod": "2026-11-03T11:00:00+00:00"},
        "linh.example.org": {"username": "linh.example.com", "canonical": "linh.example.com",
                             "lastmod": "2026-11-03T11:00:00+00:00"},
        "www.ana.example.com": {"redirect": "ana.example.com"},
    }
    assert "export default" in (dist / "_worker.js").read_text()


def test_a_main_hostname_is_the_pages_canonical_url(site):
    page = (site / "dist" / "ana.html").read_text()
    assert '<link rel=canonical href=https://ana.example.com/>' in page
    assert '<meta property=og:url content=https://ana.example.com/>' in page
    # The JSON-LD names no page address (the ProfilePage's canonical link does), and
    # never the site's own one for this profile; the QR code shows the hostname.
    assert "bio.example.com/ana" not in page
    assert "<p>ana.example.com<p>" in page
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "https://bio.example.com/ana<" not in sitemap and "https://bio.example.com/minimal<" in sitemap


def test_a_username_that_is_a_hostname_is_the_pages_canonical_url(site):
    # The issue: a hostname maps to a profile when it equals the username, and on a mapped
    # hostname the canonical URL, og:url and the QR code name https://<hostname>/. No main row
    # needed (the current site's 100,000 usernames are their domains).
    page = (site / "dist" / "linh.example.com.html").read_text()
    assert '<link rel=canonical href=https://linh.example.com/>' in page
    assert '<meta property=og:url content=https://linh.example.com/>' in page
    assert "bio.example.com/linh.example.com" not in page
    assert "<p>linh.example.com<p>" in page  # the share section's address, under the QR code
    assert (site / "dist" / "qr" / "linh.example.com.svg").read_bytes() == qr_svg("https://linh.example.com/")
    assert "URL:https://linh.example.com/" in (site / "dist" / "linh.example.com.vcf").read_text()
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "linh.example.com" not in sitemap  # its own host's sitemap lists it


def test_a_username_hostname_without_rows_has_its_hosts_sitemap(tmp_path):
    folder = make_site(tmp_path / "site")
    build_site(folder)
    page = (folder / "dist" / "linh.example.com.html").read_text()
    assert '<link rel=canonical href=https://linh.example.com/>' in page
    site = PagesSite(folder / "dist")
    # Found by its document, not by the map: the Worker does not read the date per request.
    assert site.respond("/sitemap.xml", "", "linh.example.com").body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "<url><loc>https://linh.example.com/</loc></url>\n</urlset>\n")
    assert "linh.example.com" not in (folder / "dist" / "sitemap.xml").read_text()
    # A redirect row may lead to it: the username is the hostname to go to.
    execute(folder, "INSERT INTO domains (hostname, profile_id, kind) VALUES ('www.linh.example.com', 'p-vi', 'redirect')")
    build_site(folder)
    answer = PagesSite(folder / "dist").respond("/", "a=1", "www.linh.example.com")
    assert answer.status == 301 and answer.header("Location") == "https://linh.example.com/?a=1"


def test_a_username_that_is_the_sites_own_host_keeps_the_sites_address(tmp_path):
    # The site's own address always answers as the whole site (its /, sitemap, robots.txt),
    # so a profile named after it cannot have it as its page's address.
    folder = make_site(tmp_path / "site")
    execute(folder, "UPDATE profiles SET username = 'bio.example.com' WHERE id = 'p-vi'")
    build_site(folder)
    page = (folder / "dist" / "bio.example.com.html").read_text()
    assert '<link rel=canonical href=https://bio.example.com/bio.example.com>' in page
    assert "https://bio.example.com/bio.example.com<" in (folder / "dist" / "sitemap.xml").read_text()


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
    # Without rows, a username that is a hostname still needs the Worker, with an empty map.
    execute(folder, "DELETE FROM domains")
    build_site(folder)
    assert worker_hosts((folder / "dist" / "_worker.js").read_text()) == ({}, "bio.example.com")
    site = PagesSite(folder / "dist")
    assert site.respond("/", "", "linh.example.com").body == site.respond("/linh.example.com").body
    # Without either, the site is static again.
    execute(folder, "UPDATE profiles SET username = 'linh' WHERE id = 'p-vi'")
    build_site(folder)
    assert not (folder / "dist" / "_worker.js").exists() and not (folder / "dist" / "_routes.json").exists()
    static = PagesSite(folder / "dist")
    assert static.respond("/", "", "linh.example.com").body == static.respond("/").body
    assert "https://bio.example.com/ana<" in (folder / "dist" / "sitemap.xml").read_text()


def test_a_hostname_that_is_another_profiles_username_stops_the_build(tmp_path):
    from generator.errors import ValidationError
    from sitekit import snapshot
    folder = make_site(tmp_path / "site")
    build_site(folder)
    before = snapshot(folder / "dist")
    execute(folder, "INSERT INTO domains (hostname, profile_id, kind) VALUES ('linh.example.com', 'p-ana', 'alias')")
    with pytest.raises(ValidationError, match="'linh.example.com' is the username of profile 'linh.example.com'"):
        build_site(folder)
    assert snapshot(folder / "dist") == before
    # Nor may a profile take the site's own address (base_url): its / and sitemap are the site's.
    execute(folder, "UPDATE domains SET hostname = 'bio.example.com'")
    with pytest.raises(ValidationError, match="'bio.example.com' is the site's own address"):
        build_site(folder)
    assert snapshot(folder / "dist") == before


def test_a_mapped_hostname_answers_its_profile_at_the_root(pages):
    page = pages.respond("/", "", "ana.example.com")
    assert page.status == 200 and page.body == pages.respond("/ana").body
    assert page.header("Vary") == "Host" and page.header("Content-Security-Policy")
    alias = pages.respond("/", "ref=x", "ANA.example.net.:443")
    assert alias.status == 200 and alias.body == page.body
    config = pages.respond("/api/config", "", "linh.example.com")
    assert config.body == pages.respond("/api/profiles/linh.example.com.json").body
    assert config.header("Content-Type") == "application/json"


def test_a_redirect_hostname_answers_301_keeping_path_and_query(pages):
    answer = pages.respond("/", "utm=1", "www.ana.example.com")
    assert answer.status == 301 and answer.header("Location") == "https://ana.example.com/?utm=1"
    assert pages.respond("/robots.txt", "", "www.ana.example.com").header("Location") == \
        "https://ana.example.com/robots.txt"


def test_each_hostname_has_its_own_sitemap_and_robots(pages):
    assert pages.respond("/robots.txt", "", "ana.example.net").body == \
        b"User-agent: *\nAllow: /\n\nSitemap: https://ana.example.net/sitemap.xml\n"
    assert pages.respond("/sitemap.xml", "", "ana.example.com").body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "<url><loc>https://ana.example.com/</loc><lastmod>2026-11-01T09:00:00+00:00</lastmod></url>\n</urlset>\n")
    # The alias's page names ana.example.com as canonical: its sitemap lists nothing.
    assert "<url>" not in pages.respond("/sitemap.xml", "", "ana.example.net").body.decode()


@pytest.mark.parametrize("host", ["", "bio.example.com", "premium-bio.pages.dev", "evil.example", "api.profiles",
                                  "ana.json", "linh.example.com.json", "x.pages.dev",
                                  "__proto__", "constructor", "../../etc/passwd", "ana.example.com/../x",
                                  "ana.example.com evil", "<script>.example"])
def test_unknown_hosts_get_what_the_site_answers_without_hostnames(pages, host):
    for path in (*HOST_PATHS, "/ana", "/api/profiles/ana.json", "/../_worker.js", "/_worker.js", "/%2e%2e/"):
        theirs, plain = pages.respond(path, "", host), pages.respond(path)
        assert (theirs.status, theirs.headers, theirs.body) == (plain.status, plain.headers, plain.body), (host, path)
        if "evil" in host or "<" in host:  # never reflected
            assert host.encode() not in theirs.body


def test_only_the_host_paths_depend_on_the_host(pages):
    for path in ("/ana", "/linh.example.com", "/api/profiles/ana.json", "/nobody", "/index.html"):
        assert pages.respond(path, "", "ana.example.com").body == pages.respond(path).body
        assert pages.respond(path, "", "www.ana.example.com").status == pages.respond(path).status


def test_biogen_serve_routes_by_host(site):
    with serving(Preview(site / "dist", live=False)) as server:
        port = server.server_address[1]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "ana.example.com"})
        with urllib.request.urlopen(request) as answer:
            body = answer.read().decode()
    assert '<link rel=canonical href=https://ana.example.com/>' in body and "Ana Souza" in body
