"""The output: two trees used in turn behind an atomically swapped link.

`dist` is a symbolic link to `.dist.trees/a` or `.dist.trees/b`. A build brings the
other tree (the staging tree) up to date with only what changed since it was last
live, writes this build's changes into it, records them, then swaps the link with
one rename(2). A reader (the preview, a deploy) sees the old site or the new one,
never a mix, and a build that fails or is killed leaves the link where it was.

Why two trees and not one staging copy per build: copying or hard-linking every
unchanged file is O(site) (~0.3 s for 20,000 files here), against a budget of
0.1 s for a one-profile rebuild at any size. Catching the staging tree up is
O(changes): the manifest keeps, per file, the generation that last changed it.

Files in a tree that was caught up are hard links to the other tree's files, so
a file is never modified in place: each write goes to a temporary name and is
renamed over the old one, leaving the other tree's copy untouched.

Longer than ~400 lines for a reason: OutputTrees (~220 of them) is one protocol,
catching up, staging, committing and restoring a tree against one state database,
and each step relies on what the others recorded; split, its invariants would be
spread over files that each make sense only beside the others.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from generator.errors import BuildError

log = logging.getLogger(__name__)

TREES = ("a", "b")
STATE_NAME = "state.db"
# Raised when the state's tables change shape: a state of another version is
# dropped and the next build starts from nothing.
STATE_VERSION = "4"
# Cloudflare Pages: one file may be at most 25 MiB.
PAGES_MAX_FILE_BYTES = 25 * 1024 * 1024
# Files Pages does not count against the per-deployment limit.
PAGES_UNCOUNTED = frozenset({"_headers", "_redirects", "_routes.json", "_worker.js"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    digest TEXT,               -- NULL: deleted in generation `gen` (a tombstone)
    size INTEGER NOT NULL,
    gen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_gen ON files (gen);
-- Tombstones are few: the commit's "DELETE ... WHERE digest IS NULL AND gen < ?" then
-- reads a handful of rows, not all 200,000 of a 100,000-profile site (~45 ms).
CREATE INDEX IF NOT EXISTS files_tombstones ON files (gen) WHERE digest IS NULL;
CREATE INDEX IF NOT EXISTS files_oversize ON files (size) WHERE size > 26214400;
CREATE TABLE IF NOT EXISTS profiles (
    profile_id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    updated_at TEXT,
    outputs TEXT NOT NULL,     -- JSON list of the paths this profile writes
    warnings TEXT NOT NULL,    -- JSON list of warnings, repeated on every build until fixed
    content_hash TEXT NOT NULL -- of the rows rendered (generator.data.content_hash), for api/version.json
);
-- Every build repeats the warnings still standing; this finds them without a scan.
CREATE INDEX IF NOT EXISTS profiles_warned ON profiles (username) WHERE warnings != '[]';
CREATE TABLE IF NOT EXISTS profile_media (
    profile_id TEXT NOT NULL,
    source TEXT NOT NULL,      -- the reference as stored in the database
    path TEXT NOT NULL,        -- one of its files in the output (m/<name>.<ext>)
    PRIMARY KEY (profile_id, source, path)
);
CREATE INDEX IF NOT EXISTS profile_media_source ON profile_media (source);
CREATE INDEX IF NOT EXISTS profile_media_path ON profile_media (path);
CREATE TABLE IF NOT EXISTS media (
    file TEXT PRIMARY KEY,     -- path under content/
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL
);
"""


def digest_bytes(data: bytes) -> str:
    """The content digest the manifest records (and media file names use)."""
    # SHA-256 runs on the CPU's SHA instructions: ~9 us for a 13 KB page here,
    # against ~17 us for BLAKE2b; a build hashes two files per profile.
    return hashlib.sha256(data).hexdigest()[:32]


class Change(NamedTuple):
    """What a build did to one output path."""

    digest: str | None  # None: deleted
    size: int = 0


class RenderedProfile(NamedTuple):
    """A profile a build rendered, as the manifest records it."""

    profile_id: str
    username: str
    updated_at: str | None
    outputs: str                        # JSON list of the paths it wrote (encoded by the worker)
    warnings: tuple[str, ...]
    media: tuple[tuple[str, str], ...]  # (reference as stored, copy in the output)
    content_hash: str


_STAGING_TABLES = """
DROP TABLE IF EXISTS temp.changes;
DROP TABLE IF EXISTS temp.rendered;
DROP TABLE IF EXISTS temp.rendered_media;
CREATE TEMP TABLE changes (path TEXT PRIMARY KEY, digest TEXT, size INTEGER NOT NULL);
CREATE TEMP TABLE rendered (profile_id TEXT PRIMARY KEY, username TEXT NOT NULL, updated_at TEXT,
                            outputs TEXT NOT NULL, warnings TEXT NOT NULL, content_hash TEXT NOT NULL);
CREATE TEMP TABLE rendered_media (profile_id TEXT NOT NULL, source TEXT NOT NULL, path TEXT NOT NULL);
"""


