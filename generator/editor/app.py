"""The editor's web app: its pages under `/_edit/`, and every other path answered as
Cloudflare Pages answers it from the built site, so the page beside the form is the
real one, with its `_headers`.

Every page is a plain form: a save posts, and the answer redirects (303) to the page
showing the result; a refused save answers with the form again, the problems next to
their fields. Every page works without script; static/editor.js only adds hints
(live validation, generator/editor/live.py), drag and drop on image fields, and drag
and drop in a profile's lists (posting the order a plain form can, generator/editor/items.py).
After a write the site is rebuilt (incrementally: one profile renders in ~0.15 s) before
the redirect, so the reloaded page shows the change.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from generator.config import Config, load_config
from generator.data import db
from generator.data.migrate import open_migrated
from generator.data.model import Profile
from generator.editor import actions, changes, files, forms, item_forms, items, live, settings_pages, uploads
from generator.editor.file_forms import FileForm, file_form_route, read_file_form, read_form, token_refused
from generator.editor.security import EDIT_PREFIX, EDITOR_HEADERS, Guard, csrf_token
from generator.preview import watch as watching
from generator.preview.routing import PagesSite, Response as PagesResponse
from generator.preview.server import PREVIEW_PREFIX, Preview, describe_failure, own_response, page_origin, \
    preview_response

log = logging.getLogger(__name__)



class Editor:
    """What the pages share: the site's settings, the secret, and the last rebuild's failure."""

    def __init__(self, config: Config, secret: str, preview: Preview | None = None):
        self.config = config
        self.secret = secret
        # Under `serve --watch` the preview's state: its rebuilds (and their lock) are
        # shared with the watcher, and the framed page reloads itself (live reload).
        self.preview = preview
        self.build_failure: str | None = None
        # The profiles the pages' forms were opened on, to say what changed when a save is refused.
        self.snapshots = changes.Snapshots()
        self._build_lock = preview.build_lock if preview is not None else threading.Lock()
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("generator.editor", "templates"),
                                            autoescape=True, undefined=jinja2.StrictUndefined)
        self.templates.globals.update(csrf=lambda path: csrf_token(secret, path), path_of=profile_path,
                                      fields=forms.PROFILE_FIELDS, shown=forms.shown,
                                      static_url=files.static_url, file_field=forms.file_field,
                                      upload_input=forms.upload_input,
                                      again=frozenset())   # the columns whose chosen file a refused save dropped
        self.templates.globals.update(items.TEMPLATE_GLOBALS)
        if preview is None:  # (the preview shows a database it cannot use in its banner instead)
            conn = open_migrated(config.database, config.migrations_dir)  # migrations applied, else a clear error
            conn.close()

    @contextlib.contextmanager
    def database(self) -> Iterator:
        conn = db.connect(self.config.database)
        try:
            yield conn
        finally:
            conn.close()

    def rebuild(self) -> None:
        """Build the site (only what changed); a failure is kept and shown on every page."""
        if self.preview is not None:
            config, _ = watching.rebuild(self.config.site_dir, self.preview, lambda message: log.info("%s", message))
            self.config = config or self.config
            self.build_failure = str(self.preview.failure) if self.preview.failure else None
            return
        from generator.build.build import build
        with self._build_lock:
            try:
                self.config = load_config(self.config.site_dir)
                build(self.config)
                self.build_failure = None
            except Exception as error:  # noqa: BLE001 (what was saved stays saved; the pages say why the site lags)
                self.build_failure = str(describe_failure(error, self.config.site_dir))
                log.error("%s", self.build_failure)

    async def apply(self, action) -> "actions.Outcome":
        """`action(conn)` on the database in a worker thread, then the site rebuilt when it
        wrote, so the page the editor frames shows the change once the browser is redirected."""
        def run():
            with self.database() as conn:
                outcome = action(conn)
            if outcome.done:
                self.rebuild()
            return outcome
        return await run_in_threadpool(run)

    async def apply_with_images(self, posted: FileForm, save) -> actions.Outcome:
        """`apply` for a form with images: its images stored, then `save(conn, values,
        refused)` with values = the form's text fields with each stored image's path in
        its column, in one worker thread; a save not done removes the files it stored."""
        content_dir = self.config.content_dir
        return await self.apply(lambda conn: uploads.kept(
            posted.images, content_dir, lambda paths: save(conn, posted.values | paths, posted.refused)))

    def page(self, template: str, status: int = 200, **context) -> Response:
        """The page `template` rendered. A page showing a `profile` with the `opened_hash` its
        forms carry remembers that profile, so a save refused later can say what changed."""
        profile, opened_hash = context.get("profile"), context.get("opened_hash")
        if isinstance(profile, Profile) and opened_hash:
            self.snapshots.remember(profile, opened_hash)
        body = self.templates.get_template(template).render(failure=self.build_failure, **context)
        return Response(body, status, headers=dict(EDITOR_HEADERS), media_type="text/html")

    def what_changed(self, opened_hash: str | None, now: Profile) -> changes.WhatChanged:
        """What changed in the profile `now` since a page opened it with `opened_hash`."""
        return self.snapshots.what_changed(opened_hash, now)


def profile_path(username: str, action: str = "") -> str:
    """The editor's address of one profile (and of an action on it)."""
    return f"{EDIT_PREFIX}p/{quote(username, safe='')}" + (f"/{action}" if action else "")




