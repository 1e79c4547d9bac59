"""The editor's guard: nothing is answered without the per-run secret's cookie, from a
foreign Host, or (for a change) from a foreign Origin or without the form's CSRF token;
its pages carry a strict CSP; and no editor code reaches a build's output."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time

import pytest

from editorkit import ORIGIN, PORT, SECRET, client, copy_site, dump, open_form, post
from generator.editor.security import allowed_hosts, csrf_ok, csrf_token
from sitekit import build_site, make_site, snapshot


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.mark.parametrize("path", ["/_edit/", "/_edit/p/ana", "/_edit/static/editor.css", "/ana", "/", "/assets/x.css"])
def test_without_the_cookie_every_path_is_forbidden(site, path):
    browser = client(site, let_in=False)
    answer = browser.get(path)
    assert answer.status_code == 403
    assert "Open the address `biogen edit` printed on its terminal" in answer.text
    assert "Ana Souza" not in answer.text


def test_the_printed_url_sets_a_strict_cookie_and_drops_the_token(site):
    browser = client(site, let_in=False)
    answer = browser.get(f"/_edit/?token={SECRET}")
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"biogen_edit_{PORT}={SECRET};")
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    assert "Ana Souza" in browser.get("/_edit/").text
    assert browser.get("/ana").status_code == 200


def test_a_wrong_token_or_a_wrong_cookie_lets_nobody_in(site):
    browser = client(site, let_in=False)
    answer = browser.get("/_edit/?token=guessed")
    assert answer.status_code == 403 and "set-cookie" not in answer.headers
    browser.cookies.set(f"biogen_edit_{PORT}", "guessed")
    assert browser.get("/_edit/").status_code == 403
    # Another editor's cookie (another port) is not this one's.
    browser.cookies.clear()
    browser.cookies.set(f"biogen_edit_{PORT + 1}", SECRET)
    assert browser.get("/_edit/").status_code == 403


@pytest.mark.parametrize("host", ["evil.example", f"evil.example:{PORT}", f"127.0.0.1:{PORT + 1}", "127.0.0.1",
                                  f"127.0.0.2:{PORT}", ""])
def test_a_foreign_host_is_refused_even_with_the_cookie(site, host):
    browser = client(site)
    for path in ("/_edit/", "/ana", f"/_edit/?token={SECRET}"):
        answer = browser.get(path, headers={"Host": host})
        assert answer.status_code == 403, (host, path)
        assert "Ana Souza" not in answer.text


def test_localhost_names_the_same_address(site):
    browser = client(site)
    assert browser.get("/_edit/", headers={"Host": f"localhost:{PORT}"}).status_code == 200
    assert allowed_hosts("127.0.0.1", PORT) == {f"127.0.0.1:{PORT}", f"localhost:{PORT}"}
    assert f"192.168.1.5:{PORT}" in allowed_hosts("192.168.1.5", PORT)


@pytest.mark.parametrize("origin", [None, "null", "http://evil.example", f"http://127.0.0.1:{PORT + 1}",
                                    f"https://127.0.0.1:{PORT}"])
def test_a_change_from_a_foreign_or_missing_origin_is_refused(site, origin):
    browser = client(site)
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Hijacked"}
    before = dump(site)
    headers = {} if origin is None else {"Origin": origin}
    # Without Origin, a Referer from the editor itself does not stand in for it.
    headers["Referer"] = f"{ORIGIN}/_edit/p/ana"
    answer = browser.post("/_edit/p/ana", data=form, headers=headers)
    assert answer.status_code == 403
    assert dump(site) == before


def test_a_change_without_its_forms_csrf_token_is_refused(site):
    browser = client(site)
    form = open_form(browser, "/_edit/p/ana") | {"display_name": "Hijacked"}
    before = dump(site)
    for token in (None, "", "0" * 64, csrf_token(SECRET, "/_edit/new"), csrf_token("another secret", "/_edit/p/ana")):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({} if token is None else {"csrf": token})
        answer = post(browser, "/_edit/p/ana", data)
        assert answer.status_code == 403, token
    assert dump(site) == before
    assert post(browser, "/_edit/p/ana", form).status_code == 303  # the page's own token works
    assert dump(site) != before


@pytest.mark.parametrize("path, change", [("/_edit/new", {"username": "zoe", "display_name": "Zoe"}),
                                          ("/_edit/p/ana/rename", {"username": "ana2"}),
                                          ("/_edit/p/ana/delete", {})])
def test_every_form_needs_its_own_token(site, path, change):
    browser = client(site)
    form = open_form(browser, path) | change
    before = dump(site)
    for token in (None, csrf_token(SECRET, "/_edit/p/ana")):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({} if token is None else {"csrf": token})
        assert post(browser, path, data).status_code == 403
    assert dump(site) == before
    assert post(browser, path, form).status_code == 303


def test_csrf_tokens_are_bound_to_the_secret_and_the_form():
    token = csrf_token("s", "/_edit/p/ana")
    assert csrf_ok("s", "/_edit/p/ana", token)
    assert not csrf_ok("s", "/_edit/p/ana/delete", token)
    assert not csrf_ok("t", "/_edit/p/ana", token)
    assert not csrf_ok("s", "/_edit/p/ana", None)


def test_only_get_head_and_post_are_answered(site):
    browser = client(site)
    assert browser.request("DELETE", "/_edit/p/ana", headers={"Origin": ORIGIN}).status_code == 405
    assert browser.request("PUT", "/ana", headers={"Origin": ORIGIN}).status_code == 405
    assert post(browser, "/ana", {}).status_code == 405  # the built site takes no POST


def test_an_oversized_body_is_refused(site):
    browser = client(site)
    form = open_form(browser, "/_edit/p/ana") | {"tagline": "x" * 300_000}
    before = dump(site)
    assert post(browser, "/_edit/p/ana", form).status_code == 413
    assert dump(site) == before


@pytest.mark.parametrize("path", ["/_edit/", "/_edit/new", "/_edit/p/ana", "/_edit/p/ana/rename",
                                  "/_edit/p/ana/delete", "/_edit/p/nobody"])
def test_editor_pages_carry_a_strict_policy_and_no_inline_code(site, path):
    browser = client(site)
    answer = browser.get(path)
    policy = answer.headers["content-security-policy"]
    directives = {d.strip().split()[0]: d.strip().split()[1:] for d in policy.split(";")}
    assert directives["default-src"] == ["'self'"]
    assert directives["form-action"] == ["'self'"] and directives["frame-ancestors"] == ["'self'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` on a
    # form POST (Fetch, "append a request Origin header"), and the Origin check refuses it.
    assert answer.headers["referrer-policy"] == "same-origin"
    assert answer.headers["cache-control"] == "no-store"
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=", answer.text, re.I)
    # Scripts only as files of the editor's own, never inline (the CSP would block them anyway).
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", answer.text, re.I | re.S)
    assert scripts and all(body == "" for body in scripts)
    assert re.findall(r"<script\b[^>]*\ssrc=\"?([^\s\">?]+)", answer.text) == ["/_edit/static/editor.js"]


def test_the_page_beside_the_form_may_be_framed_by_the_editor_only(site):
    answer = client(site).get("/ana")
    assert answer.status_code == 200 and "Ana Souza" in answer.text
    assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" not in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
    # Everything else of the published policy stays as _headers says.
    assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_the_build_output_holds_no_editor(built):
    files = snapshot(built / "dist")
    assert files
    assert not [name for name in files if "_edit" in name or name.startswith("edit")]
    leaked = [name for name, body in files.items() if b"/_edit/" in body or b"biogen editor" in body]
    assert not leaked


def _request(port: int, path: str, *, host: str | None = None, cookie: str | None = None, method: str = "GET",
             body: bytes = b"", headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {"Host": host or f"127.0.0.1:{port}", **(headers or {})}
        if cookie:
            sent["Cookie"] = cookie
        conn.request(method, path, body=body or None, headers=sent)
        answer = conn.getresponse()
        return answer.status, dict((k.lower(), v) for k, v in answer.getheaders()), answer.read().decode()
    finally:
        conn.close()


def test_biogen_edit_serves_on_loopback_behind_the_printed_secret(site):
    """The real command on a free port: its printed URL lets a client in; nothing else does."""
    process = subprocess.Popen([sys.executable, "-m", "generator", "edit", "--site", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        while line and "editing at" not in line:   # after "rebuilt: ..." and "serving ..."
            line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/_edit/\?token=([\w-]+)", line)
        assert match, line
        port, secret = int(match.group(1)), match.group(2)
        assert len(secret) >= 43  # 32 random bytes
        status, _, text = _request(port, "/_edit/")
        assert status == 403 and "printed on its terminal" in text
        assert _request(port, "/ana")[0] == 403
        status, headers, _ = _request(port, f"/_edit/?token={secret}")
        assert status == 303 and headers["location"] == "/_edit/"
        cookie = headers["set-cookie"].split(";")[0]
        status, _, text = _request(port, "/_edit/", cookie=cookie)
        assert status == 200 and "Ana Souza" in text
        assert _request(port, "/ana", cookie=cookie)[0] == 200
        assert _request(port, "/_edit/", cookie=cookie, host=f"rebind.example:{port}")[0] == 403
        body = f"csrf={csrf_token(secret, '/_edit/new')}&username=fresh&display_name=Fresh+One".encode()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        assert _request(port, "/_edit/new", cookie=cookie, method="POST", body=body, headers=form)[0] == 403
        status, headers, _ = _request(port, "/_edit/new", cookie=cookie, method="POST", body=body,
                                      headers={**form, "Origin": f"http://127.0.0.1:{port}"})
        assert status == 303 and headers["location"] == "/_edit/p/fresh?created=1"
        status, _, text = _request(port, "/fresh", cookie=cookie)
        assert status == 200 and "Fresh One" in text
    finally:
        process.terminate()
        process.wait(timeout=30)
