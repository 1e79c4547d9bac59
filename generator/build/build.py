"""build(): database -> validated profiles -> pages -> the output, atomically."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import hosts, sitefiles, themes, translations
from generator.config import Config
from generator.errors import BuildError, Problem, ValidationError
from generator.data.migrate import open_migrated
from generator.build.output import (PAGES_MAX_FILE_BYTES, Change, OutputTrees, Staging, digest_bytes,
                              remove_file, write_file)
from generator.images.media import media_stats, prepare_images
from generator.build.plan import Plan, inputs_digest, journal_meta, next_scheduled_change, plan_build
from generator.build.render_context import SiteContext
from generator.data.urls import href

# Rendering (Jinja2, markdown-it, the icon set) is imported only when a build has
# something to render: a build that finds nothing changed then starts in ~60 ms
# less, a fifth of its 0.3 s budget at 10,000 profiles.

log = logging.getLogger(__name__)

# Below this many profiles a build renders in-process: starting two workers costs
# ~40 ms, about what rendering 150 profiles costs.
PARALLEL_MIN_PROFILES = 200
# Batches per worker: enough that the last batch leaves a core idle only briefly
# (at 10,000 profiles a batch is ~0.15 s of work), few enough that the query count
# stays fixed (five per batch, 160 in all) whatever the number of profiles.
BATCHES_PER_WORKER = 16
# Up to this many changed hashes, api/version.json is patched (one scan of the file
# each, ~1 ms at 100,000 profiles) rather than made whole (~200 ms).
VERSION_PATCH_MAX = 100


@dataclass
class Summary:
    """What a build did, for the report and the tests."""

    profiles: int = 0
    rendered: int = 0
    written: int = 0
    deleted: int = 0
    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    limit_problems: list[str] = field(default_factory=list)
    unchanged: bool = False
    next_change: str | None = None  # when an item next starts or ends (UTC), after which a build changes pages


@contextlib.contextmanager
def _step(name: str):
    """Log how long one step of the build took (shown with -vv)."""
    started = time.perf_counter()
    yield
    log.debug("%-16s %7.1f ms", name, (time.perf_counter() - started) * 1000)


def build(config: Config, *, strict: bool = False, full: bool = False,
          progress: Callable[[int, int], None] | None = None) -> Summary:
    """Build the site of `config`; on any error the previous output stays as it was."""
    started = time.perf_counter()
    with _step("open database"):
        conn = open_migrated(config.database, config.migrations_dir)
    try:
        with OutputTrees(config.output, config.trees_dir) as trees:
            with _step("plan"):
                theme_files, assets = themes.themes_and_assets(config)
                plan = plan_build(conn, trees, config, inputs_digest(config, assets), full=full)
            if plan.nothing_to_do and trees.live:
                return _summary(conn, trees, started, unchanged=True, now=plan.now)
            translations.check_site(config)  # stop before writing anything (~1 ms)
            with _step("prepare staging"):
                staging = trees.prepare_staging()
            with _undo_if_refused(trees, staging):
                with _step("images"):
                    images = prepare_images(conn, config, None if plan.everything else plan.render_ids,
                                            strict=strict)
                # base_url as the pages write it (canonical, og:url): a Unicode host in IDNA form.
                site = SiteContext(href(config.base_url), config.language, config.home, sitefiles.asset_urls(assets),
                                   images.sets, themes.Looks(theme_files, config, assets), config.share, images.files)
                with _step("render profiles"):
                    rendered = render_profiles(config, site, staging, trees, plan, progress)
                if images.problems or rendered.problems:
                    raise ValidationError(images.problems + rendered.problems)
                with _step("site files"):
                    _remove_stale_outputs(trees, staging, plan)
                    _copy_media(trees, staging, images.files)
                    notes: list[str] = []  # what the summary should say about the site files
                    site_meta = _write_site_files(conn, config, trees, staging, site, plan, assets, notes)
                limit_problems = _check_limits(trees, staging, config.max_files, strict=strict)
                with _step("commit"):
                    trees.commit(staging, {**journal_meta(config, plan), **site_meta}, plan.removed_ids,
                                 media_stats(config, images.local_files))
            return _summary(conn, trees, started, staging=staging, limit_problems=limit_problems,
                            image_warnings=images.warnings + notes, now=plan.now)
    finally:
        conn.close()


@contextlib.contextmanager
def _undo_if_refused(trees: OutputTrees, staging: Staging):
    """Undo the staging tree's writes when the build refuses bad data or broken limits."""
    try:
        yield
    except (ValidationError, BuildError):
        # Every batch finished and reported what it wrote: undo exactly that.
        trees.restore(staging)
        raise
    # Any other failure (a full disk, Ctrl-C, a crashed worker) may leave writes
    # nobody reported: the staging tree stays marked dirty and the next build
    # copies it afresh from the live tree.


