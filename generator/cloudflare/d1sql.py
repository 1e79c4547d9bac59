"""SQL that D1 accepts, made from rows: pure functions, no database.

D1's rules (cloudflare.md): no transaction statements, only some PRAGMAs, one
statement at most 100,000 bytes, and `INSERT OR REPLACE` is never used, since it
deletes the old row first and the foreign keys' ON DELETE CASCADE would take the
profile's children with it. Parents are upserted with
`INSERT ... ON CONFLICT(id) DO UPDATE`, rows are batched (25,000 rows took 36 s as
single-row INSERTs and 2.2 s as 200-row INSERTs), and values are written as
literals, so no statement comes near D1's 100 bound parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

from generator.data.db import CHILD_TABLES, KEYS, PROFILE_TABLES

# D1: "Maximum SQL statement length: 100,000 bytes" (Cloudflare D1 limits).
MAX_STATEMENT_BYTES = 100_000
# What one statement may hold here, leaving room for the statement's own words.
STATEMENT_BUDGET = 90_000
# Rows per multi-row INSERT: the batch size of the 2.2 s measurement above.
MAX_ROWS_PER_INSERT = 200
# A value longer than this (as a literal) goes in pieces: the row is written with
# a first piece this long and the rest appended with `col = col || piece` in
# pieces of APPEND_BYTES. A row of the widest table (8 columns) stays under 90,000.
LONG_VALUE_BYTES = 10_000
APPEND_BYTES = 80_000


def quote(value: object) -> str:
    """`value` as an SQLite literal: NULL, a number, 'text' (quotes doubled) or X'blob'."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NULL"
        if math.isinf(value):
            return "9e999" if value > 0 else "-9e999"
        return repr(value)
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def split_text(text: str, first: int = LONG_VALUE_BYTES, rest: int = APPEND_BYTES) -> list[str]:
    """`text` cut into pieces whose literals are at most `first`, then `rest` bytes (never inside a character)."""
    pieces, start, size = [], 0, 2
    for index, char in enumerate(text):
        width = _size(char) * (2 if char == "'" else 1)
        budget = rest if pieces else first
        if size + width > budget and index > start:
            pieces.append(text[start:index])
            start, size = index, 2
        size += width
    pieces.append(text[start:])
    return pieces


def _key(table: str) -> str:
    """The primary key column of `table` (id, for a table biogen does not know)."""
    return KEYS.get(table, "id")


def upsert_statements(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """Multi-row `INSERT ... ON CONFLICT(key) DO UPDATE` statements for `rows`, each under the limit."""
    ident = _key(table)
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != ident)
    tail = f" ON CONFLICT({ident}) DO UPDATE SET {updates};" if updates else f" ON CONFLICT({ident}) DO NOTHING;"
    key = columns.index(ident)
    batch: list[str] = []
    batch_size = _size(head) + _size(tail)
    appends: list[str] = []
    for row in rows:
        values, row_appends = [], []
        for column, value in zip(columns, row):
            literal = quote(value)
            if isinstance(value, str) and _size(literal) > LONG_VALUE_BYTES:
                first, *rest = split_text(value)
                literal = quote(first)
                row_appends += [f"UPDATE {table} SET {column} = {column} || {quote(piece)} "
                                f"WHERE {ident} = {quote(row[key])};" for piece in rest]
            values.append(literal)
        tuple_text = "(" + ", ".join(values) + ")"
        width = _size(tuple_text) + 2
        if batch and (batch_size + width > STATEMENT_BUDGET or len(batch) >= MAX_ROWS_PER_INSERT):
            yield head + ", ".join(batch) + tail
            yield from appends
            batch, appends, batch_size = [], [], _size(head) + _size(tail)
        batch.append(tuple_text)
        appends += row_appends
        batch_size += width
    if batch:
        yield head + ", ".join(batch) + tail
        yield from appends


def _id_lists(ids: Sequence[str], fixed: int) -> Iterator[list[str]]:
    """`ids` in runs whose quoted list fits in one statement beside `fixed` bytes of SQL."""
    run: list[str] = []
    size = fixed
    for ident in ids:
        width = _size(quote(ident)) + 2
        if run and (size + width > STATEMENT_BUDGET or len(run) >= 1000):
            yield run
            run, size = [], fixed
        run.append(ident)
        size += width
    if run:
        yield run


def delete_statements(table: str, ids: Iterable[str]) -> Iterator[str]:
    """`DELETE FROM table WHERE key IN (...)` for `ids`, each statement under the limit."""
    for run in _id_lists(sorted(ids), 100):
        yield f"DELETE FROM {table} WHERE {_key(table)} IN ({', '.join(map(quote, run))});"


def delete_others_statements(table: str, keep: Iterable[str]) -> Iterator[str]:
    """Statements deleting every row of `table` whose id is not in `keep`, whatever the table holds.

    The sorted ids are cut into runs; each statement deletes the rows between the
    previous run's last id and this run's last id that are not in the run, and a
    last one deletes everything after the final id. Together they cover every id,
    with each statement under the size limit however many ids there are.
    (SQLite compares TEXT bytewise; Python's code-point order is the same order.)
    """
    previous, ident = None, _key(table)
    for run in _id_lists(sorted(set(keep)), 200):
        lower = "" if previous is None else f"{ident} > {quote(previous)} AND "
        yield (f"DELETE FROM {table} WHERE {lower}{ident} <= {quote(run[-1])} "
               f"AND {ident} NOT IN ({', '.join(map(quote, run))});")
        previous = run[-1]
    yield f"DELETE FROM {table}{'' if previous is None else f' WHERE {ident} > {quote(previous)}'};"


def change_statements(columns: dict[str, Sequence[str]], upserts: dict[str, list[Sequence]],
                      deletes: dict[str, Iterable[str]]) -> list[str]:
    """The statements that apply a diff: children deleted, then parents, then parents upserted, then children."""
    statements = ["PRAGMA defer_foreign_keys = TRUE;"]
    for table in (*CHILD_TABLES, "profiles"):
        statements += delete_statements(table, deletes.get(table, ()))
    for table in PROFILE_TABLES:
        statements += upsert_statements(table, columns[table], upserts.get(table, ()))
    return statements


def full_statements(columns: dict[str, Sequence[str]], rows: dict[str, list[Sequence]]) -> list[str]:
    """Statements that make any D1 state hold exactly `rows`: others deleted, all rows upserted."""
    statements = ["PRAGMA defer_foreign_keys = TRUE;"]
    for table in (*CHILD_TABLES, "profiles"):
        key = columns[table].index(_key(table))
        statements += delete_others_statements(table, [row[key] for row in rows.get(table, ())])
    for table in PROFILE_TABLES:
        statements += upsert_statements(table, columns[table], rows.get(table, ()))
    return statements


def script(statements: Iterable[str]) -> str:
    """Statements as one .sql file, one statement per line."""
    return "".join(statement + "\n" for statement in statements)
