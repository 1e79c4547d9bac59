"""The editor's pages for a profile's lists: social links, links, products and tools.

On the profile's page (`/_edit/p/<username>`, template items.html) each list shows its
rows in order, each with Edit (a page of its own: one row's form reads best at 390 px),
Up and Down, Remove, and an Add form (social links: a link to their add page, which
holds the icon picker). Every change is a small POST form with the CSRF
token of its own address and the content hash of the profile as the page showed it:

    POST /_edit/p/<username>/<kind>                  add a row (kind: item_forms.KINDS)
    GET  /_edit/p/<username>/<kind>                  the Add form of a kind that has a page for
                                                     it (Kind.adds_on_own_page: social links);
                                                     the others' Add forms are on the profile's page
    GET  /_edit/p/<username>/<kind>/<id>             the row's form; POST saves it
    POST /_edit/p/<username>/<kind>/<id>/move        direction=up|down
    POST /_edit/p/<username>/<kind>/<id>/remove      a confirmation; with confirm=yes, removes
    POST /_edit/p/<username>/order/<kind>            id=...&id=... (every row, in the new order)
    GET  /_edit/static/icons.svg                     every icon, for the icon picker

A change that was done redirects (303) to the profile's page, at the row or the list,
with a notice; a refused one answers with its form again (422: problems by field; 409:
the profile changed since the page was opened, with a link to reload it).

A new order is what static/editor.js posts after a drag and drop (the Up and Down
buttons do the same one place at a time, without script). It is a plain form too; asked
with `Accept: application/json`, it answers {"location": the page to load} or
{"problem": why not} with the same status codes, so the script can show a refusal where
the drop happened.
"""

from __future__ import annotations

import functools
import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from generator.editor import actions, files, forms, item_actions, item_forms
from generator.editor.file_forms import file_form_route, read_file_form, read_form, token_refused
from generator.editor.item_forms import Kind
from generator.editor.security import EDIT_PREFIX, EDITOR_HEADERS, csrf_ok

# What the templates of the lists use besides the editor's own globals.
TEMPLATE_GLOBALS = {
    "kinds": item_forms.KINDS, "item_path": item_forms.item_path, "details_path": item_forms.details_path,
    "anchor": item_forms.anchor, "title": item_forms.title, "icon_choices": item_forms.icon_choices,
    "checked_icon": item_forms.checked_icon, "is_icon": item_forms.is_icon, "icon_name": item_forms.icon_name,
    "shown_icon": item_forms.shown_icon,
    "automatic_icon": item_forms.automatic_icon, "icon_sprite": files.versioned(item_forms.ICON_SPRITE_PATH, item_forms.icon_sprite().encode()),
    "shown_values": item_forms.shown_values, "order_path": item_forms.order_path,
}
ORDER_FIELD = "id"     # repeated: every row's id, in the new order
MOVED_FIELD = "moved"  # the row that was dragged (for the notice), optional
# A list's new order holds one field per row; the other forms' limit (100) would refuse a
# list of ~100 rows. MAX_BODY_BYTES (256 KB) still bounds the request.
_MAX_ORDER_FIELDS = 10_000


def routes() -> list[Route]:
    """The lists' routes, for make_app (before its catch-all under /_edit/)."""
    found = [Route(item_forms.ICON_SPRITE_PATH, icon_sprite, methods=["GET"])]
    for kind in item_forms.KINDS:
        found.append(Route(EDIT_PREFIX + "p/{username}/order/" + kind.slug, functools.partial(order_items, kind),
                           methods=["POST"]))
    for kind in item_forms.KINDS:
        base = EDIT_PREFIX + "p/{username}/" + kind.slug
        # A kind with an image column takes an uploaded image in its add and edit forms.
        route = file_form_route if kind.upload_columns else Route
        found += [route(base, functools.partial(add_item, kind), methods=["GET", "POST"]),
                  route(base + "/{item_id}", functools.partial(edit_item, kind), methods=["GET", "POST"]),
                  Route(base + "/{item_id}/move", functools.partial(move_item, kind), methods=["POST"]),
                  Route(base + "/{item_id}/remove", functools.partial(remove_item, kind), methods=["POST"])]
    return found




def _back(username: str, notice_query: str) -> Response:
    """To the profile's page, at the row or list the notice names."""
    return RedirectResponse(item_forms.profile_page(username) + notice_query, 303, headers=dict(EDITOR_HEADERS))


def _gone(editor, username: str) -> Response:
    return editor.page("gone.html", 404, username=username)


def _refusal_page(editor, outcome: item_actions.ItemOutcome, username: str, kind: Kind, what: str) -> Response:
    """A move or removal not done: the profile is gone, the row is gone, or the profile changed."""
    if outcome.profile_gone:
        return _gone(editor, username)
    return editor.page("item_refused.html", 404 if outcome.item_gone else 409, username=username, kind=kind,
                       what=what, item_gone=outcome.item_gone, changes=_what_changed(editor, outcome))


