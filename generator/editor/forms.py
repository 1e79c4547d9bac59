"""The editor's forms as pure functions: what a form's fields are, the would-be profile
its values make, the build's rules located on its fields, and what changed under it.

Browsers change some text on the way: an `<input>` drops line breaks from its value and
a `<textarea>` sends them as CR LF (HTML, "value sanitization" and form submission).
(and an HTML parser reads a lone CR as LF). A value that differs from the stored one
only by that is the stored one, so opening a
form and saving it never rewrites what the user did not touch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from pathlib import Path

from generator.data.model import Profile
from generator.data.validate import profile_problems
from generator.editor.uploads import ACCEPT, FORMATS_NAMED, MAX_UPLOAD_BYTES, UPLOAD_DIR
from generator.errors import Problem


@dataclasses.dataclass(frozen=True)
class Field:
    """One column of the profile's own row as the form shows it."""

    column: str
    label: str
    hint: str
    required: bool = False
    multiline: bool = False
    url: bool = False    # an address: no spell checking, a keyboard with '/' and '.'
    rule: str = "text"   # the live check's rule (generator.editor.live.RULES)
    upload: str = ""     # the label of a file input beside it whose image, once stored, becomes the value


PROFILE_FIELDS = (
    Field("display_name", "Display name", "Shown as the page's heading.", required=True, rule="text-required"),
    Field("tagline", "Tagline", "A line or two under the name; inline Markdown (*emphasis*, `code`, [links](https://…)).",
          multiline=True),
    Field("avatar_url", "Avatar URL", "https://… or the path of a file under content/, such as avatars/ana.jpg.",
          url=True, rule="image", upload="Or upload an avatar"),
    Field("cover_url", "Cover URL", "https://… or the path of a file under content/.", url=True, rule="image",
          upload="Or upload a cover"),
)
COLUMNS = tuple(field.column for field in PROFILE_FIELDS)
UPLOAD_COLUMNS = tuple(field.column for field in PROFILE_FIELDS if field.upload)
UPLOAD_HINT = (f"{FORMATS_NAMED}, at most {MAX_UPLOAD_BYTES // 1048576} MB. Saving stores it in "
               f"content/{UPLOAD_DIR}/ under a name made from its bytes, and that path replaces the one above.")
NOT_KEPT = "The file chosen here was not kept, as nothing of a refused save is; choose it again."
# Form fields other than the profile's own: the CSRF token, the content hash the form
# was opened on, and the values it was opened with (`opened_<column>`).
CSRF_FIELD = "csrf"
HASH_FIELD = "opened_hash"
OPENED_PREFIX = "opened_"


def file_field(column: str) -> str:
    """The name (and id) of the file input that fills `column`."""
    return f"{column}_file"


def upload_input(column: str, label: str, by_field: Mapping[str, list[str]], again: Collection[str],
                 id_prefix: str = "") -> dict:
    """What macros.html's `file_input` shows for the file input filling `column`: its
    refusal, else "choose it again" when a file chosen there was dropped with a refused save.
    `id_prefix` keeps its id unique on a page of several forms (the name stays the same)."""
    name = file_field(column)
    return {"id": id_prefix + name, "name": name, "label": label, "hint": UPLOAD_HINT, "accept": ACCEPT,
            "messages": list(by_field.get(name) or ([NOT_KEPT] if column in again else []))}


def shown(value: object) -> str:
    """A column's value as a form field holds it (NULL as empty)."""
    return "" if value is None else str(value)


def as_submitted(field: Field, stored: object, submitted: str) -> str | None:
    """The value to store for what the browser sent: None for an empty optional field,
    the stored value when the browser only changed its line breaks."""
    if field.multiline:
        submitted = submitted.replace("\r\n", "\n")
        if isinstance(stored, str) and stored.replace("\r\n", "\n").replace("\r", "\n") == submitted:
            return stored
    elif isinstance(stored, str) and stored.replace("\r", "").replace("\n", "") == submitted:
        return stored
    if submitted == "" and not field.required:
        return None
    return submitted


def submitted_values(profile: Profile, form: Mapping[str, str]) -> dict[str, str | None]:
    """{column: value to store} of the profile's own fields in `form` (a missing field keeps its value)."""
    values = {}
    for field in PROFILE_FIELDS:
        stored = getattr(profile, field.column)
        values[field.column] = stored if field.column not in form else as_submitted(field, stored, form[field.column])
    return values


def would_be(profile: Profile, values: Mapping[str, object]) -> Profile:
    """The profile as it would be with `values` in its own columns."""
    return dataclasses.replace(profile, **values)


def located_problems(profile: Profile, content_dir: Path | None) -> tuple[dict[str, list[Problem]], list[Problem]]:
    """The build's problems with `profile`: ({column of the form: its problems}, the rest)."""
    by_field: dict[str, list[Problem]] = {}
    rest = []
    for problem in profile_problems(profile, content_dir):
        if problem.table == "profiles" and problem.column in COLUMNS:
            by_field.setdefault(problem.column, []).append(problem)
        else:
            rest.append(problem)
    return by_field, rest


@dataclasses.dataclass(frozen=True)
class Change:
    """A field that changed in the database since the form was opened."""

    field: Field
    opened: str
    theirs: str
    yours: str


def changes_since(form: Mapping[str, str], current: Profile) -> list[Change]:
    """The form's fields whose stored value is no longer what the form was opened on."""
    changes = []
    for field in PROFILE_FIELDS:
        opened = form.get(OPENED_PREFIX + field.column, "")
        theirs = shown(getattr(current, field.column))
        if opened != theirs:
            changes.append(Change(field, opened, theirs, form.get(field.column, "")))
    return changes


def what_goes_with(profile: Profile) -> list[str]:
    """`["2 social links", "3 links", ...]`: every row deleted with the profile, by kind."""
    kinds = (("social link", "social links", len(profile.social_links)),
             ("link", "links", len(profile.bio_links)),
             ("product", "products", len(profile.products)),
             ("tool", "tools", len(profile.carousel_items)),
             ("row of settings", "rows of settings", len(profile.profile_settings)),
             ("hostname", "hostnames", len(profile.domains)),
             ("item's details", "items' details", len(profile.item_details)))
    return [f"{count} {one if count == 1 else many}" for one, many, count in kinds]
