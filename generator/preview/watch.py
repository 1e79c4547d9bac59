"""Watching a site: watchfiles with a filter that ignores the output and caches,
and the loop that rebuilds the preview's site after each burst of changes."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import watchfiles

from generator.config import CONFIG_NAME, WRANGLER_NAME, Config, load_config
from generator.preview.server import Preview, describe_failure

log = logging.getLogger(__name__)

# A burst of changes ends after this much quiet (watchfiles' `step`). An editor's
# save or a committed transaction writes its files within a few ms; 30 ms keeps a
# burst together and costs a tenth of the 300 ms edit-to-page budget.
QUIET_MS = 30
# watchfiles wakes up this often without changes: the first wake-up says the
# watches are in place, and later ones let a rebuild that met a locked database
# try again.
TICK_MS = 250
RETRY_SECONDS = 1.0

IGNORED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".biogen", "node_modules", ".venv", ".wrangler",
                ".pytest_cache", ".hypothesis", ".mypy_cache", ".idea", ".vscode"}
# Editors' swap, backup and lock files (vim, emacs, kate, LibreOffice, JetBrains, sed -i).
_EDITOR_TEMP = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]x?$|^4913$|\.kate-swp$|\.bak$|\.tmp$|^\.~lock\.|"
                          r"\.___jb_\w+___$|^sed\w{6}$|^\.DS_Store$)")
# Folders of a site that builds read; creating one changes what must be watched.
SITE_FOLDERS = {"content", "templates", "assets", "themes", "translations", "migrations"}


class SiteFilter:
    """Which changed paths matter to a build: not the output, caches or editor files."""

    def __init__(self, config: Config):
        output = str(config.output)
        self.ignored = (output, str(config.trees_dir), os.path.join(os.path.dirname(output),
                                                                    f".{config.output.name}.swap"))
        self.database = config.database.name

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        if any(path == ignored or path.startswith(ignored + os.sep) for ignored in self.ignored):
            return False
        if IGNORED_DIRS.intersection(Path(path).parts):
            return False
        name = os.path.basename(path)
        if name.startswith(self.database + "-"):
            # The write-ahead log holds committed transactions until a checkpoint;
            # -shm and -journal change on every read or are transient.
            return name == self.database + "-wal"
        return not _EDITOR_TEMP.search(name)


class RootFilter(SiteFilter):
    """At the top of the site folder only the settings, the database and site folders matter."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        name = os.path.basename(path)
        wanted = {CONFIG_NAME, WRANGLER_NAME, self.database, self.database + "-wal", *SITE_FOLDERS}
        return name in wanted and super().__call__(change, path)


def watched_folders(config: Config) -> list[Path]:
    """Folders watched recursively: content (the database, media), templates, assets, themes,
    translations, migrations."""
    candidates = [config.content_dir, *config.template_dirs, *config.asset_dirs, *config.theme_dirs,
                  *config.translation_dirs,
                  config.migrations_dir]
    if not config.site_dir.is_relative_to(config.database.parent):
        candidates.append(config.database.parent)
    folders: list[Path] = []
    for folder in sorted({path.resolve() for path in candidates if path.is_dir()}):
        if not any(folder.is_relative_to(other) for other in folders):
            folders.append(folder)
    return folders