def _what_changed(editor, outcome: item_actions.ItemOutcome):
    """What changed since the refused form was opened (None: it was not refused for a change)."""
    return editor.what_changed(outcome.opened_hash, outcome.current) if outcome.changed else None


async def icon_sprite(request: Request) -> Response:
    return files.file_response(item_forms.icon_sprite().encode(), "image/svg+xml", request.query_params.get("v"))


async def add_item(kind: Kind, request: Request) -> Response:
    editor = request.app.state.editor
    username = request.path_params["username"]
    if request.method == "GET":
        return await run_in_threadpool(_show_add_page, editor, username, kind)
    posted = await read_file_form(request, kind.upload_columns)
    if posted is None:
        return token_refused()
    # A chosen image is stored and its path is the column's value in the same save (the
    # build's rules check it as any path); a refused save removes the file again.
    outcome = await editor.apply_with_images(posted, lambda conn, values, refused: item_actions.add(
        conn, username, kind, values, editor.config.content_dir, refused=refused))
    if outcome.profile_gone:
        return _gone(editor, username)
    if outcome.done:
        return _back(username, outcome.notice_query)
    # The page the form was on again (the add page or the profile's), opened on the database
    # as it is now, the add form holding what was typed: sending it again adds the row
    # (after a change elsewhere, anyway).
    adding = {"kind": kind, "values": posted.values, "outcome": outcome, "changes": _what_changed(editor, outcome),
              "again": posted.chosen}
    status = 409 if outcome.changed else 422
    if kind.adds_on_own_page:
        return editor.page("item_add.html", status, profile=outcome.current, kind=kind,
                           opened_hash=outcome.current_hash, adding=adding)
    return await run_in_threadpool(_profile_page, editor, outcome, status, adding)


def _show_add_page(editor, username: str, kind: Kind) -> Response:
    """The Add form of a kind that has a page for it; for the others, their list on the
    profile's page (where their Add form is), so the address is never a dead end."""
    if not kind.adds_on_own_page:
        return RedirectResponse(f"{item_forms.profile_page(username)}#{item_forms.anchor(kind)}", 303,
                                headers=dict(EDITOR_HEADERS))
    with editor.database() as conn:
        profile, opened_hash = item_actions.look(conn, username)
    if profile is None:
        return _gone(editor, username)
    adding = {"kind": kind, "values": item_forms.shown_values(kind, None), "outcome": item_actions.ItemOutcome(),
              "changes": None, "again": ()}
    return editor.page("item_add.html", profile=profile, kind=kind, opened_hash=opened_hash, adding=adding)


def _profile_page(editor, outcome: item_actions.ItemOutcome, status: int, adding: dict) -> Response:
    profile = outcome.current
    _, rest = forms.located_problems(profile, editor.config.content_dir)
    values = {column: forms.shown(getattr(profile, column)) for column in forms.COLUMNS}
    return editor.page("profile.html", status, profile=profile, opened_hash=outcome.current_hash, opened=values,
                       values=values, outcome=actions.Outcome(others=[str(p) for p in rest]), notice="",
                       adding=adding)


async def edit_item(kind: Kind, request: Request) -> Response:
    editor = request.app.state.editor
    username, item_id = request.path_params["username"], request.path_params["item_id"]
    if request.method == "GET":
        return await run_in_threadpool(_show_item, editor, username, kind, item_id)
    posted = await read_file_form(request, kind.upload_columns)
    if posted is None:
        return token_refused()
    form = posted.values
    outcome = await editor.apply_with_images(posted, lambda conn, values, refused: item_actions.save(
        conn, username, kind, item_id, values, editor.config.content_dir, refused=refused))
    if outcome.profile_gone:
        return _gone(editor, username)
    if outcome.done:
        return _back(username, outcome.notice_query)
    if outcome.item_gone:
        return _refusal_page(editor, outcome, username, kind, "saved")
    row = item_forms.find_row(outcome.current, kind, item_id)
    return editor.page("item.html", 409 if outcome.changed else 422, profile=outcome.current, kind=kind, row=row,
                       opened_hash=outcome.current_hash, values={c: form.get(c, "") for c in kind.columns},
                       checked=form.get(item_forms.ICON_FIELD, ""), stored_icon=_stored_icon(kind, row),
                       outcome=outcome, changes=_what_changed(editor, outcome), again=posted.chosen)


def _stored_icon(kind: Kind, row) -> object:
    return row.icon if kind.icon_picker and row is not None else None


