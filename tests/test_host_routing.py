"""One deployment for every hostname: what biogen build writes for the domains table
(_worker.js, _routes.json, canonical URLs, the sitemaps) and how biogen serve answers by Host.
tests/test_wrangler_domains.py runs the same output in `wrangler pages dev`."""

from __future__ import annotations

import json
import urllib.request

import pytest

from generator.build.hosts import (HOST_PATHS, ROUTES_MAX_RULES, STATIC_EXCLUDES, profile_file, read_routes, routes_json,
                                   runs_worker, worker_hosts)
from generator.preview.routing import PagesSite
from generator.preview.server import Preview, serving
from generator.share.qr import qr_svg
from sitekit import build_site, execute, make_site

DOMAINS = ("INSERT INTO domains (hostname, profile_id, kind) VALUES "
           "('ana.example.com', 'p-ana', 'main'), ('ana.example.net', 'p-ana', 'alias'), "
           "('www.ana.example.com', 'p-ana', 'redirect'), ('linh.example.org', 'p-vi', 'alias')")
# Detail pages (issue 15): ana's (mapped by rows) at /ana/work, linh.example.com's (a username that
# is a hostname) at /linh.example.com/khoa-hoc, and rtl's, whose profile has no hostname.
DETAILS = ("INSERT INTO item_details (item_id, profile_id, slug, content) VALUES "
           "('b1', 'p-ana', 'work', 'Selected work'), ('b3', 'p-vi', 'khoa-hoc', 'Tám tuần'), "
           "('b4', 'p-rtl', 'blog-rtl', 'مقالات')")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = make_site(tmp_path_factory.mktemp("hosts") / "site")
    execute(folder, DOMAINS + ";" + DETAILS)
    build_site(folder)
    return folder


@pytest.fixture(scope="module")
def pages(site):
    return PagesSite(site / "dist")


def test_the_build_writes_the_worker_the_routes_and_the_map(site):
    dist = site / "dist"
    routes = json.loads((dist / "_routes.json").read_text())
    # The hostnames' own paths, the vCard and QR code at a hostname's root, and the slugs of the
    # detail pages of profiles with a hostname (not rtl's /rtl/blog-rtl: no hostname leads to it).
    assert routes["include"] == ["/", "/api/config", "/sitemap.xml", "/robots.txt", "/contact.vcf", "/qr.png",
                                 "/qr.svg", "/khoa-hoc", "/work"] and routes["exclude"] == []
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
    assert "linh.example.com<" not in sitemap  # its own host's sitemap lists it
    # Its detail page keeps its canonical URL on the site's address (generator.build.hosts says why).
    assert "<loc>https://bio.example.com/linh.example.com/khoa-hoc</loc>" in sitemap
    assert '<link rel="canonical" href="https://bio.example.com/linh.example.com/khoa-hoc">' in \
        (site / "dist" / "linh.example.com" / "khoa-hoc.html").read_text()


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
    execute(plain, DETAILS)
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
    for path in (*HOST_PATHS, "/ana", "/api/profiles/ana.json", "/../_worker.js", "/_worker.js", "/%2e%2e/",
                 "/work", "/khoa-hoc", "/contact.vcf", "/qr.svg", "/qr.png", "/blog-rtl"):
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


# -- a hostname's other files at its root (detail pages, vCard, QR code) -------------------------

def test_a_mapped_hostname_serves_the_profiles_files_at_its_root(pages):
    for host in ("ana.example.com", "ana.example.net", "Ana.Example.com.:443"):
        for root, file in (("/work", "/ana/work"), ("/contact.vcf", "/ana.vcf"), ("/qr.svg", "/qr/ana.svg"),
                           ("/qr.png", "/qr/ana.png")):
            answer, static = pages.respond(root, "", host), pages.respond(file)
            assert static.status == 200 and (answer.status, answer.body) == (200, static.body), (host, root)
            assert answer.header("Content-Type") == static.header("Content-Type") and answer.header("Vary") == "Host"
    assert pages.respond("/contact.vcf", "", "ana.example.com").header("Content-Type") == "text/vcard; charset=utf-8"
    # A username that is a hostname, found by its document rather than the map, and its alias.
    for host in ("linh.example.com", "linh.example.org"):
        assert pages.respond("/khoa-hoc", "", host).body == pages.respond("/linh.example.com/khoa-hoc").body
        assert pages.respond("/contact.vcf", "", host).body == pages.respond("/linh.example.com.vcf").body


