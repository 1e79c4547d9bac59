"""The built _worker.js and _routes.json run in `wrangler pages dev` (the real Pages runtime,
locally) answer every Host as `biogen serve` does: status, headers and bytes."""

from __future__ import annotations

import http.client

import pytest

from generator.cloudflare.wrangler import free_port
from generator.preview.server import Preview, serving
from sitekit import build_site, execute
from test_host_routing import DOMAINS
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
         "/nobody", "/linh.example.com"]


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


def test_pages_dev_and_biogen_serve_answer_every_host_alike(tmp_path):
    site = wrangler_site(tmp_path / "site")
    execute(site, DOMAINS + ";INSERT INTO profiles (id, username, display_name) VALUES ('p-shop', 'shop.example.net', 'Shop')")
    build_site(site)
    folder = (site / "dist").resolve()
    port = free_port()
    answers = []
    with wrangler(site).start(["pages", "dev", str(folder), "--ip", "127.0.0.1", "--port", str(port),
                               "--inspector-port", str(free_port()), "--compatibility-date", "2026-04-01"],
                              port=port) as pages, serving(Preview(folder, live=False)) as ours:
        for name, host in HOSTS.items():
            for path in PATHS:
                answers.append((name, path, request(pages.port, host, path), request(ours.server_address[1], host, path)))
    differences = [(name, path, theirs, mine) for name, path, theirs, mine in answers if theirs != mine]
    assert not differences, "\n".join(f"{name} {path}: pages dev {theirs[:2]} / biogen serve {mine[:2]}"
                                      for name, path, theirs, mine in differences)
    by = {(name, path): answer for name, path, answer, _ in answers}
    # What the worker did, seen in the real runtime (not only that both agree).
    assert by[("main", "/")][0] == 200 and b"https://ana.example.com/" in by[("main", "/")][2]
    assert by[("alias", "/")][2] == by[("main", "/")][2]
    assert by[("www. form", "/?ref=x")][1]["location"] == "https://ana.example.com/?ref=x"
    assert by[("username-domain", "/api/config")][2] == (site / "dist" / "api/profiles/linh.example.com.json").read_bytes()
    assert by[("unknown", "/api/config")][0] == 404 and by[("pages.dev", "/")][2] == (site / "dist" / "index.html").read_bytes()
    assert by[("main", "/sitemap.xml")][2].count(b"<url>") == 1
    # A username that is a hostname, with no row: found by its document, not by the map.
    assert by[("username-domain without rows", "/")][2] == (site / "dist" / "shop.example.net.html").read_bytes()
    assert by[("a hostname without a profile", "/")][2] == (site / "dist" / "index.html").read_bytes()
