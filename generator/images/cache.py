"""The image cache: what encoded files are called (a digest of their inputs, so each is
made once ever and shared by every profile using it), where they go in the output, and
the stat index that spares re-hashing unchanged local files."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path

# Where the files go in the output, and the length of their names. A page names each
# image file up to 7 times (2 formats x 3 widths + fallback), ~90 URLs on the full demo
# profile, so every character counts: "/m/" instead of "/media/" and 10 characters of
# base32 (50 bits; lowercase, as case-insensitive file systems need) instead of 16 hex
# digits take ~0.9 KB off its HTML. Odds of two different files sharing a name: ~1 in
# 200,000 at Pages' 100,000-file limit, ~1 in 10 million for the 14,000 files of a
# 1,000-profile site.
MEDIA_DIR = "m"
NAME_LENGTH = 10
# Part of every set's cache key: bump when the manifest's shape or the names change,
# so manifests written by an older biogen are made again (from the cached files).
MANIFEST_REVISION = 2


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def file_name(*parts) -> str:
    """The name of a media file made from `parts` (its inputs, or its bytes): 10 base32 characters."""
    data = parts[0] if len(parts) == 1 and isinstance(parts[0], bytes) else "\x1f".join(map(str, parts)).encode()
    return base64.b32encode(hashlib.sha256(data).digest()).decode()[:NAME_LENGTH].lower()


class _SourceIndex:
    """path, size, mtime -> sha256 of local files, so a rebuild does not re-read unchanged photos."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, size INTEGER, "
                         "mtime_ns INTEGER, digest TEXT)")

    def get(self, path: str, size: int, mtime_ns: int) -> str | None:
        """The digest recorded for this path if its size and mtime are unchanged."""
        row = self._db.execute("SELECT size, mtime_ns, digest FROM sources WHERE path = ?", (path,)).fetchone()
        return row[2] if row and row[0] == size and row[1] == mtime_ns else None

    def put(self, path: str, size: int, mtime_ns: int, digest: str) -> None:
        """Record a file's digest."""
        self._db.execute("INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?)", (path, size, mtime_ns, digest))

    def batch(self):
        """A transaction around many puts (one fsync, not a thousand)."""
        index = self

        class _Batch:
            def __enter__(self):
                index._db.execute("BEGIN")

            def __exit__(self, kind, value, traceback):
                index._db.execute("COMMIT" if kind is None else "ROLLBACK")
        return _Batch()