def test_a_path_the_profile_has_no_file_for_is_answered_as_it_came(pages):
    # /khoa-hoc is routed (linh's slug), but ana has no such page: her host answers the static
    # file of that path (a 404 here), exactly, without Vary; so do her host's paths of other slugs' shapes.
    for path in ("/khoa-hoc", "/khoa-hoc/", "/work/", "/Work", "/contact.vcf/", "/qr.svg/"):
        theirs, plain = pages.respond(path, "", "ana.example.com"), pages.respond(path)
        assert (theirs.status, theirs.headers, theirs.body) == (plain.status, plain.headers, plain.body), path
    assert pages.respond("/khoa-hoc", "", "ana.example.com").status == 404


def test_a_redirect_hostname_redirects_the_root_files_too(pages):
    answer = pages.respond("/work", "a=1", "www.ana.example.com")
    assert answer.status == 301 and answer.header("Location") == "https://ana.example.com/work?a=1"
    # Listed routes: a path no rule names stays the static file on the www. form (route_all covers it).
    assert pages.respond("/ana/work", "", "www.ana.example.com").status == 200


def test_routes_list_the_paths_while_they_fit_in_pages_limit():
    roots = ["/contact.vcf", "/qr.png", "/qr.svg"]
    fits = [f"page-{n}" for n in range(ROUTES_MAX_RULES - len(HOST_PATHS) - len(roots))]
    text, count = routes_json(fits + fits[:5], roots, route_all=False)  # a slug many profiles share is one rule
    routes = json.loads(text)
    assert count == ROUTES_MAX_RULES and routes["exclude"] == []
    assert routes["include"] == [*HOST_PATHS, *roots, *sorted(f"/{slug}" for slug in fits)]
    # One more is past Pages' limit (include and exclude together): every path but the static prefixes.
    text, count = routes_json([*fits, "one-more"], roots, route_all=False)
    routes = json.loads(text)
    assert count == ROUTES_MAX_RULES + 1
    assert routes["include"] == ["/*"] and routes["exclude"] == list(STATIC_EXCLUDES)
    assert len(routes["include"]) + len(routes["exclude"]) <= ROUTES_MAX_RULES
    assert json.loads(routes_json(["menu"], roots, route_all=True)[0])["include"] == ["/*"]
    # A slug that could not be a path segment never becomes a rule.
    assert json.loads(routes_json(["../x", "a/b", "%2e", "ok"], [], route_all=False)[0])["include"] == [*HOST_PATHS, "/ok"]


def test_routes_match_as_pages_matches_them():
    include, exclude = read_routes(json.dumps({"include": ["/", "/menu", "/api/config"], "exclude": []}))
    assert [runs_worker(path, include, exclude) for path in ("/", "/menu", "/menu/", "/menu-2", "/menu/x", "/ana",
                                                             "/api/config", "/api/config/", "/api")] == \
        [True, True, True, False, False, False, True, True, False]
    include, exclude = read_routes(json.dumps({"include": ["/*"], "exclude": list(STATIC_EXCLUDES)}))
    assert [runs_worker(path, include, exclude) for path in ("/ana", "/qr.svg", "/qr/ana.svg", "/qr", "/assets/x.css",
                                                             "/m/a.jpg", "/api/profiles/ana.json", "/og/ana.jpg")] == \
        [True, True, False, False, False, False, False, False]
    assert read_routes("") == ([], []) and read_routes('{"include": 3}') == ([], [])


@pytest.mark.parametrize("path", ["/..%2f..%2fetc%2fpasswd", "/%2e%2e/", "/%2e%2e/_worker.js", "/..%2f_worker.js",
                                  "/%2e%2e%2f_routes.json", "/qr.svg/../../_worker.js", "/work%2f..%2f..%2f_worker.js",
                                  "/..", "/.", "/work/..", "/_worker.js", "/_routes.json", "/%5c..%5c_worker.js"])
def test_no_path_leaves_the_output_through_a_hostname(tmp_path_factory, path):
    # With every path routed (route_all), each of these reaches the Worker's logic on a mapped host.
    assert profile_file(path, "ana") is None
    folder = routed_everywhere(tmp_path_factory)
    pages = PagesSite(folder / "dist")
    for host in ("ana.example.com", "linh.example.com", "../../etc", "ana.example.com/..", "..", "/"):
        theirs, plain = pages.respond(path, "", host), pages.respond(path)
        assert (theirs.status, theirs.body) == (plain.status, plain.body), (host, path)
        assert b"export default" not in theirs.body and b"root:" not in theirs.body


