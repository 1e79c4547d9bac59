"""Render and write profile pages; runs in worker processes, one batch at a time.

Each worker opens the database read-only, loads its batch of profiles with eight
queries, checks every rule, renders each profile's page and BioData document (and the
stylesheet of its look, once per process), and writes into the staging tree only the
files whose bytes changed.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from generator.data import db
from generator.data.biodata import biodata_json
from generator.config import Config
from generator.data.content_hash import profile_hash
from generator.data.domains import canonical_hostname
from generator.errors import Problem
from generator.data.model import Profile, load_profiles, model_covers_schema, profile_row, tie_warnings
from generator.build.output import Change, RenderedProfile, digest_bytes, write_file
from generator.build.page_words import section_shown
from generator.build.render import PageView, Renderer
from generator.build.translations import language_problems
from generator.build.render_context import SiteContext
from generator.build.themes import Look, Sheet, look_problems
from generator.data.validate import profile_problems
from generator.share.card import HEIGHT as CARD_HEIGHT, WIDTH as CARD_WIDTH
from generator.share.card_cache import cached_card
from generator.share.qr import qr_files
from generator.share.vcard import vcard


@dataclass(frozen=True)
class Batch:
    """Profiles to render: a list of ids, or every id in [first_id, last_id]."""

    ids: tuple[str, ...] | None = None
    first_id: str | None = None
    last_id: str | None = None


@dataclass
class BatchResult:
    """What one batch did: files changed, profiles rendered, problems found."""

    changes: dict[str, Change] = field(default_factory=dict)
    profiles: list[RenderedProfile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rendered: int = 0


@dataclass(frozen=True)
class PageJob:
    """Everything a worker needs, shared by every batch of one build."""

    config: Config
    site: SiteContext
    staging: Path
    fresh: bool
    state_path: Path
    now: str | None = None  # the build's time: which scheduled items are live (generator.data.item_details)


def profile_outputs(username: str) -> tuple[str, str]:
    """The page and the BioData file of a profile, relative to the output."""
    return f"{username}.html", f"api/profiles/{username}.json"


class PageWriter:
    """One process's renderer, connections and caches, reused across batches."""

    def __init__(self, job: PageJob):
        self.job = job
        self.renderer = Renderer(job.config, job.site)
        self.conn = db.connect(job.config.database, readonly=True)
        self.state = sqlite3.connect(f"{job.state_path.as_uri()}?mode=ro", uri=True, timeout=30)
        self.content_dir = job.config.content_dir
        # Hashing the rows already loaded costs ~20 us a profile, in parallel; reading
        # them all again afterwards cost 1.3 s at 10,000 profiles, in one process.
        self.model_covers_schema = model_covers_schema(self.conn)
        self.looks = job.site.looks
        self.sheets_written: set[str] = set()

    def run(self, batch: Batch) -> BatchResult:
        """Render and write one batch."""
        result = BatchResult()
        profiles = load_profiles(self.conn, ids=batch.ids, first_id=batch.first_id, last_id=batch.last_id)
        if not self.model_covers_schema:
            profiles = list(profiles)
            hashes = self._hashes_from_tables([p.id for p in profiles])
        for profile in profiles:
            problems = profile_problems(profile, self.content_dir) + language_problems(profile, self.renderer.catalog)
            look, sheet, problems_of_look = self.looks.of(profile.settings)
            problems += look_problems(profile, problems_of_look, problems)
            if problems:
                result.problems += problems
                continue
            if result.problems:
                continue  # keep checking the rest, write nothing more
            if self.model_covers_schema:
                content_hash = profile_hash(profile_row(profile), [(t, getattr(profile, t)) for t in db.CHILD_TABLES],
                                            whole_numbers_are_integers=True)
            else:
                content_hash = hashes[profile.id]
            self._write_profile(profile, content_hash, look, sheet, result)
        return result

    def _hashes_from_tables(self, ids: list[str]) -> dict[str, str]:
        """Content hashes read from every column, for a schema with columns the model lacks."""
        from generator.data.content import profile_hashes
        return {profile_id: content_hash for profile_id, (_, content_hash)
                in profile_hashes(self.conn, ids, {}).items()}

    def _write_profile(self, profile: Profile, content_hash: str, look: Look, sheet: Sheet | None,
                       result: BatchResult) -> None:
        home = self.job.config.home
        page_path, json_path = profile_outputs(profile.username)
        # With the directory at `/`, the home profile is at /<username> like the others.
        canonical = "/" if profile.username == home and not self.job.config.directory else f"/{profile.username}"
        own = canonical_hostname(profile, self.renderer.site.host)  # a checked ASCII hostname, or None
        if own:
            canonical = f"https://{own}/"
        now = self.job.now
        view = self.renderer.view_of(profile, canonical_path=canonical, content_hash=content_hash, now=now)
        # The share kit's files: written, like the page, only when their bytes changed, and
        # removed with the profile or when the site turns them off (build._remove_stale_outputs).
        shared = share_files(view, self.job.config.cache_dir)
        if "card" in self.job.site.share:
            card_path, card = self._card(profile, view, look)
            shared[card_path] = card
            # The card shows the name and the tagline; the tagline is the page's description.
            view = view._replace(og_image=self.job.site.absolute(f"/{card_path}"), og_card=True,
                                 og_size=(CARD_WIDTH, CARD_HEIGHT), og_alt=view.name.strip() or profile.username)
        html = self.renderer.render_view(view, profile.username, look).encode()
        outputs = {page_path: html, json_path: biodata_json(profile, now).encode(), **shared}
        if profile.username == home and not self.job.config.directory:
            outputs["index.html"] = html
        if profile.item_details:
            # Each live item's detail page, <username>/<slug>.html (a few us for the many
            # profiles without details: the check above).
            for detail, page in self.renderer.detail_pages(profile, profile_path=canonical, content_hash=content_hash,
                                                           look=look, now=now):
                outputs[detail.path] = page.encode()
        for relative, data in outputs.items():
            self._write(relative, data, result)
        media = self._media(profile)
        if sheet is not None:
            # Shared by every profile of the same look: written once per process, and kept
            # in the output while a page uses it (build._copy_media drops it after the last).
            if sheet.path not in self.sheets_written:
                self._write(sheet.path, sheet.css, result)
                self.sheets_written.add(sheet.path)
            media += ((sheet.path, sheet.path),)
        result.profiles.append(RenderedProfile(
            profile.id, profile.username, profile.updated_at, json.dumps(sorted(outputs)), tuple(tie_warnings(profile)),
            media, content_hash))
        result.rendered += 1

    def _card(self, profile: Profile, view: PageView, look: Look) -> tuple[str, bytes]:
        """(og/<username>.png or .jpg, its bytes): the social card, from the cache when it was drawn before.
        Drawn from the JPEGs made for og:image (the cover's 1200 px, the avatar's 600 px) and,
        without a cover, the theme's dark page colour (one picture for every viewer)."""
        media = self.job.site.media
        cover = media.get(view.cover.og.lstrip("/")) if view.cover and view.cover.og else None
        avatar = media.get(view.avatar.og.lstrip("/")) if view.avatar and view.avatar.og else None
        accent = (profile.settings.accent if profile.settings is not None and profile.settings.accent else None)
        extension, data = cached_card(
            self.job.config.cache_dir, name=view.name.strip() or profile.username, tagline=view.note,
            avatar=avatar, cover=cover, page_colour=look.dark, text_colour="#f5f5f7",
            accent=accent or CARD_ACCENT)
        return f"og/{profile.username}.{extension}", data

    def _write(self, relative: str, data: bytes, result: BatchResult) -> None:
        digest = digest_bytes(data)
        if not self.job.fresh:
            row = self.state.execute("SELECT digest FROM files WHERE path = ?", (relative,)).fetchone()
            if row and row[0] == digest:
                return
        write_file(self.job.staging, relative, data, fresh=self.job.fresh)
        result.changes[relative] = Change(digest, len(data))

    def _media(self, profile: Profile) -> tuple[tuple[str, str], ...]:
        """(reference, output file) of every image file the profile's page may load."""
        if not self.job.site.images:
            return ()
        settings = profile.settings  # a hidden section's images are not on the page
        uses = [(profile.avatar_url, "avatar"), (profile.cover_url, "cover")]
        if section_shown(settings, "show_links") or profile.item_details:
            uses += [(b.background_image, "background") for b in profile.bio_links]
        if section_shown(settings, "show_products") or profile.item_details:  # a detail page shows its image
            uses += [(p.image_url, "product") for p in profile.products]
        if section_shown(settings, "show_tools"):
            uses += [(c.logo_url, "logo") for c in profile.carousel_items]
        uses += [(reference, "body") for reference, role in self.job.site.images if role == "body"
                 and any(reference in (row.content or "") for row in profile.item_details)]
        files = set()
        for reference, role in uses:
            view = self.job.site.image(reference, role) if reference else None
            if view is not None:  # only the files the page names: a format that does not pay is not copied
                files.update((reference, path) for path in view.files)
        return tuple(sorted(files))