def _show_item(editor, username: str, kind: Kind, item_id: str) -> Response:
    with editor.database() as conn:
        profile, opened_hash = item_actions.look(conn, username)
    if profile is None:
        return _gone(editor, username)
    row = item_forms.find_row(profile, kind, item_id)
    if row is None:
        return editor.page("item_refused.html", 404, username=username, kind=kind, what="", item_gone=True)
    by_field, rest = item_forms.located_problems(profile, kind, item_id, editor.config.content_dir)
    values = item_forms.shown_values(kind, row)
    return editor.page("item.html", profile=profile, kind=kind, row=row, opened_hash=opened_hash, values=values,
                       checked=item_forms.checked_icon(_stored_icon(kind, row)), stored_icon=_stored_icon(kind, row),
                       outcome=item_actions.ItemOutcome(by_field=by_field, others=rest))


async def move_item(kind: Kind, request: Request) -> Response:
    editor = request.app.state.editor
    username, item_id = request.path_params["username"], request.path_params["item_id"]
    form = await read_form(request)
    if form is None:
        return token_refused()
    direction = form.get("direction", "")
    outcome = await editor.apply(lambda conn: item_actions.move(conn, username, kind, item_id, direction, form))
    if outcome.done:
        return _back(username, outcome.notice_query)
    return _refusal_page(editor, outcome, username, kind, "moved")


async def order_items(kind: Kind, request: Request) -> Response:
    """A whole new order of one list (a drag and drop): every row's id, in order."""
    editor = request.app.state.editor
    username = request.path_params["username"]
    async with request.form(max_files=0, max_fields=_MAX_ORDER_FIELDS) as form:
        ids = [value for value in form.getlist(ORDER_FIELD) if isinstance(value, str)]
        values = {key: value for key, value in form.items() if isinstance(value, str)}
    wants_json = "application/json" in request.headers.get("accept", "")
    if not csrf_ok(editor.secret, request.url.path, values.get(forms.CSRF_FIELD)):
        return _answer_json(403, problem=_REFUSED) if wants_json else token_refused()
    outcome = await editor.apply(lambda conn: item_actions.reorder(conn, username, kind, ids,
                                                                   values.get(MOVED_FIELD, ""), values))
    if outcome.done:
        location = item_forms.profile_page(username) + outcome.notice_query
        return _answer_json(200, location=location) if wants_json else _back(username, outcome.notice_query)
    status = 404 if outcome.profile_gone else 409 if outcome.changed else 422
    if wants_json:
        problem = ("The profile is gone: it was removed or renamed elsewhere." if outcome.profile_gone else
                   _changed_problem(editor, outcome) if outcome.changed else f"Not moved: {outcome.others[0]}.")
        return _answer_json(status, problem=problem)
    if outcome.profile_gone or outcome.changed:
        return _refusal_page(editor, outcome, username, kind, "moved")
    return editor.page("item_refused.html", 422, username=username, kind=kind, what="moved", item_gone=False,
                       problem=outcome.others[0])


_REFUSED = "Not moved: this page's token is missing or wrong; reload the page and try again."
_CHANGED = ("Not moved: this profile changed since you opened its page (in another tab or program). "
            "Nothing was written; reload the page to see it as it is now.")


def _changed_problem(editor, outcome: item_actions.ItemOutcome) -> str:
    """The 409's words for the script: the refusal, then what changed (as the 409 page lists it)."""
    changes = _what_changed(editor, outcome)
    said = "; ".join(f"{part.heading}: {', '.join(part.changes)}" for part in changes.parts) if changes.known else ""
    return _CHANGED + (f" What changed: {said}." if said else "")


def _answer_json(status: int, **answer: str) -> Response:
    return Response(json.dumps(answer), status, headers=dict(EDITOR_HEADERS), media_type="application/json")


async def remove_item(kind: Kind, request: Request) -> Response:
    """The Remove button asks first (what goes with the row, its details included); the
    confirmation's own button, confirm=yes, removes it."""
    editor = request.app.state.editor
    username, item_id = request.path_params["username"], request.path_params["item_id"]
    form = await read_form(request)
    if form is None:
        return token_refused()
    if form.get("confirm") != "yes":
        return await run_in_threadpool(_confirm_removal, editor, username, kind, item_id,
                                       form.get(forms.HASH_FIELD, ""))
    outcome = await editor.apply(lambda conn: item_actions.remove(conn, username, kind, item_id, form))
    if outcome.done:
        return _back(username, outcome.notice_query)
    return _refusal_page(editor, outcome, username, kind, "removed")


def _confirm_removal(editor, username: str, kind: Kind, item_id: str, page_hash: str) -> Response:
    with editor.database() as conn:
        profile, opened_hash = item_actions.look(conn, username)
    if profile is None:
        return _gone(editor, username)
    row = item_forms.find_row(profile, kind, item_id)
    if row is None:
        return editor.page("item_refused.html", 404, username=username, kind=kind, what="removed", item_gone=True)
    goes = item_forms.details_parts(profile.details().get(item_id), profile.username)
    changed = page_hash != opened_hash
    return editor.page("item_remove.html", profile=profile, kind=kind, row=row, opened_hash=opened_hash, goes=goes,
                       changed=changed, changes=editor.what_changed(page_hash, profile) if changed else None)
