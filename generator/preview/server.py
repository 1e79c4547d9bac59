"""The preview server: the output folder answered as Cloudflare Pages answers it
(routing.py), plus the preview's own endpoints.

Live reload and the error banner exist only in what this server sends: they are
injected into HTML response bodies, never into the built files, and the
Content-Security-Policy is relaxed for them only in those responses.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs

from generator.preview.routing import PagesSite, Response, content_type

log = logging.getLogger(__name__)

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
        # One build at a time: the watcher's thread and, under `serve --watch`, the
        # editor's saves both rebuild (generator.preview.watch.rebuild takes it).
        self.build_lock = threading.Lock()
        # The database's fingerprint now (the watcher's DatabaseHold sets it), and what
        # it was when the last build began: a change already built by someone else
        # (an editor's save) is then not built again by the watcher.
        self.fingerprint: Callable[[], tuple | None] = lambda: None
        self.built_from: tuple | None = None

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


def preview_response(preview: Preview, raw_path: str, query: str, origin: str, host: str = "") -> Response:
    """The answer to one request for the site: Pages' answer (by Host too), decorated for the preview."""
    folder = preview.folder
    if os.path.isdir(folder):
        response = PagesSite(folder).respond(raw_path, query, host)
    else:
        response = Response(503, [("Content-Type", "text/html; charset=utf-8")], _NO_SITE.encode())
    return decorate(response, preview, origin)


_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")


def page_origin(host: str) -> str:
    """The origin a page's policy names for the preview's script: the Host asked for
    when it is a plain host[:port] (a hostile one is never written into the policy)."""
    return f"http://{host}" if _HOST.match(host) else "'self'"


def own_response(preview: Preview, path: str, query: str) -> Response:
    """The preview's own paths: its script, the banner's stylesheet and the reload long
    poll (which blocks its thread up to LONG_POLL_SECONDS)."""
    plain = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
    if path == SCRIPT_PATH:
        return Response(200, plain + [("Content-Type", content_type(path))], _package_file("livereload.js"))
    if path == STYLE_PATH:
        return Response(200, plain + [("Content-Type", content_type(path))], _package_file("livereload.css"))
    if path == RELOAD_PATH:
        since = parse_qs(query).get("since", [""])[0]
        token = preview.wait_for_change(since)
        body = json.dumps({"token": token, "error": str(preview.failure or "") or None})
        return Response(200, plain + [("Content-Type", content_type(".json"))], body.encode())
    return Response(404, plain + [("Content-Type", "text/plain; charset=utf-8")], b"Not found\n")


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
        self._send(preview_response(preview, raw_path, query, page_origin(host), host), head)

    def _own(self, path: str, query: str) -> Response:
        return own_response(self.server.preview, path, query)

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
