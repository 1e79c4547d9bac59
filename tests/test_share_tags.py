"""The tags a shared link is drawn from (issue 16): og:image with its width, height and
alt, and twitter:image naming the same picture, on profile pages and detail pages; their
values are the picture's real size and the page's own (hostile) text, escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from sitekit import build_site, execute, make_site

BASE_URL = "https://bio.example.com"
SHARE_TAGS = ("og:image", "og:image:width", "og:image:height", "og:image:alt", "twitter:image")


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("property") or attributes.get("name")):
            self.meta.append((attributes.get("property") or attributes["name"], attributes.get("content")))


def share_tags(page: Path) -> dict[str, str]:
    """The page's og:image* and twitter:image tags, each written once."""
    parser = _Meta()
    parser.feed(page.read_text(encoding="utf-8"))
    found = [(key, value) for key, value in parser.meta if key in SHARE_TAGS]
    assert len(found) == len(dict(found)), found  # none written twice
    return dict(found)


def real_size(dist: Path, url: str) -> tuple[int, int]:
    assert url.startswith(BASE_URL + "/"), url
    with Image.open(dist / url.removeprefix(BASE_URL + "/")) as image:
        return image.size


def cards_off(site: Path) -> None:
    config = site / "biogen.toml"
    config.write_text(config.read_text() + "\n[share]\ncard = false\n")


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_a_social_card_is_shared_with_its_size_its_alt_and_as_twitter_image(site):
    build_site(site)
    dist = site / "dist"
    tags = share_tags(dist / "ana.html")
    assert tags["og:image"].startswith(f"{BASE_URL}/og/ana.")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert real_size(dist, tags["og:image"]) == (1200, 630)
    assert tags["og:image:alt"] == "Ana Souza"  # the name the card shows
    assert tags["twitter:image"] == tags["og:image"]
    # Every profile gets a card, so every page says all five.
    assert set(share_tags(dist / "minimal.html")) == set(SHARE_TAGS)


def test_a_hostile_display_name_stays_text_in_the_alt(site):
    name = '"><script>alert(1)</script> &amp; \'x\''
    execute(site, "UPDATE profiles SET display_name = ? WHERE username = 'ana'", (name,))
    build_site(site)
    page = site / "dist" / "ana.html"
    assert share_tags(page)["og:image:alt"] == name
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and html.count("<script") == 1  # only the JSON-LD block


def test_without_cards_the_cover_is_shared_with_its_real_size_and_no_alt(site):
    cards_off(site)
    build_site(site)
    dist = site / "dist"
    tags = share_tags(dist / "ana.html")
    assert tags["og:image"].startswith(f"{BASE_URL}/m/") and tags["og:image"].endswith(".jpg")
    assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == real_size(dist, tags["og:image"])
    assert "og:image:alt" not in tags  # the cover is a picture without words (its alt is empty)
    assert tags["twitter:image"] == tags["og:image"]


def test_without_cards_or_cover_the_avatar_is_shared_with_the_name_as_its_alt(site):
    cards_off(site)
    execute(site, "UPDATE profiles SET cover_url = NULL WHERE username = 'ana'")
    build_site(site)
    dist = site / "dist"
    tags = share_tags(dist / "ana.html")
    assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == real_size(dist, tags["og:image"])
    assert tags["og:image:alt"] == "Ana Souza" and tags["twitter:image"] == tags["og:image"]


def test_a_remote_picture_of_unknown_size_is_shared_without_width_and_height(site):
    cards_off(site)
    remote = "http://127.0.0.1:9/cover.jpg"  # nothing listens: the page keeps the URL
    execute(site, "UPDATE profiles SET cover_url = ? WHERE username = 'ana'", (remote,))
    build_site(site)
    tags = share_tags(site / "dist" / "ana.html")
    assert tags == {"og:image": remote, "twitter:image": remote}


def test_a_page_without_a_picture_writes_none_of_the_tags(site):
    cards_off(site)
    build_site(site)
    html = (site / "dist" / "minimal.html").read_text(encoding="utf-8")
    assert share_tags(site / "dist" / "minimal.html") == {}
    assert "og:image" not in html and "twitter:image" not in html
    assert "<meta name=twitter:card content=summary>" in html


def test_a_detail_page_shares_its_pictures_size_and_twitter_image(site):
    execute(site, "INSERT INTO products (id, profile_id, name, image_url, price, url, order_index) VALUES "
                  "('px', 'p-ana', 'Print', 'images/cover.jpg', '$5', 'https://shop.example.com/print', 9);"
                  "INSERT INTO item_details (item_id, profile_id, slug, content) VALUES "
                  "('px', 'p-ana', 'print', 'A print.')")
    build_site(site)
    dist = site / "dist"
    tags = share_tags(dist / "ana" / "print.html")
    assert (int(tags["og:image:width"]), int(tags["og:image:height"])) == real_size(dist, tags["og:image"])
    assert tags["twitter:image"] == tags["og:image"] and "og:image:alt" not in tags
    execute(site, "UPDATE products SET image_url = NULL WHERE id = 'px'")
    build_site(site)
    assert share_tags(dist / "ana" / "print.html") == {}
