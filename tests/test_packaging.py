"""The wheel carries the templates, assets, themes, translations, migrations and the social
card's fonts: an installed biogen builds any folder."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_builds_a_bare_site_folder(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path / "wheel")],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "wheel").glob("biogen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("generator/_site/templates/profile.html", "generator/_site/assets/style.css",
                 "generator/_site/themes/classic.css", "generator/_site/themes/minimal.css",
                 "generator/_site/themes/bold.css",
                 *(f"generator/_site/translations/{tag}.json" for tag in ("en", "vi", "es", "ar", "ja")),
                 "generator/_site/migrations/0001_initial_schema.sql", "generator/build/icons.json",
                 *(f"generator/share/fonts/{font}" for font in (
                     "card-regular.ttf", "card-bold.ttf", "card-cjk.ttf", "card-emoji.ttf", "coverage-text.txt",
                     "coverage-cjk.txt", "coverage-emoji.txt", "LICENSE-DejaVu.txt", "LICENSE-DroidSansFallback.txt",
                     "LICENSE-Twemoji.txt")),
                 # The editor's own templates, stylesheet and script (`biogen edit`), served from the package.
                 "generator/editor/templates/profile.html", "generator/editor/templates/base.html",
                 "generator/editor/static/editor.css", "generator/editor/static/editor.js"):
        assert name in names
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    site = tmp_path / "bare-site"
    site.mkdir()
    (site / "biogen.toml").write_text('base_url = "https://bare.example.com"\nlanguage = "ja"\n')
    run = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(installed)!r}); "
                                 "from generator.cli import main; main()", "build"]
    result = subprocess.run(run, cwd=site, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert str(installed) in subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(installed)!r}); import generator; print(generator.__file__)"],
        capture_output=True, text=True).stdout
    page = (site / "dist" / "default.html").read_text()
    assert "Default Profile" in page and '<link rel=stylesheet href=/assets/style.' in page
    assert '<html lang=ja>' in page
    assert "<h1>ページが見つかりません</h1>" in (site / "dist" / "404.html").read_text()  # the packaged words
    # A profile with a built-in theme of its own: the themes shipped in the wheel.
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        conn.execute("INSERT INTO profile_settings (profile_id, theme) VALUES ('default-profile-id', 'bold')")
    conn.close()
    result = subprocess.run(run, cwd=site, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '<link rel=stylesheet href=/assets/t/' in (site / "dist" / "default.html").read_text()
