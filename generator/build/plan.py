"""Planning a build: which profiles it must render, from the change journal and a
digest of everything else that shapes the pages (templates, translations, assets,
themes, settings and biogen's own code)."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import generator
from generator.build.output import OutputTrees
from generator.build.render_context import template_sources
from generator.build.themes import theme_files
from generator.build.translations import source_files
from generator.config import Config
from generator.data import db
from generator.data.item_details import format_time
from generator.data.model import profile_ids

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """What this build must do."""

    everything: bool                 # render every profile (first build, templates changed, ...)
    render_ids: list[str]            # profiles to render (all of them when `everything`)
    removed_ids: list[str]           # profiles in the output that are gone from the database
    journal: tuple[str, int]         # the journal position this build brings the output to
    inputs: str                      # digest of templates, assets, themes and settings
    reason: str = ""
    now: str = ""                    # the build's time (item_details' format): which items are live

    @property
    def nothing_to_do(self) -> bool:
        """True when no profile changed since the last build."""
        return not self.render_ids and not self.removed_ids


def journal_meta(config: Config, plan: Plan) -> dict[str, str]:
    """Where the database stood when this build read it, for the next build's plan."""
    return {"inputs": plan.inputs, "journal_epoch": plan.journal[0], "journal_seq": str(plan.journal[1]),
            "database_inode": _inode(config), "built_at": plan.now}


def build_time() -> str:
    """The build's time as items' times are written: SOURCE_DATE_EPOCH when set (a
    reproducible build shows the same items whenever it runs), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    return format_time(moment)


def next_scheduled_change(conn: sqlite3.Connection, now: str) -> str | None:
    """The first time after `now` that an item of any profile starts or ends, or None."""
    row = conn.execute("SELECT min(t) FROM (SELECT starts_at AS t FROM item_details UNION ALL "
                       "SELECT ends_at FROM item_details) WHERE t > ?", (now,)).fetchone()
    return row[0]


def scheduled_between(conn: sqlite3.Connection, earlier: str, later: str) -> set[str]:
    """Profiles with an item starting or ending in (earlier, later]: their pages change with
    the time alone, which the journal cannot see."""
    earlier, later = min(earlier, later), max(earlier, later)  # a SOURCE_DATE_EPOCH may go back
    return {row[0] for row in conn.execute(
        "SELECT DISTINCT profile_id FROM item_details WHERE (starts_at > ?1 AND starts_at <= ?2) "
        "OR (ends_at > ?1 AND ends_at <= ?2)", (earlier, later))}


def _inode(config: Config) -> str:
    stat = os.stat(config.database)
    return f"{stat.st_dev}:{stat.st_ino}"


def code_digest(package: Path) -> bytes:
    """A digest of biogen's code and data files in `package` (its version included):
    pages change with them.

    __version__ alone missed changes between releases, made by pulling a newer biogen
    into an editable install, which then kept pages rendered by the old code. Compiled
    files (.pyc) are left out: Python writes them or not, depending on the machine."""
    digest = hashlib.blake2b(digest_size=16)
    for folder, _, files in sorted(os.walk(package)):
        for name in sorted(files):
            if name.endswith(".pyc"):
                continue
            with open(os.path.join(folder, name), "rb") as file:
                digest.update(f"{os.path.relpath(folder, package)}/{name}".encode() + b"\0" + file.read() + b"\0")
    return digest.digest()


@functools.cache
def running_code_digest() -> bytes:
    """code_digest of the biogen this process imported: read once a process (~2 ms for
    ~45 files), since a running preview keeps the code it imported whatever the files
    say later."""
    return code_digest(Path(generator.__file__).parent)


def inputs_digest(config: Config, assets: dict) -> str:
    """One digest of everything besides the database that shapes every page."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(running_code_digest())
    settings = {k: str(v) for k, v in sorted(vars(config).items()) if k not in ("workers", "wrangler_env", "d1")}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for path in template_sources(config):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in source_files(config.translation_dirs):  # the packaged file, then the site's words over it
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    # Every theme, used or not: a profile may choose any of them (generator.build.themes).
    for name, path in theme_files(config).items():
        digest.update(f"theme {name}\0".encode() + path.read_bytes())
    for logical, (output, _) in sorted(assets.items()):
        digest.update(f"{logical}={output}".encode())
    return digest.hexdigest()


def plan_build(conn: sqlite3.Connection, trees: OutputTrees, config: Config, inputs: str, *, full: bool,
               now: str = "") -> Plan:
    """Decide which profiles to render: all of them, or those the journal names and those
    with an item whose start or end passed since the last build (at `now`)."""
    now = now or build_time()
    journal = db.journal_position(conn)
    reason = ""
    if full:
        reason = "a full build was asked for"
    elif trees.live is None:
        reason = "first build"
    elif trees.meta("inputs") != inputs:
        reason = "templates, assets, themes, settings or biogen changed"
    elif (trees.meta("journal_epoch"), trees.meta("database_inode")) != (journal[0], _inode(config)):
        reason = "the database file was replaced"
    elif int(trees.meta("journal_seq", "0")) > journal[1]:
        reason = "the database is older than the last build"
    if reason:
        ids = profile_ids(conn)
        present = set(ids)
        removed = [row[0] for row in trees.state.execute("SELECT profile_id FROM profiles") if row[0] not in present]
        log.debug("rendering every profile: %s", reason)
        return Plan(True, ids, removed, journal, inputs, reason, now)
    changed = set(db.journal_since(conn, int(trees.meta("journal_seq", "0"))))
    changed |= _profiles_with_changed_media(config, trees)
    if trees.meta("built_at"):
        changed |= scheduled_between(conn, trees.meta("built_at"), now)
    existing = {row[0] for row in conn.execute(
        "SELECT id FROM profiles WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(sorted(changed)),))}
    removed = sorted(i for i in changed - existing
                     if trees.state.execute("SELECT 1 FROM profiles WHERE profile_id = ?", (i,)).fetchone())
    return Plan(False, sorted(existing), removed, journal, inputs, now=now)


def _profiles_with_changed_media(config: Config, trees: OutputTrees) -> set[str]:
    """Profiles whose local image files changed on disk since they were rendered."""
    changed = set()
    for file, size, mtime_ns in trees.state.execute("SELECT file, size, mtime_ns FROM media"):
        try:
            stat = os.stat(config.content_dir / file)
            same = (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns)
        except OSError:
            same = False
        if not same:
            changed |= {row[0] for row in trees.state.execute(
                "SELECT DISTINCT profile_id FROM profile_media WHERE source = ? OR source = ?", (file, "/" + file))}
    return changed
