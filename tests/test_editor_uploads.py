"""Images uploaded in the editor: checked as the build checks them, stored under
content/uploads/ with a name made from their bytes (never from the user's filename),
used by the page as any content/ image is; a refused file or save leaves no file and no row."""

from __future__ import annotations

import html
import io
import re
import socket
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from editorkit import ORIGIN, client, copy_site, dump, open_form, row
from generator.editor import uploads
from generator.editor.forms import NOT_KEPT
from generator.editor.security import FILE_FORM_BYTES, MAX_BODY_BYTES, csrf_token
from generator.editor.server import serving
from generator.images.codec import ImageError, decode
from generator.images.svg import sanitize_svg
from sitekit import build_site, execute, make_site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def picture(format: str, size=(400, 300)) -> bytes:
    """A photo-like image (noise, so every format is worth its markup) in `format`."""
    image = Image.effect_noise(size, 60).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format)
    return buffer.getvalue()


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A ~100-byte PNG whose header declares width x height pixels (900 MP: 2.7 GB as RGB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        chunk(b"IEND", b"")


SAFE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
            b'<circle cx="5" cy="5" r="4" fill="#4b2bb8"/></svg>')
HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "onload": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    "external href": b'<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/s.svg#a"/></svg>',
}


def save_with(browser, files: dict, changes: dict | None = None, **headers):
    """Ana's form as the page sends it (multipart), with `files` ({input: (filename, bytes)})."""
    form = open_form(browser, "/_edit/p/ana") | (changes or {})
    sent = {name: (filename, data, "application/octet-stream") for name, (filename, data) in files.items()}
    return browser.post("/_edit/p/ana", data=form, files=sent, headers={"Origin": ORIGIN, **headers})


def uploaded(site: Path) -> list[str]:
    """The files in content/uploads/; None when the folder does not exist (a refused save makes none)."""
    folder = site / "content" / uploads.UPLOAD_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else None


def problems(page: str, field: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(rf'<p class="problem" id="{field}-problem-\d+">([^<]*)</p>', page)]


@pytest.mark.parametrize("format, extension", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_an_uploaded_image_is_stored_by_its_bytes_and_the_page_shows_it_optimized(site, browser, format, extension):
    data = picture(format)
    answer = save_with(browser, {"avatar_url_file": (f"My photo.{extension}", data)})
    assert answer.status_code == 303 and answer.headers["location"] == "/_edit/p/ana?saved=1"
    path = uploads.stored_path(data, format.lower())
    assert re.fullmatch(rf"uploads/[0-9a-f]{{{uploads.NAME_DIGITS}}}\.{extension}", path)
    assert row(site, "SELECT avatar_url FROM profiles WHERE id = 'p-ana'") == (path,)
    assert (site / "content" / path).read_bytes() == data
    assert uploaded(site) == [Path(path).name]
    page = browser.get("/ana").text
    assert "uploads/" not in page
    # The avatar as the build makes it: its own small files, not the 400x300 upload.
    avatar = re.search(r'<img [^>]*class="?avatar[^>]*>|<img [^>]*alt="?Ana Souza[^>]*>', page)
    assert avatar, page
    source = re.search(r'src="?(/m/[a-z2-7]{10}\.(?:jpg|png|webp|avif))', avatar.group(0)).group(1)
    served = browser.get(source)
    assert served.status_code == 200 and served.content != data
    with Image.open(io.BytesIO(served.content)) as made:
        assert made.width == made.height <= 360   # the avatar's square, at most 3x its 120 px


def test_the_same_file_twice_is_one_file(site, browser):
    data = picture("PNG")
    assert save_with(browser, {"avatar_url_file": ("a.png", data)}).status_code == 303
    assert save_with(browser, {"cover_url_file": ("another name.png", data)}).status_code == 303
    path = uploads.stored_path(data, "png")
    assert row(site, "SELECT avatar_url, cover_url FROM profiles WHERE id = 'p-ana'") == (path, path)
    assert uploaded(site) == [Path(path).name]


@pytest.mark.parametrize("filename", ["../../etc/passwd.png", "..\\..\\x.png", "/etc/passwd.png",
                                      "C:\\Windows\\x.png", "a\x00.png", "../content/bio.db"])
def test_a_hostile_filename_never_becomes_a_path(site, browser, tmp_path, filename):
    data = picture("PNG")
    database = (site / "content" / "bio.db").read_bytes()
    answer = save_with(browser, {"avatar_url_file": (filename, data)})
    assert answer.status_code == 303
    path = uploads.stored_path(data, "png")
    assert row(site, "SELECT avatar_url FROM profiles WHERE id = 'p-ana'") == (path,)
    assert uploaded(site) == [Path(path).name]
    # Nothing anywhere holds the image but that file (the build's own copies are re-encoded).
    holders = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink() and p.read_bytes() == data]
    assert holders == [site / "content" / path]
    assert not [p for p in tmp_path.rglob("*") if p.name in ("passwd.png", "x.png")]
    assert (site / "content" / "bio.db").read_bytes() != database  # the row changed, the file was not replaced


