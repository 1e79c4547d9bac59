"""The documents `biogen import` reads: the current site's data and biogen's own export.

json_input.read_source() -> json_input.parse_json() -> incoming_profiles() -> importer.import_profiles()
  bytes, limited -> JSON, duplicates kept -> validated, with JSON paths -> planned and written in one transaction

The shapes (SHAPES) are the ones the current site's data exists in: one BioData
document (the admin panel's `bio-data-export-<time>.json`, the Worker's answer),
Edge Config content `{"bioData": {"<domain>": BioData}}` (which is also what
`biogen export --all` writes, with the site's hostnames under "domains" beside
"bioData" when it has some), and Edge Config's REST list `[{"key", "value"}]`.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.authoring import domains as site_domains
from generator.authoring.json_input import MAX_IMPORT_BYTES, parse_json, read_source  # noqa: F401 (import's steps)
from generator.data import store
from generator.errors import DocumentError
from generator.data.item_details import COLUMNS as DETAIL_COLUMNS, ITEM_KEYS, assign_slugs, read_item
from generator.data.model import CHILDREN, ItemDetails, Profile, ProfileSettings
from generator.data.profile_settings import COLUMNS as SETTINGS_COLUMNS, is_default, kind_of, read_document
from generator.data.validate import image_problem, link_problem, local_file_problem, username_problem

SHAPES = ('a BioData document {"profile": {...}, "links": [...], "products": [...], "aiTools": [...]} '
          '(the admin panel\'s export), Edge Config content {"bioData": {"<domain>": BioData, ...}} '
          '(also what `biogen export --all` writes), or Edge Config\'s item list '
          '[{"key": "bioData", "value": {...}}, ...]')
DEFAULT_USERNAME = "default"  # the current Worker's DOMAIN when unset


@dataclass(frozen=True)
class Field:
    """One BioData key and the column it is stored in."""

    key: str
    column: str
    kind: str  # text, link or image: the build's rule for the column
    required: bool


PROFILE_FIELDS = (Field("name", "display_name", "text", True), Field("tagline", "tagline", "text", False),
                  Field("avatar", "avatar_url", "image", False), Field("coverImage", "cover_url", "image", False))
# child table -> (BioData key, its fields); socialLinks sit inside "profile".
CHILD_FIELDS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "social_links": ("socialLinks", (Field("name", "platform", "text", True), Field("url", "url", "link", True),
                                     Field("icon", "icon", "text", False))),
    "bio_links": ("links", (Field("name", "name", "text", True), Field("url", "url", "link", True),
                            Field("description", "description", "text", False),
                            Field("backgroundImage", "background_image", "image", False))),
    "products": ("products", (Field("name", "name", "text", True), Field("image", "image_url", "image", False),
                              Field("price", "price", "text", True), Field("url", "url", "link", True))),
    "carousel_items": ("aiTools", (Field("name", "name", "text", True), Field("logo", "logo_url", "image", False),
                                   Field("url", "url", "link", True))),
}
CHILD_NOUNS = {"social_links": "social link", "bio_links": "link", "products": "product", "carousel_items": "tool"}
# "settings" and "seo" are the newer site's: biogen keeps what profile_settings holds.
BIODATA_KEYS = ("profile", "links", "products", "aiTools", "settings", "seo")
PROFILE_KEYS = tuple(f.key for f in PROFILE_FIELDS) + ("socialLinks",)


@dataclass(frozen=True)
class Incoming:
    """One profile as a file gives it: column values, child rows in CHILD_COLUMNS order, and
    its settings ({profile_settings column: value}, None where unset), and its links' and
    products' details ({table: [{item_details column: value} or None, one per row]})."""

    username: str
    path: str
    content: dict[str, str | None]
    children: dict[str, list[tuple]]
    settings: dict[str, object] = field(default_factory=dict)
    details: dict[str, list[dict | None]] = field(default_factory=dict)
    # (hostname, kind) of each of its hostnames, from an export's "domains"; None when the
    # file has no "domains" (an Edge Config or BioData file): its hostnames stay as they are.
    domains: tuple[tuple[str, str], ...] | None = None

    def as_profile(self) -> Profile:
        """The Profile this would become (its ids are placeholders)."""
        kids = {}
        for table, row_type in CHILDREN:
            kids[table] = tuple(row_type(id=f"{table}:{i}", profile_id="", order_index=i,
                                         **dict(zip(store.CHILD_COLUMNS[table], row)))
                                for i, row in enumerate(self.children[table]))
        if not is_default(self.settings):
            kids["profile_settings"] = (ProfileSettings("", *(self.settings.get(c) for c in SETTINGS_COLUMNS)),)
        kids["item_details"] = tuple(ItemDetails(f"{table}:{i}", "", *(values.get(c) for c in DETAIL_COLUMNS))
                                     for table, rows in self.details.items() for i, values in enumerate(rows) if values)
        return Profile(id="", username=self.username, created_at=None, updated_at=None,
                       **self.content, **kids)


