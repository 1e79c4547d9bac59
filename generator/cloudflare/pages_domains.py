"""`biogen domain status` and `biogen domain attach`: the site's hostnames as custom domains
of its Cloudflare Pages project, through Cloudflare's API (wrangler cannot add them).

A hostname answers only once it is a custom domain of the project (which Cloudflare
validates, and issues a certificate for) and its DNS name points at the project (a CNAME
to <project>.pages.dev). The API token is read from CLOUDFLARE_API_TOKEN and sent only in
the Authorization header: never in a message, never to disk. CLOUDFLARE_API_BASE_URL
points the calls at another server (a stand-in for tests; wrangler reads the same variable).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from generator.authoring.domains import rows_of
from generator.build.hosts import ROUTES_FILE
from generator.cloudflare.publish import project_name
from generator.config import Config
from generator.data.domains import hostname_problem, normalize_hostname
from generator.data.migrate import open_migrated
from generator.errors import BiogenError

API_BASE_URL = "https://api.cloudflare.com/client/v4"
# An API call that has not answered by then has failed (the CLI would otherwise hang).
API_TIMEOUT_SECONDS = 30


class CloudflareApiError(BiogenError):
    """Cloudflare's API refused a call or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class Api:
    """Calls to Cloudflare's API for one account."""

    token: str
    account_id: str
    base_url: str = API_BASE_URL

    @classmethod
    def from_environment(cls) -> "Api":
        token, account = os.environ.get("CLOUDFLARE_API_TOKEN"), os.environ.get("CLOUDFLARE_ACCOUNT_ID")
        missing = [name for name, value in (("CLOUDFLARE_API_TOKEN", token), ("CLOUDFLARE_ACCOUNT_ID", account))
                   if not value]
        if missing:
            raise CloudflareApiError(f"set {' and '.join(missing)} to reach Cloudflare's API (a token with the "
                                     "Cloudflare Pages: Edit permission)")
        return cls(token, account, os.environ.get("CLOUDFLARE_API_BASE_URL", API_BASE_URL).rstrip("/"))

    def call(self, method: str, path: str, body: dict | None = None) -> object:
        """The `result` of one API call; CloudflareApiError with Cloudflare's own messages."""
        request = urllib.request.Request(
            f"{self.base_url}{path}", method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=API_TIMEOUT_SECONDS) as answer:
                document = json.loads(answer.read())
        except urllib.error.HTTPError as error:
            document = _json_or_none(error.read())
            if document is None:
                raise CloudflareApiError(f"{method} {path}: HTTP {error.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise CloudflareApiError(f"{method} {path}: cannot reach Cloudflare's API ({error})") from None
        if not isinstance(document, dict) or not document.get("success"):
            errors = document.get("errors") if isinstance(document, dict) else None
            said = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors or [] if isinstance(e, dict))
            raise CloudflareApiError(f"{method} {path}: {said or 'the API did not succeed'}")
        return document.get("result")

    def project_domains(self, project: str) -> dict[str, dict]:
        """The project's custom domains by name."""
        result = self.call("GET", f"/accounts/{_quote(self.account_id)}/pages/projects/{_quote(project)}/domains")
        return {d["name"]: d for d in result or [] if isinstance(d, dict) and isinstance(d.get("name"), str)}

    def add_domain(self, project: str, hostname: str) -> dict:
        """Add `hostname` as a custom domain of the project."""
        return self.call("POST", f"/accounts/{_quote(self.account_id)}/pages/projects/{_quote(project)}/domains",
                         {"name": hostname}) or {}