def test_a_text_file_named_png_is_refused_and_nothing_is_written(site, browser):
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("notes.png", b"just some text, not a picture\n")})
    assert answer.status_code == 422
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_image(b"just some text, not a picture\n", "notes.png")
    assert problems(answer.text, "avatar_url_file") == [str(refused.value)]
    assert "“notes.png”" in str(refused.value) and "not an image" in str(refused.value)
    assert 'href="#avatar_url_file"' in answer.text   # the summary leads to the field
    assert dump(site) == before and uploaded(site) is None


def test_a_decompression_bomb_is_refused_from_its_header(site, browser):
    data = bomb_png()
    before = dump(site)
    answer = save_with(browser, {"cover_url_file": ("huge.png", data)})
    assert answer.status_code == 422
    with pytest.raises(ImageError) as build_says:
        decode(data, uploads.shown_name("huge.png"))   # what the build would say
    assert problems(answer.text, "cover_url_file") == [str(build_says.value)]
    assert "megapixels" in str(build_says.value)
    assert dump(site) == before and uploaded(site) is None


@pytest.mark.parametrize("what", sorted(HOSTILE_SVGS))
def test_a_hostile_svg_is_refused_with_the_builds_message(site, browser, what):
    data = HOSTILE_SVGS[what]
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("logo.svg", data)})
    assert answer.status_code == 422
    with pytest.raises(ImageError) as build_says:
        sanitize_svg(data, uploads.shown_name("logo.svg"))
    assert problems(answer.text, "avatar_url_file") == [str(build_says.value)]
    assert dump(site) == before and uploaded(site) is None


def test_a_safe_svg_is_accepted_and_served_as_it_is(site, browser):
    assert save_with(browser, {"avatar_url_file": ("logo.svg", SAFE_SVG)}).status_code == 303
    path = uploads.stored_path(SAFE_SVG, "svg")
    assert path.endswith(".svg") and row(site, "SELECT avatar_url FROM profiles WHERE id = 'p-ana'") == (path,)
    source = re.search(r'src="?(/m/[a-z2-7]{10}\.svg)', browser.get("/ana").text).group(1)
    assert browser.get(source).content == SAFE_SVG


def test_a_file_over_20_mb_is_refused_beside_its_field(site, browser):
    data = picture("PNG", (8, 8)) + b"\x00" * (uploads.MAX_UPLOAD_BYTES + 1)   # the body stays under FILE_FORM_BYTES
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("big.png", data)})
    assert answer.status_code == 422
    assert problems(answer.text, "avatar_url_file") == [str(uploads.too_large("big.png", len(data)))]
    assert dump(site) == before and uploaded(site) is None


def test_a_body_over_the_file_form_limit_is_refused_413(site, browser):
    data = b"\x89PNG" + b"\x00" * FILE_FORM_BYTES
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("big.png", data)})
    assert answer.status_code == 413 and "an image may be at most 20 MB" in answer.text
    assert dump(site) == before and uploaded(site) is None


def test_a_large_body_is_refused_from_its_header_before_it_is_sent(tmp_path):
    """The real server: a POST announcing 30 MB gets its 413 while the body is still unsent."""
    site = make_site(tmp_path / "site")
    with serving(site) as running:
        host = running.url.removeprefix("http://")
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as connection:
            cookie = f"biogen_edit_{running.port}={running.entry.split('token=')[1]}"
            connection.sendall(f"POST /_edit/p/ana HTTP/1.1\r\nHost: {host}\r\nOrigin: {running.url}\r\n"
                               f"Cookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                               f"Content-Length: {30 * 1024 * 1024}\r\n\r\n".encode() + b"--x\r\n")
            reader = connection.makefile("rb")
            status = reader.readline().decode("latin-1")
            headers = dict(line.decode("latin-1").lower().split(": ", 1)
                           for line in iter(reader.readline, b"\r\n"))
            body = reader.read(int(headers["content-length"])).decode()
    assert status.startswith("HTTP/1.1 413"), status
    assert "this form sent 30.0 MB" in body


def test_text_forms_keep_their_small_limit(site, browser):
    form = open_form(browser, "/_edit/new") | {"username": "zoe", "display_name": "x" * (MAX_BODY_BYTES + 1)}
    before = dump(site)
    assert browser.post("/_edit/new", data=form, headers={"Origin": ORIGIN}).status_code == 413
    # A text field of the file form is held to the same size.
    answer = save_with(browser, {"avatar_url_file": ("a.png", picture("PNG"))}, {"tagline": "x" * (MAX_BODY_BYTES + 1)})
    assert answer.status_code == 413
    assert dump(site) == before and uploaded(site) is None


def test_a_refused_save_keeps_neither_row_nor_file(site, browser):
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("a.png", picture("PNG"))}, {"display_name": " "})
    assert answer.status_code == 422 and problems(answer.text, "display_name") == ["is blank; it is required"]
    assert dump(site) == before and uploaded(site) is None
    # The file itself was fine: the page says it was not kept, to be chosen again.
    assert problems(answer.text, "avatar_url_file") == [NOT_KEPT]