# ---- validating ------------------------------------------------------------------------

@dataclass
class _Findings:
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    single: bool = False  # the document is one BioData, whose username comes from --username
    domains: object = None  # the "domains" value of an export, read once the usernames are known

    def problem(self, path: str, message: str) -> None:
        self.problems.append((path, message))


def incoming_profiles(name: str, document: object, *, username: str | None = None,
                      content_dir: Path | None = None) -> tuple[list[Incoming], list[str]]:
    """(profiles, warnings) from a parsed document; DocumentError lists every problem with its JSON path."""
    found = _Findings()
    entries = _entries(document, username, found)
    if username is not None and entries is not None and not found.single:
        raise DocumentError(name, [("$", "--username applies to a single BioData document; this file names "
                                         "each profile by its domain: leave --username out")])
    incoming = []
    for user, path, value in entries or ():
        parsed = _biodata(value, path, found, content_dir)
        if parsed is not None:
            incoming.append(Incoming(user, path, *parsed))
    if found.domains is not None:
        hostnames = site_domains.read_document_domains(found.domains, "$.domains", {e[0] for e in entries or ()},
                                                       found.problem)
        incoming = [replace(entry, domains=hostnames.get(entry.username, ())) for entry in incoming]
    if found.problems:
        raise DocumentError(name, found.problems)
    return incoming, found.warnings


def _entries(document: object, username: str | None, found: _Findings) -> list[tuple[str, str, object]] | None:
    """(username, JSON path, BioData value) for each profile of the document, by its shape."""
    if isinstance(document, list):
        return _edge_config_items(document, username, found)
    if isinstance(document, dict):
        if "bioData" in document and "profile" in document:
            found.problem("$", 'holds both "bioData" and "profile", so it is neither shape; accepted: ' + SHAPES)
            return None
        if "bioData" in document:
            _duplicates(document, "$", found)
            for key in sorted(set(document) - {"bioData", "domains"}):
                found.warnings.append(f"{_at('$', key)}: ignored; biogen reads only the bioData key of Edge Config"
                                      " (and the domains of its own export)")
            found.domains = document.get("domains")
            if _single_biodata(document["bioData"]):
                # A one-domain site may keep its BioData itself under the key (no domain level).
                return _single(username, "$.bioData", document["bioData"], found)
            return _domains(document["bioData"], "$.bioData", found)
        if "profile" in document:
            return _single(username, "$", document, found)
    found.problem("$", f"is {_kind(document)}, not a shape biogen imports; accepted: {SHAPES}")
    return None


