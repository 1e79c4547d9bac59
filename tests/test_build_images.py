"""Images in a whole build: remote ones fetched from a server on 127.0.0.1, kept from
the cache when the server is gone, and named by profile and field when they fail."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from generator.errors import ValidationError
from sitekit import build_site, execute, make_site
from test_fetch import Server, server  # noqa: F401 (the fixture)


def jpeg(size=(800, 600), colour=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_remote_images_are_fetched_optimized_and_kept_from_the_cache(tmp_path, server):  # noqa: F811
    site = make_site(tmp_path / "site")
    # A photograph (the demo's cover), where AVIF and WebP both save more than their markup.
    photo = (Path(__file__).resolve().parents[1] / "content" / "images" / "ana" / "cover.jpg").read_bytes()
    server.routes["/cover.jpg"] = (200, "image/jpeg", photo, {"ETag": '"v1"'})
    execute(site, "UPDATE profiles SET cover_url = ? WHERE id = 'p-rtl'", (f"{server.base}/cover.jpg",))
    summary = build_site(site)
    page = (site / "dist" / "rtl.html").read_text()
    assert server.base not in page  # the page loads the optimized copies
    assert re.search(r'<picture><source type=image/avif srcset="/m/[a-z2-7]{10}\.avif 680w,[^"]+"[^>]*>'
                     r'<source type=image/webp srcset="/m/[a-z2-7]{10}\.webp 680w,[^"]+"[^>]*><img [^>]*src=/m/[a-z2-7]{10}\.jpg', page)
    assert not [w for w in summary.warnings if "'rtl'" in w]
    server.stop()  # the network goes away; the cached copy still serves
    execute(site, "UPDATE profiles SET tagline = 'offline now' WHERE id = 'p-rtl'")
    build_site(site)
    assert "offline now" in (site / "dist" / "rtl.html").read_text()
    assert '<source type=image/avif' in (site / "dist" / "rtl.html").read_text()


def test_an_unreachable_remote_image_keeps_its_url_with_a_warning_or_fails_strict(tmp_path, server):  # noqa: F811
    site = make_site(tmp_path / "site")
    missing = f"{server.base}/gone.jpg"
    execute(site, "UPDATE products SET image_url = ? WHERE id = 'pr2'", (missing,))
    summary = build_site(site)
    assert any("profile 'linh.example.com': products row 'pr2', column image_url" in w and "original URL" in w
               for w in summary.warnings)
    assert f'src={missing}' in (site / "dist" / "linh.example.com.html").read_text()
    execute(site, "UPDATE products SET name = 'Sổ tay mới' WHERE id = 'pr2'")
    with pytest.raises(ValidationError, match=r"products row 'pr2', column image_url"):
        build_site(site, strict=True)


@pytest.mark.parametrize("content, expect", [
    (b"", "empty"),
    (b"<html><body>not an image</body></html>", "not an image"),
    (jpeg()[:200], ""),
])
def test_a_broken_local_image_stops_the_build_naming_profile_and_field(tmp_path, content, expect):
    site = make_site(tmp_path / "site")
    build_site(site)
    (site / "content" / "images" / "broken.jpg").write_bytes(content)
    execute(site, "UPDATE carousel_items SET logo_url = '/images/broken.jpg' WHERE id = 'c2'")
    with pytest.raises(ValidationError) as error:
        build_site(site)
    message = str(error.value)
    assert "profile 'ana': carousel_items row 'c2', column logo_url" in message and "broken.jpg" in message
    assert expect.lower() in message.lower()
