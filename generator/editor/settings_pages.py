"""The editor's settings page (`/_edit/p/<username>/settings`: every column of
profile_settings) and an item's details page (`/_edit/p/<username>/details/<item_id>`:
a link's or a product's item_details row, its detail page and schedule), each beside the
page it changes. Plain forms, as the rest of the editor: a save posts, a done save
redirects (303) to the page showing it, a refused one answers with the form again
(422 with the problems at their fields, 409 when the profile changed under it).
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from generator.build.themes import ACCENT_PROPERTY, DEFAULT_THEME, theme_files
from generator.build.plan import build_time
from generator.data.item_details import BADGES, has_page, is_live
from generator.data.model import Product
from generator.data.profile_settings import BUTTON_SHAPES
from generator.editor import settings_forms as sf
from generator.editor.actions import Outcome, as_shown
from generator.editor.file_forms import read_form, token_refused
from generator.editor.security import EDIT_PREFIX, EDITOR_HEADERS
from generator.editor.settings_actions import SiteRules, find_item, save_details, save_settings


def routes() -> list[Route]:
    """The two pages' routes, for make_app."""
    both = ["GET", "POST"]
    return [Route(EDIT_PREFIX + "p/{username}/settings", settings_page, methods=both),
            Route(EDIT_PREFIX + "p/{username}/details/{item_id}", details_page, methods=both)]


def settings_path(username: str) -> str:
    return f"{EDIT_PREFIX}p/{quote(username, safe='')}/settings"


def details_path(username: str, item_id: str) -> str:
    return f"{EDIT_PREFIX}p/{quote(username, safe='')}/details/{quote(item_id, safe='')}"


def _see(path: str) -> Response:
    return RedirectResponse(path, 303, headers=dict(EDITOR_HEADERS))




# -- settings ------------------------------------------------------------------------------

async def settings_page(request: Request) -> Response:
    editor = request.app.state.editor
    username = request.path_params["username"]
    if request.method == "GET":
        return await run_in_threadpool(_show_settings, editor, username, request.query_params.get("saved"))
    form = await read_form(request)
    if form is None:
        return token_refused()
    rules = await run_in_threadpool(SiteRules, editor.config)
    outcome = await editor.apply(lambda conn: save_settings(conn, username, form, rules))
    if outcome.not_found:
        return editor.page("gone.html", 404, username=username)
    if outcome.done:
        return _see(settings_path(username) + "?saved=1")
    profile = outcome.current
    values = {column: form.get(column, "") for column in sf.SETTINGS_COLUMNS}
    values["accent"] = form.get("accent", "")
    if outcome.conflict is not None:
        # The user's values, opened on the profile as it is now: sending it again applies them.
        stored = sf.stored_settings(profile.settings)
        opened = {"accent": sf.shown_settings(stored)["accent"],
                  "picker": sf.picker_colour(stored["accent"], _theme_accent(rules, stored["theme"]))}
        return _settings(editor, rules, 409, profile, outcome.current_hash, values,
                         form.get(sf.PICKER_FIELD, opened["picker"]), opened, outcome,
                         changes=editor.what_changed(form.get("opened_hash"), profile))
    opened = {"accent": form.get(sf.OPENED_ACCENT_FIELD, ""), "picker": form.get(sf.OPENED_PICKER_FIELD, "")}
    return _settings(editor, rules, 422, profile, form.get("opened_hash", ""), values,
                     form.get(sf.PICKER_FIELD, opened["picker"]), opened, outcome)


def _show_settings(editor, username: str, saved) -> Response:
    rules = SiteRules(editor.config)
    with editor.database() as conn:
        profile, opened_hash = as_shown(conn, username)
    if profile is None:
        return editor.page("gone.html", 404, username=username)
    stored = sf.stored_settings(profile.settings)
    values = sf.shown_settings(stored)
    picker = sf.picker_colour(stored["accent"], _theme_accent(rules, stored["theme"]))
    current = [str(p) for p in rules.problems(profile)]
    return _settings(editor, rules, 200, profile, opened_hash, values, picker,
                     {"accent": values["accent"], "picker": picker}, Outcome(others=current),
                     notice="Saved." if saved else "")


def _theme_accent(rules: SiteRules, theme: object) -> str:
    """The accent of the chosen theme (or the default one), for the picker without an accent."""
    chosen = rules.looks.themes.get(theme if isinstance(theme, str) else DEFAULT_THEME) \
        or rules.looks.themes[DEFAULT_THEME]
    return sf.picker_colour(chosen.light.get(ACCENT_PROPERTY), "#000000")