class Staging:
    """The tree a build writes into, and what the build changed so far.

    The changes live in temporary tables of the state database, not in Python
    objects: at 100,000 profiles (200,000 files) the objects took ~2 KB a profile
    and the build's peak memory went past 240 MB; the tables keep it flat.
    """

    def __init__(self, state: sqlite3.Connection, path: Path, name: str, fresh: bool):
        self.state = state
        self.path = path
        self.name = name
        self.fresh = fresh  # a new, empty tree: files are written directly, nothing to compare
        state.executescript(_STAGING_TABLES)

    def record(self, changes: Iterable[tuple[str, Change]]) -> None:
        """Remember what happened to some output paths."""
        with _transaction(self.state):
            self.state.executemany("INSERT OR REPLACE INTO temp.changes VALUES (?, ?, ?)",
                                   [(path, change.digest, change.size) for path, change in changes])

    def record_profiles(self, profiles: Iterable[RenderedProfile]) -> None:
        """Remember the profiles rendered, for the manifest."""
        profiles = list(profiles)
        with _transaction(self.state):
            self.state.executemany("INSERT OR REPLACE INTO temp.rendered VALUES (?, ?, ?, ?, ?, ?)",
                                   [(p.profile_id, p.username, p.updated_at, p.outputs,
                                     json.dumps(p.warnings) if p.warnings else "[]", p.content_hash)
                                    for p in profiles])
            self.state.executemany("INSERT INTO temp.rendered_media VALUES (?, ?, ?)",
                                   [(p.profile_id, source, path) for p in profiles for source, path in p.media])

    def changed(self, relative: str) -> bool:
        """True when this build already wrote or deleted `relative`."""
        return self.state.execute("SELECT 1 FROM temp.changes WHERE path = ?", (relative,)).fetchone() is not None

    def paths(self) -> list[str]:
        """Every path this build wrote or deleted."""
        return [row[0] for row in self.state.execute("SELECT path FROM temp.changes ORDER BY path")]

    def counts(self) -> tuple[int, int, int]:
        """(files written, files deleted, profiles rendered)."""
        written, deleted = self.state.execute(
            "SELECT count(digest), count(*) - count(digest) FROM temp.changes").fetchone()
        rendered = self.state.execute("SELECT count(*) FROM temp.rendered").fetchone()[0]
        return written, deleted, rendered


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection):
    conn.execute("BEGIN")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def write_file(root: Path, relative: str, data: bytes, *, fresh: bool) -> None:
    """Write `data` at `root/relative`; in a shared tree, by rename (see module doc)."""
    target = os.path.join(root, relative)
    if fresh:
        # os.open/os.write: ~74 us a file here against ~110 us through open(),
        # and a fresh build writes two files per profile.
        try:
            _write_new(target, data)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            _write_new(target, data)
        return
    os.makedirs(os.path.dirname(target), exist_ok=True)
    folder, name = os.path.split(target)
    temporary = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    _write_new(temporary, data)
    os.replace(temporary, target)


def _write_new(path: str, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)


def _link_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    os.link(source, temporary)
    os.replace(temporary, target)


def remove_file(root: Path, relative: str) -> None:
    """Delete `root/relative` and the folders it leaves empty."""
    with contextlib.suppress(FileNotFoundError):
        (root / relative).unlink()
    parent = (root / relative).parent
    while parent != root:
        try:
            parent.rmdir()  # only succeeds on an empty folder
        except OSError:
            break
        parent = parent.parent


