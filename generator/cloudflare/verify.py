"""`biogen verify`: D1 and the local side hold the same schema, migrations and content.

The schema is compared table by table (columns with types, NOT NULL, defaults and
primary keys; foreign keys; indexes), the applied migrations by name and order,
and the content by one version computed from D1's rows against the version the
built site records in api/version.json, naming the profiles that differ.
Tables in D1 that biogen does not own (the current site's admin_users) are
listed but never counted as a difference.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.config import Config
from generator.data.content_hash import VERSION_FILE
from generator.data.migrate import discover
from generator.cloudflare.d1 import D1
from generator.data.content import Content, table_columns

Query = Callable[[str], list[dict]]

_TABLES = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
           "AND name NOT LIKE '_cf_%' AND name NOT LIKE 'biogen_%' ORDER BY name")


def schema(query: Query) -> dict[str, dict]:
    """Each table's columns, foreign keys and indexes, comparable between SQLite and D1."""
    tables = {}
    for row in query(_TABLES):
        name = row["name"]
        quoted = "'" + name.replace("'", "''") + "'"
        columns = [(c["name"], (c["type"] or "").upper(), c["notnull"], c["dflt_value"], c["pk"])
                   for c in query(f"SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info({quoted}) "
                                  "ORDER BY cid")]
        keys = [(k["from"], k["table"], k["to"], k["on_delete"], k["on_update"])
                for k in query(f"SELECT \"from\", \"table\", \"to\", on_delete, on_update "
                               f"FROM pragma_foreign_key_list({quoted}) ORDER BY id, seq")]
        indexes = {}
        for index in query(f"SELECT name, \"unique\", origin FROM pragma_index_list({quoted}) ORDER BY name"):
            if index["name"].startswith("sqlite_autoindex"):
                continue
            iname = "'" + index["name"].replace("'", "''") + "'"
            cols = [c["name"] for c in query(f"SELECT name FROM pragma_index_info({iname}) ORDER BY seqno")]
            indexes[index["name"]] = (index["unique"], tuple(cols))
        tables[name] = {"columns": columns, "foreign keys": keys, "indexes": indexes}
    return tables


def sqlite_query(conn: sqlite3.Connection) -> Query:
    """A Query over a local connection."""
    def run(sql: str) -> list[dict]:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
    return run


@dataclass
class Report:
    """What verify found; `ok` when nothing differs."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    version: str = ""

    @property
    def ok(self) -> bool:
        return not self.differences


def compare_schema(local: dict, remote: dict) -> list[str]:
    """A sentence per difference between two schema() results (tables of `local` only)."""
    found = []
    for table, mine in sorted(local.items()):
        theirs = remote.get(table)
        if theirs is None:
            found.append(f"table {table} is missing in D1")
            continue
        mine_cols, their_cols = {c[0]: c for c in mine["columns"]}, {c[0]: c for c in theirs["columns"]}
        for column in mine_cols.keys() - their_cols.keys():
            found.append(f"column {table}.{column} is missing in D1")
        for column in their_cols.keys() - mine_cols.keys():
            found.append(f"column {table}.{column} exists only in D1")
        for column in sorted(mine_cols.keys() & their_cols.keys()):
            if mine_cols[column] != their_cols[column]:
                found.append(f"column {table}.{column} differs: local (type, not null, default, pk) "
                             f"{mine_cols[column][1:]}, D1 {their_cols[column][1:]}")
        if mine["foreign keys"] != theirs["foreign keys"]:
            found.append(f"foreign keys of {table} differ: local {mine['foreign keys']}, D1 {theirs['foreign keys']}")
        for index in sorted(mine["indexes"].keys() - theirs["indexes"].keys()):
            found.append(f"index {index} on {table} is missing in D1")
        for index in sorted(theirs["indexes"].keys() - mine["indexes"].keys()):
            found.append(f"index {index} on {table} exists only in D1")
        for index in sorted(mine["indexes"].keys() & theirs["indexes"].keys()):
            if mine["indexes"][index] != theirs["indexes"][index]:
                found.append(f"index {index} on {table} differs: local {mine['indexes'][index]}, "
                             f"D1 {theirs['indexes'][index]}")
    return found


def compare_migrations(local: list[str], remote: list[str], site: set[str] | None = None) -> list[str]:
    """A sentence per migration applied on one side only (or in another order).

    A migration applied in D1 that is not a file of the site (`site`: the names in its
    migrations folder), such as the current site's own 0003_admin_users.sql, is not
    biogen's to apply: it is left out here (verify notes it), like the tables it made."""
    if site is not None:
        remote = [name for name in remote if name in site or name in local]
    found = [f"migration {name} is applied locally but not in D1" for name in local if name not in remote]
    found += [f"migration {name} is applied in D1 but not locally" for name in remote if name not in local]
    if not found and local != remote:
        found.append(f"migrations were applied in a different order: local {local}, D1 {remote}")
    return found


def built_versions(config: Config) -> dict | None:
    """The built site's api/version.json, or None before the first build."""
    path = config.output / VERSION_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def verify(conn: sqlite3.Connection, d1: D1) -> Report:
    """Compare D1 with the local database (schema, migrations) and the built site (content)."""
    report = Report()
    local_schema = schema(sqlite_query(conn))
    remote_schema = schema(d1.query)
    report.differences += compare_schema(local_schema, remote_schema)
    for table in sorted(remote_schema.keys() - local_schema.keys()):
        report.notes.append(f"table {table} exists only in D1 (not biogen's; left alone)")
    local_migrations = [r["name"] for r in sqlite_query(conn)("SELECT name FROM d1_migrations ORDER BY id")]
    remote_migrations = ([r["name"] for r in d1.query("SELECT name FROM d1_migrations ORDER BY id")]
                         if "d1_migrations" in remote_schema else [])
    site = {m.name for m in discover(d1.config.migrations_dir)}
    report.differences += compare_migrations(local_migrations, remote_migrations, site)
    for name in remote_migrations:
        if name not in site and name not in local_migrations:
            report.notes.append(f"migration {name} is applied only in D1 and is not one of this site's "
                                "(not biogen's; left alone)")
    columns = table_columns(conn)
    try:
        remote = Content(columns, d1.read_rows(columns))
    except Exception as error:  # a missing table is already named above
        report.differences.append(f"D1's rows cannot be read: {error}")
        return report
    report.version = remote.version
    built = built_versions(d1.config)
    if built is None:
        report.differences.append(f"the site is not built ({d1.config.output / VERSION_FILE} is missing): "
                                  "run `biogen build`")
        return report
    if built["contentVersion"] != remote.version:
        theirs = {remote.usernames[p]: h for p, h in remote.hashes.items()}
        mine = built["profiles"]
        names = sorted(n for n in mine.keys() | theirs.keys() if mine.get(n) != theirs.get(n))
        report.differences.append(
            f"content differs: D1 is at version {remote.version}, the built site at {built['contentVersion']}; "
            f"profiles that differ ({len(names)}): {', '.join(names[:50])}{' ...' if len(names) > 50 else ''}. "
            "Run `biogen d1 push` (or `biogen d1 pull` then `biogen build`)")
    return report