def _settings(editor, rules: SiteRules, status: int, profile, opened_hash, values: dict[str, str], picker: str,
              opened: dict[str, str], outcome: Outcome, notice: str = "", changes=None) -> Response:
    files = theme_files(editor.config)
    themes = [(name, sf.theme_summary(name, files[name].read_text(encoding="utf-8"))) for name in files]
    if values["theme"] and values["theme"] not in files:
        themes.append((values["theme"], "Not a theme of this site: choose another (the build refuses it)."))
    languages = [(tag, sf.language_label(tag, rules.catalog.words(tag).dir)) for tag in rules.catalog.languages]
    if values["language"] and values["language"] not in rules.catalog.languages:
        languages.append((values["language"], f"{values['language']} (no translation file serves it)"))
    shapes = list(BUTTON_SHAPES)
    if values["button_shape"] and values["button_shape"] not in shapes:
        shapes.append(values["button_shape"])
    return editor.page("settings.html", status, profile=profile, opened_hash=opened_hash, values=values,
                       picker=picker, opened=opened, outcome=outcome, notice=notice, themes=themes,
                       default_theme=DEFAULT_THEME, languages=languages, site_language=editor.config.language,
                       shapes=shapes, text_fields=sf.TEXT_SETTINGS, switches=sf.SWITCH_LABELS,
                       labels=sf.SETTING_LABELS, action=settings_path(profile.username), changes=changes)


# -- details -------------------------------------------------------------------------------

async def details_page(request: Request) -> Response:
    editor = request.app.state.editor
    username, item_id = request.path_params["username"], request.path_params["item_id"]
    if request.method == "GET":
        return await run_in_threadpool(_show_details, editor, username, item_id, request.query_params.get("saved"))
    form = await read_form(request)
    if form is None:
        return token_refused()
    rules = await run_in_threadpool(SiteRules, editor.config)
    outcome = await editor.apply(lambda conn: save_details(conn, username, item_id, form, rules))
    if outcome.not_found:
        return _item_gone(editor, username, item_id)
    if outcome.done:
        return _see(details_path(username, item_id) + "?saved=1")
    profile = outcome.current
    item = find_item(profile, item_id)
    values = {column: form.get(column, "") for column in sf.form_columns(isinstance(item, Product))}
    if outcome.conflict is not None:
        return _details(editor, 409, profile, item, outcome.current_hash, values, outcome,
                        changes=editor.what_changed(form.get("opened_hash"), profile))
    return _details(editor, 422, profile, item, form.get("opened_hash", ""), values, outcome)


def _show_details(editor, username: str, item_id: str, saved) -> Response:
    rules = SiteRules(editor.config)
    with editor.database() as conn:
        profile, opened_hash = as_shown(conn, username)
    item = find_item(profile, item_id) if profile else None
    if item is None:
        return _item_gone(editor, username, item_id)
    stored = sf.stored_details(profile.details().get(item_id))
    values = {column: "" if stored[column] is None else str(stored[column])
              for column in sf.form_columns(isinstance(item, Product))}
    for column in sf.SCHEDULE_COLUMNS:
        local = sf.local_time(stored[column])
        values[column] = values[column] if local is None else local
    current = Outcome(others=[str(problem) for problem in rules.problems(profile)])
    return _details(editor, 200, profile, item, opened_hash, values, current, notice="Saved." if saved else "")


def _details(editor, status: int, profile, item, opened_hash, values: dict[str, str], outcome: Outcome,
             notice: str = "", changes=None) -> Response:
    row = profile.details().get(item.id)
    page = f"/{profile.username}/{row.slug}" if has_page(row) and row.slug else None
    live = is_live(row, build_time())   # the build writes a detail page only while its item shows
    # A time the browser's date picker cannot hold (text stored by another program) is shown as text.
    as_text = {column for column in sf.SCHEDULE_COLUMNS
               if values[column] and sf.local_time(sf.stored_time(values[column])) in (None, "")}
    return editor.page("details.html", status, profile=profile, item=item, is_product=isinstance(item, Product),
                       opened_hash=opened_hash, values=values, outcome=outcome, notice=notice, page_path=page,
                       base_url=editor.config.base_url.rstrip("/"), detail_fields=sf.DETAIL_FIELDS,
                       live=live, product_fields=sf.PRODUCT_FIELDS, badges=BADGES, schedule=sf.SCHEDULE_LABELS, as_text=as_text,
                       labels=sf.detail_labels(), action=details_path(profile.username, item.id),
                       # The token is of the path as the server reads it back: percent-decoded.
                       token_path=unquote(details_path(profile.username, item.id)), changes=changes)


def _item_gone(editor, username: str, item_id: str) -> Response:
    return editor.page("item_gone.html", 404, username=username, item_id=item_id)