def _editor(request: Request) -> Editor:
    return request.app.state.editor


def _see(path: str) -> Response:
    return RedirectResponse(path, 303, headers=dict(EDITOR_HEADERS))


# -- the pages -------------------------------------------------------------------------

async def profiles_page(request: Request) -> Response:
    editor = _editor(request)
    query = request.query_params.get("q", "").strip()

    def find():
        with editor.database() as conn:
            return actions.search(conn, query)
    found, total = await run_in_threadpool(find)
    return editor.page("profiles.html", query=query, found=found, total=total, limit=actions.LIST_LIMIT,
                       removed=request.query_params.get("removed", ""))


async def new_profile(request: Request) -> Response:
    editor = _editor(request)
    if request.method == "GET":
        return editor.page("new.html", values={"username": "", "display_name": ""}, outcome=actions.Outcome())
    form = await read_form(request)
    if form is None:
        return token_refused()
    values = {"username": form.get("username", "").strip(), "display_name": form.get("display_name", "")}
    outcome = await editor.apply(lambda conn: actions.create(conn, values["username"], values["display_name"]))
    if outcome.done:
        return _see(profile_path(outcome.username) + "?created=1")
    return editor.page("new.html", 422, values=values, outcome=outcome)


async def profile_page(request: Request) -> Response:
    editor = _editor(request)
    username = request.path_params["username"]
    if request.method == "GET":
        return await run_in_threadpool(_show_profile, editor, username, request.query_params)
    posted = await read_file_form(request, forms.UPLOAD_COLUMNS)
    if posted is None:
        return token_refused()
    form, content_dir = posted.values, editor.config.content_dir
    # A chosen image is stored, and its path becomes the column's value, in the same save:
    # the build's rules then check it like any path; a refused save removes the file again.
    outcome = await editor.apply_with_images(
        posted, lambda conn, values, refused: actions.save(conn, username, values, content_dir, refused=refused))
    if outcome.not_found:
        return _gone(editor, username)
    if outcome.done:
        return _see(profile_path(username) + "?saved=1")
    if outcome.conflict is not None:
        # The form again with the user's values, opened on the database as it is now:
        # sending it applies them anyway; the reload link drops them.
        return editor.page("profile.html", 409, profile=outcome.current, opened_hash=outcome.current_hash,
                           opened={c: forms.shown(getattr(outcome.current, c)) for c in forms.COLUMNS},
                           values={c: form.get(c, "") for c in forms.COLUMNS}, outcome=outcome, notice="",
                           changes=editor.what_changed(form.get(forms.HASH_FIELD), outcome.current),
                           again=posted.chosen)
    return editor.page("profile.html", 422, profile=outcome.current, opened_hash=form.get(forms.HASH_FIELD, ""),
                       opened={c: form.get(forms.OPENED_PREFIX + c, "") for c in forms.COLUMNS},
                       values={c: form.get(c, "") for c in forms.COLUMNS}, outcome=outcome, notice="",
                       again=posted.chosen)


