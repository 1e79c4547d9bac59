"""A copy of the repository's demo site, for the scripts that photograph it: the
database and its settings, never the demo's own content/ (a build writes its cache
and output beside the copy)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_demo(site: Path) -> Path:
    """`site` made a copy of the demo: content/ (without SQLite's -wal/-shm files),
    biogen.toml and wrangler.toml."""
    shutil.copytree(REPO / "content", site / "content", ignore=shutil.ignore_patterns("*.db-wal", "*.db-shm"))
    for name in ("biogen.toml", "wrangler.toml"):
        shutil.copy(REPO / name, site / name)
    return site
