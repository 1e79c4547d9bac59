"""The preview server: the output folder answered as Cloudflare Pages answers it.

Routing, `_headers` and `_redirects` follow Pages' asset server (workers-sdk,
pages-shared/asset-server/handler.ts), so a page behaves in the preview as it will
once published. Live reload and the error banner exist only in what this server
sends: they are injected into HTML response bodies, never into the built files,
and the Content-Security-Policy is relaxed for them only in those responses.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import mimetypes
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

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

CONTENT_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
    ".svg": "image/svg+xml", ".xml": "application/xml", ".txt": "text/plain", ".webp": "image/webp",
    ".avif": "image/avif", ".woff2": "font/woff2", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".ico": "image/x-icon", ".webmanifest": "application/manifest+json",
}
_TEXT_TYPES = {"application/json", "application/xml", "image/svg+xml", "application/manifest+json",
               "application/javascript"}

# The preview's own files and endpoints live under this prefix.
PREVIEW_PREFIX = "/__biogen/"
SCRIPT_PATH = PREVIEW_PREFIX + "livereload.js"
STYLE_PATH = PREVIEW_PREFIX + "livereload.css"
RELOAD_PATH = PREVIEW_PREFIX + "reload"
# A page's long poll is answered at the latest after this long (then it asks again);
# proxies and browsers keep an idle request open at least a minute.
LONG_POLL_SECONDS = 25.0
# A request waits at most this long for a running rebuild, then gets the last good
# site: a rebuild waiting for an editor's lock must not hang the browser.
REQUEST_WAIT_SECONDS = 5.0


def content_type(name: str) -> str:
    """The Content-Type Pages sends for a file called `name`, with a charset for text."""
    suffix = os.path.splitext(name)[1].lower()
    kind = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
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


class PagesSite:
    """One folder (the output link, resolved once) answered as Cloudflare Pages would."""

    def __init__(self, folder: Path | str):
        self.root = os.path.realpath(folder)
        self.headers = parse_headers(self._read("_headers"))
        self.redirects = parse_redirects(self._read("_redirects"))

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

    def respond(self, raw_path: str, query: str = "") -> Response:
        """The response Pages gives to GET `raw_path?query`."""
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


# -- the preview: live reload and the error banner ----------------------------------

@dataclass(frozen=True)
class Failure:
    """Why the last rebuild failed, as the banner shows it."""

    title: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        return "\n".join([self.title, *(f"  - {line}" for line in self.details)])


class Preview:
    """The state the server shares with the rebuild thread."""

    def __init__(self, folder: Path, *, live: bool):
        self.folder = folder
        self.live = live
        self.failure: Failure | None = None
        self._condition = threading.Condition()
        self._epoch = f"{time.time_ns():x}"
        self._generation = 0
        self._building = False
        self._stopping = False

    @property
    def token(self) -> str:
        """Changes whenever open pages should reload (a new server changes it too)."""
        return f"{self._epoch}-{self._generation}"

    @contextlib.contextmanager
    def rebuilding(self):
        """Hold requests while a rebuild runs (up to REQUEST_WAIT_SECONDS)."""
        with self._condition:
            self._building = True
        try:
            yield
        finally:
            with self._condition:
                self._building = False
                self._condition.notify_all()

    def finished(self, *, changed: bool, failure: Failure | None = None, folder: Path | None = None) -> None:
        """Record a rebuild's outcome; open pages reload if the site or the error changed."""
        with self._condition:
            if folder is not None:
                self.folder = folder
            if changed or failure != self.failure:
                self._generation += 1
            self.failure = failure
            self._condition.notify_all()

    def wait_until_built(self, timeout: float = REQUEST_WAIT_SECONDS) -> None:
        """Return once no rebuild is running (or after `timeout`)."""
        with self._condition:
            self._condition.wait_for(lambda: not self._building or self._stopping, timeout)

    def wait_for_change(self, since: str, timeout: float = LONG_POLL_SECONDS) -> str:
        """The token once it differs from `since` (or after `timeout`, or on stopping)."""
        with self._condition:
            self._condition.wait_for(lambda: self.token != since or self._stopping, timeout)
            return self.token

    def stop(self) -> None:
        """Release every waiting request."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()


def _package_file(name: str) -> bytes:
    return resources.files("generator.preview").joinpath(name).read_bytes()


def relax_policy(policy: str, *, script: str | None, style: str | None) -> str:
    """`policy` allowing only the preview's script (and its banner's stylesheet)."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    additions = {}
    if script:
        additions["script-src"] = script
        additions["connect-src"] = "'self'"
    if style:
        additions["style-src"] = style
    result = []
    for directive in directives:
        name, _, sources = directive.partition(" ")
        if name.lower() in additions:
            kept = [s for s in sources.split() if s != "'none'"]
            directive = " ".join([name, *kept, additions.pop(name.lower())])
        result.append(directive)
    result += [f"{name} {source}" for name, source in additions.items()]
    return "; ".join(result)


