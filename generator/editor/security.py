"""The guard in front of every request `biogen edit` answers, and the editor's headers.

The editor writes the site's database, so a page elsewhere in the browser must not
be able to drive it, read it, or frame it:

- A secret made per run (`secrets.token_urlsafe(32)`, 256 bits) is in the URL printed
  on the terminal; visiting it sets an HttpOnly, SameSite=Strict cookie holding the
  secret and redirects to the same URL without it. Every request without that
  cookie, for the editor or for the preview, gets 403.
- The Host header must name the address served (`127.0.0.1:PORT`, `localhost:PORT`
  or the --host given): a foreign name pointed at 127.0.0.1 (DNS rebinding) gets 403
  before the cookie is even looked at.
- A POST needs `Origin` equal to the served origin. An absent Origin is refused, not
  replaced by the Referer: every browser sends Origin on a form POST (Firefox since
  70, 2019; Chromium, Safari before that), except under `Referrer-Policy: no-referrer`,
  where the Fetch standard makes it `null`; so the editor's pages say `same-origin`
  (nothing leaves the editor's origin, and its own POSTs keep their Origin).
- A POST also needs the CSRF token of its form: HMAC-SHA256 of the secret and the
  path it is posted to, so a token leaked from one form does nothing on another.

Under `biogen serve --watch` the same server is the preview, and its site pages (GET
and HEAD outside /_edit) answer any Host without the cookie, as `biogen serve` always
has: `curl -H 'Host: linh.example.com'` must show that profile as deployed. What they
serve is the built site, which publishing makes public; the editor itself, every
write, and `biogen edit` (the whole site guarded) stay behind all of the above.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qs

EDIT_PREFIX = "/_edit/"
EDIT_ROOT = EDIT_PREFIX.rstrip("/")   # every path starting with it is the editor's (also /_edit and /_editx)
TOKEN_PARAMETER = "token"
# A POST body larger than this is refused (413): a form of text fields is a few KB.
MAX_BODY_BYTES = 256 * 1024
# A form that takes files (the paths given to the Guard as `file_forms`) may send one
# image of at most 20 MB (generator.editor.uploads.MAX_UPLOAD_BYTES) beside its text
# fields and the multipart headers; a save with an avatar and a cover shares it.
FILE_FORM_BYTES = 20 * 1024 * 1024 + MAX_BODY_BYTES
ALLOWED_METHODS = {"GET", "HEAD", "POST"}

# The editor's own pages: its files only, no inline script or style, forms posted to
# itself, framed by nothing but itself.
EDITOR_POLICY = "; ".join([
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])
EDITOR_HEADERS = (
    ("Content-Security-Policy", EDITOR_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)


def new_secret() -> str:
    """A secret for one run of the editor."""
    return secrets.token_urlsafe(32)


def cookie_name(port: int) -> str:
    """The cookie's name: cookies ignore ports, so two editors on one machine keep their own."""
    return f"biogen_edit_{port}"


