"""`biogen edit` and `biogen serve --watch`: one server for the editor and the site.

Both watch the site and rebuild on changes (generator.preview.watch), and the pages
reload themselves (live reload); the editor under /_edit/ writes the database and
rebuilds at once, so the page beside its form shows each save when the redirect lands.
`biogen edit` guards every path (the secret, Host, Origin, CSRF); `biogen serve
--watch` guards the editor the same way and leaves the site's pages open to any Host,
as the preview always was (generator.editor.security). `biogen serve` without --watch
keeps the plain preview server of generator.preview.server (no editor, nothing to write).

The socket is bound before the app is made, so the address the guard accepts (and
the terminal prints) is the real one, also with --port 0 (any free port).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from generator.config import load_config
from generator.editor.app import make_app
from generator.errors import BiogenError
from generator.preview import watch as watching
from generator.preview.server import Preview
from generator.editor.security import EDIT_PREFIX, TOKEN_PARAMETER, new_secret, served_url


@dataclass
class Running:
    """An editor being served: its origin, the URL that lets a browser in, its server."""

    url: str
    entry: str
    server: uvicorn.Server
    port: int
    preview: Preview


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (IPv4 or IPv6, as the host is written)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno in (98, 48):  # EADDRINUSE on Linux, macOS
            raise BiogenError(f"port {port} is in use; choose another with --port") from None
        raise BiogenError(f"cannot serve on {host}:{port}: {error.strerror}") from None
    sock.listen(128)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server, releasing the preview's long polls as soon as Ctrl-C (or
    SIGTERM) arrives: uvicorn waits for open requests before it stops, and a page's
    reload poll would otherwise hold it up to 25 s."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]):
        super().__init__(config)
        self.on_exit = on_exit

    def handle_exit(self, sig, frame) -> None:
        self.on_exit()
        super().handle_exit(sig, frame)


@contextlib.contextmanager
def prepared(site_dir: Path, host: str, port: int, *, guard_site: bool,
             report: Callable[[str], None]) -> Iterator[tuple[Running, socket.socket]]:
    """Bound, built once, watched and rebuilt on changes while the block runs; not serving
    yet (the block runs the server). Leaving it stops the watcher after any rebuild under way."""
    config = load_config(site_dir)
    preview = Preview(config.output, live=True)
    stop = threading.Event()
    watcher = watching.Watcher(config, stop)
    watcher.wait_ready()  # watching before building: no change slips in between
    sock = bind(host, port)
    rebuilder = None
    try:
        port = sock.getsockname()[1]
        secret = new_secret()
        app = make_app(config, secret=secret, host=host, port=port, preview=preview, open_site=not guard_site)
        watching.rebuild(site_dir, preview, report)
        rebuilder = threading.Thread(target=watching.rebuild_on_change, name="biogen-rebuild",
                                     args=(site_dir, preview, watcher, stop, report))
        rebuilder.start()
        # proxy_headers off: no X-Forwarded-* header may change what the guard sees.
        server = _Server(uvicorn.Config(app, log_level="warning", proxy_headers=False, server_header=False,
                                        lifespan="off", access_log=False), on_exit=preview.stop)
        origin = served_url(host, port)
        yield Running(origin, f"{origin}{EDIT_PREFIX}?{TOKEN_PARAMETER}={secret}", server, port, preview), sock
    finally:
        stop.set()
        preview.stop()
        if rebuilder is not None:
            rebuilder.join()  # a rebuild under way finishes (atomically) first
        sock.close()


def serve_and_edit(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, guard_site: bool = True,
                   open_browser: bool = False, report: Callable[[str], None] = print) -> None:
    """Watch, rebuild and serve the site with the editor until Ctrl-C or SIGTERM.

    `guard_site` (biogen edit) puts the site's pages behind the editor's guard too;
    without it (biogen serve --watch) they answer as the preview always has."""
    if threading.current_thread() is threading.main_thread():
        # SIGTERM ends the process as quietly as Ctrl-C, also during the first build;
        # while uvicorn runs it handles both and raises them again once it has stopped.
        signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt), \
            prepared(site_dir, host, port, guard_site=guard_site, report=report) as (running, sock):
        output = os.path.relpath(running.preview.folder)
        report(f"serving {output} at {running.url}/ (rebuilding on changes); press Ctrl-C to stop")
        report(f"editing at {running.entry}\n(open this address in your browser; it lets that browser in until "
               "the server stops)")
        if open_browser:
            import webbrowser
            threading.Thread(target=webbrowser.open, args=(running.entry if guard_site else f"{running.url}/",),
                             daemon=True).start()
        running.server.run(sockets=[sock])
    report("stopped")


_MAIN_PROCESS = os.getpid()


def _interrupt(signum, frame) -> None:
    if os.getpid() != _MAIN_PROCESS:
        # A build's worker process, forked with this handler: it ends as SIGTERM ends a
        # process (the pool stops its workers so), without a KeyboardInterrupt traceback.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def edit_site(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
              report: Callable[[str], None] = print) -> None:
    """`biogen edit`: the editor and the site, every path behind the guard."""
    serve_and_edit(site_dir, host=host, port=port, guard_site=True, open_browser=open_browser, report=report)


@contextlib.contextmanager
def serving(site_dir: Path, host: str = "127.0.0.1", port: int = 0, *, guard_site: bool = True) -> Iterator[Running]:
    """The editor served from a thread while the block runs (for tests and tools), as
    `biogen edit` (or, without `guard_site`, `biogen serve --watch`) serves it."""
    with prepared(site_dir, host, port, guard_site=guard_site, report=lambda message: None) as (running, sock):
        thread = threading.Thread(target=running.server.run, kwargs={"sockets": [sock]}, name="biogen-edit",
                                  daemon=True)
        thread.start()
        try:
            while not running.server.started and thread.is_alive():
                thread.join(0.01)
            yield running
        finally:
            running.preview.stop()
            running.server.should_exit = True
            thread.join(10)