def _show_profile(editor: Editor, username: str, query) -> Response:
    with editor.database() as conn:
        profile, opened_hash = actions.as_shown(conn, username)
    if profile is None:
        return _gone(editor, username)
    _, rest = forms.located_problems(profile, editor.config.content_dir)
    notice = "Saved." if query.get("saved") else "Created." if query.get("created") else \
        "Renamed." if query.get("renamed") else ""
    values = {c: forms.shown(getattr(profile, c)) for c in forms.COLUMNS}
    return editor.page("profile.html", profile=profile, opened_hash=opened_hash, opened=values, values=values,
                       outcome=actions.Outcome(others=[str(p) for p in rest]), notice=notice,
                       item_notice=item_forms.notice(query))


def _gone(editor: Editor, username: str) -> Response:
    return editor.page("gone.html", 404, username=username)


async def rename_page(request: Request) -> Response:
    editor = _editor(request)
    username = request.path_params["username"]
    if request.method == "GET":
        return editor.page("rename.html", username=username, new=username, outcome=actions.Outcome(),
                           home=editor.config.home)
    form = await read_form(request)
    if form is None:
        return token_refused()
    new = form.get("username", "").strip()
    outcome = await editor.apply(lambda conn: actions.rename(conn, username, new))
    if outcome.not_found:
        return _gone(editor, username)
    if outcome.done:
        return _see(profile_path(new) + "?renamed=1")
    return editor.page("rename.html", 422, username=username, new=new, outcome=outcome, home=editor.config.home)


async def delete_page(request: Request) -> Response:
    editor = _editor(request)
    username = request.path_params["username"]
    if request.method == "GET":
        return await run_in_threadpool(_confirm_delete, editor, username, None)
    form = await read_form(request)
    if form is None:
        return token_refused()
    outcome = await editor.apply(lambda conn: actions.delete(conn, username, form.get(forms.HASH_FIELD, "")))
    if outcome.not_found:
        return _gone(editor, username)
    if outcome.done:
        return _see(f"{EDIT_PREFIX}?removed={quote(username, safe='')}")
    return await run_in_threadpool(_confirm_delete, editor, username, form.get(forms.HASH_FIELD, ""))


def _confirm_delete(editor: Editor, username: str, refused_hash: str | None) -> Response:
    """The confirmation; after a refused delete (`refused_hash`: the hash the refused form
    carried), with what changed since it was opened."""
    with editor.database() as conn:
        profile, opened_hash = actions.as_shown(conn, username)
    if profile is None:
        return _gone(editor, username)
    changed = refused_hash is not None
    return editor.page("delete.html", 409 if changed else 200, profile=profile, opened_hash=opened_hash,
                       goes=forms.what_goes_with(profile), changed=changed,
                       changes=editor.what_changed(refused_hash, profile) if changed else None)


async def static_file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in files.PACKAGE_FILES:
        return await _not_here(request)
    return files.file_response(files.package_file(name), files.PACKAGE_FILES[name], request.query_params.get("v"))


async def _not_here(request: Request) -> Response:
    return _editor(request).page("gone.html", 404, username=None)


# -- the built site ----------------------------------------------------------------------

