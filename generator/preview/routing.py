"""Cloudflare Pages' rules: a request for the output folder answered as Pages answers it.

Routing, `_headers` and `_redirects` follow Pages' asset server (workers-sdk,
pages-shared/asset-server/handler.ts), so a page behaves in the preview as it will
once published. The preview server (server.py) adds its own script and banner on top.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build.hosts import (ROUTES_FILE, WORKER_FILE, implicit_username, own_headers, profile_file, read_routes,
                                   robots_for, runs_worker, sitemap_for, worker_hosts)

log = logging.getLogger(__name__)

# Cloudflare Pages: _redirects status codes; 200 rewrites without changing the URL.
REDIRECT_STATUSES = {200, 301, 302, 303, 307, 308}
# Cloudflare Pages applies at most 100 _headers rules and 2,100 _redirects rules.
HEADERS_MAX_RULES = 100
REDIRECTS_MAX_RULES = 2_100
# Files Pages reads as configuration and never serves.
CONFIGURATION_FILES = {"_headers", "_redirects", "_routes.json", "_worker.js"}
# Headers Pages adds by itself (wrangler 4.86.0's asset server, observed under `pages dev`):
# these two on every answer; nosniff on every answer with a Content-Type (so not on a 308,
# which has no body, while 301/302/303/307 say "Redirecting to ..." as text/plain); the
# browser cache rule on served files only. Then _headers applies, and a 404's Cache-Control
# becomes no-store whatever _headers said.
PAGES_EVERY_ANSWER = (("Access-Control-Allow-Origin", "*"), ("Referrer-Policy", "strict-origin-when-cross-origin"))
PAGES_FILE_CACHE = ("Cache-Control", "public, max-age=0, must-revalidate")
PAGES_NOT_FOUND_CACHE = ("Cache-Control", "no-store")
REDIRECT_TEXT_TYPE = "text/plain;charset=UTF-8"

# As wrangler 4.86.0's asset server sends them (observed under `pages dev`, and held by
# tests/test_wrangler_domains.py): a charset on text/* only, so JSON, XML, SVG and the web
# manifest go without one, and a script is application/javascript.
CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "application/javascript", ".json": "application/json",
    ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain", ".webp": "image/webp",
    ".avif": "image/avif", ".woff2": "font/woff2", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".ico": "image/x-icon", ".webmanifest": "application/manifest+json",
}


def content_type(name: str) -> str:
    """The Content-Type Pages sends for a file called `name`, with a charset for text/*."""
    suffix = os.path.splitext(name)[1].lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/"):
        kind += "; charset=utf-8"
    return kind


# -- _headers and _redirects ------------------------------------------------------

_TOKEN = re.compile(r"\*|:([A-Za-z_]\w*)")


def compile_pattern(pattern: str) -> re.Pattern | None:
    """A Pages URL pattern as a regex: `*` is the splat (any text), `:name` one segment."""
    parts, position, names = [], 0, set()
    for match in _TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[position:match.start()]))
        name = "splat" if match.group(0) == "*" else match.group(1)
        if name in names:
            return None  # Pages refuses a pattern that names a part twice
        names.add(name)
        parts.append("(?P<splat>.*)" if name == "splat" else f"(?P<{name}>[^/]+)")
        position = match.end()
    parts.append(re.escape(pattern[position:]))
    return re.compile("".join(parts))


def _substitute(text: str, values: dict[str, str]) -> str:
    """Replace `:splat` and `:name` in a rule's value with what the pattern matched."""
    return re.sub(r":([A-Za-z_]\w*)", lambda m: values.get(m.group(1), m.group(0)), text)


@dataclass
class HeaderRule:
    """One `_headers` rule: a URL pattern, the headers it sets and those it removes."""

    pattern: re.Pattern
    set: list[tuple[str, str]] = field(default_factory=list)
    unset: list[str] = field(default_factory=list)


def parse_headers(text: str) -> list[HeaderRule]:
    """The rules of a `_headers` file (rules for other hosts never match the preview)."""
    rules: list[HeaderRule] = []
    current: HeaderRule | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace():
            pattern = compile_pattern(stripped) if stripped.startswith("/") else None
            current = HeaderRule(pattern) if pattern else None
            if current:
                rules.append(current)
        elif current is None:
            continue
        elif stripped.startswith("!"):
            current.unset.append(stripped[1:].strip())
        elif ":" in stripped:
            name, _, value = stripped.partition(":")
            current.set.append((name.strip(), value.strip()))
    return rules[:HEADERS_MAX_RULES]


def apply_headers(rules: list[HeaderRule], path: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` after every matching rule: values of one name add up, `! Name` removes."""
    result = {name.lower(): (name, value) for name, value in headers}
    set_here: set[str] = set()
    for rule in rules:
        match = rule.pattern.fullmatch(path)
        if not match:
            continue
        values = {k: v for k, v in match.groupdict().items() if v is not None}
        for name in rule.unset:
            result.pop(name.lower(), None)
        for name, value in rule.set:
            key, value = name.lower(), _substitute(value, values)
            if key in set_here and key in result:
                result[key] = (result[key][0], f"{result[key][1]}, {value}")
            else:
                result[key] = (name, value)
                set_here.add(key)
    return list(result.values())


@dataclass(frozen=True)
class Redirect:
    """One `_redirects` rule."""

    pattern: re.Pattern
    target: str
    status: int


def parse_redirects(text: str) -> list[Redirect]:
    """The valid rules of a `_redirects` file, in order (Pages skips invalid lines)."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        status = fields[2] if len(fields) == 3 else "302"
        pattern = compile_pattern(fields[0]) if fields[0].startswith("/") else None
        if len(fields) not in (2, 3) or not status.isdigit() or int(status) not in REDIRECT_STATUSES or not pattern:
            log.warning("_redirects line %d is not a rule Cloudflare Pages applies: %s", number, line.strip())
            continue
        if int(status) == 200 and not fields[1].startswith("/"):
            log.warning("_redirects line %d: a 200 rewrite must point to a path of the site", number)
            continue
        rules.append(Redirect(pattern, fields[1], int(status)))
    return rules[:REDIRECTS_MAX_RULES]


def match_redirect(rules: list[Redirect], path: str) -> tuple[str, int] | None:
    """(target, status) of the first rule matching `path`, or None."""
    for rule in rules:
        match = rule.pattern.fullmatch(path)
        if match:
            values = {k: v for k, v in match.groupdict().items() if v is not None}
            return _substitute(rule.target, values), rule.status
    return None


# -- routing ----------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    """What Pages does with one path: serve a file (with a status) or redirect."""

    status: int
    file: str | None = None      # the URL path of the file to serve
    location: str | None = None  # where a redirect points (without the query)


def route(path: str, exists: Callable[[str], bool], redirects: list[Redirect] = ()) -> Route:
    """Pages' answer for `path`: redirects first, then its HTML URL rules, then 404."""
    match = match_redirect(list(redirects), path)
    if match:
        target, status = match
        if status != 200:
            return Route(status, location=target)
        path = urlsplit(target).path
    if path.endswith("/"):
        if exists(path + "index.html"):
            return Route(200, path + "index.html")
        if path.endswith("/index/"):
            return Route(308, location=path[:-len("index/")])
        if path != "/" and exists(path[:-1] + ".html"):
            return Route(308, location=path[:-1])
        return _not_found(path, exists)
    if exists(path):
        if not path.endswith(".html"):
            return Route(200, path)
        stem = path[:-len(".html")]
        if stem.endswith("/index"):
            return Route(308, location=stem[:-len("index")])
        if exists(stem):
            return Route(200, path)
        return Route(308, location=stem)
    if path.endswith("/index"):
        return Route(308, location=path[:-len("index")])
    if exists(path + ".html"):
        return Route(200, path + ".html")
    if exists(path + "/index.html"):
        return Route(308, location=path + "/")
    return _not_found(path, exists)


def _not_found(path: str, exists: Callable[[str], bool]) -> Route:
    """The nearest 404.html up the tree with 404; with none at all, Pages' SPA fallback."""
    folder = path
    while folder:
        folder = folder[:folder.rfind("/")]
        if exists(f"{folder}/404.html"):
            return Route(404, f"{folder}/404.html")
    if exists("/index.html"):
        return Route(200, "/index.html")
    return Route(404)


def clean_path(raw: str) -> str | None:
    """The decoded URL path, or None when it could reach outside the site folder."""
    if re.search(r"%(2f|5c|00)", raw, re.I) or "\\" in raw:
        return None
    path = unquote(raw, errors="strict") if "%" in raw else raw
    if not path.startswith("/") or "\x00" in path or "\\" in path:
        return None
    if any(segment in (".", "..") for segment in path.split("/")):
        return None
    return path


@dataclass
class Response:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header `name` (any case), or None."""
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def set_header(self, name: str, value: str) -> None:
        """Replace header `name` (or add it)."""
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()] + [(name, value)]

    @property
    def is_html(self) -> bool:
        """True for an HTML body (which the preview may add its script and banner to)."""
        return (self.header("Content-Type") or "").startswith("text/html")


def request_host(value: str) -> str:
    """A Host header as the built _worker.js reads it (pages_worker.js, hostOf): lower-case,
    without a port or the trailing dot of a fully qualified name."""
    return re.sub(r":\d+$", "", value.lower()).removesuffix(".")


class PagesSite:
    """One folder (the output link, resolved once) answered as Cloudflare Pages would,
    with the hostname routing of the folder's `_worker.js` when biogen wrote one."""

    def __init__(self, folder: Path | str):
        self.root = os.path.realpath(folder)
        self.headers = parse_headers(self._read("_headers"))
        self.redirects = parse_redirects(self._read("_redirects"))
        routing = worker_hosts(self._read(WORKER_FILE))  # None: no biogen _worker.js, no routing by Host
        self.routes_by_host = routing is not None
        self.hosts, self.site_host = routing or ({}, "")
        self.include, self.exclude = read_routes(self._read(ROUTES_FILE))

    def _read(self, name: str) -> str:
        try:
            with open(os.path.join(self.root, name), encoding="utf-8") as file:
                return file.read()
        except (OSError, UnicodeDecodeError):
            return ""

    def file(self, path: str) -> str | None:
        """The real file behind URL path `path` when it is inside the folder, else None."""
        relative = path.lstrip("/")
        if not relative or relative in CONFIGURATION_FILES:
            return None
        real = os.path.realpath(os.path.join(self.root, relative))
        if not real.startswith(self.root + os.sep) or not os.path.isfile(real):
            return None  # a symbolic link out of the folder, or a folder (no listings)
        return real

    def respond(self, raw_path: str, query: str = "", host: str = "") -> Response:
        """The response Pages gives to GET `raw_path?query` with this Host header."""
        if self.routes_by_host and runs_worker(raw_path, self.include, self.exclude):
            name = request_host(host)
            entry = self.hosts.get(name) or self._username_entry(name)
            if entry is not None:
                return self._host_answer(name, entry, raw_path, query)
        return self._static(raw_path, query)

    def _username_entry(self, name: str) -> dict[str, str] | None:
        """A hostname outside the map that is a username with a document, as the Worker finds it."""
        username = implicit_username(name, self.site_host)
        if username is None or self.file(f"/api/profiles/{username}.json") is None:
            return None
        return {"username": username, "canonical": username, "lastmod": ""}

    def _host_answer(self, host: str, entry: dict[str, str], path: str, query: str) -> Response:
        """What the built _worker.js answers for a mapped hostname (generator/build/pages_worker.js):
        a 301 to the main hostname, the profile's page or document, or the host's own
        sitemap and robots.txt, or its vCard, QR code or a detail page at the root (hosts.profile_file).
        Only `host`, a key of the map, is ever written into an answer."""
        vary = ("Vary", "Host")
        if "redirect" in entry:
            location = f"https://{entry['redirect']}{path}" + (f"?{query}" if query else "")
            return Response(301, [*own_headers(), ("Location", location), vary])
        username = entry["username"]
        if path in ("/", "/api/config"):
            response = self._static(f"/{username}" if path == "/" else f"/api/profiles/{username}.json")
            response.set_header(*vary)
            return response
        if path not in ("/sitemap.xml", "/robots.txt"):
            # The profile's file at the root (its vCard, QR code, a detail page), else the request as it came.
            file = profile_file(path, username)
            response = self._static(file) if file is not None else None
            if response is None or response.status == 404:
                return self._static(path, query)
            response.set_header(*vary)
            return response
        if path == "/sitemap.xml":
            body, kind = sitemap_for(host, entry), content_type("sitemap.xml")
        else:
            body, kind = robots_for(host), "text/plain; charset=utf-8"
        return Response(200, [*own_headers(), ("Content-Type", kind), vary], body.encode())

    def _static(self, raw_path: str, query: str = "") -> Response:
        """The static assets' answer: Pages' routing, _redirects and _headers."""
        path = clean_path(raw_path)
        answer = route(path, lambda p: self.file(p) is not None, self.redirects) if path else \
            _not_found("/", lambda p: self.file(p) is not None)
        path = path or "/"
        if answer.location is not None:
            location = answer.location
            if query and "?" not in location:
                location += "?" + query
            if answer.status == 308:
                return self._finish(path, 308, [("Location", location)])
            return self._finish(path, answer.status, [("Location", location), ("Content-Type", REDIRECT_TEXT_TYPE)],
                                f"Redirecting to {location}".encode())
        if answer.file is None:
            return self._finish(path, 404, [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")
        real = self.file(answer.file)
        with open(real, "rb") as file:
            body = file.read()
        return self._finish(path, answer.status, [("Content-Type", content_type(real)), PAGES_FILE_CACHE], body)

    def _finish(self, path: str, status: int, headers: list[tuple[str, str]], body: bytes = b"") -> Response:
        """The answer with the headers Pages adds by itself, then _headers' rules (see PAGES_EVERY_ANSWER)."""
        headers = [*headers, *PAGES_EVERY_ANSWER]
        if any(name == "Content-Type" for name, _ in headers):
            headers.append(("X-Content-Type-Options", "nosniff"))
        response = Response(status, apply_headers(self.headers, path, headers), body)
        if status == 404:
            response.set_header(*PAGES_NOT_FOUND_CACHE)
        return response
