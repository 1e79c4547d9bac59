"""Built pages of items' details: detail pages at /<username>/<slug>, products' badges,
descriptions and groups, and scheduled items live at the build's time (SOURCE_DATE_EPOCH)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from generator.cli import cli
from sitekit import build_site, execute, make_site, snapshot

# 2026-12-01T00:00:00Z
DECEMBER = "1796083200"

RICH_SQL = (
    "INSERT INTO products (id, profile_id, name, image_url, price, url, order_index) VALUES "
    "('pr3', 'p-vi', 'Tư vấn 1:1', NULL, '500.000₫', 'https://linh.example.com/tu-van', 1), "
    "('pr4', 'p-vi', 'Tote', NULL, '90.000₫', 'https://shop.example.com/tote', 2), "
    "('pr5', 'p-vi', 'Later', NULL, '1₫', 'https://shop.example.com/later', 3);"
    "INSERT INTO item_details (item_id, profile_id, slug, subtitle, content, cta_text, cta_url, description, badge, "
    "group_name, starts_at, ends_at) VALUES "
    "('b3', 'p-vi', 'khoa-hoc', 'Tám tuần </h1><script>', "
    "'# Nội dung\n\n<img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) [ok](https://linh.example.com/a?b=\"c\") "
    "![Logo](/images/logo.png) ![remote](https://evil.example/x.png)\n\n- một\n- *hai*', "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL), "
    "('pr2', 'p-vi', NULL, NULL, NULL, NULL, NULL, 'Giấy *tái chế*', 'new', 'Sản phẩm', NULL, NULL), "
    "('pr3', 'p-vi', 'tu-van', NULL, 'Một giờ', 'Đặt lịch', 'https://cal.example.com/linh', NULL, 'limited', "
    "'Tư vấn', NULL, NULL), "
    "('pr4', 'p-vi', NULL, NULL, NULL, NULL, NULL, NULL, 'hot', 'Sản phẩm', NULL, '2026-11-30T00:00:00Z'), "
    "('pr5', 'p-vi', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2027-01-01T00:00:00Z', NULL)")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", DECEMBER)
    folder = make_site(tmp_path / "site")
    execute(folder, RICH_SQL)
    return folder


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


def test_a_detail_page_with_hostile_markdown(site):
    build_site(site)
    html = (site / "dist" / "linh.example.com" / "khoa-hoc.html").read_text(encoding="utf-8")
    tags = elements(html)
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for _, a in tags if any(k.startswith("on") for k in a)]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # raw HTML shown as text
    assert "[bad](javascript:alert(1))" in html and 'href="javascript' not in html
    assert '<a href="https://linh.example.com/a?b=%22c%22">ok</a>' in html
    # A remote image shows as its alt text and never loads.
    assert "evil.example" not in html and " remote</p>" in html
    assert [a for t, a in tags if t == "img" and a.get("alt") == "Logo"]  # a file under content/ is drawn
    assert "Tám tuần &lt;/h1&gt;&lt;script&gt;" in html
    assert "<h2>Nội dung</h2>" in html and "<h1 dir=auto>Khóa học 🎨</h1>" in html  # the body's # is an h2
    links = {a.get("class"): a.get("href") for t, a in tags if t == "a"}
    assert links["back"] == "https://linh.example.com/"  # the profile's page, at its own hostname
    assert links["cta"] == "https://linh.example.com/khoa-hoc"  # the link's own URL by default
    assert '<link rel="canonical" href="https://bio.example.com/linh.example.com/khoa-hoc">' in html
    assert '<meta property="og:url" content="https://bio.example.com/linh.example.com/khoa-hoc">' in html
    assert "<title>Khóa học 🎨 · Linh Nguyễn 🌸</title>" in html


def test_products_in_groups_with_badges_descriptions_and_detail_links(site):
    build_site(site)
    html = (site / "dist" / "linh.example.com.html").read_text(encoding="utf-8")
    section = html[html.index("<h2 id=products>"):]
    section = section[:section.index("</section>")]
    # Groups in the order of their first product; the badge is words, the description Markdown.
    assert re.findall(r"<h3 class=group dir=auto>([^<]+)</h3>", section) == ["Sản phẩm", "Tư vấn"]
    assert "<p class=badge>Mới" not in section  # the page is in the site's language (en)
    assert "<p class=badge>New" in section and "<p class=badge>Limited" in section
    assert "<p class=about>Giấy <em>tái chế</em>" in section
    # The detail link is its own row, after the last paragraph is closed.
    assert '</p><a class=more href=/linh.example.com/tu-van aria-label="Details: Tư vấn 1:1">Details</a>' in section
    assert 'href=https://linh.example.com/tu-van>' in section  # the external link stays one click away
    assert "Tote" not in section and "Later" not in section  # ended, and not started yet
    assert 'href=/assets/rich.' in html
    detail = (site / "dist" / "linh.example.com" / "tu-van.html").read_text(encoding="utf-8")
    assert '<a class=cta href="https://cal.example.com/linh">Đặt lịch</a>' in detail
    assert "<span class=badge>Limited</span>" in detail
    document = json.loads((site / "dist" / "api" / "profiles" / "linh.example.com.json").read_text())
    assert [(p["id"], p["name"]) for p in document["products"]] == [(1, "Sổ tay"), (2, "Tư vấn 1:1")]


def test_profiles_without_details_link_no_extra_stylesheet(site):
    build_site(site)
    html = (site / "dist" / "ana.html").read_text(encoding="utf-8")
    assert "rich." not in html and "class=more" not in html and "class=group" not in html


def test_sitemap_lists_detail_pages_and_the_build_says_when_next(site):
    result = CliRunner().invoke(cli, ["build", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert "next scheduled change: 2027-01-01T00:00:00Z" in result.output
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "<loc>https://bio.example.com/linh.example.com/khoa-hoc</loc>" in sitemap
    assert "<loc>https://bio.example.com/linh.example.com/tu-van</loc>" in sitemap


def test_a_scheduled_item_goes_live_when_its_time_comes_without_any_data_change(site, monkeypatch):
    build_site(site)
    before = snapshot(site / "dist")
    assert "Later" not in before["linh.example.com.html"].decode()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(DECEMBER) + 3600))
    assert build_site(site).unchanged  # nothing starts or ends within the hour
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01T00:00:00Z
    summary = build_site(site)
    assert summary.rendered == 1 and summary.next_change is None
    after = snapshot(site / "dist")
    assert "Later" in after["linh.example.com.html"].decode()
    assert after["ana.html"] == before["ana.html"]


def test_renamed_slug_removes_the_old_page(site):
    build_site(site)
    execute(site, "UPDATE item_details SET slug = 'lop-hoc' WHERE item_id = 'b3'")
    build_site(site)
    files = snapshot(site / "dist")
    assert "linh.example.com/lop-hoc.html" in files and "linh.example.com/khoa-hoc.html" not in files


def test_bad_details_stop_the_build_naming_table_row_and_column(site):
    execute(site, "UPDATE item_details SET badge = 'sale' WHERE item_id = 'pr2'")
    with pytest.raises(Exception) as raised:
        build_site(site)
    assert "item_details" in str(raised.value) and "pr2" in str(raised.value) and "'sale'" in str(raised.value)


# ---- biogen publish --if-due, against the built site served over HTTP -------------------

@pytest.fixture
def served(site):
    """The site's output served at base_url, as the published site would be."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(
        SimpleHTTPRequestHandler, directory=str(site / "dist")))
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    toml = site / "biogen.toml"
    toml.write_text(re.sub(r'base_url = "[^"]*"', f'base_url = "{base_url}"', toml.read_text()))
    build_site(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


def test_publish_if_due_only_when_the_published_site_is_behind(served, monkeypatch):
    from generator.cloudflare.publish import due_reason
    from generator.config import load_config
    config = load_config(served)
    assert json.loads((served / "dist" / "api" / "schedule.json").read_text()) == {"nextChange": "2027-01-01T00:00:00Z"}
    assert due_reason(config, "2026-12-01T00:15:00Z") is None
    assert "2027-01-01T00:00:00Z" in due_reason(config, "2027-01-01T00:00:00Z")
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN", raising=False)
    # Nothing due: publish stops before anything else (without the token, a publish would fail).
    result = CliRunner().invoke(cli, ["publish", "--if-due", "--site", str(served)])
    assert result.exit_code == 0 and "nothing to publish" in result.output, result.output
    execute(served, "UPDATE products SET price = '2₫' WHERE id = 'pr5'")
    assert "the data changed" in due_reason(config, "2026-12-01T00:15:00Z")


def test_publish_if_due_when_the_site_cannot_be_read(site):
    from generator.cloudflare.publish import due_reason
    from generator.config import load_config
    toml = site / "biogen.toml"
    toml.write_text(re.sub(r'base_url = "[^"]*"', 'base_url = "http://127.0.0.1:9"', toml.read_text()))
    assert "cannot be read" in due_reason(load_config(site), "2026-12-01T00:00:00Z")


def test_check_warns_about_items_that_can_never_show(site):
    execute(site, "UPDATE item_details SET starts_at = '2026-12-05T00:00:00Z', ends_at = '2026-12-04T00:00:00Z' "
                  "WHERE item_id = 'pr3'")
    result = CliRunner().invoke(cli, ["check", "--site", str(site)])
    assert result.exit_code == 0, result.output
    assert "product 'Tư vấn 1:1'" in result.output and "before it starts" in result.output
    assert "product 'Tote'" in result.output and "ended at 2026-11-30T00:00:00Z" in result.output