def _quote(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def _json_or_none(data: bytes):
    try:
        return json.loads(data)
    except ValueError:
        return None


def site_hostnames(config: Config) -> list[tuple[str, str, str]]:
    """(hostname, kind, username) of every hostname the site answers (biogen domain list)."""
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        return rows_of(conn)
    finally:
        conn.close()


def needs(domain: dict | None, project: str) -> str:
    """What a hostname still needs on Cloudflare, from its custom-domain record (None: not added)."""
    if domain is None:
        return "not a custom domain of the project: `biogen domain attach HOST`, then a CNAME to " \
               f"{project}.pages.dev"
    status = domain.get("status")
    if status == "active":
        return "ready"
    validation = (domain.get("validation_data") or {}).get("status")
    verification = (domain.get("verification_data") or {}).get("status")
    details = ", ".join(f"{name} {value}" for name, value in (("validation", validation),
                                                              ("verification", verification)) if value)
    return (f"{status or 'pending'}" + (f" ({details})" if details else "")
            + f": its DNS name must point at the project (a CNAME to {project}.pages.dev)")


def status_lines(config: Config, api: Api | None = None) -> list[str]:
    """One line per hostname: what it still needs on Cloudflare."""
    project = project_name(config)
    rows = site_hostnames(config)
    if not rows:
        return ["no hostnames: `biogen domain add HOST USERNAME` maps one"]
    width = max(len(hostname) for hostname, _, _ in rows)
    if api is None and not (os.environ.get("CLOUDFLARE_API_TOKEN") and os.environ.get("CLOUDFLARE_ACCOUNT_ID")):
        # Without credentials, say what every hostname needs; the API would say which it has.
        return [f"{hostname:<{width}}  a custom domain of {project} and a CNAME to {project}.pages.dev "
                "(set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID to see which it has)" for hostname, _, _ in rows
                ] + redirect_advice(rows, routes_everything(config))
    api = api or Api.from_environment()
    domains = api.project_domains(project)
    return [f"{hostname:<{width}}  {needs(domains.get(hostname), project)}"
            for hostname, _, _ in rows] + redirect_advice(rows, routes_everything(config))


def routes_everything(config: Config) -> bool:
    """True when `_routes.json` sends every path but the static prefixes to _worker.js: the site
    asked for it ([domains] route_all), or the last build needed more than Pages' 100 rules."""
    try:
        return config.route_all or json.loads((config.output / ROUTES_FILE).read_text())["include"] == ["/*"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


def redirect_advice(rows: list[tuple[str, str, str]], route_all: bool) -> list[str]:
    """For each redirect row (a www. form) while `_routes.json` lists paths (generator.build.
    hosts): its 301 covers only those paths, and the two ways to cover the rest."""
    if route_all:
        return []
    mains = {username: hostname for hostname, kind, username in rows if kind == "main"}
    return [f"{hostname}: answers 301 only on the paths _routes.json sends to _worker.js (/, /api/config, "
            "/sitemap.xml, /robots.txt and the profile's own files at the root); for every other path add a Bulk "
            f"Redirect in Cloudflare's dashboard ({hostname} to https://{mains.get(username, username)}, path and "
            "query kept), or set `route_all = true` under [domains] in biogen.toml (every page view then runs the "
            "Worker: a Functions request, 100,000 a day on the free plan)"
            for hostname, kind, username in rows if kind == "redirect"]


def attach(config: Config, host: str, api: Api | None = None, echo: Callable[[str], None] = print) -> None:
    """Add `host` (a hostname of the site) as a custom domain of the Pages project."""
    hostname = normalize_hostname(host)
    if hostname_problem(hostname) or hostname not in {h for h, _, _ in site_hostnames(config)}:
        raise CloudflareApiError(f"{host!r} is not a hostname of this site: `biogen domain add {host} USERNAME` first "
                                 "(`biogen domain list` shows them)")
    project = project_name(config)
    api = api or Api.from_environment()
    domains = api.project_domains(project)
    if hostname in domains:
        echo(f"{hostname}: already a custom domain of {project}: {needs(domains[hostname], project)}")
        return
    added = api.add_domain(project, hostname)
    echo(f"{hostname}: added to {project}: {needs(added, project)}")
