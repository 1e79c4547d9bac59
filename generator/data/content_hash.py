"""Content hashes: one per profile, from its rows, the same whoever computes them.

A profile's hash covers every column of its row and of its children's rows
(children by table, each table's rows sorted by their primary key, the first column), as JSON, SHA-256, 32 hex
digits. The build computes it from the rows it renders (and writes it into the
page and `api/version.json`), `biogen d1` from the rows it reads back from D1,
and the reference Worker (worker/src/index.js) from D1 with the same recipe; so
equal hashes mean equal rows, wherever they were read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

# Where the build writes every profile's hash and the content version of the whole site.
VERSION_FILE = "api/version.json"


def plain(value: object) -> object:
    """A column value as every reader sees it."""
    # A REAL holding an integer comes back from wrangler's JSON as an integer.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bytes):
        return "x" + value.hex()
    return value


def plain_row(row: Sequence) -> list:
    """A row with every value made plain."""
    kinds = set(map(type, row))
    if float in kinds or bytes in kinds:
        return [plain(v) for v in row]
    return list(row)


# One encoder for every call: json.dumps() with these options builds a new one each
# time (~4 us of a ~35 us profile hash).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def digest(value: object) -> str:
    """32 hex digits of SHA-256 over `value` as compact JSON (JSON.stringify's output)."""
    return digest_json(_ENCODER.encode(value))


def digest_json(text: str) -> str:
    """digest() of a value already written as compact JSON."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _id_text(row: Sequence) -> str:
    return str(row[0])


def profile_hash(profile_row: Sequence, children: Iterable[tuple[str, Sequence[Sequence]]], *,
                 whole_numbers_are_integers: bool = False) -> str:
    """The hash of one profile: its row (every column, in the schema's order) and its
    children, given as (table, rows) in the order of db.CHILD_TABLES; tables without
    rows are left out.

    With `whole_numbers_are_integers` (no column of REAL or BLOB affinity, see
    model.model_covers_schema) the rows are hashed as SQLite gave them and made plain
    only if one holds a BLOB: ~25 us a profile less than checking every value."""
    part: list = [profile_row]
    for table, rows in children:
        if rows:
            part.append([table, sorted(rows, key=_id_text)])
    if whole_numbers_are_integers:
        try:
            return digest(part)
        except TypeError:  # bytes: hashed as "x" + hex, like every reader does
            pass
    return digest([plain_row(part[0]), *([table, [plain_row(r) for r in rows]] for table, rows in part[1:])])


# The content version is the sum of the profiles' hashes (as 128-bit numbers) modulo
# 2**128, so a build can bring it up to date from the profiles it rendered alone: at
# 100,000 profiles, a digest over the sorted list of every hash took ~100 ms on every
# build. Each hash covers the profile's id, so two profiles never share one.
VERSION_MODULUS = 1 << 128


def version_term(content_hash: str) -> int:
    """One profile's share of the content version."""
    return int(content_hash, 16)


def version_of_sum(total: int) -> str:
    return f"{total % VERSION_MODULUS:032x}"


def content_version(hashes: dict[str, str]) -> str:
    """The content version of a database whose profiles (by id) have `hashes`: the sum
    of the hashes modulo 2**128, as 32 hex digits (the same whatever the order)."""
    return version_of_sum(sum(map(version_term, hashes.values())))


def version_document(hashes: dict[str, list[str]]) -> str:
    """`api/version.json` for {profile id: [username, hash]}: the content version and
    each profile's hash by username, as `biogen verify` reads them."""
    profiles = dict(sorted(hashes.values()))
    version = content_version({p: h for p, (_, h) in hashes.items()})
    return json.dumps({"contentVersion": version, "profiles": profiles}, ensure_ascii=False,
                      separators=(",", ":")) + "\n"