def test_a_save_over_a_change_made_elsewhere_keeps_no_file(site, browser):
    form = open_form(browser, "/_edit/p/ana")
    execute(site, "UPDATE profiles SET display_name = 'Theirs' WHERE id = 'p-ana'")
    before = dump(site)
    answer = browser.post("/_edit/p/ana", data=form | {"display_name": "Mine"},
                          files={"avatar_url_file": ("a.png", picture("PNG"), "image/png")}, headers={"Origin": ORIGIN})
    assert answer.status_code == 409
    assert dump(site) == before and uploaded(site) is None
    assert problems(answer.text, "avatar_url_file") == [NOT_KEPT]


def test_one_refused_file_keeps_the_other_good_one_out_too(site, browser):
    before = dump(site)
    answer = save_with(browser, {"avatar_url_file": ("good.png", picture("PNG")),
                                 "cover_url_file": ("bad.png", b"not an image")})
    assert answer.status_code == 422 and problems(answer.text, "cover_url_file")
    assert dump(site) == before and uploaded(site) is None


@pytest.mark.parametrize("headers, token", [({"Origin": "http://evil.example"}, None), ({}, "missing"),
                                            ({}, csrf_token("another secret", "/_edit/p/ana"))])
def test_a_multipart_save_still_needs_its_origin_and_token(site, browser, headers, token):
    form = open_form(browser, "/_edit/p/ana")
    if token == "missing":
        del form["csrf"]
    elif token:
        form["csrf"] = token
    before = dump(site)
    answer = browser.post("/_edit/p/ana", data=form, files={"avatar_url_file": ("a.png", picture("PNG"), "image/png")},
                          headers={"Origin": ORIGIN, **headers})
    assert answer.status_code == 403
    assert dump(site) == before and uploaded(site) is None


def test_the_profile_form_offers_a_file_picker_beside_each_image_field(browser):
    page = browser.get("/_edit/p/ana").text
    assert 'enctype="multipart/form-data"' in page
    for column in ("avatar_url", "cover_url"):
        picker = re.search(rf'<input id="{column}_file" name="{column}_file" type="file" accept="([^"]+)"', page)
        assert picker and html.unescape(picker.group(1)) == uploads.ACCEPT
        assert f'<label for="{column}_file">' in page


def test_drag_and_drop_is_in_the_editors_own_script(browser):
    script = browser.get("/_edit/static/editor.js")
    assert script.status_code == 200 and script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert ".upload input[type=file]" in script.text and "picker.files = " in script.text
    assert re.search(r'<script src="/_edit/static/editor\.js\?v=[0-9a-f]+" defer></script>', browser.get("/_edit/p/ana").text)


def test_accept_image_is_idempotent_and_never_replaces_another_file(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    data = picture("PNG")
    path = uploads.accept_image(data, "a.png", content)
    written = (content / path).stat()
    assert uploads.accept_image(data, "b.png", content) == path
    assert (content / path).stat().st_mtime_ns == written.st_mtime_ns
    (content / path).write_bytes(b"someone else's file")   # a clash, made by hand
    with pytest.raises(uploads.UploadError, match="already holds a different file"):
        uploads.accept_image(data, "a.png", content)
    assert (content / path).read_bytes() == b"someone else's file"


def test_an_uploads_folder_leading_out_of_content_is_refused(tmp_path):
    content, outside = tmp_path / "content", tmp_path / "outside"
    content.mkdir()
    outside.mkdir()
    (content / uploads.UPLOAD_DIR).symlink_to(outside)
    with pytest.raises(uploads.UploadError, match="leads outside content/"):
        uploads.accept_image(picture("PNG"), "a.png", content)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("data, fix", [(b"", "empty"), (b"GIF89a" + b"\x00" * 20, "corrupt"),
                                       (b"II*\x00" + b"\x00" * 60, "a TIFF image")])
def test_check_image_says_what_is_wrong(data, fix):
    with pytest.raises(uploads.UploadError, match=fix) as refused:
        uploads.check_image(data, "C:\\fakepath\\photo\u202e.gif")
    assert str(refused.value).startswith("“photo\ufffd.gif”")


def test_a_body_longer_than_announced_is_refused_as_it_streams(site):
    """Behind the Content-Length check: a body growing past the limit is cut off (413) as it is read."""
    import asyncio
    browser = client(site)
    app, cookie = browser.app, f"biogen_edit_8123={browser.cookies.get('biogen_edit_8123')}"
    chunks = [b"display_name=" + b"x" * 65536] * 5   # 320 KB, announced as 100 bytes
    sent = []

    async def receive():
        return {"type": "http.request", "body": chunks.pop() if chunks else b"", "more_body": bool(chunks)}

    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "POST", "path": "/_edit/new", "raw_path": b"/_edit/new", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8123"), (b"origin", ORIGIN.encode()), (b"cookie", cookie.encode()),
                         (b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"100")],
             "scheme": "http", "server": ("127.0.0.1", 8123), "client": ("127.0.0.1", 5000), "root_path": "",
             "http_version": "1.1", "asgi": {"version": "3.0"}}
    before = dump(site)
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert dump(site) == before