# The published pages refuse every frame (frame-ancestors 'none', X-Frame-Options DENY);
# in the editor the page is shown in a frame of the editor's own origin, so these two
# headers (and nothing else) say 'self' on what this server sends.
_FRAME_ANCESTORS = re.compile(r"frame-ancestors[^;]*", re.I)


def framable(response: PagesResponse) -> PagesResponse:
    """`response` allowed in a frame of the same origin, and never cached (it changes with each save)."""
    policy = response.header("Content-Security-Policy")
    if policy:
        response.set_header("Content-Security-Policy", _FRAME_ANCESTORS.sub("frame-ancestors 'self'", policy))
    if response.header("X-Frame-Options"):
        response.set_header("X-Frame-Options", "SAMEORIGIN")
    if response.is_html:
        response.set_header("Cache-Control", "no-store")
    return response


async def site_page(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return Response("Method not allowed\n", 405, headers={"Allow": "GET, HEAD"}, media_type="text/plain")
    editor = _editor(request)
    raw_path = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1").split("?")[0]
    query = request.scope.get("query_string", b"").decode("latin-1")
    host = request.headers.get("host", "")
    preview = editor.preview

    def respond() -> PagesResponse:
        if preview is None:
            return PagesSite(editor.config.output).respond(raw_path, query, host)
        preview.wait_until_built()
        return preview_response(preview, raw_path, query, page_origin(host), host)
    answer = framable(await run_in_threadpool(respond))
    return _sent(answer)


def _sent(answer: PagesResponse) -> Response:
    """A response of the preview's kind as Starlette sends it, its headers exactly as they are."""
    response = Response(answer.body, answer.status)
    response.raw_headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
    response.raw_headers.append((b"content-length", str(len(answer.body)).encode()))
    return response


async def preview_file(request: Request) -> Response:
    """The preview's own paths (live reload's script and long poll), under `serve --watch`."""
    preview = _editor(request).preview
    if preview is None:
        return await site_page(request)
    query = request.scope.get("query_string", b"").decode("latin-1")
    return _sent(await run_in_threadpool(own_response, preview, request.url.path, query))


def make_app(config: Config, *, secret: str, host: str, port: int, preview: Preview | None = None,
             open_site: bool = False) -> Starlette:
    """The editor and the site behind the guard. With `preview`, the site is the
    preview's (live reload, the error banner, rebuilds shared with its watcher); with
    `open_site`, the site's pages answer any Host without the secret, as `biogen serve`
    always has (see Guard), and only the editor is guarded."""
    editor = Editor(config, secret, preview)
    post = ["GET", "POST"]
    routes = [
        Route(EDIT_PREFIX, profiles_page, methods=["GET"]),
        Route(EDIT_PREFIX.rstrip("/"), lambda request: _see(EDIT_PREFIX), methods=["GET"]),
        Route(f"{EDIT_PREFIX}new", new_profile, methods=post),
        file_form_route(EDIT_PREFIX + "p/{username}", profile_page),
        Route(EDIT_PREFIX + "p/{username}/rename", rename_page, methods=post),
        Route(EDIT_PREFIX + "p/{username}/delete", delete_page, methods=post),
        *settings_pages.routes(),
        *items.routes(),
        Route(EDIT_PREFIX + "static/{name}", static_file, methods=["GET"]),
        Route(f"{EDIT_PREFIX}check", live.check, methods=["GET"]),
        Route(EDIT_PREFIX + "{rest:path}", _not_here, methods=["GET", "POST"]),
        Route(PREVIEW_PREFIX + "{name:path}", preview_file, methods=["GET", "HEAD"]),
        Route("/{path:path}", site_page, methods=["GET", "HEAD", "POST"]),
    ]
    file_forms = tuple(route.path_regex for route in routes if getattr(route, "takes_files", False))
    app = Starlette(routes=routes, middleware=[Middleware(Guard, secret=secret, host=host, port=port,
                                                          open_site=open_site, file_forms=file_forms)])
    app.state.editor = editor
    return app
