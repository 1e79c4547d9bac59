"""The files around the profile pages: assets, _headers, robots.txt, sitemap, 404."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable

from generator.config import Config
from generator.build.output import digest_bytes
from generator.data.domains import own_hostname

# Sitemaps protocol: at most 50,000 URLs per sitemap file, then a sitemap index.
SITEMAP_MAX_URLS = 50_000
# Cloudflare Pages: _headers holds at most 100 rules, each line at most 2,000 characters.
HEADERS_MAX_RULES = 100
HEADERS_MAX_LINE = 2_000

# The pages run no script and load styles only from the site; images may still be
# remote (https, or http upgraded to https). JSON-LD is a data block, which CSP
# does not treat as script. connect-src 'self' opens nothing to the page (it has no
# script), but lets tools that fetch from inside it read the site's own files:
# Lighthouse reads /robots.txt that way, and without it scores SEO 92, "unable to
# download a robots.txt file" (GoogleChrome/lighthouse#4386).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "connect-src 'self'",
    "img-src 'self' https:",
    "style-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "upgrade-insecure-requests",
])

HEADER_RULES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("/*", (
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )),
    # Hashed names never change content: browsers may keep them for a year.
    ("/assets/*", (("Cache-Control", "public, max-age=31536000, immutable"),)),
    ("/m/*", (("Cache-Control", "public, max-age=31536000, immutable"),)),  # images.MEDIA_DIR
    ("/api/*", (("Access-Control-Allow-Origin", "*"),)),
    # Contact cards (generator.share.vcard): RFC 6350's media type, so phones offer to
    # add the contact rather than show text.
    ("/*.vcf", (("Content-Type", "text/vcard; charset=utf-8"),)),
)


def escape(text: str) -> str:
    """`text` as XML character data (xml.sax.saxutils would pull in urllib, ~20 ms)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def headers_file(rules=HEADER_RULES) -> str:
    """The `_headers` file Cloudflare Pages applies to every response."""
    lines = []
    for pattern, headers in rules:
        lines.append(pattern)
        lines += [f"  {name}: {value}" for name, value in headers]
    return "\n".join(lines) + "\n"


def headers_problems(text: str) -> list[str]:
    """Where `_headers` breaks Pages' limits (rule count, line length)."""
    problems = []
    rules = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    if len(rules) > HEADERS_MAX_RULES:
        problems.append(f"_headers has {len(rules)} rules; Cloudflare Pages applies at most {HEADERS_MAX_RULES}")
    for number, line in enumerate(text.splitlines(), 1):
        if len(line) > HEADERS_MAX_LINE:
            problems.append(f"_headers line {number} is {len(line)} characters; the limit is {HEADERS_MAX_LINE}")
    return problems


