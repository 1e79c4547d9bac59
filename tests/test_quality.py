"""Quality in a real browser, on every kind of profile and on the directory of profiles:
layout, accessibility (axe-core), keyboard, Lighthouse and the page budget, on the built
demo site served the way Cloudflare Pages serves it (_headers included), in Debian's
headless Chromium.

Each check is one test per profile, viewport and colour scheme, so a failure names all
three and the rule. Screenshots of every profile at both sizes and in both schemes go
to $BIOGEN_SCREENSHOTS (default: `screenshots/` under pytest's basetemp); the run
prints the folder at the end. axe-core and Lighthouse are pinned in
tests/browser-tools (`npm ci --prefix tests/browser-tools`; CI installs them).
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.config import load_config
from generator.preview.server import Preview, serving
from test_browser import CHROMIUM, CHROMIUM_ARGS, launched_chromium
from sitekit import build_site
from test_published_pages import REPO, demo_site  # noqa: F401 (the demo content, built once per module)

TOOLS = Path(__file__).resolve().parent / "browser-tools" / "node_modules"
AXE = TOOLS / "axe-core" / "axe.min.js"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
INSTALL_TOOLS = "run `npm ci --prefix tests/browser-tools` (pinned axe-core and Lighthouse)"

# Every kind of profile a user can make, by the demo profile that is that kind.
PROFILES = {
    "full": "ana",                  # every section at its largest
    "minimal": "minimal",           # a name only
    "long-text": "long-text",
    "rtl": "rtl",                   # Arabic
    "emoji": "linh.example.com",    # Vietnamese with emoji
    "many-links": "many-links",     # 50 links
    "no-images": "no-images",
}
# The directory of profiles (directory = true), on the demo site with 250 more profiles:
# its first page and a middle one, whose index has rows past the first letters.
DIRECTORY_PAGES = {"directory": "", "directory-page": "page/2"}
# Every theme (generator/build/themes.py) on the full, minimal and right-to-left profiles:
# copies of those demo profiles named <username>-<theme>, on the demo site, each with an
# accent and a button shape of its own, the right-to-left ones in Arabic (classic's look
# without settings is the above).
THEME_LOOKS = {"classic": ("#b4235a", "square"), "minimal": (None, "rounded"), "bold": ("#0b5cad", "pill")}
# "emoji" (linh.example.com) has items' details: products in groups with badges and
# descriptions, a scheduled product, and links to two detail pages, one of which each
# theme's copy also shows (DETAIL_PAGE).
THEMED_KINDS = ("full", "minimal", "rtl", "emoji")
DETAIL_PAGE = "khoa-hoc-thiet-ke-co-ban"
THEMED_PAGES = {f"theme-{theme}-{kind}": f"{PROFILES[kind]}-{theme}" for theme in THEME_LOOKS for kind in THEMED_KINDS}
THEMED_PAGES.update({f"theme-{theme}-detail": f"{PROFILES['emoji']}-{theme}/{DETAIL_PAGE}" for theme in THEME_LOOKS})
# A link's detail page (/<username>/<slug>) and a product's, in the default look.
DETAIL_PAGES = {"detail": f"{PROFILES['emoji']}/{DETAIL_PAGE}", "detail-product": f"{PROFILES['emoji']}/khoa-hoc-thiet-ke"}
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
SCHEMES = ("light", "dark")
CASES = [pytest.param(kind, viewport, scheme, id=f"{kind}-{viewport}-{scheme}")
         for kind in [*PROFILES, *DETAIL_PAGES, *DIRECTORY_PAGES, *THEMED_PAGES] for viewport in VIEWPORTS
         for scheme in SCHEMES]

# WCAG 2.1 AA, colour contrast included (axe's wcag2aa tag holds color-contrast).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The full demo profile's budget: LittleLink sends 54.8 KB of HTML and CSS.
HTML_CSS_BUDGET = 16 * 1024
TRANSFER_BUDGET = 250 * 1024
# The full demo profile and the minimal one, as issue 7 names them.
LIGHTHOUSE_PROFILES = ["full", "minimal"]
# Performance is the median of the runs, as Lighthouse CI takes it (Lighthouse's
# docs/variability.md: scores move with the machine's load; the median of 5 runs is
# twice as stable as one run). The page runs no script: its Total Blocking Time is
# the wall time of a few main-thread tasks, measured unthrottled and multiplied by
# Lighthouse (x2 for a task with a layout, x4 for others; each counts past 50 ms):
# the first style and layout (10-20 ms of CPU on ana, plus 13 synchronous font
# lookups in the browser process), the parser's chunks, the 8 social icons' SVG
# documents, and Lighthouse's own V8 context set-up, whichever ends after its
# estimate of the first paint. On this shared 2-core machine those stretch 2-4x with
# the load (ana's first layout: 10-20 ms of CPU in 30-100 ms of wall time), so TBT
# on ana ran 25-246 ms at load 5-6 and the score 96-100: asserted on the median.
# Layout shift is not noise: every run of every profile must have CLS 0 (the page
# is drawn once, whole; see test_a_phone_sees_no_layout_shift_...), and the full
# profile gets 5 runs (~15 s each), as the issue asks. Accessibility, Best
# Practices and SEO do not vary: every run must score 100.
LIGHTHOUSE_RUNS = {"full": 5, "minimal": 3}
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_url(demo_site):  # noqa: F811
    """The built demo site, served as Pages serves it (its _headers apply)."""
    with serving(Preview(load_config(demo_site).output, live=False)) as server:
        yield server.url


@pytest.fixture(scope="module")
def directory_url(tmp_path_factory):
    """The demo site with `directory = true` and 250 more profiles (three pages), served."""
    site = tmp_path_factory.mktemp("directory") / "site"
    shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(REPO / name, site / name)
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "directory = true\n")
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        conn.executemany("INSERT INTO profiles (id, username, display_name) VALUES (?, ?, ?)",
                         [(f"d{n}", f"creator-{n:03d}", f"Creator {n}") for n in range(250)])
    conn.close()
    build_site(site)
    with serving(Preview(load_config(site).output, live=False)) as server:
        yield server.url


def clone_profile(conn: sqlite3.Connection, username: str, suffix: str) -> str:
    """A copy of a profile and its rows, named `<username>-<suffix>`; returns its id."""
    (profile_id,) = conn.execute("SELECT id FROM profiles WHERE username = ?", (username,)).fetchone()
    for table, key in (("profiles", "id"), ("social_links", "profile_id"), ("bio_links", "profile_id"),
                       ("products", "profile_id"), ("carousel_items", "profile_id"), ("item_details", "profile_id")):
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        values = [f"{name} || '-{suffix}'" if name in ("id", "profile_id", "username", "item_id") else name
                  for name in columns]
        conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {table} "
                     f"WHERE {key} = ?", (profile_id,))
    return f"{profile_id}-{suffix}"


@pytest.fixture(scope="module")
def themed_url(demo_site, tmp_path_factory):  # noqa: F811
    """The demo site with THEMED_PAGES: the full, minimal and right-to-left profiles again in
    every theme, with an accent and a button shape (the image cache comes along: no encoding)."""
    site = tmp_path_factory.mktemp("themed") / "site"
    shutil.copytree(demo_site / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    shutil.copytree(demo_site / ".biogen", site / ".biogen")
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(demo_site / name, site / name)
    conn = sqlite3.connect(site / "content" / "bio.db")
    with conn:
        for theme, (accent, shape) in THEME_LOOKS.items():
            for kind in THEMED_KINDS:
                profile_id = clone_profile(conn, PROFILES[kind], theme)
                # The right-to-left copies are in Arabic: lang=ar dir=rtl, the words translated.
                conn.execute("INSERT INTO profile_settings (profile_id, theme, accent, button_shape, language) "
                             "VALUES (?, ?, ?, ?, ?)", (profile_id, theme, accent, shape, "ar" if kind == "rtl" else None))
                if kind == "emoji":
                    # Its avatar is a remote URL, which an offline machine cannot load: Lighthouse
                    # counts the failed request as a console error (Best Practices 96). The copies
                    # show the initial instead; what they test is the items' details.
                    conn.execute("UPDATE profiles SET avatar_url = NULL WHERE id = ?", (profile_id,))
    conn.close()
    build_site(site)
    with serving(Preview(load_config(site).output, live=False)) as server:
        yield server.url


@pytest.fixture(scope="module")
def chromium():
    with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def screenshots(request, tmp_path_factory) -> Path:
    """Where the screenshots go; tests/conftest.py prints it at the end of the run."""
    folder = Path(os.environ.get("BIOGEN_SCREENSHOTS") or tmp_path_factory.getbasetemp() / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    request.config.biogen_screenshots = folder
    return folder


class Visit:
    """One profile open in one viewport and scheme, with what the browser reported."""

    def __init__(self, chromium, site_url, kind, viewport, scheme):
        path = {**PROFILES, **DETAIL_PAGES, **DIRECTORY_PAGES, **THEMED_PAGES}[kind]
        self.where = f"{kind} (/{path}), {viewport} {VIEWPORTS[viewport]['width']}x" \
                     f"{VIEWPORTS[viewport]['height']}, {scheme}"
        self.context = chromium.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme,
                                            is_mobile=viewport == "phone", has_touch=viewport == "phone",
                                            device_scale_factor=2 if viewport == "phone" else 1)
        self.page = self.context.new_page()
        self.console, self.failed = [], []
        origin = urlsplit(site_url).netloc
        # A remote image that cannot be fetched offline is not the site's failure.
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}")
                     if m.type in ("error", "warning") and not (
                         m.text.startswith("Failed to load resource")
                         and urlsplit(m.location.get("url") or "").netloc != origin) else None)
        self.page.on("pageerror", lambda error: self.console.append(f"error: {error}"))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})")
                     if urlsplit(r.url).netloc == origin else None)
        self.page.on("response", lambda r: self.failed.append(f"{r.url} (HTTP {r.status})")
                     if r.status >= 400 and urlsplit(r.url).netloc == origin else None)
        self.page.goto(site_url + path, wait_until="load")
        # Lazy images below the fold load too: scroll to the end and back.
        self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        self.page.wait_for_load_state("networkidle")
        self.page.evaluate("window.scrollTo(0, 0)")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(request, chromium, site_url):
    opened = []

    def open_(kind, viewport, scheme):
        url = (request.getfixturevalue("directory_url") if kind in DIRECTORY_PAGES else
               request.getfixturevalue("themed_url") if kind in THEMED_PAGES else site_url)
        opened.append(Visit(chromium, url, kind, viewport, scheme))
        return opened[-1]
    yield open_
    for one in opened:
        one.close()


# Elements that hide overflow on purpose: the cover crops its image, a card its
# background, the carousel scrolls sideways. Their text must still fit.
CLIPPED = """() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden' || el.closest('svg')) continue;
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const inCarousel = el.closest('.carousel') && el !== el.closest('.carousel');
    if (!inCarousel && (box.left < -0.5 || box.right > width + 0.5))
      problems.push(`${name} reaches outside the viewport (${Math.round(box.left)}..${Math.round(box.right)} of ${width}px)`);
    const hides = /(hidden|clip)/.test(style.overflowX + style.overflowY);
    if (hides && el.tagName !== 'IMG' && !el.matches('.cover')) {
      for (const text of el.querySelectorAll('h1,h2,h3,p,span,a')) {
        const inner = text.getBoundingClientRect(), outer = box;
        if (inner.width && (inner.left < outer.left - 0.5 || inner.right > outer.right + 0.5 ||
            inner.top < outer.top - 0.5 || inner.bottom > outer.bottom + 0.5))
          problems.push(`${text.tagName.toLowerCase()} "${text.textContent.trim().slice(0, 30)}" is clipped by ${name}`);
      }
    }
    if (/^(H1|H2|H3|P|SPAN|A)$/.test(el.tagName) && el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible')
      problems.push(`${name} "${el.textContent.trim().slice(0, 30)}" cuts its own text`);
  }
  return problems;
}"""


@pytest.mark.parametrize("kind, viewport, scheme", CASES)
def test_layout_fits_loads_everything_and_logs_nothing(visit, screenshots, kind, viewport, scheme):
    opened = visit(kind, viewport, scheme)
    page = opened.page
    page.screenshot(path=str(screenshots / f"{kind}-{viewport}-{scheme}.png"), full_page=True)
    problems = [f"horizontal overflow: the page scrolls sideways by {overflow}px"
                for overflow in [page.evaluate("document.documentElement.scrollWidth - window.innerWidth")]
                if overflow > 0]
    problems += [f"clipped: {text}" for text in page.evaluate(CLIPPED)]
    problems += [f"console: {text}" for text in opened.console]
    problems += [f"failed request to the site: {url}" for url in opened.failed]
    broken = page.evaluate("[...document.images].filter(i => i.currentSrc.startsWith(location.origin)"
                           " && !(i.complete && i.naturalWidth)).map(i => i.currentSrc)")
    problems += [f"image did not load: {url}" for url in broken]
    assert not problems, f"{opened.where}:\n  " + "\n  ".join(problems)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed: {INSTALL_TOOLS}")
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind, viewport, scheme", CASES)
def test_axe_finds_no_wcag_21_aa_violation(visit, axe_source, kind, viewport, scheme):
    opened = visit(kind, viewport, scheme)
    # Evaluated through DevTools, so the page's CSP (no script at all) does not block it.
    opened.page.evaluate(axe_source)
    result = opened.page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                                  " resultTypes: ['violations']})", AXE_TAGS)
    problems = [f"axe {v['id']} ({v['impact']}): {v['help']}; " +
                "; ".join(f"{' '.join(map(str, n['target']))}: {n['failureSummary'].splitlines()[-1].strip()}"
                          for n in v["nodes"][:5])
                for v in result["violations"]]
    assert not problems, f"{opened.where}:\n  " + "\n  ".join(problems)


KEYBOARD = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const ring = [getComputedStyle(el), getComputedStyle(el, '::after')]
    .find(s => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2);
  return {href: el.getAttribute('href'), text: (el.getAttribute('aria-label') || el.textContent).trim().slice(0, 40),
          top: box.top + scrollY, bottom: box.bottom + scrollY, left: box.left + scrollX, right: box.right + scrollX,
          ring: ring ? ring.outlineColor : null, background: getComputedStyle(document.body).backgroundColor};
}"""


