"""The preview server: Cloudflare Pages' routing, headers and redirects, no way out of
the site folder, and the reload script and error banner only in what it serves."""

from __future__ import annotations

import http.client
import os
import shutil
import socket

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.errors import BiogenError, DatabaseError, Problem, ValidationError
from generator.preview.server import Failure, Preview, describe_failure, serving, start_server
from generator.preview.routing import apply_headers, match_redirect, parse_headers, parse_redirects, route
from sitekit import build_site, make_site

PAGES = {
    "index.html": "<html><head><title>home</title></head><body>home page</body></html>",
    "alice.html": "<html><head><title>alice</title></head><body>alice page</body></html>",
    "404.html": "<html><head></head><body>custom not found</body></html>",
    "docs/index.html": "<html><body>docs index</body></html>",
    "blog/404.html": "<html><body>blog not found</body></html>",
    "style.css": "body { color: red }",
    "app.js": "console.log(1)",
    "data.json": "{}",
    "icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "sitemap.xml": "<urlset/>",
    "robots.txt": "User-agent: *",
    "img/photo.webp": "webp",
    "img/photo.avif": "avif",
    "fonts/font.woff2": "woff2",
    "_headers": "/*\n  Content-Security-Policy: default-src 'none'; style-src 'self'\n  X-Frame-Options: DENY\n"
                "  X-Custom: one\n/alice\n  X-Custom: two\n  ! X-Frame-Options\n"
                "/img/*\n  Cache-Control: public, max-age=31536000, immutable\n  X-Image: :splat\n",
    "_redirects": "# comments are skipped\n/old /alice 301\n/temp /alice\n/rewrite /alice 200\n"
                  "/bad /alice 418\n/docs-old/* /docs/:splat 308\n/u/:name /:name 302\n/away https://example.com/x\n",
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    site = root / "site"
    for relative, text in PAGES.items():
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text(text)
    (site / "empty").mkdir()
    (root / "secret.txt").write_text("SECRET outside the site")
    os.symlink(root / "secret.txt", site / "leak.txt")
    os.symlink(root, site / "up")
    return site


@pytest.fixture(scope="module")
def server(folder):
    with serving(Preview(folder, live=False)) as running:
        yield running


def fetch(server, path: str, method: str = "GET", headers: dict | None = None):
    """(status, headers, body) of one request, the path sent exactly as given."""
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest(method, path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        conn.putheader(name, value)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


# -- routing -------------------------------------------------------------------------

@pytest.mark.parametrize("path, status, body", [
    ("/alice", 200, b"alice page"),
    ("/", 200, b"home page"),
    ("/docs/", 200, b"docs index"),
    ("/nobody", 404, b"custom not found"),
    ("/blog/missing", 404, b"blog not found"),
    ("/rewrite", 200, b"alice page"),
])
def test_pages_serves_files_at_their_pretty_urls(server, path, status, body):
    got, _, content = fetch(server, path)
    assert got == status and body in content


@pytest.mark.parametrize("path, location", [
    ("/alice.html", "/alice"),
    ("/alice.html?ref=x&y=1", "/alice?ref=x&y=1"),
    ("/alice/", "/alice"),
    ("/index.html", "/"),
    ("/index", "/"),
    ("/docs", "/docs/"),
    ("/docs/index.html", "/docs/"),
])
def test_pages_redirects_other_spellings_with_308_keeping_the_query(server, path, location):
    status, headers, _ = fetch(server, path)
    assert status == 308 and headers["location"] == location


def test_route_is_pages_rule_table():
    files = {"/a.html", "/b/index.html", "/404.html"}
    exists = files.__contains__
    assert route("/a", exists).file == "/a.html"
    assert route("/b", exists).location == "/b/"
    assert route("/c", exists).status == 404 and route("/c", exists).file == "/404.html"
    # No 404.html at all: Pages treats the site as a single-page app.
    spa = {"/index.html"}.__contains__
    assert route("/anything", spa) == route("/anything", spa).__class__(200, "/index.html")


# -- no way out ------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/../secret.txt", "/docs/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
    "/..%5csecret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt", "/leak.txt", "/up/secret.txt", "/%00",
    "/.%2e/secret.txt", "/_headers", "/_redirects",
])
def test_nothing_outside_the_folder_is_reachable(server, path):
    status, _, body = fetch(server, path)
    assert status == 404
    assert b"SECRET" not in body and b"X-Custom" not in body and b"/old" not in body


@pytest.mark.parametrize("path", ["/empty", "/empty/", "/img/", "/img"])
def test_folders_are_never_listed(server, path):
    status, _, body = fetch(server, path)
    assert status == 404 and b"photo" not in body


