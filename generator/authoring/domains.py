"""What `biogen domain add|rm|list` do: the hostnames a profile is served on (the table
domains, see generator.data.domains), checked with the build's rules before anything is
written, each command in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from generator.config import Config
from generator.data import store
from generator.data.domains import KINDS, hostname_problem, kind_problem, normalize_hostname, username_hostname
from generator.data.migrate import open_migrated
from generator.errors import Problem, ValidationError


def _refuse(hostname: str, username: str, message: str) -> ValidationError:
    return ValidationError([Problem(username, "domains", hostname, "hostname", message)],
                           heading=f"cannot map {hostname!r}")


def add(config: Config, host: str, username: str, kind: str | None = None) -> str:
    """Map `host` to the profile `username`; `kind` None makes it the main hostname when
    the profile has none yet, an alias otherwise. A new main hostname turns the old one
    into an alias. Returns the line to print."""
    if kind is not None and kind not in KINDS:
        raise store.ProfileError(f"{kind!r} is not a kind of hostname; use {', '.join(KINDS)}")
    hostname = normalize_hostname(host)
    problem = hostname_problem(hostname)
    if problem:
        raise _refuse(str(host), username, problem)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        with store.transaction(conn):
            profile = store.require_profile(conn, username)
            other = conn.execute("SELECT username FROM profiles WHERE username = ? AND id != ?",
                                 (hostname, profile.id)).fetchone()
            if other:
                raise _refuse(hostname, username, f"{hostname!r} is the username of profile {other[0]!r}, "
                                                  "which answers it already")
            owner = conn.execute("SELECT p.username FROM domains d JOIN profiles p ON p.id = d.profile_id "
                                 "WHERE d.hostname = ?", (hostname,)).fetchone()
            if owner and owner[0] != username:
                raise _refuse(hostname, username, f"{hostname!r} belongs to profile {owner[0]!r}: a hostname "
                                                  f"leads to one profile (`biogen domain rm {hostname}` first)")
            main = profile.main_hostname
            chosen = kind or ("main" if main is None or main == hostname else "alias")
            if chosen == "redirect" and (main is None or main == hostname):
                raise _refuse(hostname, username, f"a redirect leads to the main hostname of {username!r}, "
                                                  f"and it has none: add one first (`biogen domain add HOST {username}`)")
            before = next((row.kind for row in profile.domains if row.hostname == hostname), None)
            if before == chosen:
                return f"{hostname}: already {chosen} of {username}, nothing changed"
            if chosen == "main" and main is not None and main != hostname:
                conn.execute("UPDATE domains SET kind = 'alias' WHERE hostname = ?", (main,))
            # An upsert, never INSERT OR REPLACE: the row keeps its place (rowid).
            conn.execute("INSERT INTO domains (hostname, profile_id, kind) VALUES (?, ?, ?) "
                         "ON CONFLICT (hostname) DO UPDATE SET kind = excluded.kind", (hostname, profile.id, chosen))
            if chosen == "main" or before == "main":
                # The page names its main hostname as canonical: the page changed.
                store.touch_profile(conn, profile.id, store.timestamp())
    finally:
        conn.close()
    demoted = f" ({main} is an alias now)" if chosen == "main" and main not in (None, hostname) else ""
    return f"{hostname}: {chosen} of {username}" + (f" (was {before})" if before else "") + demoted


def remove(config: Config, host: str) -> str:
    """Unmap `host`; the line to print. The main hostname of a profile that still has
    redirects is kept: they would lead nowhere."""
    hostname = normalize_hostname(host)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        with store.transaction(conn):
            row = conn.execute("SELECT d.profile_id, p.username, d.kind FROM domains d JOIN profiles p "
                               "ON p.id = d.profile_id WHERE d.hostname = ?", (hostname,)).fetchone()
            if row is None:
                raise store.ProfileError(f"{hostname!r} is not in the domains table; `biogen domain list` shows them")
            profile_id, username, kind = row
            if kind == "main":
                redirects = [r[0] for r in conn.execute(
                    "SELECT hostname FROM domains WHERE profile_id = ? AND kind = 'redirect' ORDER BY hostname",
                    (profile_id,))]
                if redirects:
                    raise _refuse(hostname, username, f"{', '.join(redirects)} redirect to it: remove them first")
                store.touch_profile(conn, profile_id, store.timestamp())
            conn.execute("DELETE FROM domains WHERE hostname = ?", (hostname,))
    finally:
        conn.close()
    return f"{hostname}: removed ({kind} of {username})"


def listing(config: Config) -> list[str]:
    """One line per hostname: hostname, kind, username; usernames that are hostnames too."""
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        rows = rows_of(conn)
    finally:
        conn.close()
    if not rows:
        return ["no hostnames: `biogen domain add HOST USERNAME` maps one"]
    width = max(len(hostname) for hostname, _, _ in rows)
    return [f"{hostname:<{width}}  {kind:<8}  {username}" for hostname, kind, username in rows]


def rows_of(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(hostname, kind, username) of every row, and (username, 'username', username) for
    each username that is a hostname no row maps, sorted by hostname."""
    rows = [tuple(r) for r in conn.execute("SELECT d.hostname, d.kind, p.username FROM domains d "
                                           "JOIN profiles p ON p.id = d.profile_id")]
    mapped = {r[0] for r in rows}
    for (username,) in conn.execute("SELECT username FROM profiles WHERE instr(username, '.') > 0"):
        if username_hostname(username) and username not in mapped:
            rows.append((username, "username", username))
    return sorted(rows)


