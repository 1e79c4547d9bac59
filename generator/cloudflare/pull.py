"""`biogen d1 pull`: D1's profiles into the local database, in one transaction."""

from __future__ import annotations

import logging
import sqlite3

from generator.cloudflare.d1 import D1, record_hashes
from generator.data.content import Content, table_columns
from generator.data.db import PROFILE_TABLES

log = logging.getLogger(__name__)


def pull(conn: sqlite3.Connection, d1: D1, *, dry_run: bool = False):
    """Bring D1's profiles into the local database in one transaction, through import's rules."""
    from generator.authoring import importer
    from generator.authoring.documents import incoming_profiles
    from generator.data import store
    from generator.data.model import load_profiles
    from generator.data.biodata import to_biodata
    local_columns = table_columns(conn)
    remote = Content(local_columns, d1.read_rows(local_columns))
    # D1's rows, in their rowid order, in a scratch database: load_profiles() orders
    # children as the Worker does (order_index, then insertion order).
    scratch = sqlite3.connect(":memory:")
    for table in PROFILE_TABLES:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        scratch.execute(sql)
        marks = ", ".join("?" for _ in local_columns[table])
        scratch.executemany(f"INSERT INTO {table} ({', '.join(local_columns[table])}) VALUES ({marks})",
                            remote.rows[table])
    documents = {p.username: to_biodata(p) for p in load_profiles(scratch)}
    scratch.close()
    incoming, warnings = incoming_profiles(d1.describe(), {"bioData": documents},
                                           content_dir=d1.config.content_dir)
    for warning in warnings:
        log.warning(warning)
    gone = [row for row in conn.execute("SELECT id, username FROM profiles ORDER BY username")
            if row[1] not in documents]
    if dry_run:
        return importer.plan_import(conn, incoming), [name for _, name in gone]
    with store.transaction(conn):
        plan = importer.plan_import(conn, incoming)
        importer._apply(conn, plan, store.timestamp())
        for profile_id, _ in gone:
            store.delete_profile(conn, profile_id)
    record_hashes(conn, d1.target, remote.hashes)
    return plan, [name for _, name in gone]
