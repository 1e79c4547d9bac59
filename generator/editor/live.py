"""Live validation: the build's rule for one field's value, asked while the user types.

A field that has a rule says so in its markup (`data-rule="link"`); the editor's
script (static/editor.js) sends its value to `GET /_edit/check?rule=...&value=...`
a moment after typing stops, and shows the answer under the field. The answer is
the message the save (and `biogen check`) would give for that value alone, so the
form never promises what the save then refuses. The save still applies every rule
again: a check is a hint, never a permission, and without script nothing changes.

A check reads and writes nothing but, for `new-username`, whether the name is taken.
It is a GET: it changes nothing, so it needs no CSRF token (the guard's cookie and
Host check still stand in front of it).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from generator.data import store
from generator.data.validate import local_file_problem, username_problem, value_problem
from generator.editor.security import EDITOR_HEADERS

# A value longer than this is not checked live (the save still checks it); it keeps a
# GET's URL well under the 8 KB most servers accept.
MAX_CHECKED_CHARACTERS = 2000


def _text(required: bool) -> Callable[[str], str | None]:
    return lambda value: value_problem(value or None, "text", required)


def _kind(kind: str, required: bool) -> Callable[[str], str | None]:
    return lambda value: value_problem(value, kind, required)


# rule name -> the build's rule for a value alone (pure)
PURE_RULES: dict[str, Callable[[str], str | None]] = {
    "text": _text(False),
    "text-required": _text(True),
    "link": _kind("link", False),
    "link-required": _kind("link", True),
    "image": _kind("image", False),
    "username": username_problem,
}
RULES = (*PURE_RULES, "new-username")


def problem(rule: str, value: str, conn: sqlite3.Connection | None, content_dir: Path | None) -> str | None:
    """What the save would say of `value` under `rule`, or None when it passes.

    `image` also looks for a local path's file under content/; `new-username` also
    asks the database whether another profile has the name."""
    if rule == "new-username":
        found = username_problem(value)
        if found is None and conn is not None and store.find_profile(conn, value) is not None:
            return f"another profile is already named {value!r}; choose another username"
        return found
    found = PURE_RULES[rule](value)
    if found is None and rule == "image" and value and content_dir is not None and not _remote(value):
        return local_file_problem(value, content_dir)
    return found


def _remote(value: str) -> bool:
    return value.lstrip().lower().startswith(("http:", "https:"))


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status, headers=dict(EDITOR_HEADERS), media_type="application/json")


async def check(request: Request) -> Response:
    """`{"problem": message or null}`; 400 for an unknown rule or a value too long to check."""
    rule = request.query_params.get("rule", "")
    value = request.query_params.get("value", "")
    if rule not in RULES:
        return _json({"error": f"unknown rule {rule!r}; one of {', '.join(RULES)}"}, 400)
    if len(value) > MAX_CHECKED_CHARACTERS:
        return _json({"error": f"values over {MAX_CHECKED_CHARACTERS} characters are checked on save"}, 400)
    editor = request.app.state.editor

    def answer():
        if rule != "new-username":
            return problem(rule, value, None, editor.config.content_dir)
        with editor.database() as conn:
            return problem(rule, value, conn, editor.config.content_dir)
    return _json({"problem": await run_in_threadpool(answer)})