def _edge_config_items(items: list, username: str | None, found: _Findings) -> list | None:
    chosen = []
    for index, item in enumerate(items):
        path = f"$[{index}]"
        if not isinstance(item, dict) or "key" not in item or "value" not in item:
            found.problem(path, f'is {_kind(item)}, not an Edge Config item {{"key": ..., "value": ...}}')
        elif item["key"] == "bioData":
            chosen.append(index)
        else:
            found.warnings.append(f"{path}: ignored the Edge Config item {item['key']!r}; biogen reads only bioData")
    if not chosen:
        if not found.problems:
            found.problem("$", 'is a list without an item whose "key" is "bioData"; accepted: ' + SHAPES)
        return None
    for index in chosen[1:]:
        found.problem(f"$[{index}]", f'is a second "bioData" item (the first is $[{chosen[0]}]); keep one')
    value, path = items[chosen[0]]["value"], f"$[{chosen[0]}].value"
    if _single_biodata(value):
        return _single(username, path, value, found)
    return _domains(value, path, found)


def _single(username: str | None, path: str, value: object, found: _Findings) -> list[tuple[str, str, object]]:
    found.single = True
    return [(username or DEFAULT_USERNAME, path, value)]


def _single_biodata(value: object) -> bool:
    """True for one BioData document rather than documents by domain: its "profile" holds no "profile".

    (A domain named "profile" maps to a whole BioData, which does hold a "profile".)"""
    return isinstance(value, dict) and isinstance(value.get("profile"), dict) and "profile" not in value["profile"]


def _domains(value: object, path: str, found: _Findings) -> list | None:
    if not isinstance(value, dict):
        found.problem(path, f'is {_kind(value)}, not an object of BioData documents by domain {{"<domain>": {{...}}}}')
        return None
    for key in getattr(value, "duplicates", ()):
        found.problem(_at(path, key), f"the username {key!r} appears more than once in this file; keep one")
    entries = []
    for key, biodata in value.items():
        problem = username_problem(key)
        if problem:
            hint = " (usernames are lowercase)" if key.lower() != key and not username_problem(key.lower()) else ""
            found.problem(_at(path, key), f"the domain, used as the username, {problem}{hint}")
            continue
        entries.append((key, _at(path, key), biodata))
    return entries


def _biodata(value: object, path: str, found: _Findings, content_dir: Path | None):
    if not _is_object(value, path, "a BioData document", found):
        return None
    _known_keys(value, path, BIODATA_KEYS, found)
    profile = value.get("profile")
    content: dict[str, str | None] = {}
    children: dict[str, list[tuple]] = {}
    if _is_object(profile, f"{path}.profile", 'the "profile" object', found):
        _known_keys(profile, f"{path}.profile", PROFILE_KEYS, found)
        for spec in PROFILE_FIELDS:
            content[spec.column] = _value(profile, spec, f"{path}.profile", found, content_dir)
    details: dict[str, list[dict | None]] = {}
    for table, (key, fields) in CHILD_FIELDS.items():
        holder, where = (profile, f"{path}.profile") if table == "social_links" else (value, path)
        items = holder.get(key, []) if isinstance(holder, dict) else []
        children[table] = _rows(items, f"{where}.{key}", table, found, content_dir, details)
    settings = _settings(value, path, found)
    if len(content) != len(PROFILE_FIELDS):
        return None
    for (table, index), message in assign_slugs(details, children):
        found.problem(f"{path}.{CHILD_FIELDS[table][0]}[{index}].detailContent.slug", message)
    return content, children, settings, details


def _settings(value: dict, path: str, found: _Findings) -> dict[str, object]:
    """The settings of a BioData's `settings` and `seo`; keys biogen does not keep are
    dropped with a warning (the newer site's defaultCollapsed, showSegmentTabs, seo.url)."""
    for key in ("settings", "seo"):
        _nested_duplicates(value.get(key), _at(path, key), found)
    reading = read_document(value)
    for keys, message in reading.problems:
        found.problem(functools.reduce(_at, keys, path), message)
    for keys, message in reading.dropped:
        found.warnings.append(f"{functools.reduce(_at, keys, path)}: {message}")
    return reading.values


def _nested_duplicates(value: object, path: str, found: _Findings) -> None:
    if isinstance(value, dict):
        _duplicates(value, path, found)
        for key, inner in value.items():
            _nested_duplicates(inner, _at(path, key), found)


