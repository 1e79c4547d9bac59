"""Rendered output compared with tests/golden/ (regenerate with `pytest --update-golden`)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from sitekit import build_site, make_site

GOLDEN = Path(__file__).parent / "golden"
FILES = ["ana.html", "minimal.html", "rtl.html", "linh.example.com.html", "404.html", "sitemap.xml",
         "robots.txt", "_headers", "api/profiles/ana.json", "api/profiles/linh.example.com.json"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("golden") / "site")
    build_site(site)
    return site / "dist"


@pytest.mark.parametrize("name", FILES)
def test_output_matches_golden_file(built, name, update_golden):
    actual = (built / name).read_text(encoding="utf-8")
    golden = GOLDEN / name.replace("/", "__")
    if update_golden:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        return
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"golden/{golden.name}", f"dist/{name}"))
        pytest.fail(f"{name} differs from its golden file (run pytest --update-golden if intended):\n{diff}")