@pytest.mark.parametrize("kind, viewport, scheme", CASES)
def test_every_link_is_reached_with_tab_in_visual_order_with_a_focus_ring(visit, kind, viewport, scheme):
    opened = visit(kind, viewport, scheme)
    page = opened.page
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    rtl = page.evaluate("document.documentElement.dir === 'rtl'")
    # Where each link is before anything scrolls (focusing scrolls the carousel).
    boxes = page.evaluate("""[...document.querySelectorAll('a[href]')].map(a => {
        const b = a.getBoundingClientRect(); return [b.top, b.bottom, b.left, b.right]; })""")
    problems, reached = [], []
    for _ in range(len(links) + 1):
        page.keyboard.press("Tab")
        focused = page.evaluate(KEYBOARD)
        if focused["href"] is None:
            break
        reached.append(focused["href"])
        if not focused["ring"]:
            problems.append(f"no visible focus ring on {focused['text']!r} ({focused['href']})")
    if reached != links:
        missing = [href for href in links if href not in reached]
        problems.append(f"Tab reached {len(reached)} of {len(links)} links"
                        + (f"; never reached: {missing[:5]}" if missing else "; in another order than the page's"))
    for (before, after), (href_before, href_after) in zip(zip(boxes, boxes[1:]), zip(links, links[1:])):
        same_row = after[0] < before[1] - 1 and before[0] < after[1] - 1
        forward = (after[2] >= before[3] - 1) if not rtl else (after[3] <= before[2] + 1)
        if not (after[0] >= before[1] - 1 or (same_row and forward) or after[0] > before[0] + 1):
            problems.append(f"Tab goes from {href_before} to {href_after}, which comes before it on screen")
    assert not problems, f"{opened.where}:\n  " + "\n  ".join(problems)


