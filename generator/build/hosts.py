"""One deployment for every hostname: the `_worker.js` and `_routes.json` a build writes
when profiles have hostnames (the table domains, or usernames that are hostnames).

Cloudflare Pages runs `_worker.js` (advanced mode) only for the paths `_routes.json`
includes: the four whose answer depends on the Host header. Every other request (pages,
images, stylesheets) stays a static asset: no Worker invocation, no D1 query.

The hostname map is written into `_worker.js` itself, as a JSON object literal, rather
than kept in KV: the isolate parses it once when it starts, and a request then costs one
property lookup (well under a microsecond) and, for `/` and `/api/config`, one fetch of
a static asset, which the Worker does not pay as a subrequest. A KV read would cost a
billed read and a few milliseconds on a cold key for every request, and a publish would
have to write the keys. The map holds only the domains table's rows, ~120 bytes each
(1,000 rows: 123 KB and 6 ms a build; 100,000: 12 MB and 0.9 s, past what a Worker script
should carry: its size limit is not in the reference notes). A username that is a
hostname needs no entry: the Worker finds its document by the hostname (implicit_username),
so 100,000 profiles named by their domains cost 0.1 ms and a 5 KB script.

`biogen serve` reads the map back from the built `_worker.js` (worker_hosts) and answers
as the Worker does (generator/preview/routing.py), so the preview shows what is deployed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from importlib import resources
from urllib.parse import urlsplit

from generator.build import sitefiles
from generator.data.domains import (any_username_hostname, normalize_hostname, read_hostname_map,
                                    site_address_problems, site_domain_problems)
from generator.errors import ValidationError

WORKER_FILE = "_worker.js"
ROUTES_FILE = "_routes.json"
# The only paths whose answer depends on the hostname (Pages: at most 100 include rules).
HOST_PATHS = ("/", "/api/config", "/sitemap.xml", "/robots.txt")
ROUTES_JSON = json.dumps({"version": 1, "description": "biogen: only these paths depend on the Host header",
                          "include": list(HOST_PATHS), "exclude": []}, indent=2) + "\n"
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


def routing_files(conn: sqlite3.Connection, base_url: str,
                  fallback_epoch: int | None) -> tuple[dict[str, bytes | None], str]:
    """({`_worker.js` and `_routes.json`: their bytes, or None when no profile has a hostname
    and they must not exist}, a digest of the map: when it changes, so does the sitemap)."""
    # A hostname that is another profile's username, or the site's own address.
    problems = site_domain_problems(conn) + site_address_problems(conn, base_url)
    if problems:
        raise ValidationError(problems)
    site_host = normalize_hostname(urlsplit(base_url).hostname or "")
    hosts = host_entries(conn, fallback_epoch, site_host)
    if hosts or any_username_hostname(conn):
        script = worker_script(hosts, site_host)
        files = {WORKER_FILE: script.encode(), ROUTES_FILE: ROUTES_JSON.encode()}
    else:
        files = {WORKER_FILE: None, ROUTES_FILE: None}
    return files, hashlib.blake2b(json.dumps(hosts, sort_keys=True).encode(), digest_size=16).hexdigest()


def worker_script(hosts: dict[str, dict[str, str]], site_host: str) -> str:
    """`_worker.js`: the map, the site's own hostname and the headers, then the packaged
    code (pages_worker.js)."""
    code = resources.files("generator.build").joinpath("pages_worker.js").read_text(encoding="utf-8")
    # Hostnames are checked ASCII names and dates digits: the JSON is plain ASCII, a valid JS literal.
    return (f"{_HOSTS_PREFIX}{json.dumps(hosts, separators=(',', ':'), sort_keys=True)};\n"
            f"{_SITE_PREFIX}{json.dumps(site_host)};\n"
            f"const OWN_HEADERS = {json.dumps(own_headers(), separators=(',', ':'))};\n"
            f"const IMPLICIT_HOST = new RegExp({json.dumps(IMPLICIT_HOST)});\n{code}")


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
