"""The directory of profiles: pages of PAGE_SIZE profiles sorted by username, an index
that reaches any profile in a few clicks, and which pages a build must write again.

`/` is page 1 (`index.html`), `/page/N` page N (`page/N.html`: Cloudflare Pages serves
it at `/page/N` without a redirect, and `page` is a reserved username). Pages say
nothing of how many pages there are, so a page is written again only when what it
shows changed: its rows, its index, or whether a next page exists.

The index on every page: the first letters (0-9 as one, then a-z; usernames start with
a letter or a digit, see validate.username_problem, so nothing else can come first),
each a link to the page where that letter starts. A part of the index whose profiles
fill more than MAX_SPAN pages is split by the character after what all its usernames
share ("u" holding user-00000 ... user-99999 splits into "user-0" ... "user-9"), and that
row is shown on the pages holding part of it, down to parts of at most MAX_SPAN pages.
Any profile is then one click per row and at most one "next page" away: from the
first page, at most 3 clicks at 100,000 profiles, whether their usernames spread over
the alphabet or all begin with "user-" (tests/test_directory.py walks them), and one
more (its first letter) from any other page.

Pure but for `DatabaseNames` and `read_pages`, which read the usernames through the
database's index on them, so that one changed profile costs a few index lookups and
one page's 100 rows (~1 ms), not every row (~0.2 s at 100,000 profiles).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import sqlite3
import string
from collections.abc import Sequence
from typing import NamedTuple, Protocol

# ~7 KB of cards a page (~65 bytes each) beside ~1-3 KB of index: the old one-page
# directory was 758 KB at 10,000 profiles. 100 keeps the page count at 1,000 for
# 100,000 profiles, and a changed name rewrites one page of ~10 KB.
PAGE_SIZE = 100
# A part of the index spanning more pages than this is split one character further:
# with 2, the last click lands at most one "next page" before the profile, and a row
# of the index has at most 38 links (a-z, 0-9, '.', '-', '_' and the name itself).
MAX_SPAN = 2
# Up to this many pages holding changed profiles, they are read alone, through the
# username index: ~1.2 ms for one page at 100,000 profiles, 11 ms for 30 (their index
# rows are shared), against 0.2 s to read and paginate every row.
EDIT_MAX_PAGES = 200
# The first-letter row: (label, lowest, just above the highest) first character.
GROUPS = (("0–9", "0", ":"),) + tuple((letter, letter, chr(ord(letter) + 1)) for letter in string.ascii_lowercase)
# Above every character a username may hold ([a-z0-9._-]): name + ABOVE > every name starting with it.
ABOVE = "\x7f"


def page_count(profiles: int) -> int:
    """How many pages `profiles` profiles fill (an empty directory is one page)."""
    return max(1, -(-profiles // PAGE_SIZE))


def page_of(rank: int) -> int:
    """The page holding the profile at 0-based `rank` in username order."""
    return rank // PAGE_SIZE + 1


def page_path(number: int) -> str:
    """The output file of page `number`."""
    return "index.html" if number == 1 else f"page/{number}.html"


def page_url(number: int) -> str:
    """The URL path of page `number`."""
    return "/" if number == 1 else f"/page/{number}"


def common_prefix(first: str, last: str) -> str:
    """What `first` and `last` begin with (in a sorted list: what everything between does)."""
    size = 0
    for a, b in zip(first, last):
        if a != b:
            break
        size += 1
    return first[:size]


class Names(Protocol):
    """Sorted unique usernames, and the page each is on."""

    def first_from(self, text: str) -> str | None: ...   # the smallest name >= text
    def first_after(self, text: str) -> str | None: ...  # the smallest name > text
    def last_before(self, text: str) -> str | None: ...  # the largest name < text
    def page(self, name: str) -> int: ...                # the page of a name in the list


class SortedNames:
    """Names held in a sorted Python list (a whole build reads them all anyway)."""

    def __init__(self, names: Sequence[str]):
        self.names = names

    def first_from(self, text: str) -> str | None:
        at = bisect.bisect_left(self.names, text)
        return self.names[at] if at < len(self.names) else None

    def first_after(self, text: str) -> str | None:
        at = bisect.bisect_right(self.names, text)
        return self.names[at] if at < len(self.names) else None

    def last_before(self, text: str) -> str | None:
        at = bisect.bisect_left(self.names, text)
        return self.names[at - 1] if at else None

    def page(self, name: str) -> int:
        return page_of(bisect.bisect_left(self.names, name))


class DatabaseNames:
    """Names read through the database's index on profiles.username (an O(log n) lookup
    each), with the pages' first names as the previous build recorded them."""

    def __init__(self, conn: sqlite3.Connection, firsts: list[str]):
        self.conn = conn
        self.firsts = firsts

    def _one(self, sql: str, text: str) -> str | None:
        row = self.conn.execute(sql, (text,)).fetchone()
        return row[0] if row else None

    def first_from(self, text: str) -> str | None:
        return self._one("SELECT username FROM profiles WHERE username >= ? ORDER BY username LIMIT 1", text)

    def first_after(self, text: str) -> str | None:
        return self._one("SELECT username FROM profiles WHERE username > ? ORDER BY username LIMIT 1", text)

    def last_before(self, text: str) -> str | None:
        return self._one("SELECT username FROM profiles WHERE username < ? ORDER BY username DESC LIMIT 1", text)

    def page(self, name: str) -> int:
        return bisect.bisect_right(self.firsts, name)


