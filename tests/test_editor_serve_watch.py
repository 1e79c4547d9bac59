"""`biogen serve --watch` and `biogen edit` are one server: the preview (live reload,
rebuilds on any change) with the editor beside it. Under `serve --watch` the site's
pages answer any Host without the secret (host routing, as the preview always did)
while the editor stays guarded; a save rebuilds once, and the watcher does not build
the same change again."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from urllib.parse import urlencode

import pytest

from editorkit import hidden_fields
from generator.editor.server import serving
from sitekit import execute, make_site


def ask(port: int, path: str, *, host: str | None = None, method: str = "GET", body: bytes = b"",
        headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=40)
    try:
        conn.request(method, path, body=body or None, headers={"Host": host or f"127.0.0.1:{port}", **(headers or {})})
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    finally:
        conn.close()


def let_in(running) -> str:
    """The cookie header a browser gets from the printed address."""
    status, headers, _ = ask(running.port, running.entry.split(running.url)[1])
    assert status == 303
    return headers["set-cookie"].split(";")[0]


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_serve_watch_answers_the_site_for_any_host_and_guards_the_editor(site):
    with serving(site, guard_site=False) as running:
        port = running.port
        status, _, page = ask(port, "/ana")
        assert status == 200 and "Ana Souza" in page
        assert '<script src="/__biogen/livereload.js"' in page   # the preview's live reload
        status, _, _ = ask(port, "/", host="evil.example")     # any Host, as `biogen serve` answers
        assert status == 200
        assert ask(port, "/_edit/")[0] == 403                   # the editor: the secret first
        assert ask(port, "/_edit", host="evil.example")[0] == 403
        assert ask(port, "/_editor-files")[0] == 403            # anything under /_edit* is the editor's
        cookie = let_in(running)
        assert ask(port, "/_edit/", headers={"Cookie": cookie})[0] == 200
        assert ask(port, "/_edit/", host="evil.example", headers={"Cookie": cookie})[0] == 403
        assert ask(port, "/ana", method="POST", body=b"x", headers={"Content-Length": "1"})[0] == 403


def test_biogen_edit_guards_the_site_too(site):
    with serving(site) as running:
        assert ask(running.port, "/ana")[0] == 403
        assert ask(running.port, "/__biogen/livereload.js")[0] == 403
        cookie = let_in(running)
        status, _, page = ask(running.port, "/ana", headers={"Cookie": cookie})
        assert status == 200 and '<script src="/__biogen/livereload.js"' in page


def test_a_save_rebuilds_once_and_wakes_the_open_pages(site):
    with serving(site, guard_site=False) as running:
        port = running.port
        cookie = {"Cookie": let_in(running)}
        time.sleep(1.0)   # the first build's own file events have passed
        token = running.preview.token
        woken = {}

        def poll():  # an open page's long poll, as livereload.js asks it
            woken["answer"] = json.loads(ask(port, f"/__biogen/reload?since={token}")[2])
        waiting = threading.Thread(target=poll)
        waiting.start()
        form = hidden_fields(ask(port, "/_edit/p/ana", headers=cookie)[2])
        form |= {"display_name": "Ana Saved Once", "tagline": "", "avatar_url": "", "cover_url": ""}
        body = urlencode(form).encode()
        status, headers, _ = ask(port, "/_edit/p/ana", method="POST", body=body, headers={
            **cookie, "Origin": running.url, "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body))})
        assert status == 303 and headers["location"] == "/_edit/p/ana?saved=1"
        assert "Ana Saved Once" in ask(port, "/ana")[2]   # rebuilt before the redirect
        waiting.join(10)
        assert woken["answer"]["token"] != token
        generation = running.preview.token
        time.sleep(2.0)   # the watcher has seen the save's commit by now (its debounce is ~50 ms-1.6 s)
        assert running.preview.token == generation, "the watcher built the saved change a second time"
        execute(site, "UPDATE profiles SET display_name = 'Ana Elsewhere' WHERE username = 'ana'")
        deadline = time.monotonic() + 10
        while "Ana Elsewhere" not in ask(port, "/ana")[2]:   # a change by another program: the watcher's
            assert time.monotonic() < deadline
            time.sleep(0.1)


def test_serve_watch_prints_the_site_and_the_editor(site):
    import subprocess
    import sys
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--watch", "--port", "0", "--site",
                                str(site)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not any("editing at" in line for line in lines):
            line = process.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        text = "".join(lines)
        site_url = re.search(r"serving \S+ at (http://127\.0\.0\.1:\d+/) \(rebuilding on changes\)", text)
        editor_url = re.search(r"editing at (http://127\.0\.0\.1:\d+)/_edit/\?token=[\w-]{43}", text)
        assert site_url and editor_url and site_url.group(1) == editor_url.group(1) + "/"
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert process.returncode == 0
