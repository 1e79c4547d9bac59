"""The built _worker.js and _routes.json run in `wrangler pages dev` (the real Pages runtime,
locally) answer every Host as `biogen serve` does: status, headers and bytes."""

from __future__ import annotations

import http.client

import pytest

from generator.cloudflare.wrangler import free_port
from generator.preview.server import Preview, serving
from sitekit import build_site, execute
from test_host_routing import DETAILS, DOMAINS
from wranglerkit import needs_wrangler, wrangler, wrangler_site

pytestmark = [needs_wrangler, pytest.mark.slow]

COMPARED = ("location", "vary", "content-type", "content-security-policy", "x-frame-options", "cache-control",
            "access-control-allow-origin", "x-content-type-options", "referrer-policy")
HOSTS = {
    "username-domain": "linh.example.com",
    "main": "ana.example.com",
    "alias": "ana.example.net",
    "alias without a main hostname": "linh.example.org",
    "username-domain without rows": "shop.example.net",
    "a hostname without a profile": "nobody.example.net",
    "the site's own address": "bio.example.com",
    "www. form": "www.ana.example.com",
    "unknown": "evil.example",
    "pages.dev": "bio-test.pages.dev",
    "written unusually": "ANA.Example.com.",
}
PATHS = ["/", "/?ref=x", "/api/config", "/sitemap.xml", "/robots.txt", "/ana", "/api/profiles/ana.json",
         "/nobody", "/linh.example.com",
         # A hostname's own files at its root (detail pages, vCard, QR code), and what they are elsewhere.
         "/work", "/work?utm=1", "/khoa-hoc", "/contact.vcf", "/qr.svg", "/qr.png", "/ana/work", "/blog-rtl",
         "/work/", "/a/deep/path?x=1", "/assets/"]


def request(port: int, host: str, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": host})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    headers = {k.lower(): v for k, v in response.getheaders()}
    if 300 <= response.status < 400:
        body = b""  # a redirect's body is nobody's content
    return response.status, {name: headers.get(name) for name in COMPARED}, body


def answers_of(site) -> dict:
    """(host kind, path) -> (pages dev's answer, biogen serve's) for every host and path."""
    folder = (site / "dist").resolve()
    port = free_port()
    answers = {}
    with wrangler(site).start(["pages", "dev", str(folder), "--ip", "127.0.0.1", "--port", str(port),
                               "--inspector-port", str(free_port()), "--compatibility-date", "2026-04-01"],
                              port=port) as pages, serving(Preview(folder, live=False)) as ours:
        for name, host in HOSTS.items():
            for path in PATHS:
                answers[(name, path)] = (request(pages.port, host, path), request(ours.server_address[1], host, path))
    differences = [(key, theirs, mine) for key, (theirs, mine) in answers.items() if theirs != mine]
    assert not differences, "\n".join(f"{name} {path}: pages dev {theirs[:2]} / biogen serve {mine[:2]}"
                                      for (name, path), theirs, mine in differences)
    return {key: theirs for key, (theirs, _) in answers.items()}


def test_pages_dev_and_biogen_serve_answer_every_host_alike(tmp_path):
    site = wrangler_site(tmp_path / "site")
    execute(site, DOMAINS + ";" + DETAILS +
            ";INSERT INTO profiles (id, username, display_name) VALUES ('p-shop', 'shop.example.net', 'Shop')")
    build_site(site)
    dist = site / "dist"
    by = answers_of(site)
    # What the worker did, seen in the real runtime (not only that both agree).
    assert by[("main", "/")][0] == 200 and b"https://ana.example.com/" in by[("main", "/")][2]
    assert by[("alias", "/")][2] == by[("main", "/")][2]
    assert by[("www. form", "/?ref=x")][1]["location"] == "https://ana.example.com/?ref=x"
    assert by[("username-domain", "/api/config")][2] == (dist / "api/profiles/linh.example.com.json").read_bytes()
    assert by[("unknown", "/api/config")][0] == 404 and by[("pages.dev", "/")][2] == (dist / "index.html").read_bytes()
    assert by[("main", "/sitemap.xml")][2].count(b"<url>") == 1
    # A username that is a hostname, with no row: found by its document, not by the map.
    assert by[("username-domain without rows", "/")][2] == (dist / "shop.example.net.html").read_bytes()
    assert by[("a hostname without a profile", "/")][2] == (dist / "index.html").read_bytes()
    # The profile's files at its hostname's root; the same paths elsewhere are the site's.
    for host in ("main", "alias", "written unusually"):
        assert by[(host, "/work")][:1] == (200,) and by[(host, "/work")][2] == (dist / "ana/work.html").read_bytes()
        assert by[(host, "/work")][1]["vary"] == "Host"
        assert by[(host, "/contact.vcf")][2] == (dist / "ana.vcf").read_bytes()
        assert by[(host, "/contact.vcf")][1]["content-type"] == "text/vcard; charset=utf-8"
        assert by[(host, "/qr.svg")][2] == (dist / "qr/ana.svg").read_bytes()
        assert by[(host, "/qr.png")][2] == (dist / "qr/ana.png").read_bytes()
    assert by[("username-domain", "/khoa-hoc")][2] == (dist / "linh.example.com/khoa-hoc.html").read_bytes()
    assert by[("main", "/khoa-hoc")][0] == 404  # routed for linh's host; ana has no such page
    for host in ("pages.dev", "unknown", "the site's own address"):
        assert by[(host, "/work")][0] == 404 and by[(host, "/work")][1]["vary"] is None
        assert by[(host, "/ana/work")][2] == (dist / "ana/work.html").read_bytes()
    assert by[("www. form", "/work?utm=1")][1]["location"] == "https://ana.example.com/work?utm=1"
    # Listed routes: a path none names is the static file on the www. form too.
    assert by[("www. form", "/a/deep/path?x=1")][0] == 404


def test_route_all_makes_a_www_form_redirect_every_path(tmp_path):
    site = wrangler_site(tmp_path / "site")
    with open(site / "biogen.toml", "a") as toml:
        toml.write("\n[domains]\nroute_all = true\n")
    execute(site, DOMAINS + ";" + DETAILS)
    build_site(site)
    by = answers_of(site)
    assert by[("www. form", "/a/deep/path?x=1")][0] == 301
    assert by[("www. form", "/a/deep/path?x=1")][1]["location"] == "https://ana.example.com/a/deep/path?x=1"
    assert by[("www. form", "/ana/work")][1]["location"] == "https://ana.example.com/ana/work"
    assert by[("www. form", "/assets/")][0] == 404  # the static prefixes stay static
    assert by[("main", "/work")][2] == (site / "dist" / "ana/work.html").read_bytes()
    for host in ("pages.dev", "unknown"):
        assert by[(host, "/ana/work")][2] == (site / "dist" / "ana/work.html").read_bytes()
        assert by[(host, "/a/deep/path?x=1")][0] == 404
