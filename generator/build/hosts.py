"""One deployment for every hostname: the `_worker.js` and `_routes.json` a build writes
when profiles have hostnames (the table domains, or usernames that are hostnames).

Cloudflare Pages runs `_worker.js` (advanced mode) only for the paths `_routes.json`
includes. Every other request (pages, images, stylesheets) stays a static asset: no Worker
invocation, no D1 query. A mapped hostname is the profile's own site, so these depend on Host:

- HOST_PATHS: `/` (the page), `/api/config` (its BioData), `/sitemap.xml`, `/robots.txt`;
- ROOT_FILES: `/contact.vcf`, `/qr.svg`, `/qr.png`, the profile's vCard and QR code (the
  build's `/<username>.vcf`, `/qr/<username>.svg` and `.png`), when the site makes them;
- `/<slug>` for each live detail page of a profile reachable by hostname (the build's
  `/<username>/<slug>`): the distinct slugs, so many profiles with a `menu` page cost one rule.

How the routes are written (routes_json). Pages' rules are prefixes or globs (`/foo/*` also
matches `/foo`, `*` any text), and none means "one segment on a mapped host": `/*` would
send every page view to the Worker. So the build lists the paths: HOST_PATHS, ROOT_FILES and
`/<slug>` each once, exact, as long as include and exclude together stay within Pages' 100
rules (ROUTES_MAX_RULES). A request on those paths costs one Worker invocation (billed as a
Functions request: 100,000 a day on the free plan), on every host, `*.pages.dev` included;
every other request costs none. Past 100 rules, or when the site asks for it with
`[domains] route_all = true` in biogen.toml, `_routes.json` includes `/*` and excludes the
static prefixes (STATIC_EXCLUDES: hashed assets, images, documents, cards, QR codes): every
other request, so every page view on every host, then runs the Worker, one invocation per
HTML or .vcf request (a page's ~10 images and its stylesheet stay static). The build says
so in its summary when it falls back without being asked. route_all exists for `www.`
redirect rows: with listed paths, `www.host/<anything else>` is answered with the site's
static file instead of a 301; with `/*` the 301 covers every path but the excluded prefixes,
whose hashed files no page on a `www.` host links to. Without route_all, Cloudflare's Bulk
Redirects (dashboard) give the rest at no Worker cost; `biogen domain status` says so.

Whatever reaches the Worker for a host it does not map (`*.pages.dev`, an unknown name), and
any path it has nothing for on a mapped one, is handed to the static assets unchanged, so
it answers exactly as without the Worker. The file the Worker serves is built from the map
(or from a Host that passed IMPLICIT_HOST) and a path matched whole by SLUG or named in
ROOT_FILES: no `/`, `.`, `%` from the request reaches it, so nothing leaves the output folder.

A detail page keeps its canonical URL on base_url (`https://bio.example.com/ana/menu`), though
`https://ana.example.com/menu` answers the same bytes: the page is one file for every host
(the Worker does not rewrite HTML), and naming the hostname would move the detail pages from
the site's sitemap into each host's, which the Worker writes without knowing the slugs of a
username that is a hostname. A later step may do both.

The hostname map is written into `_worker.js` itself, as a JSON object literal, rather
than kept in KV: the isolate parses it once when it starts, and a request then costs one
property lookup (well under a microsecond) and, for `/`, `/api/config`, ROOT_FILES and slugs,
one fetch of a static asset (two when that file does not exist for this profile and the
request's own path is answered instead), which the Worker does not pay as a subrequest. A KV
read would cost a billed read and a few milliseconds on a cold key for every request, and a
publish would have to write the keys. The map holds only the domains table's rows, ~120
bytes each (1,000 rows: 123 KB and 6 ms a build; 100,000: 12 MB and 0.9 s, past what a Worker
script should carry: its size limit is not in the reference notes). A username that is a
hostname needs no entry: the Worker finds its document by the hostname (implicit_username),
so 100,000 profiles named by their domains cost 0.1 ms and a 5 KB script.

`biogen serve` reads the map back from the built `_worker.js` (worker_hosts) and the routes
from `_routes.json`, and answers as the Worker does (generator/preview/routing.py), so the
preview shows what is deployed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from importlib import resources
from urllib.parse import urlsplit

from generator.build import sitefiles
from generator.data.domains import (any_username_hostname, normalize_hostname, own_hostname, read_hostname_map,
                                    site_address_problems, site_domain_problems)
from generator.errors import ValidationError

WORKER_FILE = "_worker.js"
ROUTES_FILE = "_routes.json"
# The paths whose answer depends on the hostname for every mapped profile.
HOST_PATHS = ("/", "/api/config", "/sitemap.xml", "/robots.txt")
# A mapped hostname's root name of a share-kit file -> (the share piece that makes it, the
# build's file as prefix + username + suffix). Each has a dot, so no slug (SLUG) is one, and
# no username ends in .vcf; a username `qr.svg` would be shadowed on mapped hosts only.
ROOT_FILES = {"/contact.vcf": ("vcard", "/", ".vcf"), "/qr.svg": ("qr", "/qr/", ".svg"),
              "/qr.png": ("qr", "/qr/", ".png")}
# A detail page's slug as a whole path (generator.data.item_details._SLUG): one segment of
# lowercase words, so a path it matches holds no "/", ".", "%" or "\\". The same text runs
# as a JavaScript RegExp in _worker.js.
SLUG_PATH = r"^/([a-z0-9]+(?:-[a-z0-9]+)*)$"
_SLUG_PATH = re.compile(SLUG_PATH)
# Cloudflare Pages Functions: at least one include rule, at most 100 include and exclude rules
# together, each at most 100 characters (developers.cloudflare.com/pages/functions/routing/,
# "Limits"; wrangler 4.86.0 refuses more: MAX_FUNCTIONS_ROUTES_RULES). A slug is at most 64.
ROUTES_MAX_RULES = 100
# What `/*` leaves static: the build's hashed assets and media, the profiles' documents, the
# social cards and QR codes (no rule may start with another's prefix: wrangler refuses overlaps).
STATIC_EXCLUDES = ("/assets/*", "/m/*", "/api/profiles/*", "/og/*", "/qr/*")
# Pages adds these to every static file it serves (see preview.routing.PAGES_FILE_CACHE and
# PAGES_EVERY_ANSWER); an answer the Worker makes itself gets them from here.
PAGES_OWN_HEADERS = (("Access-Control-Allow-Origin", "*"), ("Cache-Control", "public, max-age=0, must-revalidate"))
_HOSTS_PREFIX = "const HOSTS = "
# A Host outside the map that may be a username: a DNS name of 2+ labels, not all-digit at
# the end (an IP address), not Cloudflare's own pages.dev/workers.dev. The same text runs as
# a JavaScript RegExp in _worker.js, so the preview and Pages accept the same names; none
# holds "/" or "..", so the path built from it stays in api/profiles/.
IMPLICIT_HOST = (r"^(?=.{1,253}$)(?!(?:.*\.)?(?:pages|workers)\.dev$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
                 r"(?![0-9]+$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_IMPLICIT_HOST = re.compile(IMPLICIT_HOST)
_SITE_PREFIX = "const SITE_HOST = "


def own_headers() -> list[tuple[str, str]]:
    """The headers of an answer the Worker makes (a 301, a host's sitemap or robots.txt):
    the site-wide `/*` rule of `_headers`, which Pages does not apply to a Worker's
    answers, and what Pages adds to a static file."""
    site_wide = dict(sitefiles.HEADER_RULES)["/*"]
    return [*PAGES_OWN_HEADERS, *site_wide]


def host_entries(conn: sqlite3.Connection, fallback_epoch: int | None, site_host: str) -> dict[str, dict[str, str]]:
    """The hostname map (generator.data.domains.read_hostname_map) with each page's
    lastmod, for the host's sitemap."""
    hosts = read_hostname_map(conn, site_host)
    usernames = sorted({entry["username"] for entry in hosts.values() if "username" in entry})
    dates = dict(conn.execute("SELECT username, updated_at FROM profiles WHERE username IN "
                              "(SELECT value FROM json_each(?))", (json.dumps(usernames),)))
    for entry in hosts.values():
        if "username" in entry:
            entry["lastmod"] = sitefiles.lastmod(dates.get(entry["username"]), fallback_epoch) or ""
    return hosts


def routing_files(conn: sqlite3.Connection, base_url: str, fallback_epoch: int | None, *,
                  details: Iterable[tuple[str, str, object]] = (), share: Iterable[str] = (),
                  route_all: bool = False) -> tuple[dict[str, bytes | None], str, list[str]]:
    """({`_worker.js` and `_routes.json`: their bytes, or None when no profile has a hostname
    and they must not exist}, a digest of the map: when it changes, so does the sitemap,
    what the build's summary should say about the routes). `details` are the live detail
    pages (username, slug, ...) as sitefiles.detail_pages() gives them, `share` the share
    kit's pieces the site makes, `route_all` biogen.toml's `[domains] route_all`."""
    # A hostname that is another profile's username, or the site's own address.
    problems = site_domain_problems(conn) + site_address_problems(conn, base_url)
    if problems:
        raise ValidationError(problems)
    site_host = normalize_hostname(urlsplit(base_url).hostname or "")
    hosts = host_entries(conn, fallback_epoch, site_host)
    notes: list[str] = []
    if hosts or any_username_hostname(conn):
        script = worker_script(hosts, site_host)
        mapped = {entry["username"] for entry in hosts.values() if "username" in entry}
        # Only a name with a dot can be a hostname: the rest skip the check (~1 us each).
        slugs = {slug for username, slug, *_ in details
                 if username in mapped or ("." in username and own_hostname(username, site_host) is not None)}
        roots = [path for path, (piece, _, _) in ROOT_FILES.items() if piece in share]
        routes, listed = routes_json(slugs, roots, route_all)
        if listed > ROUTES_MAX_RULES and not route_all:
            notes.append(f"{ROUTES_FILE}: the profiles' hostnames need {listed} paths, past Cloudflare Pages' "
                         f"{ROUTES_MAX_RULES} rules, so it sends every request but {', '.join(STATIC_EXCLUDES)} to "
                         f"{WORKER_FILE}: each page view is then a Functions request (100,000 a day on the free plan)")
        files = {WORKER_FILE: script.encode(), ROUTES_FILE: routes.encode()}
    else:
        files = {WORKER_FILE: None, ROUTES_FILE: None}
    return files, hashlib.blake2b(json.dumps(hosts, sort_keys=True).encode(), digest_size=16).hexdigest(), notes


def routes_json(slugs: Iterable[str], root_files: Iterable[str], route_all: bool) -> tuple[str, int]:
    """(`_routes.json`, how many paths the hostnames need): HOST_PATHS, `root_files` and
    `/<slug>` for each of `slugs` listed exactly when they fit in ROUTES_MAX_RULES and
    `route_all` is off; else `/*` without STATIC_EXCLUDES (see the module's docstring)."""
    listed = [*HOST_PATHS, *sorted(root_files), *sorted({f"/{slug}" for slug in slugs if _SLUG_PATH.fullmatch(f"/{slug}")})]
    if route_all or len(listed) > ROUTES_MAX_RULES:
        include, exclude = ["/*"], list(STATIC_EXCLUDES)
        description = "biogen: every request but the static prefixes may depend on the Host header"
    else:
        include, exclude = listed, []
        description = "biogen: only these paths depend on the Host header"
    routes = {"version": 1, "description": description, "include": include, "exclude": exclude}
    return json.dumps(routes, indent=2) + "\n", len(listed)


def routing_rule(rule: str) -> re.Pattern:
    """A `_routes.json` rule as Pages matches it (wrangler 4.86.0, templates/pages-dev-util.ts,
    transformRoutingRuleToRegExp): `/foo` and `/foo/` alike, `/foo/*` also `/foo`, `*` any text."""
    if rule in ("/", "/*"):
        pattern = rule
    elif rule.endswith("/*"):
        pattern = rule[:-2] + "(/*)?"
    elif rule.endswith("/"):
        pattern = rule[:-1] + "(/)?"
    elif rule.endswith("*"):
        pattern = rule
    else:
        pattern = rule + "(/)?"
    return re.compile("^" + pattern.replace(".", "\\.").replace("*", ".*") + "$")


def read_routes(text: str) -> tuple[list[re.Pattern], list[re.Pattern]]:
    """(include, exclude) of a `_routes.json` (none: its absence, or one Pages would refuse)."""
    try:
        routes = json.loads(text)
        return [routing_rule(r) for r in routes["include"]], [routing_rule(r) for r in routes["exclude"]]
    except (ValueError, KeyError, TypeError, AttributeError, re.error):
        return [], []


def runs_worker(path: str, include: list[re.Pattern], exclude: list[re.Pattern]) -> bool:
    """True when Pages hands a request for `path` to _worker.js: an include rule matches it and
    no exclude rule does (exclude wins)."""
    return not any(rule.search(path) for rule in exclude) and any(rule.search(path) for rule in include)


def profile_file(path: str, username: str) -> str | None:
    """The build's file that a mapped hostname answers at `path` beside HOST_PATHS: its
    vCard or QR code (ROOT_FILES), or a detail page `/<username>/<slug>` for a path that is
    one slug (SLUG_PATH), else None. `path` is the request's path as sent: one that holds
    anything but a slug's letters, digits and "-" (a "/", "..", "%2e") is none of them."""
    if path in ROOT_FILES:
        _, prefix, suffix = ROOT_FILES[path]
        return f"{prefix}{username}{suffix}"
    return f"/{username}{path}" if _SLUG_PATH.fullmatch(path) else None


def worker_script(hosts: dict[str, dict[str, str]], site_host: str) -> str:
    """`_worker.js`: the map, the site's own hostname and the headers, then the packaged
    code (pages_worker.js)."""
    code = resources.files("generator.build").joinpath("pages_worker.js").read_text(encoding="utf-8")
    root_files = {path: [prefix, suffix] for path, (_, prefix, suffix) in ROOT_FILES.items()}
    # Hostnames are checked ASCII names and dates digits: the JSON is plain ASCII, a valid JS literal.
    return (f"{_HOSTS_PREFIX}{json.dumps(hosts, separators=(',', ':'), sort_keys=True)};\n"
            f"{_SITE_PREFIX}{json.dumps(site_host)};\n"
            f"const OWN_HEADERS = {json.dumps(own_headers(), separators=(',', ':'))};\n"
            f"const IMPLICIT_HOST = new RegExp({json.dumps(IMPLICIT_HOST)});\n"
            f"const SLUG_PATH = new RegExp({json.dumps(SLUG_PATH)});\n"
            f"const ROOT_FILES = {json.dumps(root_files, separators=(',', ':'))};\n"
            f"{code}")


def worker_hosts(script: str) -> tuple[dict[str, dict[str, str]], str] | None:
    """(the map, the site's own hostname) a built `_worker.js` carries on its first two
    lines, or None for any other script (or none)."""
    lines = script.split("\n", 2)
    if len(lines) < 3 or not all(line.startswith(prefix) and line.endswith(";")
                                 for line, prefix in zip(lines, (_HOSTS_PREFIX, _SITE_PREFIX))):
        return None
    try:
        hosts, site_host = json.loads(lines[0][len(_HOSTS_PREFIX):-1]), json.loads(lines[1][len(_SITE_PREFIX):-1])
    except ValueError:
        return None
    return (hosts, site_host) if isinstance(hosts, dict) and isinstance(site_host, str) else None


def implicit_username(host: str, site_host: str) -> str | None:
    """The username a hostname outside the map may be (the Worker then looks for its
    document, api/profiles/<host>.json), or None: not a hostname by the build's rules, the
    site's own address, or one of Cloudflare's. Checked before the hostname reaches a path,
    so no Host value can leave the api/profiles folder."""
    return host if host != site_host and _IMPLICIT_HOST.fullmatch(host) else None


def sitemap_for(host: str, entry: dict[str, str]) -> str:
    """A mapped hostname's sitemap.xml: its page when this hostname is the page's canonical
    address, else no URL (the page names another address as its own)."""
    entries = [("/", entry.get("lastmod") or None)] if entry.get("canonical") == host else []
    return sitefiles.sitemap_files(f"https://{host}", entries)["sitemap.xml"]


def robots_for(host: str) -> str:
    """A mapped hostname's robots.txt, naming that hostname's sitemap."""
    return sitefiles.robots_txt(f"https://{host}")