class OutputTrees:
    """The output link, its two trees, and the state that records what each holds."""

    def __init__(self, link: Path, root: Path):
        self.link = link
        self.root = root
        self._lock_file = None
        self.state: sqlite3.Connection | None = None

    # -- opening -------------------------------------------------------------

    def __enter__(self) -> "OutputTrees":
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock_file = open(self.root / "lock", "w")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another build is writing %s; waiting for it to finish", self.link)
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        self.state = sqlite3.connect(self.root / STATE_NAME, isolation_level=None, timeout=30)
        self.state.execute("PRAGMA journal_mode = WAL")
        self._check_version()
        self.state.executescript(_SCHEMA)
        self._repair_link()
        return self

    def _check_version(self) -> None:
        tables = [row[0] for row in self.state.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        if "meta" in tables and self.meta("state_version") == STATE_VERSION:
            return
        for table in tables:
            self.state.execute(f"DROP TABLE {table}")
        for name in TREES:
            shutil.rmtree(self.tree_path(name), ignore_errors=True)
        self.state.executescript(_SCHEMA)
        self.set_meta({"state_version": STATE_VERSION})

    def __exit__(self, *exc) -> None:
        if self.state is not None:
            self.state.close()
        if self._lock_file is not None:
            self._lock_file.close()

    def meta(self, key: str, default: str | None = None) -> str | None:
        """One value of the build state."""
        row = self.state.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, values: dict[str, str]) -> None:
        """Record values of the build state (inside the caller's transaction, if any)."""
        self.state.executemany("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                               "SET value = excluded.value", sorted(values.items()))

    @property
    def live(self) -> str | None:
        """The tree the link points to (as recorded), or None before the first build."""
        return self.meta("live")

    def tree_path(self, name: str) -> Path:
        """The folder of tree `name`."""
        return self.root / name

    def digest(self, relative: str) -> str | None:
        """The digest of `relative` in the live tree, or None if it has no such file."""
        row = self.state.execute("SELECT digest FROM files WHERE path = ?", (relative,)).fetchone()
        return row[0] if row else None

    def _repair_link(self) -> None:
        """Point the link at the recorded live tree (after a crash or a deleted link)."""
        live = self.live
        if live is None or not self.tree_path(live).is_dir():
            if live is not None:
                log.warning("the output tree %s is missing; rebuilding everything", self.tree_path(live))
                self.reset()
            return
        if self.link.is_symlink() and Path(os.readlink(self.link)) == self._link_target(live):
            return
        self._swap_link(live)

    def reset(self) -> None:
        """Forget both trees: the next build starts from nothing."""
        self.state.executescript("DELETE FROM meta; DELETE FROM files; DELETE FROM profiles; "
                                 "DELETE FROM profile_media;")
        self.set_meta({"state_version": STATE_VERSION})
        for name in TREES:
            shutil.rmtree(self.tree_path(name), ignore_errors=True)

    # -- the staging tree ------------------------------------------------------

    def prepare_staging(self) -> Staging:
        """The tree this build writes into, made equal to the live tree first."""
        live = self.live
        if live is None:
            name = TREES[0]
            shutil.rmtree(self.tree_path(name), ignore_errors=True)
            self.tree_path(name).mkdir(parents=True)
            self.set_meta({f"dirty_{name}": "1"})
            return Staging(self.state, self.tree_path(name), name, fresh=True)
        name = TREES[1] if live == TREES[0] else TREES[0]
        staging = self.tree_path(name)
        gen_live = int(self.meta(f"gen_{live}", "0"))
        gen_staging = self.meta(f"gen_{name}")
        dirty = self.meta(f"dirty_{name}") == "1"
        # Marked dirty before the first change to it: a build killed while catching
        # up or writing leaves the flag, and the next build copies the tree anew.
        self.set_meta({f"dirty_{name}": "1"})
        if gen_staging is None or dirty or not staging.is_dir():
            self._clone(self.tree_path(live), staging)
        else:
            self._catch_up(self.tree_path(live), staging, int(gen_staging))
        self.set_meta({f"gen_{name}": str(gen_live)})
        return Staging(self.state, staging, name, fresh=False)

    def _clone(self, source: Path, target: Path) -> None:
        """Make `target` a hard-linked copy of `source` (O(site), only when it has to)."""
        log.info("preparing the second output tree (once, or after an interrupted build)")
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, copy_function=os.link, symlinks=True)

    def _catch_up(self, live: Path, staging: Path, since: int) -> None:
        """Apply to `staging` what the live tree gained after generation `since`."""
        for relative, digest in self.state.execute("SELECT path, digest FROM files WHERE gen > ?", (since,)):
            if digest is None:
                remove_file(staging, relative)
            else:
                _link_file(live / relative, staging / relative)

    def restore(self, staging: Staging) -> None:
        """Undo a refused build's writes in the staging tree so it equals the live tree again."""
        if staging.fresh:
            shutil.rmtree(staging.path, ignore_errors=True)
            self.set_meta({f"dirty_{staging.name}": "1"})
            return
        live = self.tree_path(self.live)
        for relative in staging.paths():
            if self.digest(relative) is None:
                remove_file(staging.path, relative)
            else:
                _link_file(live / relative, staging.path / relative)
        self.set_meta({f"dirty_{staging.name}": "0"})

    # -- committing ------------------------------------------------------------

    def commit(self, staging: Staging, extra_meta: dict[str, str], removed_profiles: list[str],
               media_rows: list[tuple]) -> None:
        """Record the staging tree as the new live tree, then swap the link to it."""
        gen = int(self.meta(f"gen_{self.live}", "0")) + 1 if self.live else 1
        state = self.state
        state.execute("BEGIN IMMEDIATE")
        try:
            file_count, byte_count = self.count_after(staging)
            state.execute("INSERT INTO files (path, digest, size, gen) SELECT path, digest, size, ? FROM temp.changes "
                          "WHERE true ON CONFLICT (path) DO UPDATE SET digest = excluded.digest, "
                          "size = excluded.size, gen = excluded.gen", (gen,))
            gone = json.dumps(removed_profiles)
            for table in ("profiles", "profile_media"):
                state.execute(f"DELETE FROM {table} WHERE profile_id IN (SELECT value FROM json_each(?)) "
                              "OR profile_id IN (SELECT profile_id FROM temp.rendered)", (gone,))
            state.execute("INSERT INTO profiles SELECT profile_id, username, updated_at, outputs, warnings, "
                          "content_hash FROM temp.rendered")
            state.execute("INSERT OR IGNORE INTO profile_media SELECT profile_id, source, path FROM temp.rendered_media")
            state.executemany("INSERT INTO media VALUES (?, ?, ?, ?) ON CONFLICT (file) DO UPDATE SET "
                              "size = excluded.size, mtime_ns = excluded.mtime_ns, digest = excluded.digest",
                              media_rows)
            # Tombstones older than both trees have been applied to both.
            oldest = int(self.meta(f"gen_{self.live}", "0")) if self.live else 0
            state.execute("DELETE FROM files WHERE digest IS NULL AND gen < ?", (oldest,))
            self.set_meta({**extra_meta, "live": staging.name, f"gen_{staging.name}": str(gen),
                           f"dirty_{staging.name}": "0", "file_count": str(file_count),
                           "byte_count": str(byte_count)})
            state.execute("COMMIT")
        except BaseException:
            state.execute("ROLLBACK")
            raise
        self._swap_link(staging.name)

    def count_after(self, staging: Staging) -> tuple[int, int]:
        """(files Pages counts, bytes) of the live tree once `staging`'s changes apply."""
        file_count, byte_count = (0, 0) if staging.fresh else self.totals()
        uncounted = json.dumps(sorted(PAGES_UNCOUNTED))
        added, removed, added_bytes, removed_bytes = self.state.execute(
            "SELECT count(c.digest), count(f.digest), coalesce(sum(CASE WHEN c.digest IS NOT NULL THEN c.size END), 0), "
            "coalesce(sum(CASE WHEN f.digest IS NOT NULL THEN f.size END), 0) "
            "FROM temp.changes c LEFT JOIN files f ON f.path = c.path AND ? = 0 "
            "WHERE c.path NOT IN (SELECT value FROM json_each(?))", (int(staging.fresh), uncounted)).fetchone()
        uncounted_bytes = self.state.execute(
            "SELECT coalesce(sum(c.size), 0) - coalesce(sum(f.size), 0) FROM temp.changes c "
            "LEFT JOIN files f ON f.path = c.path AND f.digest IS NOT NULL AND ? = 0 "
            "WHERE c.path IN (SELECT value FROM json_each(?))", (int(staging.fresh), uncounted)).fetchone()[0]
        return (file_count + added - removed,
                byte_count + added_bytes - removed_bytes + uncounted_bytes)

    def oversize_after(self, staging: Staging, limit: int) -> list[tuple[str, int]]:
        """Files over `limit` bytes once `staging`'s changes apply."""
        return list(self.state.execute(
            "SELECT path, size FROM temp.changes WHERE digest IS NOT NULL AND size > ? UNION "
            "SELECT path, size FROM files WHERE digest IS NOT NULL AND size > ? "
            "AND path NOT IN (SELECT path FROM temp.changes) ORDER BY path", (limit, limit)))

    def _link_target(self, name: str) -> Path:
        return Path(os.path.relpath(self.tree_path(name), self.link.parent))

    def _swap_link(self, name: str) -> None:
        if self.link.exists() and not self.link.is_symlink():
            if not self.link.is_dir():
                raise BuildError(f"{self.link} is a file; the output must be a folder biogen owns. Move it away")
            keep = self.root / "previous-output"
            shutil.rmtree(keep, ignore_errors=True)
            os.replace(self.link, keep)
            log.warning("moved the old output folder %s to %s; %s is now a link biogen swaps atomically",
                        self.link, keep, self.link)
        self.link.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.link.with_name(f".{self.link.name}.swap")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        os.symlink(self._link_target(name), temporary, target_is_directory=True)
        os.replace(temporary, self.link)

    # -- limits ------------------------------------------------------------------

    def totals(self) -> tuple[int, int]:
        """(files Pages counts, bytes) in the live tree."""
        return int(self.meta("file_count", "0")), int(self.meta("byte_count", "0"))
