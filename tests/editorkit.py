"""Helpers for the editor's tests: a built site, a client that is let in, and forms as a
browser sends them (the page's own hidden fields, its CSRF token, the editor's Origin)."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from pathlib import Path

from starlette.testclient import TestClient

from generator.config import load_config
from generator.editor.app import make_app

PORT = 8123
ORIGIN = f"http://127.0.0.1:{PORT}"
SECRET = "test-secret-of-this-run"


def copy_site(built: Path, folder: Path) -> Path:
    """A copy of a built site (its output link and trees included)."""
    shutil.copytree(built, folder, symlinks=True)
    return folder


def client(site: Path, *, let_in: bool = True) -> TestClient:
    """A browser on the editor at 127.0.0.1:PORT, with the secret's cookie when `let_in`."""
    app = make_app(load_config(site), secret=SECRET, host="127.0.0.1", port=PORT)
    browser = TestClient(app, base_url=ORIGIN, follow_redirects=False)
    if let_in:
        assert browser.get(f"/_edit/?token={SECRET}").status_code == 303
    return browser


def form_html(page: str, action: str | None = None) -> str:
    """The first POST form of `page`, or the one posted to `action`."""
    for form in re.findall(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', page, re.S):  # enctype= too
        if action is None or html.unescape(form[0]) == action:
            return form[1]
    raise AssertionError(f"no form posted to {action!r} on the page")


def hidden_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The hidden inputs of the (first) form on `page`, as the browser would send them."""
    return {name: html.unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form_html(page, action))}


def field_values(page: str, action: str | None = None) -> dict[str, str]:
    """The visible text fields (and checked radio buttons) of the (first) form on `page`
    with their values (textareas' first newline dropped, as HTML does)."""
    form = form_html(page, action)
    values = {name: html.unescape(value)
              for name, value in re.findall(r'<input id="[^"]+" name="([^"]+)" type="text" value="([^"]*)"', form)}
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        values[name] = html.unescape(value)
    for name, value in re.findall(r'<input type="radio" name="([^"]+)" value="([^"]*)" checked>', form):
        values[name] = html.unescape(value)
    return values


def open_form(browser: TestClient, path: str, action: str | None = None) -> dict[str, str]:
    """Everything the form at `path` (the first, or the one posted to `action`) sends when submitted unchanged."""
    page = browser.get(path)
    assert page.status_code == 200, page.text
    return {**hidden_fields(page.text, action), **field_values(page.text, action)}


def post(browser: TestClient, path: str, data: dict[str, str], **headers):
    return browser.post(path, data=data, headers={"Origin": ORIGIN, **headers})


def dump(site: Path) -> str:
    """Every row of the database as SQL text: equal dumps mean nothing was written."""
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


def row(site: Path, sql: str, params: tuple = ()):
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()
