"""The biogen command line: each command parses its options and calls one function."""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path

import click

from generator import __version__
from generator.config import Config, load_config
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
    from generator.build import build as run_build
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
        return
    click.echo(f"built {summary.profiles} profiles into {output}: {summary.rendered} rendered, "
               f"{summary.written} files written, {summary.deleted} deleted ({summary.seconds:.2f} s)")
    click.echo(f"{output} holds {summary.files:,} files ({_size(summary.bytes)}); "
               f"Cloudflare Pages allows {config.max_files:,} files per deployment, 25 MiB per file")


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
    from generator import migrate as migrations
    from generator.db import connect
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
    from generator.check import check_database
    config = load_config(site_dir)
    count, warnings = check_database(config)
    for warning in warnings:
        log.warning(warning)
    if not quiet:
        click.echo(f"{count} profiles checked: no problems")


def main() -> None:
    """Entry point of the `biogen` console script."""
    cli(prog_name="biogen")