def _batches(ids: list[str], workers: int, *, ranges: bool) -> list:
    """Split sorted ids into a few batches per worker: id ranges when every profile is
    rendered (the ids between two bounds are exactly the batch), id lists otherwise."""
    from generator.build.pages import Batch
    count = max(1, min(len(ids), workers * BATCHES_PER_WORKER))
    size = -(-len(ids) // count)
    if ranges:
        return [Batch(first_id=ids[i], last_id=ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]
    return [Batch(ids=tuple(ids[i:i + size])) for i in range(0, len(ids), size)]


@dataclass
class Rendered:
    """What rendering the profiles found wrong (what they wrote is in the staging tables)."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, result, staging: Staging) -> None:
        """Take in one batch's result; its changes and profiles go to the staging tables."""
        self.problems += result.problems
        staging.record(result.changes.items())
        staging.record_profiles(result.profiles)


def render_profiles(config: Config, site: SiteContext, staging: Staging, trees: OutputTrees, plan: Plan,
                    progress: Callable[[int, int], None] | None) -> Rendered:
    """Render the planned profiles into the staging tree, in parallel when it pays."""
    from generator.build.pages import Batch, PageJob, PageWriter, init_worker, run_batch
    if plan.everything:
        # Templates changed (or this is a first build): find a syntax error in any of
        # them before a page is made. Otherwise they are those of the last good build.
        from generator.build.render import compile_templates
        compile_templates(config)
    job = PageJob(config, site, staging.path, staging.fresh, trees.root / "state.db", plan.now)
    total = len(plan.render_ids)
    rendered = Rendered()
    done = 0
    if total < PARALLEL_MIN_PROFILES or config.workers == 1:
        if total:
            rendered.add(PageWriter(job).run(Batch(ids=tuple(plan.render_ids))), staging)
        return rendered
    import multiprocessing  # ~30 ms to import: only when rendering in parallel
    batches = _batches(plan.render_ids, config.workers, ranges=plan.everything)
    context = multiprocessing.get_context("fork")
    with context.Pool(config.workers, initializer=init_worker, initargs=(job,)) as pool:
        for result in pool.imap_unordered(run_batch, batches):
            rendered.add(result, staging)
            done += len(result.profiles)
            if progress:
                progress(done, total)
    return rendered


def _remove_stale_outputs(trees: OutputTrees, staging: Staging, plan: Plan) -> None:
    """Delete what renamed and removed profiles wrote before."""
    stale = trees.state.execute(
        "SELECT DISTINCT old.value FROM profiles p, json_each(p.outputs) old "
        "WHERE (p.profile_id IN (SELECT profile_id FROM temp.rendered) "
        "       OR p.profile_id IN (SELECT value FROM json_each(?))) "
        "AND old.value NOT IN (SELECT new.value FROM temp.rendered r, json_each(r.outputs) new) "
        "ORDER BY old.value", (json.dumps(plan.removed_ids),)).fetchall()
    for (relative,) in stale:
        _delete(staging, trees, relative)


def _delete(staging: Staging, trees: OutputTrees, relative: str) -> None:
    if trees.digest(relative) is None and not staging.changed(relative):
        return
    remove_file(staging.path, relative)
    staging.record([(relative, Change(None))])


def _put(staging: Staging, trees: OutputTrees, relative: str, data: bytes) -> None:
    """Write one site file into the staging tree if its bytes changed."""
    digest = digest_bytes(data)
    if not staging.fresh and trees.digest(relative) == digest and not staging.changed(relative):
        return
    write_file(staging.path, relative, data, fresh=staging.fresh)
    staging.record([(relative, Change(digest, len(data)))])


def _copy_media(trees: OutputTrees, staging: Staging, cached: dict[str, Path]) -> None:
    """Copy the images the rendered pages use (pages.py wrote their stylesheets); drop what none uses."""
    used = [row[0] for row in trees.state.execute("SELECT DISTINCT path FROM temp.rendered_media ORDER BY path")]
    for output in used:
        if (staging.fresh or trees.digest(output) is None) and not staging.changed(output):
            data = cached[output].read_bytes()
            write_file(staging.path, output, data, fresh=staging.fresh)
            staging.record([(output, Change(digest_bytes(data), len(data)))])
    unused = trees.state.execute(
        "SELECT DISTINCT path FROM profile_media WHERE profile_id IN (SELECT profile_id FROM temp.rendered) "
        "AND path NOT IN (SELECT path FROM temp.rendered_media) "
        "AND path NOT IN (SELECT path FROM profile_media WHERE profile_id NOT IN "
        "                 (SELECT profile_id FROM temp.rendered)) ORDER BY path").fetchall()
    for (output,) in unused:
        _delete(staging, trees, output)


def _write_site_files(conn: sqlite3.Connection, config: Config, trees: OutputTrees, staging: Staging,
                      site: SiteContext, plan: Plan, assets: dict, notes: list[str]) -> dict[str, str]:
    """index, 404, sitemap, robots.txt, _headers and assets: whichever this build changed.
    Returns what the commit records for the next build."""
    from generator.build.render import Renderer
    renderer = functools.cache(lambda: Renderer(config, site))
    if plan.everything:
        site_outputs = {output: data for output, data in assets.values()}
        site_outputs["404.html"] = renderer().page("404.html", home_url="/").encode()
        site_outputs["robots.txt"] = sitefiles.robots_txt(config.base_url).encode()
        site_outputs["_headers"] = sitefiles.headers_file().encode()
        for relative, data in site_outputs.items():
            _put(staging, trees, relative, data)
        previous = set(json.loads(trees.meta("site_outputs", "[]")))
        for relative in sorted(previous - set(site_outputs)):
            _delete(staging, trees, relative)
        trees.set_meta({"site_outputs": json.dumps(sorted(site_outputs))})
    home = conn.execute("SELECT id FROM profiles WHERE username = ?", (config.home,)).fetchone()
    listing = config.directory or home is None
    if home is None and not config.directory:
        log.warning("the home profile %r does not exist; / shows the directory of profiles instead", config.home)
    meta = _write_directory(conn, trees, staging, plan, listing, renderer)
    fallback_epoch = sitefiles.source_date_epoch()
    details, details_digest = sitefiles.detail_pages(conn, plan.now)  # ~10 ms at 90,000 items
    # The detail pages' slugs are routes of their profiles' hostnames.
    routing, hosts_digest, routing_notes = hosts.routing_files(conn, config.base_url, fallback_epoch, details=details,
                                                               share=config.share, route_all=config.route_all)
    notes.extend(routing_notes)
    for relative, data in routing.items():  # _worker.js and _routes.json, or their removal
        _put(staging, trees, relative, data) if data is not None else _delete(staging, trees, relative)
    # The sitemap (usernames, dates, detail pages) is rewritten only when one of those or a
    # canonical hostname changed.
    touched = (plan.everything or plan.removed_ids or trees.meta("hosts", "") != hosts_digest
               or trees.meta("detail_pages", "") != details_digest) or trees.state.execute(
        "SELECT 1 FROM temp.rendered r LEFT JOIN profiles p ON p.profile_id = r.profile_id "
        "WHERE p.profile_id IS NULL OR p.username IS NOT r.username OR p.updated_at IS NOT r.updated_at "
        "LIMIT 1").fetchone() is not None
    if touched:
        entries = sitefiles.read_sitemap_entries(conn, config.home, listing, fallback_epoch, details,
                                                 site_host=site.host)
        maps = sitefiles.sitemap_files(config.base_url, entries)
        for relative, text in maps.items():
            _put(staging, trees, relative, text.encode())
        previous = set(json.loads(trees.meta("sitemaps", '["sitemap.xml"]')))
        for relative in sorted(previous - set(maps)):
            _delete(staging, trees, relative)
        trees.set_meta({"sitemaps": json.dumps(sorted(maps)), "hosts": hosts_digest, "detail_pages": details_digest})
    from generator.data.content_hash import VERSION_FILE
    _put(staging, trees, VERSION_FILE, _version_file(trees, plan))
    _put(staging, trees, sitefiles.SCHEDULE_FILE, sitefiles.schedule_file(next_scheduled_change(conn, plan.now)))
    return meta


def _write_directory(conn: sqlite3.Connection, trees: OutputTrees, staging: Staging, plan: Plan, listing: bool,
                     renderer: Callable) -> dict[str, str]:
    """The pages of the directory of profiles whose content changed (generator.build.directory),
    or none of them when `index.html` is the home profile; the state the next build compares with."""
    from generator.build import directory
    previous = None if staging.fresh else json.loads(trees.meta("directory", "null"))
    if not listing:
        for number in range(2, len(previous or ()) + 1):  # index.html is the home profile's now
            _delete(staging, trees, directory.page_path(number))
        return {"directory": "null"} if previous else {}
    # With the same usernames as the last build, only the pages holding the rendered
    # profiles can have changed; a new, removed or renamed profile shifts the pages after it.
    same_names = not plan.everything and not plan.removed_ids and trees.state.execute(
        "SELECT 1 FROM temp.rendered r LEFT JOIN profiles p ON p.profile_id = r.profile_id "
        "WHERE p.profile_id IS NULL OR p.username IS NOT r.username LIMIT 1").fetchone() is None
    edited = [row[0] for row in trees.state.execute("SELECT username FROM temp.rendered")] if same_names else None
    update = directory.read_pages(conn, previous, edited, render_all=plan.everything)
    for page in update.pages:
        _put(staging, trees, page.path, renderer().directory_page(page).encode())
    for relative in update.stale:
        _delete(staging, trees, relative)
    log.debug("directory: %d pages written, %d removed", len(update.pages), len(update.stale))
    return {"directory": directory.state_json(update.state)}


def _version_file(trees: OutputTrees, plan: Plan) -> bytes:
    """api/version.json (content_hash.version_document): the content version of these rows,
    which `biogen verify` compares with D1's, and each profile's hash by username.

    The file is O(site) however little changed (6 MB at 100,000 profiles), so when only
    the hashes of existing profiles changed, the live tree's copy is patched in place and
    the version brought up to date from those profiles' hashes (~5 ms at 100,000 profiles);
    otherwise it is made whole in SQLite, whose compact JSON is json.dumps's byte for byte
    (~200 ms at 100,000). Both give the same bytes (tests/test_content_version.py)."""
    if not plan.everything and not plan.removed_ids and trees.live:
        patched = _patched_version_file(trees)
        if patched is not None:
            return patched
    return _whole_version_file(trees, plan)


def _patched_version_file(trees: OutputTrees) -> bytes | None:
    """The live api/version.json with the rendered profiles' new hashes, or None when
    that cannot be done by replacing a few hashes (a new or renamed profile, many changes)."""
    from generator.data.content_hash import VERSION_FILE, version_of_sum, version_term
    live = trees.tree_path(trees.live) / VERSION_FILE
    changed = trees.state.execute(
        "SELECT r.username, r.content_hash, p.username, p.content_hash FROM temp.rendered r "
        "LEFT JOIN profiles p ON p.profile_id = r.profile_id WHERE p.content_hash IS NOT r.content_hash").fetchall()
    if (not live.exists() or len(changed) > VERSION_PATCH_MAX
            or any(old_username != username for username, _, old_username, _ in changed)):
        return None
    text = live.read_text(encoding="utf-8")
    prefix = '{"contentVersion":"'
    # The live file's version is the sum of the live hashes (mod 2**128).
    total = int(text[len(prefix):len(prefix) + 32], 16)
    for username, new_hash, _, old_hash in changed:
        # Usernames need no JSON escaping (validate.username_problem), so the entry is
        # exactly this text, once: the map's keys are unique.
        entry = f'"{username}":"{old_hash}"'
        at = text.find(entry)
        if at < 0:
            return None
        text = f'{text[:at]}"{username}":"{new_hash}"{text[at + len(entry):]}'
        total += version_term(new_hash) - version_term(old_hash)
    log.debug("%s: %d hashes patched", VERSION_FILE, len(changed))
    return f"{prefix}{version_of_sum(total)}{text[len(prefix) + 32:]}".encode()


def _whole_version_file(trees: OutputTrees, plan: Plan) -> bytes:
    """api/version.json made from every profile's recorded or new hash."""
    from generator.data.content_hash import version_of_sum, version_term
    current = ("WITH current AS (SELECT profile_id, username, content_hash FROM temp.rendered UNION ALL "
               "                 SELECT profile_id, username, content_hash FROM profiles "
               "                 WHERE profile_id NOT IN (SELECT profile_id FROM temp.rendered) "
               "                 AND profile_id NOT IN (SELECT value FROM json_each(?))) ")
    removed = (json.dumps(plan.removed_ids),)
    total = sum(version_term(content_hash) for (content_hash,)
                in trees.state.execute(current + "SELECT content_hash FROM current", removed))
    profiles = trees.state.execute(
        current + "SELECT json_group_object(username, content_hash) FROM "
                  "(SELECT username, content_hash FROM current ORDER BY username, content_hash)", removed).fetchone()[0]
    return f'{{"contentVersion":"{version_of_sum(total)}","profiles":{profiles}}}\n'.encode()


def _check_limits(trees: OutputTrees, staging: Staging, max_files: int, *, strict: bool) -> list[str]:
    """How the output would break Cloudflare Pages limits; with `strict`, refuse it."""
    files, _ = trees.count_after(staging)
    problems = []
    if files > max_files:
        problems.append(f"{files} files; a Cloudflare Pages deployment holds at most {max_files} "
                        "(set max_files in biogen.toml on a paid plan)")
    for path, size in trees.oversize_after(staging, PAGES_MAX_FILE_BYTES):
        problems.append(f"{path} is {size / 2**20:.1f} MiB; Pages serves files up to 25 MiB")
    headers = staging.path / "_headers"
    if headers.exists():
        problems += sitefiles.headers_problems(headers.read_text())
    if strict and problems:
        raise BuildError("the output breaks Cloudflare Pages limits (--strict):\n"
                         + "\n".join(f"  - {problem}" for problem in problems))
    return problems


def _summary(conn: sqlite3.Connection, trees: OutputTrees, started: float, *, unchanged: bool = False,
             staging: Staging | None = None, limit_problems: list[str] | None = None,
             image_warnings: list[str] | None = None, now: str = "") -> Summary:
    files, size = trees.totals()
    warnings = list(image_warnings or [])
    for username, text in trees.state.execute("SELECT username, warnings FROM profiles WHERE warnings != '[]' "
                                              "ORDER BY username"):
        warnings += [f"profile {username!r}: {w}" for w in json.loads(text)]
    written, deleted, rendered = staging.counts() if staging else (0, 0, 0)
    return Summary(
        profiles=conn.execute("SELECT count(*) FROM profiles").fetchone()[0],
        rendered=rendered,
        written=written,
        deleted=deleted,
        files=files,
        bytes=size,
        seconds=time.perf_counter() - started,
        warnings=warnings,
        limit_problems=limit_problems or [],
        unchanged=unchanged,
        next_change=next_scheduled_change(conn, now) if now else None,
    )
