"""The hostnames profiles are served on (the table domains): their form, kinds and rules.

A request's Host header selects a profile when the hostname is a row of `domains`, or
when it equals a username (the current site names a profile by its domain). Pure
functions: each returns the problem as a sentence, or None; `hostname_map()` is the
routing table the build writes into `_worker.js` and `biogen serve` reads back.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable

from generator.data.model import Profile
from generator.errors import Problem

KINDS = ("main", "alias", "redirect")
# RFC 1035: a name is at most 253 characters written without its trailing dot, a label 1-63.
HOSTNAME_MAX = 253
LABEL_MAX = 63
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# Cloudflare's own addresses: a project's *.pages.dev address must keep answering as the
# site does without any hostname (issue 17), so no profile may take one.
RESERVED_SUFFIXES = ("pages.dev", "workers.dev")


def normalize_hostname(text: str) -> str:
    """`text` as a browser sends it in Host: trimmed, lower-case, without a trailing dot,
    a Unicode name in its IDNA form (UTS #46, non-transitional, as browsers map it).
    Anything that cannot be mapped is returned as given, for hostname_problem to name."""
    host = text.strip().rstrip(".") if isinstance(text, str) else text
    if not isinstance(host, str) or not host:
        return host
    if host.isascii():
        return host.lower()
    from idna import IDNAError, encode  # ~6 ms on first use, only for Unicode names
    try:
        return encode(host, uts46=True, transitional=False).decode("ascii")
    except (IDNAError, UnicodeError, ValueError):
        return host


def hostname_problem(value: object) -> str | None:
    """Why `value` cannot be stored as a hostname, or None."""
    if not isinstance(value, str) or not value:
        return "is empty; write a hostname such as linh.example.com"
    if "://" in value or any(c in value for c in "/:?#@[] \\"):
        return (f"{value!r} is not a bare hostname: write only the name (linh.example.com), "
                "without scheme, port, path or spaces")
    if value != normalize_hostname(value):
        return (f"{value!r} is not in the form a browser sends: write {normalize_hostname(value)!r} "
                "(lower-case ASCII, an international name in its xn-- form, no trailing dot)")
    if len(value) > HOSTNAME_MAX:
        return f"is {len(value)} characters long; a hostname has at most {HOSTNAME_MAX}"
    labels = value.split(".")
    if len(labels) < 2:
        return f"{value!r} is not a domain name: a hostname on the internet has a dot (linh.example.com)"
    for label in labels:
        if len(label) > LABEL_MAX or not _LABEL.fullmatch(label):
            return (f"{value!r} has the label {label!r}: each part between dots is 1 to {LABEL_MAX} "
                    "letters, digits or '-', starting and ending with a letter or digit")
        if label.startswith("xn--") and not _valid_a_label(label):
            return f"{value!r} has {label!r}, which is not a valid IDNA (xn--) label"
    if labels[-1].isdigit():
        return f"{value!r} is an IP address or ends in a number; map a domain name"
    if any(value == suffix or value.endswith("." + suffix) for suffix in RESERVED_SUFFIXES):
        return f"{value!r} is one of Cloudflare's own addresses, which keep answering as the whole site does"
    return None


def _valid_a_label(label: str) -> bool:
    from idna import IDNAError, decode, encode
    try:
        return encode(decode(label), uts46=False).decode("ascii") == label
    except (IDNAError, UnicodeError, ValueError):
        return False


def kind_problem(value: object) -> str | None:
    """Why `value` is not a kind of hostname, or None."""
    if value in KINDS:
        return None
    return f"{value!r} is not a kind of hostname: use 'main', 'alias' or 'redirect'"


def profile_domain_problems(profile: Profile, name: str) -> list[Problem]:
    """The rules a profile's own hostnames break: the form of each, its kind, one main
    hostname at most, and a redirect only where there is a hostname to go to: the main
    row's, or the username when it is a hostname."""
    problems = []
    mains = [row.hostname for row in profile.domains if row.kind == "main"]
    for row in profile.domains:
        for column, message in (("hostname", hostname_problem(row.hostname)), ("kind", kind_problem(row.kind))):
            if message:
                problems.append(Problem(name, "domains", str(row.hostname), column, message))
        if row.kind == "main" and len(mains) > 1:
            problems.append(Problem(name, "domains", str(row.hostname), "kind",
                                    f"the profile has {len(mains)} main hostnames ({', '.join(mains)}); its page "
                                    "names one as canonical: make the others 'alias' or 'redirect'"))
        if row.kind == "redirect" and not mains and username_hostname(profile.username) is None:
            problems.append(Problem(name, "domains", str(row.hostname), "kind",
                                    "'redirect' leads to the profile's main hostname, and it has none: add one "
                                    f"(`biogen domain add HOST {name}`) or make this one 'main'"))
    return problems


def site_domain_problems(conn: sqlite3.Connection) -> list[Problem]:
    """Hostnames that would lead to two profiles: a row naming a hostname that is
    another profile's username (that profile answers it already)."""
    rows = conn.execute(
        "SELECT p.username, d.hostname, o.username FROM domains d JOIN profiles p ON p.id = d.profile_id "
        "JOIN profiles o ON o.username = d.hostname AND o.id != d.profile_id ORDER BY d.hostname")
    return [Problem(str(username), "domains", str(hostname), "hostname",
                    f"{hostname!r} is the username of profile {other!r}, which answers it already; "
                    f"remove the row (`biogen domain rm {hostname}`) or rename that profile")
            for username, hostname, other in rows]


def site_address_problems(conn: sqlite3.Connection, base_url: str) -> list[Problem]:
    """A row naming the site's own address (base_url's host): its /, sitemap and robots.txt
    would become one profile's, and the site's own would be unreachable."""
    from urllib.parse import urlsplit
    own = normalize_hostname(urlsplit(base_url).hostname or "")
    rows = conn.execute("SELECT p.username, d.hostname FROM domains d JOIN profiles p ON p.id = d.profile_id "
                        "WHERE d.hostname = ?", (own,))
    return [Problem(str(username), "domains", str(hostname), "hostname",
                    f"{hostname!r} is the site's own address (base_url in biogen.toml), whose /, sitemap and "
                    f"robots.txt are the whole site's: remove the row (`biogen domain rm {hostname}`)")
            for username, hostname in rows]


def username_hostname(username: str) -> str | None:
    """The username itself, when it is a hostname a request can carry (linh.example.com)."""
    return username if hostname_problem(username) is None else None


def own_hostname(username: str, site_host: str) -> str | None:
    """The hostname a username is, when requests for it reach the profile: a hostname by
    the rules, and not the site's own address (which always answers as the whole site)."""
    own = username_hostname(username)
    return own if own is not None and own != site_host else None


def canonical_hostname(profile: Profile, site_host: str) -> str | None:
    """The hostname a profile's page names as its address (canonical, og:url, the QR
    code, its host's sitemap): its main row's; else its username, when that is a hostname
    (linh.example.com is served at https://linh.example.com/, as on the current site, where
    each such profile is its own deployment); else None, the site's own address."""
    return profile.main_hostname or own_hostname(profile.username, site_host)


def hostname_map(rows: Iterable[tuple[str, str, str]], site_host: str = "") -> dict[str, dict[str, str]]:
    """The hostnames the domains table names -> what answers them, sorted by hostname:
    {"username": u, "canonical": host} for a profile's page (canonical: the hostname the
    page names, canonical_hostname(); "" when that is the site's own address),
    {"redirect": host} for a 301. `rows` gives (hostname, username, kind), in the order
    they were added.

    A profile with rows whose username is a hostname gets that entry too. A username that
    is a hostname and has no rows needs no entry: the Worker finds its document by the
    hostname (see any_username_hostname), and its canonical is that hostname, which keeps
    the map small for a site whose 100,000 usernames are domains (the current site's data)."""
    rows = list(rows)
    main: dict[str, str] = {}
    for hostname, username, kind in rows:
        if kind == "main":
            main.setdefault(username, hostname)
    for username in {username for _, username, _ in rows}:
        if username not in main and (own := own_hostname(username, site_host)) is not None:
            main[username] = own
    hosts: dict[str, dict[str, str]] = {}
    for username in {username for _, username, _ in rows}:
        own = own_hostname(username, site_host)
        if own is not None:
            hosts[own] = {"username": username, "canonical": main[username]}
    for hostname, username, kind in rows:
        if kind == "redirect":
            if username in main:  # else nowhere to go (the rules say so): the host answers as the site
                hosts[hostname] = {"redirect": main[username]}
        else:
            hosts[hostname] = {"username": username, "canonical": main.get(username, "")}
    return dict(sorted(hosts.items()))


def read_hostname_map(conn: sqlite3.Connection, site_host: str = "") -> dict[str, dict[str, str]]:
    """hostname_map() of the database: one query, O(rows of domains)."""
    return hostname_map(conn.execute("SELECT d.hostname, p.username, d.kind FROM domains d "
                                     "JOIN profiles p ON p.id = d.profile_id ORDER BY d.rowid"), site_host)


def any_username_hostname(conn: sqlite3.Connection) -> bool:
    """True when some username is a hostname (so the Worker must run even without rows)."""
    cursor = conn.execute("SELECT username FROM profiles WHERE instr(username, '.') > 0")
    return any(username_hostname(username) for (username,) in cursor)
