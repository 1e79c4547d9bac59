"""What `biogen domain add|rm|list` do: the hostnames a profile is served on (the table
domains, see generator.data.domains), checked with the build's rules before anything is
written, each command in one transaction."""

from __future__ import annotations

import sqlite3

from generator.config import Config
from generator.data import store
from generator.data.domains import KINDS, hostname_problem, normalize_hostname, username_hostname
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