def test_only_get_and_head(server):
    status, headers, body = fetch(server, "/alice", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(PAGES["alice.html"])
    status, headers, _ = fetch(server, "/alice", method="POST")
    assert status == 405 and headers["allow"] == "GET, HEAD"


# -- _headers, _redirects, content types --------------------------------------------------

def test_headers_rules_add_up_and_can_remove(server):
    _, headers, _ = fetch(server, "/alice")
    assert headers["content-security-policy"] == "default-src 'none'; style-src 'self'"
    assert headers["x-custom"] == "one, two"
    assert "x-frame-options" not in headers
    _, headers, _ = fetch(server, "/")
    assert headers["x-frame-options"] == "DENY" and headers["x-custom"] == "one"
    _, headers, _ = fetch(server, "/img/photo.webp")
    assert headers["cache-control"] == "public, max-age=31536000, immutable"
    assert headers["x-image"] == "photo.webp"
    assert headers["access-control-allow-origin"] == "*"  # a Pages default


def test_header_rules_pure():
    rules = parse_headers("/api/:user/*\n  X-User: :user\n  X-Rest: :splat\n# note\n/api/*\n  ! X-Rest\n")
    headers = dict(apply_headers(rules, "/api/ana/a/b.json", [("X-Rest", "default")]))
    assert headers == {"X-User": "ana"}
    assert dict(apply_headers(rules, "/other", [("X-Rest", "default")])) == {"X-Rest": "default"}


@pytest.mark.parametrize("path, status, location", [
    ("/old", 301, "/alice"),
    ("/old?x=1", 301, "/alice?x=1"),
    ("/temp", 302, "/alice"),
    ("/docs-old/a/b", 308, "/docs/a/b"),
    ("/u/bob", 302, "/bob"),
    ("/away", 302, "https://example.com/x"),
])
def test_redirects_file_is_applied(server, path, status, location):
    got, headers, _ = fetch(server, path)
    assert got == status and headers["location"] == location


def test_invalid_redirect_rules_are_skipped(server):
    assert fetch(server, "/bad")[0] == 404
    rules = parse_redirects("/a /b 200\n/a /c 301\n/x https://evil.example 200\n/y\n/z /q 301 extra\n")
    assert match_redirect(rules, "/a") == ("/b", 200)  # the first match wins
    assert match_redirect(rules, "/x") is None and len(rules) == 2


@pytest.mark.parametrize("path, kind", [
    ("/alice", "text/html; charset=utf-8"),
    ("/style.css", "text/css; charset=utf-8"),
    ("/app.js", "application/javascript"),
    ("/data.json", "application/json"),
    ("/icon.svg", "image/svg+xml"),
    ("/sitemap.xml", "application/xml"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/img/photo.webp", "image/webp"),
    ("/img/photo.avif", "image/avif"),
    ("/fonts/font.woff2", "font/woff2"),
])
def test_content_types(server, path, kind):
    assert fetch(server, path)[1]["content-type"] == kind


# -- the preview's own additions -----------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("built") / "site")
    build_site(site)
    return site


def test_reload_script_only_in_served_html_and_csp_relaxed_only_there(built):
    with serving(Preview(built / "dist", live=True)) as server:
        status, headers, body = fetch(server, "/ana")
        assert status == 200
        assert b'<script src="/__biogen/livereload.js" data-token="' in body
        assert body.index(b"/__biogen/livereload.js") < body.index(b"</head>")
        policy = headers["content-security-policy"]
        host, port = server.server_address[:2]
        assert f"script-src http://{host}:{port}/__biogen/livereload.js" in policy
        assert "connect-src 'self'" in policy and "default-src 'none'" in policy
        assert "unsafe" not in policy
        # Not in anything else the preview sends, nor in any built file.
        _, css_headers, css = fetch(server, "/" + next(
            p.relative_to(built / "dist").as_posix() for p in (built / "dist" / "assets").glob("style.*.css")))
        assert b"__biogen" not in css and "script-src" not in css_headers["content-security-policy"]
        _, json_headers, document = fetch(server, "/api/profiles/ana.json")
        assert b"__biogen" not in document
        status, script_headers, script = fetch(server, "/__biogen/livereload.js")
        assert status == 200 and script_headers["content-type"] == "application/javascript"
        assert b"/__biogen/reload" in script
    for path in (built / "dist").resolve().rglob("*"):
        if path.is_file():
            assert b"__biogen" not in path.read_bytes(), path
    headers_file = (built / "dist" / "_headers").read_text()
    # The published policy has connect-src 'self' of its own (sitefiles.py), never the preview's script.
    assert "script-src" not in headers_file and "__biogen" not in headers_file


def test_without_watch_the_pages_are_exactly_the_built_ones(built):
    with serving(Preview(built / "dist", live=False)) as server:
        _, headers, body = fetch(server, "/ana")
    assert body == (built / "dist" / "ana.html").read_bytes()
    assert "script-src" not in headers["content-security-policy"]


def test_reload_endpoint_answers_when_the_token_changes(built):
    preview = Preview(built / "dist", live=True)
    with serving(preview) as server:
        old = preview.token
        _, _, body = fetch(server, f"/__biogen/reload?since=stale")
        assert old.encode() in body  # a page from an earlier server reloads at once
        preview.finished(changed=True)
        _, _, body = fetch(server, f"/__biogen/reload?since={old}")
        assert preview.token.encode() in body and preview.token != old
        preview.finished(changed=False)
        assert preview.token != old and fetch(server, f"/__biogen/reload?since={old}")[0] == 200


def test_failed_rebuild_shows_the_error_over_the_last_good_site(built):
    preview = Preview(built / "dist", live=True)
    with serving(preview) as server:
        preview.finished(changed=False, failure=Failure("the database has 1 problem(s); nothing was written",
                                                        ("profile 'ana': bio_links row 'b1', column url: <bad>",)))
        status, headers, body = fetch(server, "/ana")
        assert status == 200 and b"Ana Souza" in body  # the last good page
        assert b'id="biogen-preview-error"' in body
        assert b"bio_links row &#x27;b1&#x27;, column url: &lt;bad&gt;" in body
        assert b'<link rel="stylesheet" href="/__biogen/livereload.css">' in body
        assert "/__biogen/livereload.css" in headers["content-security-policy"]
        assert fetch(server, "/nobody")[0] == 404 and b"biogen-preview-error" in fetch(server, "/nobody")[2]
        assert fetch(server, "/__biogen/livereload.css")[0] == 200
        assert b"biogen-preview-error" not in fetch(server, "/sitemap.xml")[2]
        preview.finished(changed=True)
        _, headers, body = fetch(server, "/ana")
        assert b"biogen-preview-error" not in body and "livereload.css" not in headers["content-security-policy"]


def test_no_site_yet_is_a_page_not_a_crash(tmp_path):
    preview = Preview(tmp_path / "dist", live=True)
    preview.finished(changed=False, failure=Failure("boom"))
    with serving(preview) as server:
        status, _, body = fetch(server, "/ana")
    assert status == 503 and b"boom" in body and b"livereload.js" in body


# -- what an error says ----------------------------------------------------------------------

def test_validation_failure_names_profile_table_row_and_column():
    error = ValidationError([Problem("ana", "bio_links", "b1", "url", "the scheme 'javascript' is not allowed")])
    failure = describe_failure(error)
    assert "1 problem" in failure.title
    assert failure.details == ("profile 'ana': bio_links row 'b1', column url: the scheme 'javascript' is not allowed",)


def test_template_failure_names_file_and_line(tmp_path):
    site = make_site(tmp_path / "site")
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "templates"), site / "templates")
    profile = site / "templates" / "profile.html"
    lines = profile.read_text().splitlines()
    line = lines.index("<!doctype html>") + 2  # the line after it, past the opening comment
    lines.insert(line - 1, "{% if %}")
    profile.write_text("\n".join(lines) + "\n")
    with pytest.raises(Exception) as caught:
        build_site(site)
    failure = describe_failure(caught.value, site)
    assert failure.title.startswith(f"template templates/profile.html, line {line}:"), failure
    profile.write_text(profile.read_text().replace("{% if %}", "{{ no_such_name.attribute }}"))
    with pytest.raises(Exception) as caught:
        build_site(site)
    failure = describe_failure(caught.value, site)
    assert f"profile.html, line {line}" in failure.title and "no_such_name" in failure.title, failure


def test_pending_migration_says_what_to_run():
    error = DatabaseError("content/bio.db has 1 pending migration(s): 0006_add_theme.sql. "
                          "Run `biogen migrate` to apply them (see `biogen migrate --list`)")
    assert "biogen migrate" in describe_failure(error).title


def test_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(BiogenError, match=f"port {port} is in use; choose another with --port"):
            start_server(Preview(tmp_path, live=False), "127.0.0.1", port)
        site = make_site(tmp_path / "site")
        result = CliRunner().invoke(cli, ["serve", "--site", str(site), "--port", str(port)])
    assert result.exit_code == 1
    assert f"error: port {port} is in use; choose another with --port" in result.output


def test_a_browser_dropping_its_connection_prints_no_traceback(folder, capfd):
    import struct
    import time
    with serving(Preview(folder, live=False)) as running:
        host, port = running.server_address[:2]
        for _ in range(3):
            # SO_LINGER 0: close() sends a reset, as a browser cancelling a request does.
            sock = socket.create_connection((host, port), timeout=5)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # an unfinished request
            sock.close()
        time.sleep(0.3)
        assert fetch(running, "/")[0] == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err
