"""`biogen serve`: build the site, serve it, and with --watch rebuild and reload on changes."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path

from generator.preview import watch as watching
from generator.preview.server import Preview, start_server

log = logging.getLogger(__name__)


def serve_site(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, watch: bool = False,
               open_browser: bool = False, report: Callable[[str], None] = log.warning) -> None:
    """Build the site, serve it until Ctrl-C, and with `watch` rebuild and reload on changes."""
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
