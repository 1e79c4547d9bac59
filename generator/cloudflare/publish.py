"""`biogen publish`: build -> migrate D1 -> push the data -> deploy to Pages -> verify.

Each step runs only when the ones before it succeeded; a failure says what state
D1 and Pages are left in. The API token is read by wrangler from the environment
(CLOUDFLARE_API_TOKEN): biogen never reads it into a message or writes it anywhere.
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from collections.abc import Callable
from dataclasses import dataclass

from generator.config import Config
from generator.errors import BiogenError
from generator.cloudflare.wrangler import Wrangler

# The branch Cloudflare Pages deploys to production (a project's default); others are previews.
PRODUCTION_BRANCH = "main"
REQUIRED_VARIABLES = ("CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID")


class PublishError(BiogenError):
    """A publish step failed; the message says what each side now holds."""


@dataclass(frozen=True)
class Step:
    """One step of publishing: its name, and what D1 and Pages hold if it fails."""

    name: str
    if_failed: str


STEPS = (
    Step("build", "nothing was sent: D1 and Pages are as they were"),
    Step("migrate D1", "the site is built; wrangler applies each migration atomically, so D1 holds the "
                       "migrations applied before the failing one and its previous data; Pages is unchanged"),
    Step("push data", "D1's migrations are applied; the data upload is all-or-nothing, so D1 holds its "
                      "previous content; Pages is unchanged. Run `biogen publish` again"),
    Step("deploy Pages", "D1 holds the new content; Pages still serves the previous deployment. "
                         "Run `biogen publish` again (the push will find nothing to send)"),
    Step("verify", "D1 and Pages were updated, but D1 does not match the built site (see above)"),
)


FETCH_SECONDS = 20


def fetch_json(url: str) -> dict | None:
    """The JSON object at `url`, or None when it cannot be read (not published yet, offline)."""
    import json
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=FETCH_SECONDS) as response:
            value = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def due_reason(config: Config, now: str | None = None) -> str | None:
    """Why the published site (base_url) is behind, or None when it is not: its content version
    is the local database's, and no item started or ended since the build it serves. A scheduled
    job runs `biogen publish --if-due` every 15 minutes; most runs then do nothing."""
    from generator.build.plan import build_time
    from generator.data.content import local_content
    from generator.data.migrate import open_migrated
    published = fetch_json(f"{config.base_url}/api/version.json")
    if published is None:
        return f"{config.base_url}/api/version.json cannot be read, so the site may not be published yet"
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        version = local_content(conn).version
    finally:
        conn.close()
    if published.get("contentVersion") != version:
        return f"the data changed (published content version {published.get('contentVersion')}, local {version})"
    from generator.build.sitefiles import SCHEDULE_FILE
    schedule = fetch_json(f"{config.base_url}/{SCHEDULE_FILE}") or {}
    next_change = schedule.get("nextChange")
    now = now or build_time()
    if isinstance(next_change, str) and next_change <= now:
        return f"an item starts or ends at {next_change}, after the published build"
    return None


def project_name(config: Config) -> str:
    """The Pages project: `name` in wrangler.toml."""
    path = config.site_dir / "wrangler.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    name = data.get("name")
    if not name:
        raise PublishError(f"{path} has no `name`: set it to the Cloudflare Pages project name")
    return name


def publish(config: Config, *, branch: str | None = None, dry_run: bool = False, wrangler: Wrangler | None = None,
            echo: Callable[[str], None] = print, build: Callable[[], object] | None = None) -> None:
    """Run every step; PublishError naming the failed step and the state of each side."""
    from generator.cloudflare import d1 as d1_module
    from generator.cloudflare import d1push
    from generator.build.build import build as run_build
    from generator.data.migrate import open_migrated
    from generator.cloudflare.verify import verify
    branch = branch or PRODUCTION_BRANCH
    preview = branch != PRODUCTION_BRANCH
    use_d1 = not preview or config.wrangler_env is not None
    wrangler = wrangler or Wrangler(config.site_dir, env_name=config.wrangler_env, dry_run=dry_run, echo=echo)
    missing = [name for name in REQUIRED_VARIABLES if not os.environ.get(name)]
    if missing and not dry_run and wrangler.runner is None:
        raise PublishError(f"{' and '.join(missing)} must be set in the environment (never in a file): an API "
                           "token with the D1 Edit and Cloudflare Pages Edit permissions, and the account id")
    project = project_name(config)
    d1 = d1_module.open_d1(config, remote=True, wrangler=wrangler) if use_d1 else None
    if preview and not use_d1:
        echo(f"preview branch {branch!r}: D1 is left alone (give --env preview to push to a preview database)")

    def step(index: int, action: Callable[[], object]) -> object:
        done = ", ".join(s.name for s in STEPS[:index]) or "nothing"
        try:
            return action()
        except BiogenError as error:
            raise PublishError(f"{STEPS[index].name} failed: {error}\nDone before it: {done}. "
                               f"State: {STEPS[index].if_failed}.") from None

    if dry_run:
        echo("biogen build")
    else:
        step(0, build or (lambda: run_build(config)))
    if d1 is not None:
        step(1, d1.migrate)
        if dry_run:
            wrangler.run(["d1", "execute", d1.binding.binding, "--remote", "--file", "<the changes, as SQL>", "--yes"])
            wrangler.run(["kv", "bulk", "delete", "<changed profiles' keys>.json", "--binding", "CONFIG_CACHE",
                          "--remote", "--force"])
        else:
            conn = open_migrated(config.database, config.migrations_dir)
            try:
                result = step(2, lambda: d1push.push(conn, d1, migrate=False))
            finally:
                conn.close()
            echo(d1push.describe(result, d1, dry_run=False))
    output = os.path.relpath(config.output, config.site_dir)
    step(3, lambda: wrangler.run(["pages", "deploy", output, "--project-name", project, "--branch", branch]))
    if d1 is None:
        return
    if dry_run:
        echo(f"biogen verify --remote{' --env ' + config.wrangler_env if config.wrangler_env else ''}")
        return

    def check() -> None:
        conn: sqlite3.Connection = open_migrated(config.database, config.migrations_dir)
        try:
            report = verify(conn, d1)
        finally:
            conn.close()
        if not report.ok:
            raise PublishError("\n".join(f"  - {d}" for d in report.differences))
        echo(f"{d1.describe()} matches the deployed site (content version {report.version})")
    step(4, check)
