"""Remote images: downloaded at build time, kept on disk, revalidated, used offline.

`RemoteCache.fetch(url)` returns the path of a local copy of the body:

- downloaded with a timeout (per socket operation *and* for the whole body, so a
  server that drips one byte every few seconds cannot hang the build) and a size cap;
- accepted only when the server says `image/*` and the first bytes are an image
  (an HTML error page served as `image/jpeg` is refused);
- kept in `folder/<sha256 of the URL>.body` with a small JSON beside it (ETag,
  Last-Modified, content type, digest of the body), written atomically;
- revalidated on the next build with If-None-Match / If-Modified-Since (a 304
  costs one round trip and no download);
- used from the cache when the network fails or `offline` is set.

urllib is enough here: one GET with two conditional headers, no connection reuse
needed (images are fetched once per build, by a few threads), and no new dependency.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.data.urls import href
from generator.errors import BiogenError

log = logging.getLogger(__name__)

USER_AGENT = f"biogen/{__version__} (static site generator; image fetch)"
# Bytes read per call: small enough that the overall deadline is checked often.
_CHUNK = 64 * 1024


class FetchError(BiogenError):
    """A remote image could not be downloaded and no cached copy exists."""


def sniff_image_type(head: bytes) -> str | None:
    """The image format that the first bytes announce ("jpeg", "png", ...), "html", or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand in (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"):
            return "heic"
        return None
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[:2] == b"BM":
        return "bmp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if text.startswith((b"<svg", b"<?xml", b"<!--")) and b"<html" not in text:
        return "svg"
    return None


@dataclass(frozen=True)
class Fetched:
    """A remote image's local copy and how it was obtained."""

    url: str
    path: Path          # the cached body
    digest: str         # sha256 of the body
    content_type: str
    status: str         # "downloaded", "not-modified" (304), "cached" (offline or network failure)


def _opener():
    """A urllib opener that follows redirects only to http(s): urllib would also follow
    one to ftp://. Made on the first download: importing urllib.request (with http.client,
    email and ssl) costs ~50 ms, a quarter of a one-profile rebuild that fetches nothing."""
    import urllib.error
    import urllib.request

    class SafeRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            if not newurl.lower().startswith(("http://", "https://")):
                raise urllib.error.HTTPError(newurl, code, f"redirect to a non-HTTP URL: {newurl}", headers, fp)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(SafeRedirects())


class RemoteCache:
    """Downloads into `folder`, revalidates what is there, and falls back to it offline."""

    def __init__(self, folder: Path, *, timeout: float = 10.0, max_bytes: int = 20 * 1024 * 1024,
                 offline: bool = False):
        self.folder = Path(folder)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.offline = offline
        self._opener = None

    def paths(self, url: str) -> tuple[Path, Path]:
        """The body file and the JSON of validators for `url`."""
        key = hashlib.sha256(url.encode()).hexdigest()[:32]
        return self.folder / f"{key}.body", self.folder / f"{key}.json"

    def cached(self, url: str) -> Fetched | None:
        """The copy kept from an earlier fetch, if both its files are there."""
        body, meta_path = self.paths(url)
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            return None
        if not body.is_file() or meta.get("url") != url:
            return None
        return Fetched(url, body, meta["digest"], meta.get("content_type", ""), "cached")

    def fetch(self, url: str) -> Fetched:
        """A local copy of `url`, downloaded or revalidated now, or the cached one; raises FetchError."""
        kept = self.cached(url)
        if self.offline:
            if kept:
                return kept
            raise FetchError(f"{url}: not in the image cache and the build is offline; "
                             "build once with network access, or use a file under content/")
        try:
            return self._download(url, kept)
        except FetchError as error:
            if kept is None:
                raise
            log.warning("%s; using the copy cached on an earlier build", error)
            return kept

    def _download(self, url: str, kept: Fetched | None) -> Fetched:
        import urllib.error
        import urllib.request
        if self._opener is None:
            self._opener = _opener()
        # Requested as a browser requests it (a space as %20, a Unicode host in IDNA form):
        # urllib refuses a space ("URL can't contain control characters") and cannot
        # encode é, and either error stopped the whole build. Cached under the stored URL.
        request = urllib.request.Request(href(url), headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
        meta = {}
        if kept is not None:
            meta = json.loads(self.paths(url)[1].read_text())
            if meta.get("etag"):
                request.add_header("If-None-Match", meta["etag"])
            if meta.get("last_modified"):
                request.add_header("If-Modified-Since", meta["last_modified"])
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                content_type = response.headers.get_content_type()
                if not content_type.startswith("image/"):
                    raise FetchError(f"{url}: the server sent {content_type}, not an image; "
                                     "use the URL of the image file itself")
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise FetchError(self._too_big(url))
                body = self._read_body(url, response)
                headers = response.headers
        except urllib.error.HTTPError as error:
            if error.code == 304 and kept is not None:
                return Fetched(url, kept.path, kept.digest, kept.content_type, "not-modified")
            raise FetchError(f"{url}: the server answered HTTP {error.code} {error.reason}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise FetchError(f"{url}: cannot be downloaded ({reason})") from None
        kind = sniff_image_type(body[:64])
        if kind is None or kind == "html":
            raise FetchError(f"{url}: the server sent {content_type} but the bytes are "
                             f"{'an HTML page' if kind == 'html' else 'not an image'}; "
                             "use the URL of the image file itself")
        digest = hashlib.sha256(body).hexdigest()
        path, meta_path = self.paths(url)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, body)
        write_atomic(meta_path, json.dumps({
            "url": url, "etag": headers.get("ETag"), "last_modified": headers.get("Last-Modified"),
            "content_type": content_type, "digest": digest,
        }, sort_keys=True).encode())
        return Fetched(url, path, digest, content_type, "downloaded")

    def _read_body(self, url: str, response) -> bytes:
        """Read at most max_bytes before the overall deadline, or raise FetchError."""
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: the download took longer than {self.timeout:g} s")
            chunk = response.read1(_CHUNK)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(self._too_big(url))
            chunks.append(chunk)

    def _too_big(self, url: str) -> str:
        return (f"{url}: the image is larger than {self.max_bytes / 1048576:g} MiB; "
                "upload a smaller file (a 2000 px JPEG is well under 2 MiB)")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename: never a partial file."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
