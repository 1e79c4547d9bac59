"""Helpers for tests that run the real wrangler (local mode, offline) on a site folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cloudflare.wrangler import Wrangler, find_wrangler
from sitekit import make_site

ROOT = Path(__file__).resolve().parent.parent
WRANGLER = find_wrangler(ROOT)

needs_wrangler = pytest.mark.skipif(
    WRANGLER is None, reason="node_modules/.bin/wrangler is missing: run `npm ci` at the repository root (CI does)")

WRANGLER_TOML = """name = "bio-test"
pages_build_output_dir = "dist"
compatibility_date = "2026-04-01"

[[d1_databases]]
binding = "DB"
database_name = "premium-bio-db"
database_id = "11111111-2222-3333-4444-555555555555"
migrations_dir = "migrations"

[[kv_namespaces]]
binding = "CONFIG_CACHE"
id = "0123456789abcdef0123456789abcdef"
"""


def wrangler_site(folder: Path, toml: str = WRANGLER_TOML) -> Path:
    """The fixture site with a wrangler.toml binding D1 (and the KV cache) and its own migrations/."""
    make_site(folder)
    (folder / "wrangler.toml").write_text(toml)
    shutil.copytree(ROOT / "migrations", folder / "migrations")
    return folder


def wrangler(site: Path, **options) -> Wrangler:
    """The helper biogen uses, for a test to run wrangler commands itself."""
    return Wrangler(site, echo=lambda line: None, **options)