class Link(NamedTuple):
    """One entry of the index: what the usernames start with, and their first page (None: no such profile)."""

    text: str
    page: int | None


class IndexRow(NamedTuple):
    """One row of the index: the links into one part of the directory."""

    label: str                 # what every name the row leads to starts with ("" for the first letters)
    links: tuple[Link, ...]


class Index:
    """The index rows of any page, over one set of names (each part split once per build)."""

    def __init__(self, names: Names):
        self.names = names
        self._letters: IndexRow | None = None
        self._children: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        self._made: dict[tuple[str, str], IndexRow] = {}
        self._parts: list[tuple[str, tuple[str, str] | None]] | None = None

    def letters(self) -> IndexRow:
        """0-9 and a-z, each linking to the page where it starts."""
        if self._letters is None:
            self._letters = IndexRow("", tuple(Link(label, self.names.page(part[0]) if part else None)
                                               for label, part in self._groups()))
        return self._letters

    def _groups(self) -> list[tuple[str, tuple[str, str] | None]]:
        """Each first-letter group: (label, (first, last) of its names, or None)."""
        if self._parts is None:
            self._parts = []
            for label, low, high in GROUPS:
                first = self.names.first_from(low)
                part = (first, self.names.last_before(high)) if first is not None and first < high else None
                self._parts.append((label, part))
        return self._parts

    def children(self, first: str, last: str) -> list[tuple[str, str, str]]:
        """The part [first, last] split by the character after its common prefix:
        (prefix, first, last) of each piece; the common prefix itself, if a name, first."""
        key = (first, last)
        if key not in self._children:
            stem = len(common_prefix(first, last))
            pieces, name = [], first
            while name is not None and name <= last:
                prefix = name[:stem + 1]
                end = name if len(name) == stem else self.names.last_before(prefix + ABOVE)
                pieces.append((prefix, name, end))
                name = self.names.first_after(end)
            self._children[key] = pieces
        return self._children[key]

    def _row(self, label: str, low: str, high: str) -> IndexRow:
        """The row of links into the part [low, high], made once per build."""
        row = self._made.get((low, high))
        if row is None:
            # Labelled by what the part's names share ("user-"), else by its letter or "0–9".
            links = tuple(Link(prefix, self.names.page(start)) for prefix, start, _ in self.children(low, high))
            row = self._made[(low, high)] = IndexRow(common_prefix(low, high) or label, links)
        return row

    def rows(self, first: str | None, last: str | None) -> tuple[IndexRow, ...]:
        """The index of the page holding the names [first, last] (None, None: no profile)."""
        rows = [self.letters()]
        if first is None:
            return tuple(rows)

        def descend(label: str, low: str, high: str) -> None:
            if self.names.page(high) - self.names.page(low) < MAX_SPAN:
                return
            rows.append(self._row(label, low, high))
            for prefix, start, end in self.children(low, high):
                if start <= last and first <= end:
                    descend(prefix, start, end)

        for label, part in self._groups():
            if part and part[0] <= last and first <= part[1]:
                descend(label, *part)
        return tuple(rows)


