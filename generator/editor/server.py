"""`biogen edit`: build the site, then serve the editor and the site on one address.

The socket is bound before the app is made, so the address the guard accepts (and
the terminal prints) is the real one, also with --port 0 (any free port).
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from generator.config import load_config
from generator.editor.app import make_app
from generator.editor.security import EDIT_PREFIX, TOKEN_PARAMETER, new_secret, served_url


@dataclass
class Running:
    """An editor being served: its origin, the URL that lets a browser in, its server."""

    url: str
    entry: str
    server: uvicorn.Server
    port: int


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (IPv4 or IPv6, as the host is written)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    return sock


def prepare(site_dir: Path, host: str, port: int) -> tuple[Running, socket.socket]:
    """Bind, make the app behind its guard, build the site once; not serving yet."""
    config = load_config(site_dir)
    sock = bind(host, port)
    port = sock.getsockname()[1]
    secret = new_secret()
    app = make_app(config, secret=secret, host=host, port=port)
    app.state.editor.rebuild()
    # proxy_headers off: no X-Forwarded-* header may change what the guard sees.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False, server_header=False,
                                           lifespan="off", access_log=False))
    origin = served_url(host, port)
    return Running(origin, f"{origin}{EDIT_PREFIX}?{TOKEN_PARAMETER}={secret}", server, port), sock


def edit_site(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
              report: Callable[[str], None] = print) -> None:
    """Serve the editor until Ctrl-C (uvicorn handles Ctrl-C and SIGTERM)."""
    running, sock = prepare(site_dir, host, port)
    report(f"editing at {running.entry}\n(open this address in your browser; it lets that browser in until "
           "the editor stops); press Ctrl-C to stop")
    if open_browser:
        import webbrowser
        threading.Thread(target=webbrowser.open, args=(running.entry,), daemon=True).start()
    with contextlib.closing(sock):
        running.server.run(sockets=[sock])
    report("stopped")


@contextlib.contextmanager
def serving(site_dir: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[Running]:
    """The editor served from a thread while the block runs (for tests and tools)."""
    running, sock = prepare(site_dir, host, port)
    thread = threading.Thread(target=running.server.run, kwargs={"sockets": [sock]}, name="biogen-edit", daemon=True)
    thread.start()
    try:
        while not running.server.started and thread.is_alive():
            thread.join(0.01)
        yield running
    finally:
        running.server.should_exit = True
        thread.join(10)
        sock.close()
