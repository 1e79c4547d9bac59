"""The images step of a build: find every image the profiles to render use, make
each one's variants through the image pipeline (cached, both cores), and say which
profile and field any failure belongs to."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import Config
from generator.errors import Problem
from generator.data.validate import image_problem, local_file_problem, local_image_path

# A Markdown image's destination: `![alt](path "title")` (what generator.build.markdown draws).
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")

log = logging.getLogger(__name__)

# Each image column and the role (layout box, crop, sizes) its images play.
IMAGE_COLUMNS = (
    ("profiles", "avatar_url", "avatar"),
    ("profiles", "cover_url", "cover"),
    ("bio_links", "background_image", "background"),
    ("products", "image_url", "product"),
    ("carousel_items", "logo_url", "logo"),
)


@dataclass
class PreparedImages:
    """The image sets a build's pages may use, and what went wrong making them."""

    sets: dict = field(default_factory=dict)          # (reference as stored, role) -> ImageSet
    files: dict[str, Path] = field(default_factory=dict)  # output path -> cached file
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    local_files: set[str] = field(default_factory=set)  # paths under content/ the sets were made from


def pipeline_source(reference: str) -> str:
    """The reference the pipeline reads: the URL, or the file under content/ ("/a.jpg?v=2" -> "/a.jpg")."""
    if reference.lower().startswith(("http:", "https:")):
        return reference
    return "/" + local_image_path(reference)


def image_uses(conn: sqlite3.Connection, profile_ids: list[str] | None) -> list[tuple]:
    """(username, table, row id, column, reference, role) of every image the profiles use."""
    where, params = "", ()
    if profile_ids is not None:
        where, params = "AND p.id IN (SELECT value FROM json_each(?))", (json.dumps(profile_ids),)
    uses = []
    for table, column, role in IMAGE_COLUMNS:
        if table == "profiles":
            sql = (f"SELECT p.username, p.id, p.{column} FROM profiles p "
                   f"WHERE p.{column} IS NOT NULL AND p.{column} != '' {where}")
        else:
            sql = (f"SELECT p.username, t.id, t.{column} FROM {table} t JOIN profiles p ON p.id = t.profile_id "
                   f"WHERE t.{column} IS NOT NULL AND t.{column} != '' {where}")
        uses += [(username, table, row_id, column, reference, role)
                 for username, row_id, reference in conn.execute(sql, params)]
    # Images in detail pages' Markdown bodies: files under content/ only (remote ones show
    # as their alt text), found by MARKDOWN_IMAGE; the renderer draws those prepared here.
    sql = ("SELECT p.username, d.item_id, d.content FROM item_details d JOIN profiles p ON p.id = d.profile_id "
           f"WHERE d.content LIKE '%![%' {where}")
    for username, item_id, content in conn.execute(sql, params):
        uses += [(username, "item_details", item_id, "content", reference, "body")
                 for reference in dict.fromkeys(MARKDOWN_IMAGE.findall(content))
                 if "://" not in reference and not reference.startswith("//")]
    return uses


def prepare_images(conn: sqlite3.Connection, config: Config, profile_ids: list[str] | None, *,
                   strict: bool) -> PreparedImages:
    """Make (or find in the cache) every image the given profiles (None: all) use."""
    prepared = PreparedImages()
    uses = [use for use in image_uses(conn, profile_ids) if _checkable(use[4], config)]
    if not uses:
        return prepared
    from generator.images.codec import ImageError
    from generator.images.pipeline import ImagePipeline  # ~5 ms: only when some image is used
    pipeline = ImagePipeline(config.cache_dir, config.content_dir, formats=config.image_formats,
                             widths=dict(config.image_widths))
    jobs = sorted({(pipeline_source(reference), role) for *_, reference, role in uses})
    results = pipeline.process_many(jobs, workers=config.workers)
    for username, table, row_id, column, reference, role in uses:
        result = results[(pipeline_source(reference), role)]
        if not isinstance(result, ImageError):
            prepared.sets[(reference, role)] = result
            if not reference.lower().startswith(("http:", "https:")):
                prepared.local_files.add(local_image_path(reference))
            continue
        remote = reference.lower().startswith(("http:", "https:"))
        if remote and not strict:
            prepared.warnings.append(f"profile {username!r}: {table} row {row_id!r}, column {column}: {result}; "
                                     "the page keeps the original URL")
        else:
            prepared.problems.append(Problem(username, table, str(row_id), column, str(result)))
    for image_set in prepared.sets.values():
        prepared.files.update(pipeline.files(image_set))
    log.debug("images: %d encoded, %d from the cache", pipeline.stats.encodes, pipeline.stats.cache_hits)
    return prepared


def _checkable(reference: str, config: Config) -> bool:
    """Whether the pipeline should look at a reference; those breaking the rules are
    reported by validation, with the rest of the profile's problems."""
    if image_problem(reference):
        return False
    if reference.lower().startswith(("http:", "https:")):
        return True
    return local_file_problem(reference, config.content_dir) is None


def media_stats(config: Config, files: set[str]) -> list[tuple]:
    """(file, size, mtime) of the local images used, so the next build sees them change
    (build/plan.py compares them)."""
    rows = []
    for file in sorted(files):
        with contextlib.suppress(OSError):
            stat = os.stat(config.content_dir / file)
            rows.append((file, stat.st_size, stat.st_mtime_ns, ""))
    return rows
