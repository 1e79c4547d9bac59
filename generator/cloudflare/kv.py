"""The Worker's KV cache: deleting the cached documents of the profiles a push changed.

The Worker keeps each profile's document in KV for an hour; after a push the keys of
the changed profiles are deleted, so it serves the fresh rows. The keys about to go
stale are noted before D1 is written (`biogen_kv_stale`, local-only) and forgotten
once deleted, so a purge that failed after the write is made by the next push.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from generator.cloudflare.d1 import D1, durable_object_id
from generator.data.store import transaction

log = logging.getLogger(__name__)

STALE_TABLE_SQL = ("CREATE TABLE IF NOT EXISTS biogen_kv_stale (target TEXT NOT NULL, binding TEXT NOT NULL, "
                   "key_pattern TEXT NOT NULL, username TEXT NOT NULL, "
                   "PRIMARY KEY (target, binding, key_pattern, username))")
# The local KV namespace's file, as wrangler 4.86.0 keeps it (like D1's: named by the
# Durable Object id of the namespace id), with the keys in table _mf_entries.
LOCAL_KV_FOLDER = Path(".wrangler/state/v3/kv/miniflare-KVNamespaceObject")


def kv_declared(site_dir: Path, env: str | None, binding: str) -> bool:
    """True when wrangler.toml declares a KV namespace `binding` (in [env.NAME] when chosen)."""
    import tomllib
    path = site_dir / "wrangler.toml"
    if not path.is_file():
        return False
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    scope = data.get("env", {}).get(env, {}) if env else data
    return any(ns.get("binding") == binding for ns in scope.get("kv_namespaces", []))


def purge_cache(d1: D1, usernames: list[str], binding: str, pattern: str) -> list[str]:
    """Delete the Worker's cached documents of `usernames` from KV; returns the keys deleted."""
    if not usernames:
        return []
    if not kv_declared(d1.config.site_dir, d1.config.wrangler_env, binding):
        log.info("wrangler.toml binds no KV namespace %s: no cached documents to delete", binding)
        return []
    keys = [pattern.format(username=name) for name in usernames]
    folder = d1.config.site_dir / ".biogen"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "kv-purge.json"
    path.write_text(json.dumps(keys), encoding="utf-8")
    try:
        d1.wrangler.run(["kv", "bulk", "delete", str(path), "--binding", binding, d1.mode, "--force"])
    finally:
        if not d1.wrangler.dry_run:
            path.unlink(missing_ok=True)
    return keys


def kv_namespace_id(site_dir: Path, env: str | None, binding: str) -> str | None:
    """The id wrangler.toml gives KV namespace `binding` (in [env.NAME] when chosen)."""
    import tomllib
    path = site_dir / "wrangler.toml"
    if not path.is_file():
        return None
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    scope = data.get("env", {}).get(env, {}) if env else data
    return next((ns.get("id") for ns in scope.get("kv_namespaces", []) if ns.get("binding") == binding), None)


def locally_cached(d1: D1, binding: str, keys: list[str]) -> list[str] | None:
    """Which of `keys` the local KV namespace holds (read in place), or None when that cannot be told.

    Deleting keys costs a wrangler start (~1.5 s); a key the Worker never cached needs none."""
    ident = kv_namespace_id(d1.config.site_dir, d1.config.wrangler_env, binding)
    if not ident:
        return None
    path = d1.config.site_dir / LOCAL_KV_FOLDER / f"{durable_object_id('miniflare-KVNamespaceObject', ident)}.sqlite"
    if not path.exists():
        return []       # nothing was ever cached in this namespace
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            held = {row[0] for row in conn.execute("SELECT key FROM _mf_entries WHERE key IN "
                                                   "(SELECT value FROM json_each(?))", (json.dumps(keys),))}
        finally:
            conn.close()
    except sqlite3.Error as error:
        log.info("could not read the local KV namespace %s (%s): deleting every changed key", path, error)
        return None
    return [key for key in keys if key in held]


def note_stale(conn: sqlite3.Connection, target: str, binding: str, pattern: str, usernames: list[str]) -> None:
    """Before writing D1: KV's documents of `usernames` are about to be stale."""
    with transaction(conn):
        conn.execute(STALE_TABLE_SQL)
        conn.executemany("INSERT OR IGNORE INTO biogen_kv_stale (target, binding, key_pattern, username) "
                         "VALUES (?, ?, ?, ?)",
                         [(target, binding, pattern, name) for name in usernames])


def stale_usernames(conn: sqlite3.Connection, target: str, binding: str, pattern: str) -> list[str]:
    """Usernames whose cached documents an earlier push changed but did not delete."""
    conn.execute(STALE_TABLE_SQL)
    return [row[0] for row in conn.execute("SELECT username FROM biogen_kv_stale WHERE target = ? AND binding = ? "
                                           "AND key_pattern = ? ORDER BY username", (target, binding, pattern))]


def clear_stale(conn: sqlite3.Connection, target: str, binding: str, pattern: str, usernames: list[str]) -> None:
    """After their keys were deleted from KV: forget that `usernames`' documents were stale."""
    with transaction(conn):
        conn.execute(STALE_TABLE_SQL)
        conn.executemany("DELETE FROM biogen_kv_stale WHERE target = ? AND binding = ? AND key_pattern = ? "
                         "AND username = ?",
                         [(target, binding, pattern, name) for name in usernames])


def purge(d1: D1, usernames: list[str], binding: str, pattern: str) -> list[str]:
    """Delete the Worker's cached documents of `usernames` (locally: only the keys KV holds)."""
    if not d1.remote and not d1.wrangler.dry_run and usernames:
        keys = [pattern.format(username=name) for name in usernames]
        held = locally_cached(d1, binding, keys)
        if held is not None:
            usernames = [name for name, key in zip(usernames, keys) if key in held]
    return purge_cache(d1, usernames, binding, pattern)