def _insert(body: str, text: str, *, before: str, after: str) -> str:
    """`text` put before the first match of `before`, else after `after`, else at the end."""
    match = re.search(before, body, re.I)
    if match:
        return body[:match.start()] + text + body[match.start():]
    match = re.search(after, body, re.I)
    if match:
        return body[:match.end()] + text + body[match.end():]
    return body + text


def banner(failure: Failure) -> str:
    """The error banner shown at the top of every page while the last rebuild failed."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in failure.details)
    return ('<div id="biogen-preview-error" role="alert"><p><strong>biogen could not rebuild the site</strong>: '
            "this is the last good build. Fix the problem and save; the page reloads by itself.</p>"
            f"<p>{html.escape(failure.title)}</p>" + (f"<ul>{items}</ul>" if items else "") + "</div>")


def decorate(response: Response, preview: Preview, origin: str) -> Response:
    """Add the reload script and the error banner to an HTML response, and only there."""
    if not response.is_html or not (preview.live or preview.failure):
        return response
    body = response.body.decode("utf-8", errors="replace")
    script = style = None
    if preview.live:
        script = origin + SCRIPT_PATH
        tag = f'<script src="{SCRIPT_PATH}" data-token="{preview.token}" defer></script>'
        body = _insert(body, tag, before="</head>", after=r"<body[^>]*>")
    if preview.failure:
        style = origin + STYLE_PATH
        body = _insert(body, f'<link rel="stylesheet" href="{STYLE_PATH}">', before="</head>", after=r"<html[^>]*>")
        body = _insert(body, banner(preview.failure), before=r"(?!)", after=r"<body[^>]*>")
    response.body = body.encode()
    policy = response.header("Content-Security-Policy")
    if policy:
        response.set_header("Content-Security-Policy", relax_policy(policy, script=script, style=style))
    response.set_header("Cache-Control", "no-store")
    return response


_NO_SITE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>biogen preview</title></head>'
            "<body><main><h1>No site built yet</h1></main></body></html>")


def preview_response(preview: Preview, raw_path: str, query: str, origin: str) -> Response:
    """The answer to one request for the site: Pages' answer, decorated for the preview."""
    folder = preview.folder
    if os.path.isdir(folder):
        response = PagesSite(folder).respond(raw_path, query)
    else:
        response = Response(503, [("Content-Type", "text/html; charset=utf-8")], _NO_SITE.encode())
    return decorate(response, preview, origin)


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


