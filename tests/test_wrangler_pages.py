"""`wrangler pages dev` (the real Pages asset server, locally) and `biogen serve` answer alike."""

from __future__ import annotations

import http.client

import pytest

from generator.preview.server import Preview, serving
from generator.cloudflare.wrangler import free_port
from sitekit import build_site
from test_serve import PAGES
from wranglerkit import needs_wrangler, wrangler, wrangler_site

pytestmark = [needs_wrangler, pytest.mark.slow]

# Headers that come from _headers (or from routing): these must agree. Others (Date,
# Server, ETag, CF-*) are the servers' own.
COMPARED = ("location", "content-security-policy", "x-frame-options", "x-custom", "x-image")
# Headers Pages adds by itself, which `biogen serve` imitates: Cache-Control (on files;
# no-store on 404s; none on redirects), Access-Control-Allow-Origin and Referrer-Policy on
# every answer, X-Content-Type-Options on every answer with a body type (not on 308s).
PAGES_OWN = ("cache-control", "access-control-allow-origin", "x-content-type-options", "referrer-policy")


def request(port: int, path: str, compared=COMPARED):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    headers = {k.lower(): v for k, v in response.getheaders()}
    location = headers.get("location", "")
    if location.startswith(f"http://127.0.0.1:{port}"):
        headers["location"] = location[len(f"http://127.0.0.1:{port}"):]
    if 300 <= response.status < 400:
        body = b""  # a redirect's body is nobody's content (pages dev sends none for its own, some for _redirects)
    return response.status, {k: headers.get(k) for k in compared}, body


def both(folder, paths, compared=COMPARED) -> list:
    """(path, pages dev's answer, biogen serve's answer) for each path; both servers stopped after."""
    port = free_port()
    answers = []
    with wrangler(folder.parent).start(["pages", "dev", str(folder), "--ip", "127.0.0.1", "--port", str(port),
                                        "--inspector-port", str(free_port()), "--compatibility-date", "2026-04-01"],
                                       port=port) as pages, serving(Preview(folder, live=False)) as ours:
        for path in paths:
            answers.append((path, request(pages.port, path, compared),
                            request(ours.server_address[1], path, compared)))
    return answers


PATHS = ["/alice", "/", "/docs/", "/nobody", "/blog/missing", "/rewrite", "/alice.html", "/alice.html?ref=x",
         "/alice/", "/index.html", "/docs", "/docs/index.html", "/old", "/old?x=1", "/temp", "/docs-old/a/b",
         "/u/bob", "/away", "/bad", "/img/photo.webp", "/style.css", "/data.json"]


def test_pages_dev_and_biogen_serve_agree_on_routing_headers_and_redirects(tmp_path):
    folder = tmp_path / "pages" / "site"
    for relative, text in PAGES.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    differences = [(path, pages, ours) for path, pages, ours in both(folder, PATHS) if pages != ours]
    assert not differences, "\n".join(f"{p}: pages dev {a[:2]} / biogen serve {b[:2]}" for p, a, b in differences)


def test_pages_dev_serves_the_built_site_as_biogen_serve_does(tmp_path):
    site = wrangler_site(tmp_path / "site")
    build_site(site)
    paths = ["/", "/ana", "/ana.html", "/linh.example.com", "/nobody", "/api/profiles/ana.json", "/api/version.json",
             "/sitemap.xml", "/robots.txt", "/404"]
    differences = [(path, pages, ours) for path, pages, ours in both((site / "dist").resolve(), paths,
                                                                     COMPARED + PAGES_OWN) if pages != ours]
    assert not differences, "\n".join(f"{p}: pages dev {a[:2]} / biogen serve {b[:2]}" for p, a, b in differences)


def test_pages_own_headers_are_imitated(tmp_path):
    folder = tmp_path / "pages" / "site"
    for relative, text in PAGES.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    differences = [(path, pages, ours) for path, pages, ours in both(folder, PATHS + ["/img/none.webp"], PAGES_OWN)
                   if pages != ours]
    assert not differences, "\n".join(f"{p}: pages dev {a[:2]} / biogen serve {b[:2]}" for p, a, b in differences)
