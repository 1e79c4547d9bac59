"""generator/images/fetch.py and remote images in the pipeline, against a real server on 127.0.0.1."""

from __future__ import annotations

import http.server
import io
import threading
import time

import pytest
from PIL import Image

from generator.images.fetch import FetchError, RemoteCache, sniff_image_type
from generator.images.codec import ImageError
from generator.images.pipeline import ImagePipeline


def png(colour=(0, 128, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


class Server:
    """A tiny image server: routes map a path to (status, content type, body, extra headers)."""

    def __init__(self):
        self.routes: dict[str, tuple] = {}
        self.requests: list[tuple[str, dict]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                status, kind, body, headers = server.routes.get(self.path, (404, "text/plain", b"no", {}))
                etag = headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                if kind == "slow":
                    time.sleep(body)
                    return
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # a handler still sleeping must not hold up the test
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    running = Server()
    yield running
    running.stop()


def test_sniffing():
    assert sniff_image_type(png()[:16]) == "png"
    assert sniff_image_type(b"\xff\xd8\xff\xe0") == "jpeg"
    assert sniff_image_type(b"  <!DOCTYPE html><html>") == "html"
    assert sniff_image_type(b"\x00\x00\x00\x18ftypavif") == "avif"
    assert sniff_image_type(b"\x00\x00\x00\x18ftypheic") == "heic"
    assert sniff_image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == "svg"
    assert sniff_image_type(b"hello") is None


def test_download_then_304_revalidation(server, tmp_path):
    server.routes["/a.png"] = (200, "image/png", png(), {"ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"})
    cache = RemoteCache(tmp_path)
    first = cache.fetch(f"{server.base}/a.png")
    assert first.status == "downloaded" and first.path.read_bytes() == png()
    second = RemoteCache(tmp_path).fetch(f"{server.base}/a.png")
    assert second.status == "not-modified" and second.digest == first.digest
    headers = server.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"].startswith("Mon, 01 Jan 2024")


def test_a_url_the_rules_accept_is_requested_as_a_browser_requests_it(server, tmp_path):
    # A space, a quote and é: urllib refused the first ("URL can't contain control
    # characters") and could not encode the last, and either stopped the whole build.
    server.routes["/a%20b/caf%C3%A9.png?q=%22x%22"] = (200, "image/png", png(), {})
    url = f'{server.base}/a b/café.png?q="x"'
    fetched = RemoteCache(tmp_path).fetch(url)
    assert fetched.status == "downloaded" and fetched.url == url
    assert RemoteCache(tmp_path, offline=True).fetch(url).status == "cached"  # kept under the stored URL


def test_a_changed_image_is_downloaded_again(server, tmp_path):
    server.routes["/a.png"] = (200, "image/png", png((255, 0, 0)), {"ETag": '"v1"'})
    cache = RemoteCache(tmp_path)
    red = cache.fetch(f"{server.base}/a.png")
    server.routes["/a.png"] = (200, "image/png", png((0, 0, 255)), {"ETag": '"v2"'})
    blue = cache.fetch(f"{server.base}/a.png")
    assert blue.status == "downloaded" and blue.digest != red.digest


def test_offline_and_network_failure_use_the_cache(server, tmp_path):
    url = f"{server.base}/a.png"
    server.routes["/a.png"] = (200, "image/png", png(), {})
    RemoteCache(tmp_path).fetch(url)
    assert RemoteCache(tmp_path, offline=True).fetch(url).status == "cached"
    server.stop()
    assert RemoteCache(tmp_path, timeout=2).fetch(url).status == "cached"
    with pytest.raises(FetchError, match="offline"):
        RemoteCache(tmp_path, offline=True).fetch(f"{server.base}/other.png")


def test_nothing_cached_and_no_network_is_an_error(tmp_path):
    with pytest.raises(FetchError, match="cannot be downloaded"):
        RemoteCache(tmp_path, timeout=2).fetch("http://127.0.0.1:9/unreachable.png")


@pytest.mark.parametrize("route, expect", [
    ((200, "text/html", b"<html>hi</html>", {}), "not an image"),
    ((200, "image/jpeg", b"<!DOCTYPE html><html>Login</html>", {}), "HTML page"),
    ((404, "text/plain", b"gone", {}), "HTTP 404"),
    ((200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 5000, {}), "larger than"),
])
def test_refused_answers(server, tmp_path, route, expect):
    server.routes["/x"] = route
    with pytest.raises(FetchError, match=expect) as caught:
        RemoteCache(tmp_path, max_bytes=4096).fetch(f"{server.base}/x")
    assert f"{server.base}/x" in str(caught.value)
    assert not list(tmp_path.glob("*.body"))


def test_timeout(server, tmp_path):
    server.routes["/slow"] = (200, "slow", 3, {})
    start = time.monotonic()
    with pytest.raises(FetchError, match="cannot be downloaded"):
        RemoteCache(tmp_path, timeout=0.5).fetch(f"{server.base}/slow")
    assert time.monotonic() - start < 2.5


def test_the_pipeline_processes_remote_images_and_reports_failures(server, tmp_path):
    server.routes["/logo.png"] = (200, "image/png", png(), {"ETag": '"1"'})
    content = tmp_path / "content"
    content.mkdir()
    pipeline = ImagePipeline(tmp_path / "cache", content)
    result = pipeline.process(f"{server.base}/logo.png", "logo")
    assert result.fallback.format == "jpeg" and pipeline.stats.downloads == 1
    again = ImagePipeline(tmp_path / "cache", content)
    assert again.process(f"{server.base}/logo.png", "logo") == result
    assert again.stats.not_modified == 1 and again.stats.encodes == 0
    offline = ImagePipeline(tmp_path / "cache", content, offline=True)
    assert offline.process(f"{server.base}/logo.png", "logo") == result and offline.stats.offline_hits == 1
    with pytest.raises(ImageError, match="HTTP 404"):
        pipeline.process(f"{server.base}/missing.png", "logo")