_ROUTE_ALL: dict = {}


def routed_everywhere(tmp_path_factory):
    """The fixture site with hostnames, detail pages and `[domains] route_all = true`, built once."""
    if "site" not in _ROUTE_ALL:
        folder = make_site(tmp_path_factory.mktemp("route-all") / "site")
        with open(folder / "biogen.toml", "a") as toml:
            toml.write("\n[domains]\nroute_all = true\n")
        execute(folder, DOMAINS + ";" + DETAILS)
        _ROUTE_ALL["summary"] = build_site(folder)
        _ROUTE_ALL["site"] = folder
    return _ROUTE_ALL["site"]


def test_route_all_redirects_every_path_of_a_www_form(tmp_path_factory):
    folder = routed_everywhere(tmp_path_factory)
    routes = json.loads((folder / "dist" / "_routes.json").read_text())
    assert routes["include"] == ["/*"] and routes["exclude"] == list(STATIC_EXCLUDES)
    assert not [w for w in _ROUTE_ALL["summary"].warnings if "_routes.json" in w]  # asked for: no warning
    pages = PagesSite(folder / "dist")
    answer = pages.respond("/ana/work", "x=1", "www.ana.example.com")
    assert answer.status == 301 and answer.header("Location") == "https://ana.example.com/ana/work?x=1"
    assert pages.respond("/a/deep/path", "", "www.ana.example.com").status == 301
    # Hashed files stay static, on every host; so does everything on an unknown host or pages.dev.
    assert pages.respond("/og/ana.jpg", "", "www.ana.example.com").status == 200
    for host in ("bio-test.pages.dev", "evil.example", "bio.example.com"):
        for path in ("/ana", "/ana/work", "/work", "/nobody", "/ana.html", "/linh.example.com.vcf"):
            theirs, plain = pages.respond(path, "", host), pages.respond(path)
            assert (theirs.status, theirs.headers, theirs.body) == (plain.status, plain.headers, plain.body)
    # A mapped host's other paths are still the site's files, its own at the root.
    assert pages.respond("/rtl", "", "ana.example.com").body == pages.respond("/rtl").body
    assert pages.respond("/work", "", "ana.example.com").body == pages.respond("/ana/work").body


def test_past_pages_rule_limit_the_build_routes_everything_and_says_so(tmp_path):
    folder = make_site(tmp_path / "site")
    count = ROUTES_MAX_RULES  # with HOST_PATHS and the three root files, past the limit
    execute(folder, DOMAINS + ";" + "".join(
        f"INSERT INTO bio_links (id, profile_id, name, url, order_index) VALUES ('x{n}', 'p-ana', 'L{n}', "
        f"'https://example.com/{n}', {n + 10});"
        f"INSERT INTO item_details (item_id, profile_id, slug, content) VALUES ('x{n}', 'p-ana', 'page-{n}', 'Body');"
        for n in range(count)))
    summary = build_site(folder)
    routes = json.loads((folder / "dist" / "_routes.json").read_text())
    assert routes["include"] == ["/*"] and routes["exclude"] == list(STATIC_EXCLUDES)
    note = [w for w in summary.warnings if "_routes.json" in w]
    assert note and f"need {len(HOST_PATHS) + 3 + count} paths" in note[0] and "Functions request" in note[0]
    pages = PagesSite(folder / "dist")
    assert pages.respond("/page-7", "", "ana.example.com").body == pages.respond("/ana/page-7").body
    for path in ("/ana", "/page-7", "/ana/page-7"):
        assert pages.respond(path, "", "bio-test.pages.dev").body == pages.respond(path).body
    # Back under the limit, the paths are listed again.
    execute(folder, "DELETE FROM item_details WHERE item_id LIKE 'x%'")
    build_site(folder)
    assert json.loads((folder / "dist" / "_routes.json").read_text())["include"] == [
        *HOST_PATHS, "/contact.vcf", "/qr.png", "/qr.svg"]


def test_route_all_is_a_boolean(tmp_path):
    from generator.config import load_config
    from generator.errors import ConfigError
    folder = make_site(tmp_path / "site")
    with open(folder / "biogen.toml", "a") as toml:
        toml.write("\n[domains]\nroute_all = \"yes\"\n")
    with pytest.raises(ConfigError, match=r"\[domains\] may set route_all = true"):
        load_config(folder)
