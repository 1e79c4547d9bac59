"""`biogen serve` without --watch: build the site once and serve it as Pages would.

(With --watch the preview is served with the editor beside it: generator/editor/server.py.)"""

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


def serve_site(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
               report: Callable[[str], None] = log.warning) -> None:
    """Build the site and serve it until Ctrl-C."""
    from generator.config import load_config
    config = load_config(site_dir)
    preview = Preview(config.output, live=False)
    server = start_server(preview, host, port)
    watching.rebuild(site_dir, preview, report)
    report(f"serving {os.path.relpath(config.output)} at {server.url}; press Ctrl-C to stop")
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
        preview.stop()
        server.server_close()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