def robots_txt(base_url: str) -> str:
    """robots.txt: everything may be indexed; here is the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/sitemap.xml\n"


_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?))?")


def lastmod(updated_at: object, fallback_epoch: int | None = None) -> str | None:
    """A W3C datetime from SQLite's CURRENT_TIMESTAMP text (UTC), or None."""
    match = _TIMESTAMP.match(updated_at) if isinstance(updated_at, str) else None
    if match:
        date, time = match.groups()
        if not time:
            return date
        return f"{date}T{time if len(time) == 8 else time + ':00'}+00:00"
    if fallback_epoch is not None:
        import datetime
        moment = datetime.datetime.fromtimestamp(fallback_epoch, datetime.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return None


def sitemap_entries(rows: Iterable[tuple[str, object]], home: str, *, listing: bool,
                    fallback_epoch: int | None = None, details: Iterable[tuple[str, str, object]] = ()
                    ) -> list[tuple[str, str | None]]:
    """(path, lastmod) of every page the sitemap lists, `/` first, from (username, updated_at)
    rows: `/` is the home profile, or with `listing` the directory's first page (no date),
    and the home profile is then at /<username> like the others.

    The directory's other pages (/page/2, ...) are left out: they are navigation to the
    profiles the sitemap lists already, and they shift whenever a profile is added or
    removed, which would rewrite the sitemap (O(site)) for every new profile. Detail pages,
    (username, slug, updated_at) as detail_pages() gives them, are at /<username>/<slug>."""
    entries = [("/", None)] if listing else []
    entries += [("/" if username == home and not listing else f"/{username}", lastmod(updated_at, fallback_epoch))
                for username, updated_at in rows]
    entries += [(f"/{username}/{slug}", lastmod(updated_at, fallback_epoch)) for username, slug, updated_at in details]
    entries.sort(key=lambda entry: (entry[0] != "/", entry[0]))
    return entries


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH when set: the date of a page whose profile has no updated_at."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return int(epoch) if epoch and epoch.isdigit() else None


def read_sitemap_entries(conn: sqlite3.Connection, home: str, listing: bool, fallback_epoch: int | None,
                         details: Iterable[tuple[str, str, object]] = (), site_host: str = "") -> list[tuple[str, str | None]]:
    """sitemap_entries() of every profile but those whose page names its own hostname as
    canonical (a main row, or a username that is a hostname: generator.data.domains.
    canonical_hostname): that hostname's sitemap lists it (generator.build.hosts). Every
    detail page (`details`, from detail_pages()) is listed: each is a static file whose
    canonical URL is on base_url whatever its profile's hostnames (a hostname answers it at
    `/<slug>` too, with the same bytes: generator.build.hosts says why)."""
    rows = conn.execute("SELECT username, updated_at FROM profiles WHERE id NOT IN "
                        "(SELECT profile_id FROM domains WHERE kind = 'main') ORDER BY username")
    # Only a name with a dot can be a hostname: the rest skip the check (~1 us each).
    rows = [(username, updated) for username, updated in rows
            if "." not in username or own_hostname(username, site_host) is None]
    return sitemap_entries(rows, home, listing=listing, fallback_epoch=fallback_epoch, details=details)


def sitemap_files(base_url: str, entries: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """sitemap.xml (and sitemap-N.xml past 50,000 URLs) for (path, lastmod) entries."""
    urls = [
        f"<url><loc>{escape(base_url + path)}</loc>" + (f"<lastmod>{modified}</lastmod>" if modified else "") + "</url>"
        for path, modified in entries
    ]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if len(urls) <= SITEMAP_MAX_URLS:
        return {"sitemap.xml": _urlset(head, urls)}
    files = {}
    for number, start in enumerate(range(0, len(urls), SITEMAP_MAX_URLS), 1):
        files[f"sitemap-{number}.xml"] = _urlset(head, urls[start:start + SITEMAP_MAX_URLS])
    index = "".join(f"<sitemap><loc>{escape(base_url)}/{name}</loc></sitemap>\n" for name in files)
    files["sitemap.xml"] = f'{head}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}</sitemapindex>\n'
    return files


def _urlset(head: str, urls: list[str]) -> str:
    body = "\n".join(urls)
    return f'{head}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}\n</urlset>\n'


# The stylesheet every page starts with: the layout all themes share (generator.build.themes).
STYLESHEET = "style.css"


def hashed_assets(config: Config, *, default_theme_css: str = "") -> dict[str, tuple[str, bytes]]:
    """Every asset file by logical name -> (output path with a content hash, bytes).
    style.css is served with `default_theme_css` after it: what a page without a theme
    of its own loads (the layout, then the default theme's colours)."""
    assets: dict[str, tuple[str, bytes]] = {}
    for folder in config.asset_dirs:
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.name.startswith("."):
                continue
            logical = path.relative_to(folder).as_posix()
            if logical in assets:
                continue  # the site's own asset overrides the packaged one
            data = path.read_bytes()
            if path.suffix == ".css":
                data = strip_css_comments(data.decode("utf-8")).encode("utf-8")
            if logical == STYLESHEET:
                data += default_theme_css.encode("utf-8")
            stem, dot, extension = logical.rpartition(".")
            name = f"{stem}.{digest_bytes(data)[:10]}.{extension}" if dot else f"{logical}.{digest_bytes(data)[:10]}"
            assets[logical] = (f"assets/{name}", data)
    return {**icon_assets(), **assets}


# A CSS comment, or a string (kept as it is: "/*" may be inside one), or the space
# between @media and its "(" (CSS needs none there).
_CSS_COMMENT = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|/\*.*?\*/\n?|(?<=@media)\s+(?=\()""", re.DOTALL)


def strip_css_comments(text: str) -> str:
    """A stylesheet without its comments and the line breaks after its rules: they
    explain the source, and are ~10% of the bytes every page loads (the full demo
    profile's budget is 16 KB with its HTML). A CSS string cannot hold a raw line
    break, so "}\\n" is never inside one. `@media (x)` is written `@media(x)`."""
    return _CSS_COMMENT.sub(lambda match: match.group(1) or "", text).replace("}\n", "}")


# Where the icon files go: "assets/i/github.<hash>.svg". A page names one per social
# link, so "i" rather than "icons" is 4 bytes a link (32 on the full demo profile,
# whose HTML and CSS have a 16 KB budget); /assets/* is cached for a year all the same.
ICON_DIR = "assets/i"


def icon_assets() -> dict[str, tuple[str, bytes]]:
    """Every icon as a symbol file, by logical name ("icons/github.svg") -> (output path, bytes)."""
    from generator.build import icons
    assets = {}
    for key in icons.icon_keys():
        data = icons.symbol_file(key).encode()
        assets[f"icons/{key}.svg"] = (f"{ICON_DIR}/{key}.{digest_bytes(data)[:10]}.svg", data)
    return assets


def base_stylesheet(config: Config) -> str:
    """style.css as served before its theme: the layout every theme shares."""
    for folder in config.asset_dirs:
        if (folder / STYLESHEET).is_file():
            return strip_css_comments((folder / STYLESHEET).read_text(encoding="utf-8"))
    return ""


def asset_urls(assets: dict[str, tuple[str, bytes]]) -> dict[str, str]:
    """Logical asset name -> the URL pages use."""
    return {logical: "/" + output for logical, (output, _) in assets.items()}


# The detail pages a build writes: each live link's and product's with content (and a slug),
# (username, slug, the profile's updated_at) for the sitemap.
DETAIL_PAGES_SQL = (
    "SELECT p.username, d.slug, p.updated_at FROM item_details d JOIN profiles p ON p.id = d.profile_id "
    "WHERE d.content IS NOT NULL AND d.slug IS NOT NULL "
    "AND (d.starts_at IS NULL OR d.starts_at <= ?1) AND (d.ends_at IS NULL OR ?1 < d.ends_at) "
    "AND (d.item_id IN (SELECT id FROM bio_links b WHERE b.profile_id = d.profile_id) "
    "     OR d.item_id IN (SELECT id FROM products x WHERE x.profile_id = d.profile_id)) "
    "ORDER BY p.username, d.slug")


def detail_pages(conn, now: str) -> tuple[list[tuple[str, str, object]], str]:
    """(username, slug, the profile's updated_at) of every detail page a build at `now` writes,
    and their digest: the sitemap is rewritten when it changes."""
    rows = conn.execute(DETAIL_PAGES_SQL, (now,)).fetchall()
    return rows, hashlib.blake2b(json.dumps(rows).encode(), digest_size=16).hexdigest()


# When the pages next change by the time alone (an item starts or ends), for `biogen publish
# --if-due` to read from the published site; null when nothing is scheduled.
SCHEDULE_FILE = "api/schedule.json"


def schedule_file(next_change: str | None) -> bytes:
    """api/schedule.json: {"nextChange": "YYYY-MM-DDTHH:MM:SSZ" or null}."""
    return (json.dumps({"nextChange": next_change}) + "\n").encode()
