"""Reading a file to import: its bytes, limited in size, and its JSON, which keeps the keys
an object held twice (json.loads keeps only the last) and says where it is not JSON.

The first step of `biogen import` (generator.authoring.documents checks the shapes).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import BinaryIO

from generator.errors import DocumentError

# The largest file `biogen import` reads. Edge Config holds at most 512 KB (its
# Enterprise plan) and an admin export a few KB; 50 MB is ~15,000 profiles of the
# benchmark's size, and parses into ~0.5 GB of Python objects. Larger files are
# refused before they are read, so a wrong file cannot exhaust memory.
MAX_IMPORT_BYTES = 50_000_000


def read_source(source: str, stdin: BinaryIO | None = None, *, limit: int = MAX_IMPORT_BYTES) -> tuple[str, bytes]:
    """(name for messages, bytes) of a file, or of standard input for "-"; refuses more than `limit` bytes."""
    if source == "-":
        name = "standard input"
        data = stdin.read(limit + 1) if stdin is not None else b""
    else:
        path = Path(source)
        name = str(path)
        if not path.is_file():
            raise DocumentError(name, [("", "no such file" if not path.exists() else "is not a file")])
        if path.stat().st_size > limit:
            raise DocumentError(name, [("", _too_big(path.stat().st_size, limit))])
        with path.open("rb") as file:
            data = file.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(name, [("", _too_big(limit if source == "-" else len(data), limit, at_least=source == "-"))])
    return name, data


def _too_big(size: int, limit: int, at_least: bool = False) -> str:
    return (f"is {'more than ' if at_least else ''}{size:,} bytes; biogen imports at most {limit:,} bytes "
            f"({limit / 1_000_000:g} MB) at once: split it (one Edge Config item or one profile per file)")


class _Object(dict):
    """A JSON object that remembers the keys it held more than once (json.loads keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: Counter = Counter(key for key, _ in pairs)
        result.duplicates = tuple(key for key, count in seen.items() if count > 1)
    return result


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON (JavaScript writes it only outside JSON.stringify)")


def parse_json(name: str, data: bytes) -> object:
    """The JSON value in `data` (UTF-8, or UTF-16 with a byte order mark); errors give line and column."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")  # PowerShell's `>` writes UTF-16 with a BOM
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DocumentError(name, [("", f"is not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, "
                                        f"column {column}; save the file as UTF-8")]) from None
    try:
        return json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise DocumentError(name, [("", f"is not valid JSON: {error.msg} at line {error.lineno}, "
                                        f"column {error.colno}")]) from None
    except RecursionError:
        raise DocumentError(name, [("", "nests arrays or objects too deeply to be a BioData document")]) from None
    except ValueError as error:
        raise DocumentError(name, [("", f"is not valid JSON: {error}")]) from None