def read_document_domains(value: object, path: str, usernames: set[str],
                          problem: Callable[[str, str], None]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The hostnames of an export's `"domains": {hostname: {"username", "kind"}}`, by
    username: ((hostname, kind), ...) sorted by hostname. Each thing wrong goes to
    `problem(JSON path, message)`; the rules are the build's (generator.data.domains)."""
    if not isinstance(value, dict):
        problem(path, 'is not an object {"<hostname>": {"username": ..., "kind": ...}}: '
                      "write it as `biogen export --all` does, or leave it out")
        return {}
    for key in getattr(value, "duplicates", ()):
        problem(f"{path}[{key!r}]", "this hostname appears more than once; a hostname leads to one profile")
    found: dict[str, list[tuple[str, str]]] = {}
    for hostname, entry in value.items():
        where = f"{path}[{hostname!r}]"
        reason = hostname_problem(hostname)
        if reason:
            problem(where, f"the hostname {reason}")
            continue
        if not isinstance(entry, dict) or set(entry) != {"username", "kind"}:
            problem(where, 'is not {"username": "<username>", "kind": "main" | "alias" | "redirect"}')
            continue
        username, kind = entry["username"], entry["kind"]
        if username not in usernames:
            problem(f"{where}.username", f"{username!r} is not a profile of this file; map hostnames of the "
                                         "profiles it imports (`biogen domain add` maps others)")
        elif hostname in usernames and hostname != username:
            problem(where, f"{hostname!r} is the username of profile {hostname!r}, which answers it already")
        elif kind_problem(kind):
            problem(f"{where}.kind", kind_problem(kind))
        else:
            found.setdefault(username, []).append((hostname, kind))
    for username, rows in found.items():
        kinds = [kind for _, kind in rows]
        if kinds.count("main") > 1:
            problem(path, f"profile {username!r} has {kinds.count('main')} main hostnames; keep one")
        elif "redirect" in kinds and "main" not in kinds:
            problem(path, f"profile {username!r} has hostnames that redirect, and no main hostname to lead to")
    return {username: tuple(sorted(rows)) for username, rows in found.items()}


def hostname_conflicts(conn: sqlite3.Connection, incoming: dict[str, tuple[tuple[str, str], ...]]) -> list[Problem]:
    """What stops an import from giving profiles these hostnames ({username: ((hostname,
    kind), ...)}): a hostname of a profile the import leaves alone, or that is its username."""
    problems = []
    for username, rows in incoming.items():
        for hostname, _ in rows:
            owner = conn.execute("SELECT p.username FROM domains d JOIN profiles p ON p.id = d.profile_id "
                                 "WHERE d.hostname = ?", (hostname,)).fetchone()
            if owner and owner[0] not in incoming:
                problems.append(Problem(username, "domains", hostname, "hostname",
                                        f"{hostname!r} belongs to profile {owner[0]!r}, which this file does not "
                                        f"import (`biogen domain rm {hostname}` first)"))
            elif conn.execute("SELECT 1 FROM profiles WHERE username = ?", (hostname,)).fetchone() \
                    and hostname != username:
                problems.append(Problem(username, "domains", hostname, "hostname",
                                        f"{hostname!r} is the username of profile {hostname!r}, which answers it"))
    return problems


def insert_hostnames(conn: sqlite3.Connection, profile_id: str, rows: tuple[tuple[str, str], ...]) -> None:
    """Give the profile the hostnames `rows` ((hostname, kind), ...), in the caller's transaction."""
    conn.executemany("INSERT INTO domains (hostname, profile_id, kind) VALUES (?, ?, ?)",
                     [(hostname, profile_id, kind) for hostname, kind in rows])