def csrf_token(secret: str, path: str) -> str:
    """The CSRF token of the form posted to `path`."""
    return hmac.new(secret.encode(), f"POST {path}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, path: str, token: object) -> bool:
    """True when `token` is the CSRF token of the form posted to `path`."""
    return isinstance(token, str) and hmac.compare_digest(token.encode(), csrf_token(secret, path).encode())


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The Host header values naming the address served (lower-case)."""
    names = {"127.0.0.1", "localhost", f"[{host}]" if ":" in host else host}
    if host in ("::1", "::"):
        names.add("[::1]")
    return frozenset(f"{name.lower()}:{port}" for name in names)


def served_url(host: str, port: int) -> str:
    """The origin the terminal names (an IPv6 address in brackets)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else \
        f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _forbidden(send_url: str) -> bytes:
    return (f"Forbidden. Open the address `biogen edit` printed on its terminal ({send_url}{EDIT_PREFIX}?token=...) "
            "in this browser; it lets this browser in until the editor stops.\n").encode()


class Guard:
    """ASGI middleware: Host, secret cookie, method, body size and Origin, in that order."""

    def __init__(self, app, *, secret: str, host: str, port: int, open_site: bool = False,
                 file_forms: tuple[re.Pattern, ...] = ()):
        self.app = app
        self.open_site = open_site
        self.file_forms = file_forms   # the paths whose POST may carry files, up to FILE_FORM_BYTES
        self.secret = secret
        self.cookie = cookie_name(port)
        self.hosts = allowed_hosts(host, port)
        self.url = served_url(host, port)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.open_site and scope["method"] in ("GET", "HEAD") and not scope["path"].startswith(EDIT_ROOT):
            await self.app(scope, receive, send)   # the preview's pages, for any Host (see the module's notes)
            return
        headers = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            await _plain(send, 403, b"Forbidden: this editor answers only at its own address "
                                    + ", ".join(sorted(self.hosts)).encode() + b".\n")
            return
        origin = f"http://{host}"
        method = scope["method"]
        if method in ("GET", "HEAD") and scope["path"] == EDIT_PREFIX:
            given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get(TOKEN_PARAMETER)
            if given is not None:
                await self._welcome(send, given[0])
                return
        if not self._has_cookie(headers.get("cookie", "")):
            await _plain(send, 403, _forbidden(self.url))
            return
        if method not in ALLOWED_METHODS:
            await _plain(send, 405, b"Method not allowed\n", [(b"allow", b"GET, HEAD, POST")])
            return
        if method == "POST":
            if headers.get("origin") != origin:
                await _plain(send, 403, b"Forbidden: a change must come from the editor's own page (its Origin "
                                        b"header was missing or foreign).\n")
                return
            length = headers.get("content-length", "")
            if not length.isdigit():
                await _plain(send, 411, b"Length required\n")
                return
            # Refused from the header, before a byte of the body is read; the server
            # (uvicorn) reads no more than Content-Length says.
            takes_files = any(pattern.match(scope["path"]) for pattern in self.file_forms)
            limit = FILE_FORM_BYTES if takes_files else MAX_BODY_BYTES
            if int(length) > limit:
                await _plain(send, 413, _too_large(int(length), takes_files))
                return
            receive = _counted(receive, limit, takes_files)
        await self.app(scope, receive, send)

    def _has_cookie(self, header: str) -> bool:
        # Split by hand: http.cookies drops every cookie after one it cannot parse, and
        # other programs on 127.0.0.1 share this browser's cookies for the host.
        for part in header.split(";"):
            name, _, value = part.strip().partition("=")
            if name == self.cookie and hmac.compare_digest(value.encode(), self.secret.encode()):
                return True
        return False

    async def _welcome(self, send, given: str) -> None:
        """The printed URL: set the cookie and send the browser on without the token."""
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            await _plain(send, 403, _forbidden(self.url))
            return
        cookie = f"{self.cookie}={self.secret}; HttpOnly; SameSite=Strict; Path=/"
        await _plain(send, 303, b"", [(b"location", EDIT_PREFIX.encode()), (b"set-cookie", cookie.encode())])


def _counted(receive, limit: int, takes_files: bool):
    """`receive` that refuses (413) a body growing past `limit` as it streams: a second line
    behind the Content-Length check, should a server ever pass more than it announced."""
    from starlette.exceptions import HTTPException
    received = 0

    async def counting():
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise HTTPException(413, _too_large(received, takes_files).decode())
        return message
    return counting


def _too_large(length: int, takes_files: bool) -> bytes:
    if takes_files:
        return (f"Too large: this form sent {length / 1048576:.1f} MB; an image may be at most "
                f"{(FILE_FORM_BYTES - MAX_BODY_BYTES) // 1048576} MB (on the profile form, its avatar and cover "
                "together). "
                "Go back, choose a smaller file (or send one image at a time) and save again.\n").encode()
    return (f"Too large: this form sent {length // 1024} KB, more than the {MAX_BODY_BYTES // 1024} KB "
            "its fields may hold. Go back, shorten the text and save again.\n").encode()


async def _plain(send, status: int, body: bytes, extra: list[tuple[bytes, bytes]] = ()) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               *((name.lower().encode(), value.encode()) for name, value in EDITOR_HEADERS), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
