"""Every page passes the Nu Html Checker with zero errors: the demo site's, and those of
a site whose links, images and Markdown hold what a valid URL must percent-encode
(the profile `hostile`, tests/sitekit.py), where the checker used to say "Bad value
... for attribute href: Illegal character in query".

The checker is vnu.jar from the npm package vnu-jar, pinned in package.json (`npm
ci`); it needs Java 17 or newer (Debian's default-jre-headless; .ci/run installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.config import load_config
from test_published_pages import demo_site  # noqa: F401 (the demo content, built once per module)
from test_urls import hostile_output  # noqa: F401 (the fixture site with the profile `hostile`)

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The checker's one message that the HTML standard contradicts: `<link rel=expect
# href=#end blocking=render>` (templates/profile.html: the page is drawn once, whole, so
# nothing shifts while it is parsed) is valid HTML since the standard added the `expect`
# link type, whose blocking=render is what it is for; vnu-jar 26.9.27 still allows
# `blocking` only with rel=stylesheet. Only this message, on exactly that element.
KNOWN_CHECKER_LAG = ("A \u201clink\u201d element with a \u201cblocking\u201d attribute must have a "
                     "\u201crel\u201d attribute whose value is \u201cstylesheet\u201d.")
RENDER_GATE = "<link rel=expect href=#end blocking=render>"


def nu_html_checker_errors(pages: list[Path]) -> list[str]:
    """The checker's errors on `pages`, one line each: file, line and message."""
    java = shutil.which("java")
    if not java:
        pytest.skip("java is not installed (apt-get install default-jre-headless)")
    if not VNU.is_file():
        pytest.skip("vnu.jar is not installed: run `npm ci` (vnu-jar is pinned in package.json)")
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return [f"{Path(message.get('url', '?')).name}:{message.get('lastLine', '?')}: {message['message']}"
            + (f" ({message['extract'].strip()!r})" if message.get("extract") else "")
            for message in messages
            if not (message["message"] == KNOWN_CHECKER_LAG and RENDER_GATE in message.get("extract", ""))]


@pytest.mark.slow  # two builds and one run of the checker: ~8 s here
def test_every_page_passes_the_nu_html_checker(demo_site, hostile_output):  # noqa: F811
    output = load_config(demo_site).output
    # The profiles' pages, and their items' detail pages (<username>/<slug>.html).
    pages = sorted(output.glob("*.html")) + sorted(output.glob("*/*.html")) + sorted(hostile_output.glob("*.html"))
    names = {page.name for page in pages}
    assert {"ana.html", "hostile.html", "index.html", "404.html", "khoa-hoc-thiet-ke.html"} <= names \
        and len(pages) >= 18, names
    errors = nu_html_checker_errors(pages)
    assert not errors, f"{len(errors)} errors in {len(pages)} pages:\n" + "\n".join(errors)