class _Handler(BaseHTTPRequestHandler):
    server: "PreviewServer"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _refuse(self) -> None:
        self._send(Response(405, [("Allow", "GET, HEAD"), ("Content-Type", "text/plain; charset=utf-8")],
                            b"Method not allowed\n"), head=False)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _answer(self, head: bool) -> None:
        preview = self.server.preview
        raw_path, _, query = self.path.partition("?")
        raw_path = raw_path.split("#", 1)[0]
        if raw_path.startswith(PREVIEW_PREFIX):
            self._send(self._own(raw_path, query), head)
            return
        preview.wait_until_built()
        host = self.headers.get("Host", "")
        origin = f"http://{host}" if _HOST.match(host) else "'self'"
        self._send(preview_response(preview, raw_path, query, origin), head)

    def _own(self, path: str, query: str) -> Response:
        """The preview's script, the banner's stylesheet and the reload long poll."""
        plain = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
        if path == SCRIPT_PATH:
            return Response(200, plain + [("Content-Type", content_type(path))], _package_file("livereload.js"))
        if path == STYLE_PATH:
            return Response(200, plain + [("Content-Type", content_type(path))], _package_file("livereload.css"))
        if path == RELOAD_PATH:
            since = parse_qs(query).get("since", [""])[0]
            token = self.server.preview.wait_for_change(since)
            body = json.dumps({"token": token, "error": str(self.server.preview.failure or "") or None})
            return Response(200, plain + [("Content-Type", content_type(".json"))], body.encode())
        return Response(404, plain + [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")

    def _send(self, response: Response, head: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the page went away
                self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        log.debug("%s %s", self.address_string(), format % args)


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server answering for one Preview."""

    daemon_threads = True

    def __init__(self, preview: Preview, host: str, port: int):
        self.preview = preview
        super().__init__((host, port), _Handler)

    def handle_error(self, request, client_address) -> None:
        """A browser that drops a connection (a reload, a cancelled image, Lighthouse
        between runs) is routine, not a traceback in the terminal; anything else is."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            log.debug("%s closed the connection: %s", client_address[0], error)
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        """Where the preview is served."""
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"


def start_server(preview: Preview, host: str = "127.0.0.1", port: int = 8000) -> PreviewServer:
    """Bind the preview server (not serving yet); a port in use is a clear error."""
    from generator.errors import BiogenError
    try:
        return PreviewServer(preview, host, port)
    except OSError as error:
        if error.errno in (98, 48):  # EADDRINUSE on Linux, macOS
            raise BiogenError(f"port {port} is in use; choose another with --port") from None
        raise BiogenError(f"cannot serve on {host}:{port}: {error.strerror}") from None


@contextlib.contextmanager
def serving(preview: Preview, host: str = "127.0.0.1", port: int = 0):
    """A preview server running in a thread for the duration of the block (tests, benchmarks)."""
    server = start_server(preview, host, port)
    thread = threading.Thread(target=server.serve_forever, name="biogen-preview", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        preview.stop()
        server.shutdown()
        server.server_close()
        thread.join()


# -- what a failed rebuild shows ---------------------------------------------------

_TEMPLATE_FRAME = re.compile(r'File "([^"]+\.(?:html|xml|txt|j2))", line (\d+)')


def describe_failure(error: BaseException, site_dir: Path | None = None) -> Failure:
    """What is wrong and where: profile, table, row and column, or template file and line."""
    from generator.errors import BiogenError, ValidationError
    if isinstance(error, ValidationError):
        return Failure(f"the database has {len(error.problems)} problem(s); nothing was written",
                       tuple(str(problem) for problem in error.problems))
    if isinstance(error, BiogenError):
        first, *rest = str(error).splitlines() or [type(error).__name__]
        return Failure(first, tuple(line.strip().removeprefix("- ") for line in rest if line.strip()))
    message = getattr(error, "message", None) or str(error)
    where = _template_location(error)
    if where:
        file, line = where
        with contextlib.suppress(ValueError, TypeError):
            file = str(Path(file).resolve().relative_to(site_dir)) if site_dir else file
        return Failure(f"template {file}, line {line}: {message}", (f"{type(error).__name__} in {file}:{line}",))
    return Failure(f"{type(error).__name__}: {message}")


def _template_location(error: BaseException) -> tuple[str, int] | None:
    """(template file, line) of a Jinja error, raised here or in a build worker process."""
    if getattr(error, "filename", None) and getattr(error, "lineno", None):
        return error.filename, error.lineno  # TemplateSyntaxError
    import traceback
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if _TEMPLATE_FRAME.search(f'File "{frame.filename}", line {frame.lineno}'):
            return frame.filename, frame.lineno
    remote = str(error.__cause__ or "")  # multiprocessing's RemoteTraceback text
    matches = _TEMPLATE_FRAME.findall(remote)
    return (matches[-1][0], int(matches[-1][1])) if matches else None


# -- biogen serve ------------------------------------------------------------------

def serve_site(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, watch: bool = False,
               open_browser: bool = False, report: Callable[[str], None] = log.warning) -> None:
    """Build the site, serve it until Ctrl-C, and with `watch` rebuild and reload on changes."""
    from generator.preview import watch as watching
    from generator.config import load_config
    config = load_config(site_dir)
    preview = Preview(config.output, live=watch)
    server = start_server(preview, host, port)
    stop = threading.Event()
    rebuilder = None
    if watch:
        watcher = watching.Watcher(config, stop)
        watcher.wait_ready()  # watching before building: no change slips in between
    watching.rebuild(site_dir, preview, report)
    if watch:
        rebuilder = threading.Thread(target=watching.rebuild_on_change, name="biogen-rebuild",
                                     args=(site_dir, preview, watcher, stop, report))
        rebuilder.start()
    report(f"serving {os.path.relpath(config.output)} at {server.url}"
           f"{' (rebuilding on changes)' if watch else ''}; press Ctrl-C to stop")
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    if open_browser:
        import webbrowser
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        report("stopped")
    finally:
        stop.set()
        preview.stop()
        server.server_close()
        if rebuilder is not None:
            rebuilder.join()  # a rebuild under way finishes (atomically) first


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