class _Either:
    """Set when either event is (watchfiles polls `is_set()`)."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class Watcher:
    """Two watchfiles watches feeding one queue: the site folders recursively, and the
    site folder itself (settings, a database kept there) without descending into it,
    so big folders beside the site (.git, node_modules, a virtualenv) cost nothing."""

    def __init__(self, config: Config, stop: threading.Event):
        self.stop = stop
        self.batches: queue.Queue[set[str]] = queue.Queue()
        self._ready: list[threading.Event] = []
        self._folders: list[Path] = []
        self._restart = threading.Event()
        self._start(config.site_dir, [config.site_dir], False, RootFilter(config), self.stop)
        self.update(config)

    def update(self, config: Config) -> None:
        """Watch the folders `config` builds from (restarting the recursive watch if they changed)."""
        folders = watched_folders(config)
        if folders == self._folders:
            return
        self._restart.set()
        self._restart = threading.Event()
        self._folders = folders
        if folders:
            self._start(config.site_dir, folders, True, SiteFilter(config), _Either(self.stop, self._restart))

    def _start(self, site_dir: Path, paths: list[Path], recursive: bool, watch_filter, stop) -> None:
        ready = threading.Event()
        self._ready.append(ready)
        thread = threading.Thread(target=self._pump, args=(paths, recursive, watch_filter, stop, ready),
                                  name="biogen-watch", daemon=True)
        thread.start()

    def _pump(self, paths, recursive, watch_filter, stop, ready) -> None:
        for changes in watchfiles.watch(*paths, watch_filter=watch_filter, recursive=recursive, stop_event=stop,
                                        step=QUIET_MS, rust_timeout=TICK_MS, yield_on_timeout=True,
                                        raise_interrupt=False):
            ready.set()
            if changes:
                log.debug("changed: %s", ", ".join(sorted(path for _, path in changes)))
                self.batches.put({path for _, path in changes})

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """True once every watch is in place."""
        deadline = time.monotonic() + timeout
        return all(ready.wait(max(0.0, deadline - time.monotonic())) for ready in list(self._ready))

    def next_changes(self, timeout: float) -> set[str] | None:
        """The paths changed in the next burst (with any burst right behind it), or None."""
        try:
            changed = self.batches.get(timeout=timeout)
        except queue.Empty:
            return None
        with contextlib.suppress(queue.Empty):
            while True:
                changed |= self.batches.get_nowait()
        return changed


class DatabaseHold:
    """A connection kept open on the database while watching.

    When the last connection to a WAL database closes, SQLite checkpoints and deletes
    the -wal file; each build's connection would do so, the watcher would see it and
    start another build, forever. With this idle connection open, a build's close
    leaves the files alone; it holds no lock and no snapshot.
    """

    def __init__(self):
        self.conn: sqlite3.Connection | None = None
        self.path: Path | None = None

    def keep(self, database: Path) -> None:
        """Hold `database` open (reopening it when it moved or was replaced)."""
        with contextlib.suppress(OSError, sqlite3.Error):
            identity = (database, os.stat(database).st_ino)
            if identity == self.path:
                return
            self.close()
            self.conn = sqlite3.connect(database, check_same_thread=False)
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self.path = identity

    def fingerprint(self) -> tuple | None:
        """What identifies the database's committed content now (None if unknown).

        Opening and closing a connection touches the -wal file without changing
        anything, so file events alone would make every build trigger the next one.
        `data_version` changes exactly when another connection commits.
        """
        if self.conn is None:
            return None
        with contextlib.suppress(OSError, sqlite3.Error):
            return self.path, os.stat(self.path[0]).st_ino, self.conn.execute("PRAGMA data_version").fetchone()[0]
        return None

    def close(self) -> None:
        """Let go of the database."""
        if self.conn is not None:
            self.conn.close()
        self.conn = self.path = None


def _is_busy(error: BaseException) -> bool:
    """True when the build met another program's lock on the database (waited, gave up)."""
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


def rebuild(site_dir: Path, preview: Preview, report: Callable[[str], None], *,
            build: Callable | None = None, unless_built: bool = False) -> tuple[Config | None, bool]:
    """Build once for the preview: (the config, or None if it failed to load; True to retry soon).

    With `unless_built` (only the database changed), nothing is done when the database
    is as the last build found it: another thread's rebuild (an editor's save) got there first."""
    if build is None:
        from generator.build.build import build
    with preview.build_lock:
        if unless_built and preview.built_from is not None and preview.fingerprint() == preview.built_from:
            try:
                return load_config(site_dir), False
            except Exception:  # noqa: BLE001 (the next build says what is wrong, in the banner)
                return None, False
        preview.built_from = preview.fingerprint()
        return _build(site_dir, preview, report, build)


def _build(site_dir: Path, preview: Preview, report: Callable[[str], None],
           build: Callable) -> tuple[Config | None, bool]:
    config = None
    with preview.rebuilding():
        try:
            config = load_config(site_dir)
            summary = build(config)
        except Exception as error:  # noqa: BLE001 (any failure keeps the last good site up)
            failure = describe_failure(error, site_dir)
            busy = _is_busy(error)
            preview.finished(changed=False, failure=failure, folder=config.output if config else None)
            log.error("%s%s", failure, "\n  (the database is locked by another program; trying again)" if busy else "")
            return config, busy
    preview.finished(changed=not summary.unchanged, folder=config.output)
    if not summary.unchanged:
        report(f"rebuilt: {summary.rendered} profile(s) rendered, {summary.written} files written, "
               f"{summary.deleted} deleted ({summary.seconds * 1000:.0f} ms)")
    return config, False


def rebuild_on_change(site_dir: Path, preview: Preview, watcher: Watcher, stop: threading.Event,
                      report: Callable[[str], None], *, build: Callable | None = None) -> None:
    """Rebuild after each burst of changes until `stop` is set."""
    hold = DatabaseHold()
    retry = False
    database_files: set[str] = set()
    preview.fingerprint = hold.fingerprint  # preview.built_from: its value when the last build started
    try:
        with contextlib.suppress(Exception):
            config = load_config(site_dir)
            hold.keep(config.database)
            preview.built_from = hold.fingerprint()
            database_files = _database_files(config)
        while not stop.is_set():
            changed = watcher.next_changes(timeout=RETRY_SECONDS)
            if changed is None and not retry:
                continue
            only_database = bool(changed) and not retry and changed <= database_files
            if only_database and preview.built_from and hold.fingerprint() == preview.built_from:
                continue  # a connection opened or closed; nothing was committed
            config, retry = rebuild(site_dir, preview, report, build=build, unless_built=only_database)
            if config is not None:
                watcher.update(config)
                hold.keep(config.database)
                database_files = _database_files(config)
                built = preview.built_from
                if hold.fingerprint() is None or built is None or hold.fingerprint()[:2] != built[:2]:
                    preview.built_from = None  # another database now: the next change rebuilds
    finally:
        preview.fingerprint = lambda: None
        hold.close()


def _database_files(config: Config) -> set[str]:
    database = os.path.realpath(config.database)
    return {database, database + "-wal"}