def _rows(items: object, path: str, table: str, found: _Findings, content_dir: Path | None,
          details: dict[str, list[dict | None]]) -> list:
    fields = CHILD_FIELDS[table][1]
    if items is None:
        return []
    if not isinstance(items, list):
        found.problem(path, f"is {_kind(items)}; it must be a list")
        return []
    rows = []
    allowed = tuple(f.key for f in fields) + ("id",) + ITEM_KEYS.get(table, ())
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not _is_object(item, where, "an entry", found):
            continue
        _known_keys(item, where, allowed, found)
        ident = item.get("id")
        if ident is not None and (isinstance(ident, bool) or not isinstance(ident, (int, float, str))):
            found.problem(f"{where}.id", f"is {_kind(ident)}; ids are numbers (biogen orders by position)")
        by_column = {f.column: _value(item, f, where, found, content_dir) for f in fields}
        rows.append(tuple(by_column[column] for column in store.CHILD_COLUMNS[table]))
        if table in ITEM_KEYS:
            _nested_duplicates(item.get("detailContent"), f"{where}.detailContent", found)
            extra, problems = read_item(item, table, link_problem)
            for keys, message in problems:
                found.problem(functools.reduce(_at, keys, where), message)
            details.setdefault(table, []).append(extra or None)
    return rows


def _value(holder: dict, spec: Field, path: str, found: _Findings, content_dir: Path | None) -> str | None:
    """One value normalized for storage ("" -> NULL, URLs trimmed), or None after reporting a problem."""
    where = f"{path}.{spec.key}"
    value = holder.get(spec.key)
    if value is None:
        if spec.required:
            found.problem(where, "is missing; it is required")
        return None
    if not isinstance(value, str):
        found.problem(where, f"is {_kind(value)}; it must be text (a JSON string)")
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        found.problem(where, f"holds an unpaired surrogate (\\u{ord(value[error.start]):04x}), which is not text; "
                             "fix the escape sequence")
        return None
    if spec.kind == "text":
        if spec.required and not value.strip():
            found.problem(where, "is blank; it is required")
        return value if value or spec.required else None
    value = value.strip()  # the current data has a link URL ending in a space
    if not value:
        if spec.required:
            found.problem(where, "is empty; it is required")
        return None
    message = link_problem(value) if spec.kind == "link" else image_problem(value)
    if message:
        found.problem(where, message)
    elif spec.kind == "image" and content_dir is not None and "://" not in value:
        missing = local_file_problem(value, content_dir)
        if missing:
            found.warnings.append(f"{where}: {missing} (imported anyway; `biogen build` needs the file)")
    return value


def _is_object(value: object, path: str, what: str, found: _Findings) -> bool:
    if not isinstance(value, dict):
        found.problem(path, f"is {_kind(value)}; it must be {what} (a JSON object)" if value is not None
                      else f"is missing; it must be {what} (a JSON object)")
        return False
    _duplicates(value, path, found)
    return True


def _duplicates(value: dict, path: str, found: _Findings) -> None:
    for key in getattr(value, "duplicates", ()):
        found.problem(_at(path, key), "appears more than once in this object (JSON keeps only the last); keep one")


def _known_keys(value: dict, path: str, known: tuple[str, ...], found: _Findings) -> None:
    for key in value:
        if key not in known:
            found.problem(_at(path, key), f"is not a key biogen knows here (known: {', '.join(known)}); "
                                          "remove it, or nothing of it would be kept")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _at(path: str, key: str) -> str:
    """`path` followed by the member `key`: `.links` or `["example.com"]`."""
    if _NAME.fullmatch(key) and not path.endswith(("bioData", ".value")):
        return f"{path}.{key}"
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate: show it escaped, as it was written
        return f"{path}[{json.dumps(key)}]"
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


_kind = kind_of  # the JSON type of a value, with an article, for messages
