"""`biogen init`: a new site folder from the templates in generator/authoring/site_template/.

The files come from package data, so an installed biogen makes the same site as
a clone of the repository. Existing files are kept unless `force`; the database
is never replaced, even with `force`, since it holds the profiles.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.authoring.profiles import write_atomically
from generator.config import packaged_dir
from generator.errors import ConfigError
from generator.data.migrate import create_database, discover

TEMPLATES = Path(__file__).resolve().parent / "site_template"
DATABASE = Path("content") / "bio.db"
# (template file, where it goes in the site)
FILES = (("biogen.toml", "biogen.toml"), ("wrangler.toml", "wrangler.toml"), ("gitignore", ".gitignore"),
         ("README.md", "README.md"), ("package.json", "package.json"),
         ("publish.yml", ".github/workflows/publish.yml"))
# Cloudflare Pages project names: lowercase letters, digits and dashes, at most 58 characters.
_PROJECT_NAME_MAX = 58


def project_name(folder: Path) -> str:
    """A Pages project name made from the folder's name (`My Bio` -> `my-bio`)."""
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")[:_PROJECT_NAME_MAX].strip("-")
    return name or "premium-bio"


def site_files(folder: Path) -> dict[Path, str]:
    """Every file of a new site (relative path -> text), the database apart."""
    name = project_name(folder)
    files = {Path(target): (TEMPLATES / template).read_text(encoding="utf-8").replace("{name}", name)
             .replace("{install_biogen}", "pip install biogen")
             for template, target in FILES}
    for migration in discover(packaged_dir("migrations")):
        files[Path("migrations") / migration.name] = migration.path.read_text(encoding="utf-8")
    return files


def init_site(folder: Path, *, force: bool = False, dry_run: bool = False) -> list[tuple[str, Path]]:
    """Write a new site into `folder`; returns (what happened, path) for each file."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{folder} is a file; give `biogen init` a folder (new or existing)")
    words = ("create", "keep", "replace") if dry_run else ("created", "kept", "replaced")
    report = []
    for relative, text in site_files(folder).items():
        path = folder / relative
        if not path.exists():
            action = words[0]
        elif force and path.is_file():
            action = words[2]
        else:
            report.append((f"{words[1]}", path))
            continue
        if not dry_run:
            write_atomically(path, [text])
        report.append((action, path))
    database = folder / DATABASE
    if database.exists():
        report.append((words[1], database))
    else:
        if not dry_run:
            (folder / "content").mkdir(parents=True, exist_ok=True)
            create_database(database, folder / "migrations")
        report.append((words[0], database))
    return report