# Lighthouse's phone (Moto G Power): 412x823 at 1.75x, its CPU 4x slower than this one.
LIGHTHOUSE_PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75,
                    "is_mobile": True, "has_touch": True}
SHIFTS = """() => new Promise(done => {
  const shifts = [];
  new PerformanceObserver(list => shifts.push(...list.getEntries().map(e => `${e.value.toFixed(4)} at ${Math.round(e.startTime)} ms: ` +
      e.sources.map(s => `${s.node ? s.node.nodeName.toLowerCase() + (s.node.className ? '.' + s.node.className : '') : '?'} ` +
        `${Math.round(s.previousRect.x)},${Math.round(s.previousRect.y)} -> ${Math.round(s.currentRect.x)},${Math.round(s.currentRect.y)}`).join(', '))))
    .observe({type: 'layout-shift', buffered: true});
  setTimeout(() => done(shifts), 600);
})"""


@contextlib.contextmanager
def trickling(site_url: str):
    """The site at `site_url` through a proxy that can hold one page's HTML back halfway,
    as a slow network delivers a page in pieces: set `proxy.hold = (path, offset)` and
    the proxy sends that page's first `offset` bytes, waits, then sends the rest."""
    upstream = urlsplit(site_url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
            connection.request("GET", self.path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("connection", "transfer-encoding", "server", "date"):
                    self.send_header(name, value)
            self.end_headers()
            path, offset = self.server.hold or (None, 0)
            if self.path == path:
                self.wfile.write(body[:offset])
                self.wfile.flush()
                time.sleep(0.6)  # long enough for the stylesheet, a frame and a paint
                body = body[offset:]
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.daemon_threads = True
    proxy.hold = None
    proxy.url = f"http://127.0.0.1:{proxy.server_address[1]}/"
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()


def _pauses(html: bytes) -> list[int]:
    """Where a page's HTML is held back: before the second item of each list (a centred
    row of social icons re-centres as items arrive; a card's content sits at its
    bottom) and halfway through the body."""
    body = html.index(b"<body>")
    offsets = {html.index(b"<", body + (len(html) - body) // 2)}
    for match in re.finditer(rb'<ul class="?(\w+)', html):
        items = [item.start() for item in re.finditer(rb"<li", html[match.end():html.index(b"</ul>", match.end())])]
        if len(items) > 1:
            offsets.add(match.end() + items[1])
    return sorted(offsets)


@pytest.mark.parametrize("kind", PROFILES)
def test_a_phone_sees_no_layout_shift_even_from_html_that_arrives_in_pieces(demo_site, site_url, chromium, kind):  # noqa: F811
    # The page is drawn once, whole (templates/profile.html: rel=expect): before, the
    # first paint came from whatever the parser had reached when the stylesheet arrived,
    # and what came next moved it (ana's social icons: CLS 0.0135 in 5 of 8 loads at 4x
    # throttling; 0.014 in 1 of 3 Lighthouse runs). Image boxes are sized by width and
    # height, so an image that loads late moves nothing either.
    name = PROFILES[kind]
    html = (load_config(demo_site).output / f"{name}.html").read_bytes()
    problems = []
    with trickling(site_url) as proxy:
        for offset in [None, *_pauses(html)]:
            proxy.hold = ("/" + name, offset) if offset else None
            context = chromium.new_context(**LIGHTHOUSE_PHONE)
            page = context.new_page()
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
            page.goto(proxy.url + name, wait_until="load")
            where = f"HTML held back at byte {offset:,} ({html[offset:offset + 30].decode(errors='replace')}...)" \
                if offset else "HTML in one piece"
            problems += [f"{where}: layout shift {shift}" for shift in page.evaluate(SHIFTS)]
            context.close()
    assert not problems, f"{kind} ({name}), phone 412x823, CPU 4x slower:\n  " + "\n  ".join(problems)


def _weigh(chromium, url: str, density: float) -> tuple[int, list[str]]:
    """Bytes a phone transfers for `url` (lazy images included): text gzip-compressed as
    Pages sends it (the preview server does not compress), headers as sent."""
    context = chromium.new_context(viewport=VIEWPORTS["phone"], device_scale_factor=density, is_mobile=True)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    for y in range(0, 30_000, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
    page.wait_for_load_state("networkidle")
    total, scripts = 0, []
    for response in responses:
        body = response.body() if response.ok else b""
        kind = (response.headers.get("content-type") or "").split(";")[0]
        if "javascript" in kind or response.request.resource_type == "script":
            scripts.append(response.url)
        text = kind.startswith("text/") or kind in ("image/svg+xml", "application/json")
        total += (len(gzip.compress(body, 9)) if text else len(body)) + response.request.sizes()["responseHeadersSize"]
    context.close()
    return total, scripts


def _html_and_css(output: Path, name: str) -> tuple[int, int]:
    """Uncompressed bytes of a page and of the stylesheets it links, as built."""
    html = (output / name).read_text(encoding="utf-8")
    sheets = re.findall(r'<link rel="?stylesheet"? href="?([^" >]+)', html)
    assert sheets, f"{name} links no stylesheet this test can find"  # else the budget would hold for nothing
    return len(html.encode()), sum((output / href.lstrip("/")).stat().st_size for href in sheets)


def test_the_full_profile_sends_at_most_16_kb_of_html_and_css(demo_site):  # noqa: F811
    # ana.html 11,388 + style.css 4,786 = 16,174 bytes: 210 under, with issue 16's
    # og:image:width/height/alt and twitter:image (209 bytes) and aria-labelledby on the
    # sections (69), paid for by attribute values without quotes where HTML allows
    # (generator.build.attributes, 202). What made the room before (from 17,415): the 404
    # page's and the directory's rules in their own stylesheet, plain vw in `sizes`, no
    # line breaks or optional end tags between elements, and unquoted number and keyword
    # attributes (see templates/profile.html, picture.html).
    html, css = _html_and_css(load_config(demo_site).output, "ana.html")
    assert html + css <= HTML_CSS_BUDGET, (
        f"full (ana), page budget: HTML+CSS is {html + css:,} bytes, over {HTML_CSS_BUDGET:,} "
        f"(ana.html {html:,}, CSS {css:,})")


@pytest.fixture(scope="module")
def look_site(demo_site, tmp_path_factory):  # noqa: F811
    """A copy of the built demo site whose `ana` changes look from test to test."""
    site = tmp_path_factory.mktemp("looks") / "site"
    shutil.copytree(demo_site / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    shutil.copytree(demo_site / ".biogen", site / ".biogen")
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(demo_site / name, site / name)
    return site


# An accent every theme accepts, in the light scheme and (as a shade of it) in the dark.
BUDGET_ACCENT = "#0b5cad"


@pytest.mark.parametrize("shape", ["rounded", "pill", "square"])
@pytest.mark.parametrize("theme", list(THEME_LOOKS))
def test_the_full_profile_stays_within_16_kb_in_every_theme_and_button_shape(look_site, theme, shape):
    # The stylesheet is style.css's layout, the theme and ana's accent and shape (written into
    # the theme's own custom properties, so they cost no bytes). Measured with any shape:
    # classic 16,170, minimal 16,219, bold 16,310 bytes at most (README, "Themes"), with the
    # share kit (ProfilePage structured data with its products' Offers, ~900 bytes; the
    # footer's QR code, address and contact card link, ~150; og:image's width, height and
    # alt and twitter:image, 209) paid for by markup (templates/profile.html, head.html, picture.html;
    # render_context.IMAGE_SIZES) and by the layout's declarations a theme overrides,
    # left out of its stylesheet (generator.build.overrides, ~120 in minimal and bold).
    conn = sqlite3.connect(look_site / "content" / "bio.db")
    with conn:
        conn.execute("INSERT INTO profile_settings (profile_id, theme, accent, button_shape) "
                     "SELECT id, ?, ?, ? FROM profiles WHERE username = 'ana' ON CONFLICT (profile_id) DO UPDATE SET "
                     "theme = excluded.theme, accent = excluded.accent, button_shape = excluded.button_shape",
                     (theme, BUDGET_ACCENT, shape))
    conn.close()
    build_site(look_site)
    output = load_config(look_site).output
    html, css = _html_and_css(output, "ana.html")
    assert "/assets/t/" in (output / "ana.html").read_text()  # its own stylesheet was measured
    print(f"ana in {theme}, {shape}, accent {BUDGET_ACCENT}: HTML {html:,} + CSS {css:,} = {html + css:,} bytes")
    assert html + css <= HTML_CSS_BUDGET, (
        f"full (ana) in theme {theme!r}, {shape}, page budget: HTML+CSS is {html + css:,} bytes, over "
        f"{HTML_CSS_BUDGET:,} (ana.html {html:,}, CSS {css:,})")


def test_the_full_profile_runs_no_script_and_a_phone_loads_at_most_250_kb(demo_site, site_url, chromium):  # noqa: F811
    html = (load_config(demo_site).output / "ana.html").read_text(encoding="utf-8")
    problems = []
    if "<script" in html.replace('<script type=application/ld+json>', ""):
        problems.append("the page has a <script> other than its JSON-LD")
    for density in (1.75, 3):
        total, scripts = _weigh(chromium, site_url + "ana", density)
        print(f"ana on a 390x844 phone at {density}x: {total / 1024:.1f} KB transferred")
        if total > TRANSFER_BUDGET:
            problems.append(f"phone at {density}x transfers {total / 1024:.1f} KB, over the 250 KB budget")
        problems += [f"JavaScript loaded: {url}" for url in scripts]
    assert not problems, "full (ana), phone 390x844:\n  " + "\n  ".join(problems)


def _lighthouse(url: str, report: Path, extra_flags: list[str] = ()) -> dict:
    """One Lighthouse run (mobile preset) on `url`: its JSON result. `extra_flags` go to Chromium."""
    # Lighthouse's default: the mobile preset (Moto G Power, simulated slow 4G).
    command = [shutil.which("node"), str(LIGHTHOUSE), url, f"--chrome-path={CHROMIUM}",
               f"--chrome-flags={' '.join([*CHROMIUM_ARGS, *extra_flags])}", "--output=json", f"--output-path={report}",
               f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}", "--quiet"]
    # Lighthouse sometimes fails to record the page load's trace ("Runtime error
    # encountered ... NO_NAVSTART": the trace lacks the main frame's navigationStart).
    # That says nothing about the page. It comes in bursts: one CI run had it 3 times in
    # a row on one case, back to back, and never again in its other ~230 runs. So such a
    # run is made again after a pause that grows (2, 5, 10, 20, 40 s), at most 5 times.
    for pause in (2, 5, 10, 20, 40, None):
        run = subprocess.run(command, capture_output=True, text=True, timeout=240)
        if run.returncode == 0 or "Runtime error encountered" not in run.stderr or pause is None:
            break
        print(f"Lighthouse could not record {url} ({run.stderr.strip().splitlines()[-1][-120:]}): "
              f"run again in {pause} s")
        time.sleep(pause)
    assert run.returncode == 0 and report.is_file(), f"Lighthouse failed on {url}: {run.stderr[-2000:]}"
    return json.loads(report.read_text(encoding="utf-8"))


# Lighthouse measures the machine's speed before each run (its BenchmarkIndex) and warns
# that "the tested device appears to have a slower CPU than Lighthouse expects" when the
# index is at most 1000 (SLOW_CPU_BENCHMARK_INDEX_THRESHOLD in its
# core/gather/driver/environment.js): its 4x CPU slowdown then stands for a phone
# slower than the one it emulates. Alone, this machine measures 1600-2800; with other
# work on its 2 shared cores, lower. A run Lighthouse itself calls unreliable so does not
# count, and is made again, at most SLOW_HOST_RUNS more times (then it counts).
SLOW_HOST_BENCHMARK_INDEX = 1000
SLOW_HOST_RUNS = 3


def _lighthouse_on_a_steady_machine(url: str, report: Path, extra_flags: list[str] = ()) -> dict:
    """One Lighthouse run on `url` that Lighthouse did not flag as made on a slow host."""
    for attempt in range(SLOW_HOST_RUNS + 1):
        result = _lighthouse(url, report, extra_flags)
        index = result["environment"]["benchmarkIndex"]
        if index > SLOW_HOST_BENCHMARK_INDEX or attempt == SLOW_HOST_RUNS:
            return result
        slow = report.with_name(f"{report.stem}-slow-host-{attempt + 1}.json")
        report.replace(slow)
        print(f"Lighthouse: benchmark index {index:.0f} (a slow host, by Lighthouse's own warning): "
              f"run again; that run's report is {slow.name}")
    raise AssertionError("unreachable")


def _failing_audits(result: dict, category: str) -> str:
    return ", ".join(f"{ref['id']} ({result['audits'][ref['id']].get('displayValue') or result['audits'][ref['id']]['score']})"
                     for ref in result["categories"][category]["auditRefs"]
                     if ref["weight"] and (result["audits"][ref["id"]]["score"] or 0) < 1
                     and result["audits"][ref["id"]]["scoreDisplayMode"] not in ("notApplicable", "manual", "informative"))


@pytest.mark.parametrize("kind", LIGHTHOUSE_PROFILES)
def test_lighthouse_scores_100_on_a_phone(site_url, screenshots, kind):
    if not LIGHTHOUSE.is_file():
        pytest.skip(f"Lighthouse is not installed: {INSTALL_TOOLS}")
    if not shutil.which("node"):
        pytest.skip("node is not installed (Lighthouse 12.2.3 needs Node 18-20)")
    runs = LIGHTHOUSE_RUNS[kind]
    results, problems = [], []
    majority = runs // 2 + 1
    for number in range(1, runs + 1):
        report = screenshots / f"lighthouse-{kind}-{number}.json"
        result = _lighthouse_on_a_steady_machine(site_url + PROFILES[kind], report)
        results.append(result)
        scores = {name: result["categories"][name]["score"] for name in LIGHTHOUSE_CATEGORIES}
        audits = result["audits"]
        shift = audits["cumulative-layout-shift"]["numericValue"]
        print(f"Lighthouse {result['lighthouseVersion']}, {kind} ({PROFILES[kind]}), mobile, run {number}: "
              + ", ".join(f"{name} {round(score * 100)}" for name, score in scores.items())
              + f"; TBT {audits['total-blocking-time']['numericValue']:.0f} ms, CLS {shift:.4f}, benchmark index "
              + f"{result['environment']['benchmarkIndex']:.0f}; long tasks (ms, as "
              + "simulated): " + (", ".join(f"{task['duration']:.0f}" for task in
                                          (audits["long-tasks"].get("details") or {}).get("items", [])) or "none"))
        problems += [f"run {number}, {name} {round(score * 100)}: {_failing_audits(result, name)}"
                     for name, score in scores.items() if name != "performance" and score != 1]
        if shift:
            moved = [item.get("node", {}).get("snippet", "?") for item in
                     (audits.get("layout-shifts", {}).get("details") or {}).get("items", [])]
            problems.append(f"run {number}, Cumulative Layout Shift {shift:.4f}: {', '.join(moved[:5]) or report}")
        perfect = sum(r["categories"]["performance"]["score"] == 1 for r in results)
        if kind != "full" and (perfect >= majority or len(results) - perfect >= majority):
            break  # the median of all the runs is known already
    if perfect < majority:
        below = sorted((r for r in results if r["categories"]["performance"]["score"] != 1),
                       key=lambda r: r["categories"]["performance"]["score"])
        problems.append(f"performance below 100 in {len(below)} of {len(results)} runs (the median of "
                        f"{runs} counts; scores "
                        + ", ".join(str(round(r["categories"]["performance"]["score"] * 100)) for r in results)
                        + f"); the best of those: {_failing_audits(below[-1], 'performance')}")
    assert not problems, f"{kind} ({PROFILES[kind]}), Lighthouse mobile:\n  " + "\n  ".join(problems)


LOOK = """() => {
  const style = selector => getComputedStyle(document.querySelector(selector));
  const body = style('body'), name = style('h1'), card = style('.cards li');
  return {page: `${body.backgroundColor} ${body.backgroundImage} ${body.color}`,
          name: `${name.fontSize} ${name.fontWeight} ${name.color}`,
          card: `${card.backgroundColor} ${card.backgroundImage} ${card.borderRadius} ${card.boxShadow} ${card.borderTopWidth}`};
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_themes_look_clearly_different(chromium, themed_url, scheme):
    # Not only another colour: the page, the name and the link cards each differ
    # between any two themes (background, type size or weight, the cards' fill,
    # corners, shadow or border), in both schemes.
    context = chromium.new_context(viewport=VIEWPORTS["phone"], color_scheme=scheme)
    looks = {}
    for theme in THEME_LOOKS:
        page = context.new_page()
        page.goto(themed_url + THEMED_PAGES[f"theme-{theme}-full"], wait_until="load")
        looks[theme] = page.evaluate(LOOK)
        page.close()
    context.close()
    alike = [f"{first} and {second}: the same {part} ({looks[first][part]})"
             for first in THEME_LOOKS for second in THEME_LOOKS if first < second
             for part in ("page", "name", "card") if looks[first][part] == looks[second][part]]
    assert not alike, f"{scheme}:\n  " + "\n  ".join(alike)


# Lighthouse emulates no colour scheme of its own: the dark runs start Chromium with
# prefers-color-scheme: dark, as a phone set to dark mode reports it.
LIGHTHOUSE_SCHEME_FLAGS = {"light": [], "dark": ["--blink-settings=preferredColorScheme=0"]}
# Performance counts as the median of 7 runs, stopping once 4 agree: the issue asks for
# the median of 3, and a median of more runs holds the page to the same score with less
# of the machine's noise (Lighthouse's docs/variability.md). The page runs no script: its
# Total Blocking Time is its first style and layout (twice the wall time, less 50 ms),
# and on this shared 2-core machine that moves with the load, not with the page: 145 runs
# of the right-to-left pages here, alone, gave TBT 0-110 ms and 5 scores of 99 (99 above
# ~95 ms), and one CI run had 3 of 4 runs of rtl-classic at 99 (TBT 96-120 ms). If a run
# is 99 with chance 0.15, a case fails 2.7% of the time on the median of 5 and 1.2% on
# the median of 7, over these 30 cases (18 before items' details added the emoji profile
# and a detail page to each theme) 56% against 30% of CI runs.
THEMED_LIGHTHOUSE_RUNS = 7


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", list(THEMED_PAGES))
def test_lighthouse_scores_100_in_every_theme_and_scheme(themed_url, screenshots, kind, scheme):
    if not LIGHTHOUSE.is_file():
        pytest.skip(f"Lighthouse is not installed: {INSTALL_TOOLS}")
    if not shutil.which("node"):
        pytest.skip("node is not installed (Lighthouse 12.2.3 needs Node 18-20)")
    results, problems, perfect = [], [], 0
    for number in range(1, THEMED_LIGHTHOUSE_RUNS + 1):
        result = _lighthouse_on_a_steady_machine(themed_url + THEMED_PAGES[kind],
                                                 screenshots / f"lighthouse-{kind}-{scheme}-{number}.json",
                                                 LIGHTHOUSE_SCHEME_FLAGS[scheme])
        results.append(result)
        scores = {name: result["categories"][name]["score"] for name in LIGHTHOUSE_CATEGORIES}
        shift = result["audits"]["cumulative-layout-shift"]["numericValue"]
        print(f"Lighthouse, {kind} (/{THEMED_PAGES[kind]}), {scheme}, run {number}: "
              + ", ".join(f"{name} {round(score * 100)}" for name, score in scores.items())
              + f"; TBT {result['audits']['total-blocking-time']['numericValue']:.0f} ms, CLS {shift:.4f}, "
              + f"benchmark index {result['environment']['benchmarkIndex']:.0f}")
        problems += [f"run {number}, {name} {round(score * 100)}: {_failing_audits(result, name)}"
                     for name, score in scores.items() if name != "performance" and score != 1]
        if shift:
            problems.append(f"run {number}, Cumulative Layout Shift {shift:.4f}")
        perfect = sum(r["categories"]["performance"]["score"] == 1 for r in results)
        if perfect > THEMED_LIGHTHOUSE_RUNS // 2 or len(results) - perfect > THEMED_LIGHTHOUSE_RUNS // 2:
            break  # the median of all the runs is known already
    if perfect <= len(results) // 2:
        problems.append(f"performance below 100 in {len(results) - perfect} of {len(results)} runs (scores "
                        + ", ".join(str(round(r["categories"]["performance"]["score"] * 100)) for r in results)
                        + f"): {_failing_audits(results[-1], 'performance')}")
    assert not problems, f"{kind} (/{THEMED_PAGES[kind]}), {scheme}, Lighthouse mobile:\n  " + "\n  ".join(problems)
