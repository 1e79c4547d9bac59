"""Config: one frozen dataclass, loaded from biogen.toml and wrangler.toml.

What wrangler.toml already says (the Pages output folder, the D1 binding and its
migrations folder) is read from there and never repeated in biogen.toml.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import ConfigError

CONFIG_NAME = "biogen.toml"
WRANGLER_NAME = "wrangler.toml"

# Cloudflare Pages, free plan: 20,000 files per deployment (paid: 100,000).
# See Cloudflare's Pages limits; set `max_files` in biogen.toml on a paid plan.
PAGES_FREE_MAX_FILES = 20_000
# A BCP 47 language tag as biogen accepts it: a 2-3 letter language, then subtags
# (script, region, variant) of 2-8 letters or digits: "en", "vi", "pt-BR", "az-Arab".
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")

_PACKAGE_DIR = Path(__file__).resolve().parent


def packaged_dir(name: str) -> Path:
    """The folder `name` (templates, assets, themes, translations, migrations) that ships with biogen."""
    inside_wheel = _PACKAGE_DIR / "_site" / name
    if inside_wheel.is_dir():
        return inside_wheel
    # An editable install runs from the repository, whose top level holds the folders.
    return _PACKAGE_DIR.parent / name


# The share kit (generator.share): each is on unless `[share]` in biogen.toml says
# `<piece> = false`. structured_data: the page's JSON-LD; vcard: /<username>.vcf and the
# page's "Save contact" link; qr: /qr/<username>.svg and .png, and the page's share
# section; card: the social card /og/<username>.png (or .jpg) as og:image.
SHARE_PIECES = ("card", "qr", "structured_data", "vcard")


@dataclass(frozen=True)
class D1Binding:
    """The D1 database as wrangler.toml declares it (top level or per environment)."""

    binding: str
    database_name: str
    database_id: str
    migrations_dir: str


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know, resolved to absolute paths."""

    site_dir: Path
    base_url: str
    home: str = "default"
    language: str = "en"
    database: Path = Path("content/bio.db")
    output: Path = Path("dist")
    directory: bool = False
    max_files: int = PAGES_FREE_MAX_FILES
    image_formats: tuple[str, ...] = ("avif", "webp")
    image_widths: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (role, widths) pairs that replace the defaults
    share: tuple[str, ...] = SHARE_PIECES  # the pieces of the share kit a build makes ([share] in biogen.toml)
    # [domains] route_all: _routes.json sends every request but the static prefixes to _worker.js, so a
    # www. redirect row answers 301 on every path (generator.build.hosts says what it costs).
    route_all: bool = False
    migrations_dir: Path = Path("migrations")
    d1: D1Binding | None = None
    wrangler_env: str | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def content_dir(self) -> Path:
        """Where local images and other media referenced by the database live."""
        return self.site_dir / "content"

    @property
    def template_dirs(self) -> list[Path]:
        """The site's own templates first, then the packaged ones."""
        return _existing(self.site_dir / "templates", packaged_dir("templates"))

    @property
    def asset_dirs(self) -> list[Path]:
        """The site's own assets first, then the packaged ones."""
        return _existing(self.site_dir / "assets", packaged_dir("assets"))

    @property
    def theme_dirs(self) -> list[Path]:
        """The site's own themes first, then the packaged ones (generator.build.themes)."""
        return _existing(self.site_dir / "themes", packaged_dir("themes"))

    @property
    def translation_dirs(self) -> list[Path]:
        """The site's own translations first (whose keys win), then the packaged ones."""
        return _existing(self.site_dir / "translations", packaged_dir("translations"))

    @property
    def cache_dir(self) -> Path:
        """Caches that survive builds and the output's deletion (compiled templates, ...)."""
        return self.site_dir / ".biogen" / "cache"

    @property
    def trees_dir(self) -> Path:
        """The two output trees and their state, beside the output link."""
        return self.output.parent / f".{self.output.name}.trees"


def _existing(*paths: Path) -> list[Path]:
    unique: list[Path] = []
    for path in paths:
        if path.is_dir() and path.resolve() not in [p.resolve() for p in unique]:
            unique.append(path)
    return unique


