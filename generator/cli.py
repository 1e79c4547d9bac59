"""The biogen command line: each command parses its options and calls one function.

Longer than ~400 lines for a reason: one click group of 19 commands, each a few
lines that parse options and call into the package (the work happens there, never
here), with the help text of every command and option beside its code. Read from
the top, it is the index of what biogen can do.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path

import click

from generator import __version__
from generator.config import load_config
from generator.errors import BiogenError

log = logging.getLogger("generator")


class _Formatter(logging.Formatter):
    COLOURS = {logging.WARNING: "\x1b[33m", logging.ERROR: "\x1b[31m"}

    def __init__(self, colour: bool):
        super().__init__("%(message)s")
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        prefix = {logging.WARNING: "warning: ", logging.ERROR: "error: "}.get(record.levelno, "")
        if text.startswith("notice:"):
            prefix = ""
        if self.colour and record.levelno in self.COLOURS:
            return f"{self.COLOURS[record.levelno]}{prefix}\x1b[0m{text}"
        return prefix + text


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    colour = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    handler.setFormatter(_Formatter(colour))
    root = logging.getLogger("generator")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def site_options(command):
    """--site, -v and -q, shared by every command that works on a site folder."""
    @click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
                  show_default=True, help="The site folder (holding biogen.toml).")
    @click.option("-v", "--verbose", count=True, help="Say more (-vv for debugging detail).")
    @click.option("-q", "--quiet", is_flag=True, help="Only report errors.")
    @functools.wraps(command)
    def wrapper(*args, site_dir: Path, verbose: int, quiet: bool, **kwargs):
        _setup_logging(verbose, quiet)
        try:
            return command(*args, site_dir=site_dir, quiet=quiet, **kwargs)
        except BiogenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
    return wrapper


@click.group()
@click.version_option(__version__, prog_name="biogen")
def cli() -> None:
    """biogen builds premium link-in-bio pages from one SQLite database."""


@cli.command()
@site_options
@click.option("--strict", is_flag=True, help="Fail when the output breaks a Cloudflare Pages limit.")
@click.option("--full", is_flag=True, help="Render every profile, even those that did not change.")
def build(site_dir: Path, quiet: bool, strict: bool, full: bool) -> None:
    """Render every profile to a static page in the output folder."""
    from generator.build.build import build as run_build
    config = load_config(site_dir)
    summary = run_build(config, strict=strict, full=full, progress=None if quiet else _progress_bar())
    _clear_progress()
    for warning in summary.warnings:
        log.warning(warning)
    for problem in summary.limit_problems:
        log.warning("Cloudflare Pages limit: %s", problem)
    if quiet:
        return
    output = os.path.relpath(config.output)
    if summary.unchanged:
        click.echo(f"{output} is up to date: {summary.profiles} profiles, nothing changed ({summary.seconds:.2f} s)")
    else:
        click.echo(f"built {summary.profiles} profiles into {output}: {summary.rendered} rendered, "
                   f"{summary.written} files written, {summary.deleted} deleted ({summary.seconds:.2f} s)")
        click.echo(f"{output} holds {summary.files:,} files ({_size(summary.bytes)}); "
                   f"Cloudflare Pages allows {config.max_files:,} files per deployment, 25 MiB per file")
    if summary.next_change:
        click.echo(f"next scheduled change: {summary.next_change} (an item starts or ends; build and publish "
                   "again then, or let `biogen publish --if-due` do it)")


def _size(count: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1000
    return ""


def _progress_bar():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} profiles")
        sys.stderr.flush()
    return show


def _clear_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


@cli.command()
@site_options
@click.option("--list", "list_only", is_flag=True, help="Show applied and pending migrations; change nothing.")
def migrate(site_dir: Path, quiet: bool, list_only: bool) -> None:
    """Apply pending migrations/*.sql to the local database."""
    from generator.data import migrate as migrations
    from generator.data.db import connect
    config = load_config(site_dir)
    if list_only:
        available = migrations.discover(config.migrations_dir)
        applied = []
        if config.database.exists():
            conn = connect(config.database, readonly=True)
            applied = migrations.applied_names(conn)
            conn.close()
        for migration in available:
            click.echo(f"{'applied' if migration.name in applied else 'pending'}  {migration.name}")
        for name in applied:
            if name not in {m.name for m in available}:
                click.echo(f"applied  {name}  (no such file in {config.migrations_dir})")
        return
    if not config.database.exists():
        done = migrations.create_database(config.database, config.migrations_dir)
        click.echo(f"created {os.path.relpath(config.database)} from {len(done)} migrations")
        return
    conn = connect(config.database)
    try:
        done = migrations.apply_pending(conn, config.migrations_dir)
    finally:
        conn.close()
    if not quiet:
        click.echo("\n".join(f"applied {m.name}" for m in done) if done else "no migrations to apply")


@cli.command()
@site_options
def check(site_dir: Path, quiet: bool) -> None:
    """Check every profile against the build's rules without building."""
    from generator.build.check import check_database
    config = load_config(site_dir)
    count, warnings = check_database(config)
    for warning in warnings:
        log.warning(warning)
    if not quiet:
        click.echo(f"{count} profiles checked: no problems")


@cli.command()
@site_options
@click.option("--watch", is_flag=True, help="Rebuild when the database, templates, assets or settings change, "
                                            "and reload open pages.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default browser.")
def serve(site_dir: Path, quiet: bool, watch: bool, host: str, port: int, open_browser: bool) -> None:
    """Build the site and preview it as Cloudflare Pages will serve it."""
    report = (lambda message: None) if quiet else click.echo
    if watch:  # the preview with the editor beside it, on one server (generator/editor/server.py)
        from generator.editor.server import serve_and_edit
        serve_and_edit(site_dir, host=host, port=port, guard_site=False, open_browser=open_browser, report=report)
        return
    from generator.preview.serve import serve_site
    serve_site(site_dir, host=host, port=port, open_browser=open_browser, report=report)


@cli.command()
@site_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the editor in the default browser.")
def edit(site_dir: Path, quiet: bool, host: str, port: int, open_browser: bool) -> None:
    """Edit profiles in the browser, beside their built pages (a local editor under /_edit/)."""
    from generator.editor.server import edit_site
    edit_site(site_dir, host=host, port=port, open_browser=open_browser, report=click.echo)


# ---- authoring: init, import, export, profile ----------------------------------------

def _reports_errors(command):
    """-v and -q, and BiogenError as a message and an exit code, for commands without --site."""
    @click.option("-v", "--verbose", count=True, help="Say more (-vv for debugging detail).")
    @click.option("-q", "--quiet", is_flag=True, help="Only report errors.")
    @functools.wraps(command)
    def wrapper(*args, verbose: int, quiet: bool, **kwargs):
        _setup_logging(verbose, quiet)
        try:
            return command(*args, quiet=quiet, **kwargs)
        except BiogenError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
    return wrapper


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@_reports_errors
@click.option("--force", is_flag=True, help="Overwrite existing files (never the database).")
@click.option("--dry-run", is_flag=True, help="List the files that would be written; write nothing.")
def init(directory: Path, quiet: bool, force: bool, dry_run: bool) -> None:
    """Create a new site in DIRECTORY (default: here): settings, migrations, database, README."""
    from generator.authoring.init import init_site
    for action, path in init_site(directory, force=force, dry_run=dry_run):
        if not quiet:
            click.echo(f"{action:<9}  {os.path.relpath(path)}")
    if not quiet and not dry_run:
        click.echo(f"next: cd {os.path.relpath(directory)} && biogen import <file> (or edit content/bio.db), "
                   "then biogen build")


@cli.command("import")
@site_options
@click.argument("source", metavar="FILE|-")
@click.option("--username", help="Username of a single BioData document (default: default, as the Worker's).")
@click.option("--dry-run", is_flag=True, help="Say what would be created, changed and removed; write nothing.")
def import_command(site_dir: Path, quiet: bool, source: str, username: str | None, dry_run: bool) -> None:
    """Import profiles from a BioData document, Edge Config content, or biogen export (FILE, or - for stdin)."""
    from generator.authoring import documents, importer
    from generator.data.migrate import open_migrated
    config = load_config(site_dir)
    name, data = documents.read_source(source, sys.stdin.buffer)
    document = documents.parse_json(name, data)
    incoming, warnings = documents.incoming_profiles(name, document, username=username, content_dir=config.content_dir)
    for warning in warnings:
        log.warning(warning)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        plan = importer.import_profiles(conn, incoming, dry_run=dry_run)
    finally:
        conn.close()
    if quiet:
        return
    _echo_changes(plan, dry_run)
    click.echo(importer.summary(plan, dry_run=dry_run))


@cli.command()
@site_options
@click.argument("username", required=False)
@click.option("--all", "everything", is_flag=True, help='Export every profile as {"bioData": {username: BioData}}.')
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
def export(site_dir: Path, quiet: bool, username: str | None, everything: bool, output: Path | None) -> None:
    """Write USERNAME's BioData (as the built api/profiles/USERNAME.json), or --all profiles."""
    from generator.authoring.profiles import export_text
    config = load_config(site_dir)
    if everything == (username is not None):
        raise click.UsageError("give one USERNAME or --all")
    export_text(config, username, output=output, stdout=sys.stdout)


@cli.group()
def profile() -> None:
    """List, show, remove and rename profiles, and change their settings."""


@profile.command("list")
@site_options
def profile_list(site_dir: Path, quiet: bool) -> None:
    """List every profile: username, name, numbers of links, products and tools, last update."""
    from generator.authoring.profiles import profile_table
    click.echo(profile_table(load_config(site_dir)))


@profile.command("show")
@site_options
@click.argument("username")
@click.option("--json", "as_json", is_flag=True, help="Print the BioData document (indented) instead.")
def profile_show(site_dir: Path, quiet: bool, username: str, as_json: bool) -> None:
    """Show one profile and its children, in display order."""
    from generator.authoring.profiles import profile_text
    click.echo(profile_text(load_config(site_dir), username, as_json=as_json))


@profile.command("set")
@site_options
@click.argument("username")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
def profile_set(site_dir: Path, quiet: bool, username: str, assignments: tuple[str, ...]) -> None:
    """Change settings: theme=bold accent=#0a7 showLinks=false ("KEY=" resets one to its default)."""
    from generator.authoring.profiles import set_settings
    lines = set_settings(load_config(site_dir), username, assignments)
    if not quiet:
        click.echo("\n".join(lines))


@profile.command("rm")
@site_options
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def profile_rm(site_dir: Path, quiet: bool, username: str, yes: bool) -> None:
    """Remove a profile with its social links, links, products and tools."""
    from generator.authoring import profiles as authoring
    config = load_config(site_dir)
    counts = authoring.child_counts(config, username)
    if not yes:
        click.confirm(f"Remove {username!r} and its {counts}?", abort=True)
    authoring.remove(config, username)
    if not quiet:
        click.echo(f"removed {username} and its {counts}")


@profile.command("rename")
@site_options
@click.argument("old")
@click.argument("new")
def profile_rename(site_dir: Path, quiet: bool, old: str, new: str) -> None:
    """Give profile OLD the username NEW (its page moves to /NEW)."""
    from generator.authoring import profiles as authoring
    config = load_config(site_dir)
    authoring.rename(config, old, new)
    if not quiet:
        click.echo(f"renamed {old} to {new}")
    if config.home == old:
        log.warning("biogen.toml's home is %r: set home = %r to keep this profile at /", old, new)


@cli.group()
def domain() -> None:
    """The hostnames profiles are served on: add, remove and list them."""


@domain.command("add")
@site_options
@click.argument("host")
@click.argument("username")
@click.option("--main", "kind", flag_value="main", help="The page's canonical hostname (the old main becomes an alias).")
@click.option("--alias", "kind", flag_value="alias", help="Serve the page here too; the canonical stays the main hostname.")
@click.option("--redirect", "kind", flag_value="redirect", help="Answer with a 301 to the main hostname (a www. form).")
def domain_add(site_dir: Path, quiet: bool, host: str, username: str, kind: str | None) -> None:
    """Serve profile USERNAME on HOST (main when it has none yet, else an alias)."""
    from generator.authoring.domains import add
    line = add(load_config(site_dir), host, username, kind)
    if not quiet:
        click.echo(line)


@domain.command("rm")
@site_options
@click.argument("host")
def domain_rm(site_dir: Path, quiet: bool, host: str) -> None:
    """Stop serving a profile on HOST."""
    from generator.authoring.domains import remove
    line = remove(load_config(site_dir), host)
    if not quiet:
        click.echo(line)


@domain.command("list")
@site_options
def domain_list(site_dir: Path, quiet: bool) -> None:
    """Every hostname with its kind and profile (usernames that are hostnames too)."""
    from generator.authoring.domains import listing
    click.echo("\n".join(listing(load_config(site_dir))))


@domain.command("status")
@site_options
def domain_status(site_dir: Path, quiet: bool) -> None:
    """What each hostname still needs on Cloudflare (CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID)."""
    from generator.cloudflare.pages_domains import status_lines
    click.echo("\n".join(status_lines(load_config(site_dir))))


@domain.command("attach")
@site_options
@click.argument("host")
def domain_attach(site_dir: Path, quiet: bool, host: str) -> None:
    """Add HOST as a custom domain of the Pages project, through Cloudflare's API."""
    from generator.cloudflare.pages_domains import attach
    attach(load_config(site_dir), host, echo=(lambda line: None) if quiet else click.echo)


# ---- D1 and publishing: d1 export/push/pull, verify, publish, types --------------------

def _d1_target(command):
    """--local/--remote and --env, shared by the commands that talk to D1."""
    @click.option("--local", "where", flag_value="local", help="The local D1 of `wrangler dev` (offline).")
    @click.option("--remote", "where", flag_value="remote", help="The D1 database on Cloudflare "
                                                                 "(needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID).")
    @click.option("--env", "env_name", help="wrangler.toml's [env.NAME] holding the D1 binding (production, preview...).")
    @functools.wraps(command)
    def wrapper(*args, where: str | None, **kwargs):
        if where is None:
            raise click.UsageError("choose the D1 database: --local or --remote")
        return command(*args, remote=where == "remote", **kwargs)
    return wrapper


@cli.group()
def d1() -> None:
    """Export, push and pull the profile tables of the site's D1 database."""


@d1.command("export")
@site_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
def d1_export(site_dir: Path, quiet: bool, output: Path | None) -> None:
    """Write the profile data as SQL that D1 accepts (wrangler d1 execute --file)."""
    from generator.authoring.profiles import write_atomically
    from generator.cloudflare.d1 import export_sql
    from generator.data.migrate import open_migrated
    config = load_config(site_dir)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        text = export_sql(conn)
    finally:
        conn.close()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, [text])


@d1.command("push")
@site_options
@_d1_target
@click.option("--force", is_flag=True, help="Overwrite profiles that were changed in D1 since the last push.")
@click.option("--full", is_flag=True, help="Send every row, not only the changes.")
@click.option("--dry-run", is_flag=True, help="Print the wrangler commands and what would change; change nothing.")
@click.option("--kv-binding", default="CONFIG_CACHE", show_default=True,
              help="The KV namespace the Worker caches documents in.")
@click.option("--kv-key", default="profile:{username}", show_default=True,
              help="The cache key of a profile's document.")
def d1_push(site_dir: Path, quiet: bool, remote: bool, env_name: str | None, force: bool, full: bool,
            dry_run: bool, kv_binding: str, kv_key: str) -> None:
    """Migrate D1 with wrangler, then send it only what differs from the local database."""
    from generator.cloudflare import d1 as d1_module
    from generator.cloudflare import d1push
    from generator.data.migrate import open_migrated
    config = load_config(site_dir, wrangler_env=env_name)
    target = d1_module.open_d1(config, remote=remote, dry_run=dry_run, echo=click.echo)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        result = d1push.push(conn, target, force=force, full=full, dry_run=dry_run, kv_binding=kv_binding,
                             kv_key=kv_key)
    finally:
        conn.close()
    if not quiet:
        click.echo(d1push.describe(result, target, dry_run=dry_run))


@d1.command("pull")
@site_options
@_d1_target
@click.option("--dry-run", is_flag=True, help="Say what would be created, changed and removed; write nothing.")
def d1_pull(site_dir: Path, quiet: bool, remote: bool, env_name: str | None, dry_run: bool) -> None:
    """Make the local rows of every profile equal D1's (ids, timestamps, every column), in one transaction."""
    from generator.cloudflare import d1 as d1_module
    from generator.cloudflare.pull import pull
    from generator.data.migrate import open_migrated
    config = load_config(site_dir, wrangler_env=env_name)
    target = d1_module.open_d1(config, remote=remote, dry_run=dry_run, echo=click.echo)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        result = pull(conn, target, dry_run=dry_run)
    finally:
        conn.close()
    if quiet:
        return
    for line in result.lines():
        click.echo(line)
    click.echo(result.summary())


@cli.command()
@site_options
@_d1_target
def verify(site_dir: Path, quiet: bool, remote: bool, env_name: str | None) -> None:
    """Check that D1 matches the local schema and migrations and the built site's content (exit 1 if not)."""
    from generator.cloudflare import d1 as d1_module
    from generator.data.migrate import open_migrated
    from generator.cloudflare.verify import verify as run_verify
    config = load_config(site_dir, wrangler_env=env_name)
    target = d1_module.open_d1(config, remote=remote, echo=click.echo)
    conn = open_migrated(config.database, config.migrations_dir)
    try:
        report = run_verify(conn, target)
    finally:
        conn.close()
    for note in report.notes:
        log.info(note)
    if not report.ok:
        click.echo(f"{target.describe()} differs from the local side ({len(report.differences)}):", err=True)
        for difference in report.differences:
            click.echo(f"  - {difference}", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(f"{target.describe()} matches: schema, migrations and content (version {report.version})")


@cli.command()
@site_options
@click.option("--branch", help="The Pages branch to deploy (default: main, production; another makes a preview).")
@click.option("--env", "env_name", help="wrangler.toml's [env.NAME] holding the D1 binding (production, preview...).")
@click.option("--dry-run", is_flag=True, help="Print every command without running it.")
@click.option("--if-due", is_flag=True, help="Only when the published site is behind: its data differs from the "
                                             "local database, or an item started or ended since it was built.")
def publish(site_dir: Path, quiet: bool, branch: str | None, env_name: str | None, dry_run: bool,
            if_due: bool) -> None:
    """Build, migrate D1, push the data, deploy to Cloudflare Pages and verify; stop at the first failure."""
    from generator.cloudflare.publish import due_reason, publish as run_publish
    config = load_config(site_dir, wrangler_env=env_name)
    echo = (lambda line: None) if quiet else click.echo
    if if_due:
        reason = due_reason(config)
        if reason is None:
            echo(f"{config.base_url} is up to date: its data is the local database's and no item has started or "
                 "ended since it was built; nothing to publish")
            return
        echo(f"publishing: {reason}")
    run_publish(config, branch=branch, dry_run=dry_run, echo=echo)


@cli.command()
@site_options
@click.option("--ts", "typescript", is_flag=True, help="TypeScript interfaces (the only format so far).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
def types(site_dir: Path, quiet: bool, typescript: bool, output: Path | None) -> None:
    """Row types of the profile tables for the Worker, generated from the migrations."""
    from generator.authoring.profiles import write_atomically
    from generator.data.types import typescript as make_typescript
    if not typescript:
        raise click.UsageError("choose a format: --ts")
    text = make_typescript(load_config(site_dir).migrations_dir)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(output, [text])


def _echo_changes(plan, dry_run: bool) -> None:
    """One line per profile an import or pull changes (every profile on a dry run)."""
    for change in plan:
        if dry_run or change.action != "unchanged":
            click.echo(change.describe())


def main() -> None:
    """Entry point of the `biogen` console script."""
    cli(prog_name="biogen")