class DirectoryPage(NamedTuple):
    """What one page of the directory shows."""

    number: int
    rows: tuple[tuple[str, str], ...]  # (username, display name), sorted by username
    index: tuple[IndexRow, ...]
    has_next: bool

    @property
    def path(self) -> str:
        return page_path(self.number)

    @property
    def url(self) -> str:
        return page_url(self.number)

    @property
    def previous_url(self) -> str | None:
        return page_url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return page_url(self.number + 1) if self.has_next else None

    def digest(self) -> str:
        """A digest of the data the page shows. Templates and settings are not in it: when
        they change, the build renders every page again (Plan.everything)."""
        return hashlib.blake2b(json.dumps(self).encode(), digest_size=8).hexdigest()


class Update(NamedTuple):
    """What a build does to the directory."""

    pages: list[DirectoryPage]   # to render and write
    stale: list[str]             # output files of pages that no longer exist
    state: list[list[str]]       # per page: [first username, digest], for the next build


def whole_directory(rows: Sequence[tuple[str, str]], previous: list[list[str]] | None, *,
                    render_all: bool) -> Update:
    """Every page of the directory of `rows` (sorted by username), and those whose content
    differs from `previous` (the state the last build recorded)."""
    names = SortedNames([username for username, _ in rows])
    index = Index(names)
    count = page_count(len(rows))
    pages, state = [], []
    for number in range(1, count + 1):
        chunk = tuple(rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE])
        page = DirectoryPage(number, chunk, index.rows(chunk[0][0] if chunk else None, chunk[-1][0] if chunk else None),
                             number < count)
        digest = page.digest()
        state.append([chunk[0][0] if chunk else "", digest])
        if render_all or previous is None or number > len(previous) or previous[number - 1][1] != digest:
            pages.append(page)
    stale = [page_path(number) for number in range(count + 1, len(previous or ()) + 1)]
    return Update(pages, stale, state)


def edited_pages(numbers: set[int], read_rows, names: Names, previous: list[list[str]]) -> Update:
    """The pages `numbers` read again (`read_rows(first username)` gives a page's rows),
    when the usernames are those the previous build paginated: only those pages can have
    changed, and only those whose digest differs are returned."""
    index = Index(names)
    state = [list(entry) for entry in previous]
    pages = []
    for number in sorted(numbers):
        chunk = tuple(read_rows(previous[number - 1][0]))
        page = DirectoryPage(number, chunk, index.rows(chunk[0][0], chunk[-1][0]), number < len(previous))
        digest = page.digest()
        if digest != previous[number - 1][1]:
            state[number - 1][1] = digest
            pages.append(page)
    return Update(pages, [], state)


def read_pages(conn: sqlite3.Connection, previous: list[list[str]] | None, edited: list[str] | None, *,
               render_all: bool) -> Update:
    """The directory's update from the database: from the pages holding the `edited`
    usernames alone when the set of usernames is the one `previous` paginated (None:
    they changed, or there is no previous directory), else from every row."""
    if edited is not None and previous and previous[0][0]:
        firsts = [first for first, _ in previous]
        numbers = {bisect.bisect_right(firsts, username) for username in edited}
        if len(numbers) <= EDIT_MAX_PAGES:
            return edited_pages(numbers, lambda first: _rows(conn, "WHERE username >= ? ORDER BY username LIMIT ?",
                                                             (first, PAGE_SIZE)),
                                DatabaseNames(conn, firsts), previous)
    return whole_directory(_rows(conn, "ORDER BY username", ()), previous, render_all=render_all)


def _rows(conn: sqlite3.Connection, where: str, params: tuple) -> list[tuple[str, str]]:
    return conn.execute(f"SELECT username, display_name FROM profiles {where}", params).fetchall()


def state_json(state: list[list[str]]) -> str:
    """The state as the output's meta table keeps it (~30 bytes a page)."""
    return json.dumps(state, separators=(",", ":"))

