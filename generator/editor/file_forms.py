"""Forms that take images: a posted form read with its files, each file checked as the
build checks images (generator.editor.uploads), and the route that lets such a form's
body be larger than a text form's.

How a form takes an image (the profile page does it for avatar_url and cover_url, the
lists' add and edit forms for their image column, generator.editor.items):
its template posts with enctype="multipart/form-data" and shows, inside the column's
field, `macros.file_input(**upload_input(column, label, outcome.by_field, again,
id_prefix))` (macros.text_field does it given `upload=`); its route is made with
`file_form_route`; its handler reads `read_file_form(request, columns)` (None: 403) and
saves with `Editor.apply_with_images(posted, save)`, whose `save(conn, values, refused)`
must refuse (write nothing, outcome not done, `refused` shown by field) when `refused` is
not empty, and otherwise check every value, the stored image's path included, with the
build's rules; a refused page passes `again=posted.chosen` to its template.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from generator.editor import forms, uploads
from generator.editor.security import EDITOR_HEADERS, MAX_BODY_BYTES, csrf_ok


@dataclass
class FileForm:
    """A posted form that takes images: its text fields; the images that passed every
    check ({column: image}, none at all when any file was refused, so a refused save
    writes no file); the refusals ({file field: [message]}); the columns a file was
    chosen for (shown "choose it again" when the save is refused)."""

    values: dict[str, str]
    images: dict[str, uploads.CheckedImage] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)
    chosen: frozenset[str] = frozenset()


async def read_file_form(request: Request, columns: Iterable[str]) -> FileForm | None:
    """read_form for a form with a file input `forms.file_field(column)` per column of
    `columns` (sent as multipart/form-data; an urlencoded one has no files): None when its
    CSRF token is not this form's, else the text fields and each chosen image checked as
    the build checks it (uploads.check_image, in a worker thread). Its route must be
    served with `file_form_route` so that the body may be larger than a text form's."""
    inputs = {forms.file_field(column): column for column in columns}
    received: dict[str, tuple[str, bytes]] = {}
    async with _form_with_files(request, len(inputs)) as form:
        values = {key: value for key, value in form.items() if isinstance(value, str)}
        if not csrf_ok(request.app.state.editor.secret, request.url.path, values.get(forms.CSRF_FIELD)):
            return None
        for name, column in inputs.items():
            upload = form.get(name)
            # No file chosen: browsers still send the part, with an empty filename and body.
            if isinstance(upload, UploadFile) and (upload.filename or upload.size):
                # At most one byte past the limit is read: enough to know it is too large.
                received[column] = (upload.filename or "", await upload.read(uploads.MAX_UPLOAD_BYTES + 1))
    posted = FileForm(values, chosen=frozenset(received))
    for column, (filename, data) in received.items():
        try:
            posted.images[column] = await run_in_threadpool(uploads.check_image, data, filename)
        except uploads.UploadError as error:
            posted.refused[forms.file_field(column)] = [str(error)]
    if posted.refused:
        posted.images.clear()
    return posted


@contextlib.asynccontextmanager
async def _form_with_files(request: Request, files: int):
    """request.form for a file form: a text field is held to what a text form's whole body
    may be (MAX_BODY_BYTES), and one longer is refused with 413 as that body would be."""
    try:
        async with request.form(max_files=files, max_fields=100, max_part_size=MAX_BODY_BYTES) as form:
            yield form
    except HTTPException as error:
        # Starlette's words for a text part over max_part_size (urlencoded and multipart alike).
        if error.status_code == 400 and "exceeded maximum size" in str(error.detail):
            raise HTTPException(413, f"Too large: a text field may hold at most {MAX_BODY_BYTES // 1024} KB. "
                                     "Go back, shorten it and save again.") from None
        raise


def file_form_route(path: str, endpoint, methods: Iterable[str] = ("GET", "POST")) -> Route:
    """A route whose POST takes a form with files: make_app hands its path to the Guard,
    which lets its body be FILE_FORM_BYTES (a text form's, MAX_BODY_BYTES), refusing a
    larger Content-Length before reading and counting the body as it streams."""
    route = Route(path, endpoint, methods=list(methods))
    route.takes_files = True
    return route


async def read_form(request: Request) -> dict[str, str] | None:
    """A text-only form's fields, or None when its CSRF token is not this address's."""
    async with request.form(max_files=0, max_fields=100) as form:
        values = {key: value for key, value in form.items() if isinstance(value, str)}
    return values if csrf_ok(request.app.state.editor.secret, request.url.path, values.get(forms.CSRF_FIELD)) else None


def token_refused() -> Response:
    """The answer to a form whose CSRF token is missing or wrong."""
    return Response("Forbidden: this form's token is missing or wrong; reload the page and try again.\n", 403,
                    headers=dict(EDITOR_HEADERS), media_type="text/plain")