# The band along the foot of a card without a cover, when the profile chose no accent:
# classic's dark-scheme accent.
CARD_ACCENT = "#a99dff"


def share_files(view: PageView, cache_dir: Path | None = None) -> dict[str, bytes]:
    """The files of the share kit a profile's page links to: its contact card, its QR code
    (the SVG the page shows, and a PNG for print beside it; cached in `cache_dir`)."""
    files = {}
    if view.qr_url:
        svg = view.qr_url.lstrip("/")
        files[svg], files[svg.removesuffix(".svg") + ".png"] = qr_files(view.canonical, cache_dir)
    if view.vcard_url:
        files[view.vcard_url.lstrip("/")] = vcard(
            name=view.name, note=view.note, photo=view.photo, page_url=view.canonical,
            link_urls=[link.url for link in view.social] + [link.url for link in view.links])
    return files


_WORKER: PageWriter | None = None
_WORKER_FAILURE: BaseException | None = None


def init_worker(job: PageJob) -> None:
    """Pool initializer: one PageWriter per worker process.

    A failure is kept and raised by the first task instead: raised here, it would
    make multiprocessing start new workers forever.
    """
    global _WORKER, _WORKER_FAILURE
    try:
        _WORKER = PageWriter(job)
    except Exception as error:  # noqa: BLE001 (re-raised by run_batch)
        _WORKER_FAILURE = error


def run_batch(batch: Batch) -> BatchResult:
    """Pool task: render one batch in this worker."""
    if _WORKER_FAILURE is not None:
        raise _WORKER_FAILURE
    return _WORKER.run(batch)