def load_config(site_dir: Path | str = ".", *, wrangler_env: str | None = None, **overrides) -> Config:
    """Read biogen.toml (and wrangler.toml) in `site_dir`, report every problem at once."""
    site_dir = Path(site_dir).resolve()
    config_path = site_dir / CONFIG_NAME
    if not config_path.is_file():
        raise ConfigError(f"no {CONFIG_NAME} in {site_dir}: run biogen in a site folder, or create one with `biogen init`")
    raw = _read_toml(config_path)
    wrangler = _read_toml(site_dir / WRANGLER_NAME) if (site_dir / WRANGLER_NAME).is_file() else {}
    raw.update({key: value for key, value in overrides.items() if value is not None})

    problems: list[str] = []
    known = {"base_url", "home", "language", "database", "output", "directory", "max_files", "workers",
             "image_formats", "image_widths", "share", "domains"}
    for key in sorted(set(raw) - known):
        problems.append(f"unknown setting {key!r} (known: {', '.join(sorted(known))})")

    base_url = raw.get("base_url")
    if not isinstance(base_url, str) or not _valid_base_url(base_url):
        problems.append("base_url must be an absolute http(s) URL such as \"https://bio.example.com\"")
        base_url = "https://example.invalid"
    home = raw.get("home", "default")
    if not isinstance(home, str) or not home:
        problems.append("home must be the username of the profile shown at /")
    language = raw.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE_TAG.fullmatch(language):
        problems.append(f"language must be a BCP 47 tag such as \"en\" or \"vi\", not {language!r}")
    directory = raw.get("directory", False)
    if not isinstance(directory, bool):
        problems.append("directory must be true (index lists every profile) or false (index shows the home profile)")
    max_files = raw.get("max_files", PAGES_FREE_MAX_FILES)
    if not isinstance(max_files, int) or max_files < 1:
        problems.append("max_files must be a positive integer (Pages: 20000 free, 100000 paid)")
    workers = raw.get("workers", os.cpu_count() or 1)
    if not isinstance(workers, int) or workers < 1:
        problems.append("workers must be a positive integer")

    image_formats = raw.get("image_formats", ["avif", "webp"])
    if not isinstance(image_formats, list) or not set(image_formats) <= {"avif", "webp", "jpeg"}:
        problems.append('image_formats must list some of "avif", "webp", "jpeg" (the fallback JPEG/PNG is always made)')
        image_formats = ["avif", "webp"]
    image_widths = raw.get("image_widths", {})
    roles = ("avatar", "cover", "product", "logo", "background")
    if not isinstance(image_widths, dict) or not all(
            role in roles and isinstance(widths, list) and widths and all(isinstance(w, int) and 16 <= w <= 4096
                                                                           for w in widths)
            for role, widths in image_widths.items()):
        problems.append(f"image_widths must map roles ({', '.join(roles)}) to lists of widths in pixels, "
                        "such as {avatar = [120, 240]}")
        image_widths = {}
    share = raw.get("share", {})
    if not isinstance(share, dict) or not all(key in SHARE_PIECES and isinstance(on, bool) for key, on in share.items()):
        problems.append(f"[share] may set {', '.join(f'{piece} = false' for piece in SHARE_PIECES)} "
                        "(each is on unless turned off)")
        share = {}
    domains = raw.get("domains", {})
    if not isinstance(domains, dict) or not all(key == "route_all" and isinstance(on, bool) for key, on in domains.items()):
        problems.append("[domains] may set route_all = true (every request but the static files runs the hostnames' "
                        "_worker.js, so www. redirects cover every path) or false (the default)")
        domains = {}
    database = raw.get("database", "content/bio.db")
    output = raw.get("output") or wrangler.get("pages_build_output_dir") or "dist"
    for name, value in (("database", database), ("output", output)):
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name} must be a path relative to {site_dir}")
    d1, d1_problems = _d1_binding(wrangler, wrangler_env)
    problems += d1_problems
    if problems:
        raise ConfigError(f"{config_path} has problems:\n" + "\n".join(f"  - {p}" for p in problems))

    output_path = (site_dir / output).absolute()
    if output_path == site_dir or site_dir.is_relative_to(output_path):
        raise ConfigError(f"{config_path}: output {output!r} would replace the site folder; use a folder such as \"dist\"")
    migrations = site_dir / (d1.migrations_dir if d1 else "migrations")
    if not migrations.is_dir():
        migrations = packaged_dir("migrations")
    return Config(
        site_dir=site_dir,
        base_url=base_url.rstrip("/"),
        home=home,
        language=language,
        database=(site_dir / database).absolute(),
        output=output_path,
        directory=directory,
        max_files=max_files,
        image_formats=tuple(image_formats),
        image_widths=tuple(sorted((role, tuple(widths)) for role, widths in image_widths.items())),
        share=tuple(piece for piece in SHARE_PIECES if share.get(piece, True)),
        route_all=domains.get("route_all", False),
        migrations_dir=migrations,
        d1=d1,
        wrangler_env=wrangler_env,
        workers=workers,
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None


def _valid_base_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment


def _d1_binding(wrangler: dict, env: str | None) -> tuple[D1Binding | None, list[str]]:
    """The first D1 database of wrangler.toml, from `[env.NAME]` when an env is chosen."""
    scope = wrangler
    if env is not None:
        scope = wrangler.get("env", {}).get(env)
        if scope is None:
            return None, [f"wrangler.toml has no [env.{env}]"]
    databases = scope.get("d1_databases") or []
    if not databases and env is None:
        # Real projects (the current site) declare bindings only per environment.
        for candidate in wrangler.get("env", {}).values():
            databases = candidate.get("d1_databases") or []
            if databases:
                break
    if not databases:
        return None, []
    first = databases[0]
    return D1Binding(
        binding=first.get("binding", "DB"),
        database_name=first.get("database_name", ""),
        database_id=first.get("database_id", ""),
        migrations_dir=first.get("migrations_dir", "migrations"),
    ), []
