"""The editor's own files (its stylesheet, script and icon sprite), addressed with a
version: a hash of their bytes in the query (`editor.css?v=1a2b3c4d5e6f`). Asked with
the current version, a file may be kept by the browser for a year; asked without it
(or with an old one), it is sent uncached. Every editor page loads these files, and
with `no-store` each save fetched and parsed them again (~20 ms each in Chromium on a
busy 2-core machine); a new biogen's files have a new version, so none is ever stale.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources

from starlette.responses import Response

from generator.editor.security import EDIT_PREFIX, EDITOR_HEADERS

STATIC_PREFIX = f"{EDIT_PREFIX}static/"
# The package's files under static/ that are served, by name, with their media types.
PACKAGE_FILES = {"editor.css": "text/css; charset=utf-8", "editor.js": "text/javascript; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"


@functools.cache
def package_file(name: str) -> bytes:
    return resources.files("generator.editor").joinpath("static", name).read_bytes()


def version(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:12]


def versioned(path: str, body: bytes) -> str:
    """The address of a file whose bytes are `body`, with their version."""
    return f"{path}?v={version(body)}"


def static_url(name: str) -> str:
    """The versioned address of one of PACKAGE_FILES."""
    return versioned(STATIC_PREFIX + name, package_file(name))


def file_response(body: bytes, media_type: str, asked_version: str | None) -> Response:
    """`body`, cacheable for good when asked for by its current version."""
    headers = dict(EDITOR_HEADERS)
    if asked_version == version(body):
        headers["Cache-Control"] = IMMUTABLE
    return Response(body, 200, headers=headers, media_type=media_type)
