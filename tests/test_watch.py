"""Watching: what the filter lets through, and real rebuilds after real changes."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import watchfiles

import generator.build.build as building
from generator.data import db
from generator.build.build import build
from generator.config import load_config
from generator.preview.server import Preview, serving
from generator.preview.watch import RootFilter, SiteFilter, Watcher, rebuild, rebuild_on_change, watched_folders
from sitekit import execute, make_site

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_filter_ignores_output_caches_and_editor_files(site):
    config = load_config(site)
    keep, drop = SiteFilter(config), watchfiles.Change.modified
    content = site / "content"
    for path in (content / "bio.db", content / "bio.db-wal", content / "images" / "a.jpg",
                 site / "templates" / "profile.html", site / "assets" / "style.css"):
        assert keep(drop, str(path)), path
    for path in (site / "dist", site / "dist" / "ana.html", site / ".dist.trees" / "a" / "ana.html",
                 site / ".dist.swap", content / "bio.db-shm", content / "bio.db-journal",
                 site / ".biogen" / "cache" / "x", site / "templates" / "__pycache__" / "x.pyc",
                 site / ".git" / "index", site / "templates" / ".profile.html.swp", site / "templates" / "x.html~",
                 site / "templates" / ".#profile.html", site / "templates" / "4913"):
        assert not keep(drop, str(path)), path
    top = RootFilter(config)
    assert top(drop, str(site / "biogen.toml")) and top(drop, str(site / "wrangler.toml"))
    assert top(drop, str(site / "templates"))  # created: now watched
    assert top(drop, str(site / "translations")) and top(drop, str(site / "themes"))
    assert not top(drop, str(site / "README.md")) and not top(drop, str(site / "dist"))


def test_watched_folders_are_the_build_inputs_not_the_site_folder(site):
    folders = watched_folders(load_config(site))
    assert (site / "content").resolve() in folders
    assert (REPO / "templates") in folders and (REPO / "migrations") in folders
    assert (REPO / "translations") in folders  # the pages' words
    assert (REPO / "themes") in folders
    assert site.resolve() not in folders  # the top is watched without descending


class Running:
    """A site served with --watch, in this process."""

    def __init__(self, site: Path, server, preview: Preview, builds: list):
        self.site, self.server, self.preview, self.builds = site, server, preview, builds

    def page(self, path: str) -> str:
        try:
            with urllib.request.urlopen(self.server.url.rstrip("/") + path, timeout=10) as response:
                return response.read().decode()
        except urllib.error.HTTPError as error:
            return error.read().decode()

    def wait_for(self, predicate, timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"not seen within {timeout} s; failure: {self.preview.failure}")


@contextlib.contextmanager
def watching(site: Path):
    builds = []

    def counted(config, **options):
        builds.append(time.monotonic())
        return building.build(config, **options)  # looked up each time: a test may replace it

    config = load_config(site)
    preview = Preview(config.output, live=True)
    stop = threading.Event()
    watcher = Watcher(config, stop)
    assert watcher.wait_ready()
    rebuild(site, preview, lambda message: None)
    thread = threading.Thread(target=rebuild_on_change, args=(site, preview, watcher, stop, lambda m: None),
                              kwargs={"build": counted})
    thread.start()
    try:
        with serving(preview) as server:
            yield Running(site, server, preview, builds)
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_a_database_change_by_another_program_is_rebuilt_and_served(site):
    with watching(site) as running:
        assert "Ana Souza" in running.page("/ana")
        execute(site, "UPDATE profiles SET display_name = 'Ana Changed' WHERE username = 'ana'")
        running.wait_for(lambda: "Ana Changed" in running.page("/ana"))


def test_a_burst_of_commits_is_one_rebuild_and_nothing_loops(site):
    with watching(site) as running:
        time.sleep(0.5)
        before = len(running.builds)
        conn = sqlite3.connect(site / "content" / "bio.db")
        for number in range(10):
            with conn:
                conn.execute("UPDATE profiles SET tagline = ? WHERE username = 'ana'", (f"tagline {number}",))
        conn.close()
        running.wait_for(lambda: "tagline 9" in running.page("/ana"))
        time.sleep(1.0)  # builds open and close the database: that must not trigger more builds
        assert 1 <= len(running.builds) - before <= 3, running.builds


def test_a_failed_rebuild_keeps_the_site_and_shows_where_until_fixed(site):
    with watching(site) as running:
        execute(site, "UPDATE bio_links SET url = 'javascript:alert(1)' WHERE id = 'b1'")
        page = running.wait_for(lambda: (lambda p: "biogen-preview-error" in p and p)(running.page("/ana")))
        assert "profile &#x27;ana&#x27;: bio_links row &#x27;b1&#x27;, column url" in page
        assert "Ana Souza" in page  # the last good site
        execute(site, "UPDATE bio_links SET url = 'https://fixed.example' WHERE id = 'b1'")
        running.wait_for(lambda: "fixed.example" in running.page("/ana"))
        assert "biogen-preview-error" not in running.page("/ana") and running.preview.failure is None


def test_a_template_change_is_rebuilt(site):
    (site / "templates").mkdir()
    (site / "templates" / "404.html").write_text("<html><head></head><body>first 404</body></html>")
    with watching(site) as running:
        assert "first 404" in running.page("/nobody")
        (site / "templates" / "404.html").write_text("<html><head></head><body>second 404</body></html>")
        running.wait_for(lambda: "second 404" in running.page("/nobody"))


def test_a_template_syntax_error_is_shown_with_file_and_line_even_with_workers(site, monkeypatch):
    monkeypatch.setattr(building, "PARALLEL_MIN_PROFILES", 1)  # render in worker processes
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "workers = 2\n")
    (site / "templates").mkdir()
    good = (REPO / "templates" / "404.html").read_text()
    (site / "templates" / "404.html").write_text(good)
    with watching(site) as running:
        (site / "templates" / "404.html").write_text("line one\n{% if %}\n" + good)
        page = running.wait_for(lambda: (lambda p: "biogen-preview-error" in p and p)(running.page("/ana")))
        assert "template templates/404.html, line 2" in page
        (site / "templates" / "404.html").write_text(good)
        running.wait_for(lambda: "biogen-preview-error" not in running.page("/ana"))


def test_a_settings_change_is_rebuilt(site):
    with watching(site) as running:
        assert "Default Profile" in running.page("/")
        config = site / "biogen.toml"
        config.write_text(config.read_text().replace('home = "default"', 'home = "ana"'))
        running.wait_for(lambda: "Ana Souza" in running.page("/"))


def test_a_new_migration_says_to_run_biogen_migrate(site):
    migrations = site / "migrations"
    migrations.mkdir()
    for path in sorted((REPO / "migrations").glob("*.sql")):
        (migrations / path.name).write_text(path.read_text())
    with watching(site) as running:
        (migrations / "0099_add_theme.sql").write_text("ALTER TABLE profiles ADD COLUMN theme TEXT;\n")
        page = running.wait_for(lambda: (lambda p: "biogen-preview-error" in p and p)(running.page("/ana")))
        assert "0099_add_theme.sql" in page and "biogen migrate" in page
        conn = db.connect(site / "content" / "bio.db")
        from generator.data.migrate import apply_pending
        apply_pending(conn, migrations)
        conn.close()
        running.wait_for(lambda: "biogen-preview-error" not in running.page("/ana"))


def test_an_editor_holding_a_write_transaction_does_not_stop_the_preview(site):
    with watching(site) as running:
        editor = sqlite3.connect(site / "content" / "bio.db", isolation_level=None)
        editor.execute("BEGIN IMMEDIATE")
        editor.execute("UPDATE profiles SET display_name = 'Ana Later' WHERE username = 'ana'")
        (site / "content" / "touch.txt").write_text("a change while the editor holds the write lock")
        time.sleep(0.5)
        assert "Ana Souza" in running.page("/ana") and running.preview.failure is None
        editor.execute("COMMIT")
        editor.close()
        running.wait_for(lambda: "Ana Later" in running.page("/ana"))


def test_a_locked_database_is_retried_without_another_change(site, monkeypatch):
    attempts = []

    def locked_twice(config, **options):
        attempts.append(1)
        if len(attempts) <= 2:
            raise sqlite3.OperationalError("database is locked")
        return build(config, **options)

    with watching(site) as running:
        monkeypatch.setattr("generator.build.build.build", locked_twice)
        running.builds.clear()
        execute(site, "UPDATE profiles SET display_name = 'Ana Retried' WHERE username = 'ana'")
        running.wait_for(lambda: running.preview.failure and "locked" in str(running.preview.failure))
        assert "Ana Souza" in running.page("/ana")
        running.wait_for(lambda: "Ana Retried" in running.page("/ana"))
        assert running.preview.failure is None


def test_ctrl_c_stops_the_server_and_the_watcher(site):
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--watch", "--port", "0",
                                "--site", str(site)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        while "serving" not in line:
            assert line, process.stderr.read()
            line = process.stdout.readline()
        url = line.split(" at ")[1].split()[0].rstrip(";")
        with urllib.request.urlopen(url + "ana", timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err
