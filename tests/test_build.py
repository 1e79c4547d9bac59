"""biogen build on a real fixture site: what it writes, and that it writes nothing else."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator.data.biodata import biodata_json
from generator.config import load_config
from generator.data.db import connect
from generator.errors import BuildError, DatabaseError, ValidationError
from generator.data.model import load_profiles
from sitekit import build_site, execute, make_site, mtimes, snapshot


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def test_build_writes_every_page_and_site_file(site):
    summary = build_site(site)
    dist = site / "dist"
    assert dist.is_symlink()
    files = snapshot(dist)
    for username in ("default", "ana", "minimal", "linh.example.com", "rtl"):
        assert f"{username}.html" in files
        assert f"api/profiles/{username}.json" in files
    for name in ("index.html", "404.html", "sitemap.xml", "robots.txt", "_headers"):
        assert name in files
    assert any(re.fullmatch(r"assets/style\.[0-9a-f]{10}\.css", name) for name in files)
    assert summary.profiles == 5 and summary.rendered == 5


def test_index_is_the_home_profile_with_canonical_root(site):
    build_site(site)
    dist = site / "dist"
    assert (dist / "index.html").read_bytes() == (dist / "default.html").read_bytes()
    assert '<link rel=canonical href=https://bio.example.com/>' in (dist / "index.html").read_text()
    assert '<link rel=canonical href=https://bio.example.com/ana>' in (dist / "ana.html").read_text()


def test_static_json_is_the_workers_document(site):
    build_site(site)
    conn = connect(site / "content" / "bio.db", readonly=True)
    for profile in load_profiles(conn):
        written = (site / "dist" / "api" / "profiles" / f"{profile.username}.json").read_text(encoding="utf-8")
        assert written == biodata_json(profile)
    document = json.loads((site / "dist" / "api" / "profiles" / "ana.json").read_text())
    assert [link["id"] for link in document["links"]] == [1, 2]
    assert document["profile"]["avatar"] == "/images/avatar.jpg"  # as stored, like the Worker


def test_local_images_become_optimized_files_under_content_names(site):
    build_site(site)
    dist = site / "dist"
    page = (dist / "ana.html").read_text()
    urls = re.findall(r'(?:src|srcset)="?(/m/[^" >]+)', page)
    urls += [url for srcset in re.findall(r'srcset=("[^"]+"|[^ >]+)', page) for url in re.findall(r"(/m/[^\s,]+)", srcset)]
    assert urls and all(re.fullmatch(r"/m/[a-z2-7]{10}\.(?:avif|webp|jpg|png)", url) for url in urls)
    for url in urls:
        assert (dist / url.lstrip("/")).is_file(), url
    # The fixture's images are tiny and flat: WebP is smaller than AVIF for each, so
    # the pictures offer WebP before the JPEG fallback and no AVIF (it would cost
    # markup and bytes; a photograph gets both, see test_build_images.py), and the
    # 109-byte PNG logo is smaller than any source's markup, so it is a plain <img>.
    sources = [attrs["type"] for attrs in _elements(page, "source")]
    assert page.count("<picture>") == sources.count("image/webp") == len(sources) == 3
    named = {name for html in dist.glob("*.html") for name in re.findall(r"/m/([a-z2-7]{10}\.\w+)", html.read_text())}
    assert set(os.listdir(dist / "m")) == named  # only the files the pages name are copied
    images = _elements(page, "img")
    assert all(attrs["width"].isdigit() and attrs["height"].isdigit() and "alt" in attrs for attrs in images), images
    cover, avatar = images[:2]
    assert cover.get("fetchpriority") == "high" and "loading" not in cover and "loading" not in avatar
    *lazy, qr_code = images[2:]
    assert all(attrs.get("loading") == "lazy" and "decoding" not in attrs for attrs in lazy)
    assert qr_code["src"] == "/qr/ana.svg" and "loading" not in qr_code  # 1.5 KB: loaded at once
    assert "https://images.example.org/linh.jpg?w=400&amp;h=400&amp;fit=crop" in (dist / "linh.example.com.html").read_text()


def _elements(page: str, tag: str) -> list[dict[str, str]]:
    """The attributes of every `tag` element of `page`, as a browser reads them (quoted
    or not; a bare attribute is "")."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, name, attrs):
            if name == tag:
                found.append({key: value or "" for key, value in attrs})

    Parser().feed(page)
    return found


def test_pages_run_no_script_and_need_no_inline_style(site):
    build_site(site)
    for path in (site / "dist").resolve().rglob("*.html"):
        html = path.read_text()
        assert "style=" not in html and "<style" not in html, path.name
        assert not re.search(r"\son[a-z]+=", html), path.name
        scripts = re.findall(r"<script[^>]*>", html)
        assert all(tag == '<script type=application/ld+json>' for tag in scripts), path.name
    headers = (site / "dist" / "_headers").read_text()
    assert "Content-Security-Policy: default-src 'none'" in headers
    assert "unsafe-inline" not in headers


def test_social_links_carry_rel_me_and_names(site):
    build_site(site)
    html = (site / "dist" / "ana.html").read_text()
    assert '<a href=https://github.com/ana rel=me aria-label=GitHub>' in html
    assert '"sameAs":["https://github.com/ana","https://x.com/ana"]' in html


def test_text_in_any_script_is_kept_exactly(site):
    build_site(site)
    assert "Linh Nguyễn 🌸" in (site / "dist" / "linh.example.com.html").read_text()
    rtl = (site / "dist" / "rtl.html").read_text()
    assert '<h1 dir=auto>سارة أحمد</h1>' in rtl


def test_hostile_text_is_escaped(site):
    execute(site, "UPDATE profiles SET display_name = ?, tagline = ? WHERE id = 'p-min'",
            ('"><script>alert(1)</script>', '<img src=x onerror=alert(1)> [x](javascript:alert(1))'))
    build_site(site)
    html = (site / "dist" / "minimal.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html
    assert "\\u003c/script\\u003e" in html  # inside the JSON-LD block


def test_two_builds_are_byte_identical(tmp_path):
    first = make_site(tmp_path / "one")
    second = make_site(tmp_path / "two")
    build_site(first)
    build_site(second)
    assert snapshot(first / "dist") == snapshot(second / "dist")


def test_nothing_changed_means_nothing_rendered_or_rewritten(site):
    build_site(site)
    before = mtimes(site / "dist")
    summary = build_site(site)
    assert summary.unchanged and summary.rendered == 0
    assert mtimes(site / "dist") == before


def test_a_change_to_biogens_own_code_renders_every_page_again(site, monkeypatch):
    import generator.build.plan
    profiles = build_site(site).profiles
    assert build_site(site).rendered == 0
    monkeypatch.setattr(generator.build.plan, "running_code_digest", lambda: b"another biogen")
    assert build_site(site).rendered == profiles


def test_the_code_digest_follows_every_code_and_data_file_but_not_compiled_ones(tmp_path):
    from generator.build.plan import code_digest
    package = tmp_path / "generator"
    (package / "data").mkdir(parents=True)
    (package / "render.py").write_text("X = 1\n")
    (package / "data" / "icons.json").write_text("{}")
    first = code_digest(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "render.cpython-311.pyc").write_bytes(b"compiled")
    assert code_digest(package) == first
    (package / "render.py").write_text("X = 2\n")
    second = code_digest(package)
    (package / "data" / "icons.json").write_text('{"a": 1}')
    assert len({first, second, code_digest(package)}) == 3


def test_one_changed_profile_rewrites_only_its_files(site):
    build_site(site)
    build_site(site, full=True)  # both trees exist from here on
    before = snapshot(site / "dist")
    execute(site, "UPDATE bio_links SET name = 'Portfolio 2026' WHERE id = 'b1'")
    summary = build_site(site)
    after = snapshot(site / "dist")
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {"ana.html", "api/profiles/ana.json", "api/version.json"}  # the content version too
    assert summary.rendered == 1


def test_updated_at_change_rewrites_the_sitemap_and_the_content_version(site):
    build_site(site)
    execute(site, "UPDATE profiles SET updated_at = '2026-11-20 08:00:00' WHERE id = 'p-min'")
    before = snapshot(site / "dist")
    build_site(site)
    after = snapshot(site / "dist")
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    # The page shows updated_at only inside its content version (a hash of every column).
    assert changed == {"minimal.html", "sitemap.xml", "api/version.json"}
    assert b"<loc>https://bio.example.com/minimal</loc><lastmod>2026-11-20T08:00:00+00:00</lastmod>" in after["sitemap.xml"]


def test_incremental_builds_equal_a_fresh_build(tmp_path):
    site = make_site(tmp_path / "site")
    build_site(site)
    steps = [
        "UPDATE profiles SET display_name = 'Ana S.' WHERE id = 'p-ana'",
        "INSERT INTO profiles (id, username, display_name, updated_at) VALUES ('p-new', 'newbie', 'New', '2026-11-05')",
        "UPDATE profiles SET username = 'ana-souza' WHERE id = 'p-ana'",
        "DELETE FROM profiles WHERE id = 'p-rtl'",
        "INSERT INTO bio_links (id, profile_id, name, url, order_index) VALUES ('b9', 'p-new', 'Hi', 'https://e.com', 0)",
        "UPDATE products SET image_url = NULL WHERE id = 'pr1'; DELETE FROM carousel_items WHERE profile_id = 'p-ana'",
    ]
    for sql in steps:
        execute(site, sql)
        build_site(site)
        fresh = tmp_path / f"fresh-{len(os.listdir(tmp_path))}"
        shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("dist", ".dist.trees"))
        build_site(fresh)
        assert snapshot(site / "dist") == snapshot(fresh / "dist"), sql
    files = snapshot(site / "dist")
    assert "ana.html" not in files and "rtl.html" not in files and "api/profiles/rtl.json" not in files
    assert not any(name.startswith("m/") and name.endswith(".png") for name in files)  # the logo is no longer used
    assert not any(name.startswith("m/") for name in files if not name.endswith((".avif", ".webp", ".jpg")))


def test_invalid_data_reports_every_problem_and_keeps_the_output(site):
    build_site(site)
    before, link = snapshot(site / "dist"), os.readlink(site / "dist")
    execute(site, "UPDATE bio_links SET url = 'javascript:alert(1)' WHERE id = 'b2';"
                  "UPDATE products SET image_url = '../../etc/passwd.png' WHERE id = 'pr2';"
                  "UPDATE profiles SET username = 'Bad Name' WHERE id = 'p-min';"
                  "UPDATE carousel_items SET logo_url = '/images/missing.png' WHERE id = 'c2'")
    with pytest.raises(ValidationError) as error:
        build_site(site)
    message = str(error.value)
    assert "profile 'ana': bio_links row 'b2', column url" in message
    assert "profile 'linh.example.com': products row 'pr2', column image_url" in message
    assert "profile 'Bad Name': profiles row 'p-min', column username" in message
    assert "content/images/missing.png does not exist" in message
    assert len(error.value.problems) == 4
    assert snapshot(site / "dist") == before and os.readlink(site / "dist") == link


def test_failed_build_then_fixed_build_equals_fresh(tmp_path):
    site = make_site(tmp_path / "site")
    build_site(site)
    build_site(site, full=True)
    execute(site, "UPDATE profiles SET display_name = 'Changed' WHERE id = 'p-vi';"
                  "UPDATE bio_links SET url = 'data:text/html,hi' WHERE id = 'b4'")
    with pytest.raises(ValidationError):
        build_site(site)
    execute(site, "UPDATE bio_links SET url = 'https://rtl.example.com' WHERE id = 'b4'")
    build_site(site)
    fresh = make_site(tmp_path / "fresh")
    execute(fresh, "UPDATE profiles SET display_name = 'Changed' WHERE id = 'p-vi';"
                   "UPDATE bio_links SET url = 'https://rtl.example.com' WHERE id = 'b4'")
    build_site(fresh)
    assert snapshot(site / "dist") == snapshot(fresh / "dist")


def test_a_crash_while_writing_leaves_the_output_and_recovers(site, monkeypatch):
    build_site(site)
    build_site(site, full=True)
    before = snapshot(site / "dist")
    execute(site, "UPDATE profiles SET tagline = 'new' WHERE id IN ('p-ana', 'p-vi', 'p-rtl')")
    from generator.build import output
    real_write, calls = output.write_file, []

    def failing_write(root, relative, data, *, fresh):
        calls.append(relative)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_write(root, relative, data, fresh=fresh)

    monkeypatch.setattr("generator.build.pages.write_file", failing_write)
    with pytest.raises(OSError):
        build_site(site)
    assert snapshot(site / "dist") == before
    monkeypatch.undo()
    build_site(site)
    assert b"new" in snapshot(site / "dist")["rtl.html"]


def test_strict_fails_on_pages_limits_and_keeps_the_output(site):
    build_site(site)
    before = snapshot(site / "dist")
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "max_files = 5\n")
    execute(site, "UPDATE profiles SET tagline = 'x' WHERE id = 'p-min'")
    summary = build_site(site)  # not strict: a warning
    assert any("at most 5" in problem for problem in summary.limit_problems)
    execute(site, "UPDATE profiles SET tagline = 'y' WHERE id = 'p-min'")
    before = snapshot(site / "dist")
    with pytest.raises(BuildError, match="at most 5"):
        build_site(site, strict=True)
    assert snapshot(site / "dist") == before


def test_pending_migration_is_refused_with_the_fix(site):
    shutil.copytree(load_config(site).migrations_dir, site / "migrations")
    (site / "migrations" / "0105_add_theme.sql").write_text("ALTER TABLE profiles ADD COLUMN theme TEXT;\n")
    with pytest.raises(DatabaseError, match=r"0105_add_theme\.sql.*biogen migrate"):
        build_site(site)


def test_missing_database_is_created_from_migrations(tmp_path, caplog):
    site = tmp_path / "new"
    site.mkdir()
    (site / "biogen.toml").write_text('base_url = "https://new.example.com"\n')
    build_site(site)
    assert (site / "content" / "bio.db").exists()
    assert "did not exist; created it" in caplog.text
    assert (site / "dist" / "default.html").exists()


def test_children_sharing_an_order_index_are_warned_about(site):
    execute(site, "UPDATE bio_links SET order_index = 0 WHERE id = 'b2'")
    summary = build_site(site)
    assert any("bio_links rows 'b1', 'b2' share order_index 0" in w for w in summary.warnings)
    summary = build_site(site)  # still reported on the next (no-change) build
    assert any("share order_index 0" in w for w in summary.warnings)


def test_a_real_output_folder_is_moved_aside_once(site):
    (site / "dist").mkdir()
    (site / "dist" / "old.html").write_text("old")
    build_site(site)
    assert (site / "dist").is_symlink()
    assert (site / ".dist.trees" / "previous-output" / "old.html").read_text() == "old"


def test_deleted_output_link_is_restored_without_rendering(site):
    build_site(site)
    (site / "dist").unlink()
    summary = build_site(site)
    assert summary.unchanged and (site / "dist" / "ana.html").exists()


def test_source_date_epoch_is_used_when_updated_at_is_missing(site, monkeypatch):
    execute(site, "UPDATE profiles SET updated_at = NULL WHERE id = 'p-min'")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build_site(site)
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "<loc>https://bio.example.com/minimal</loc><lastmod>2026-01-01T00:00:00+00:00</lastmod>" in sitemap


def test_directory_mode_lists_every_profile_at_the_root(site):
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "directory = true\n")
    build_site(site)
    index = (site / "dist" / "index.html").read_text()
    for username in ("ana", "minimal", "linh.example.com", "rtl", "default"):
        assert f'href="/{username}"' in index
    assert "Linh Nguyễn 🌸" in index
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-z', 'zoe', 'Zoë')")
    build_site(site)
    assert 'href="/zoe"' in (site / "dist" / "index.html").read_text()


def test_only_the_404_page_and_the_directory_load_the_rules_only_they_use(site):
    # Every profile page loads style.css alone; pages.css holds what the 404 page and
    # the directory add, and every class those two pages use is in one of the two.
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "directory = true\n")
    build_site(site)
    dist = site / "dist"

    def sheets(page: str) -> list[str]:
        return re.findall(r'<link rel="?stylesheet"? href="?/(assets/[^" >]+)"?>', (dist / page).read_text())

    assert [Path(href).name.split(".")[0] for href in sheets("ana.html")] == ["style"]
    for page in ("index.html", "404.html"):
        assert [Path(href).name.split(".")[0] for href in sheets(page)] == ["style", "pages"]
        css = "".join((dist / href).read_text() for href in sheets(page))
        classes = {name for value in re.findall(r'class="([^"]+)"', (dist / page).read_text()) for name in value.split()}
        assert classes and all(f".{name}" in css for name in classes), (page, classes)
    profile_css = (dist / sheets("ana.html")[0]).read_text()
    assert ".button" not in profile_css and ".page-center" not in profile_css


def test_missing_home_profile_falls_back_to_the_directory(site, caplog):
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text().replace('home = "default"', 'home = "nobody"'))
    build_site(site)
    assert "the home profile 'nobody' does not exist" in caplog.text
    assert 'href="/ana"' in (site / "dist" / "index.html").read_text()
    execute(site, "UPDATE profiles SET username = 'nobody' WHERE id = 'p-min'")
    build_site(site)
    assert (site / "dist" / "index.html").read_bytes() == (site / "dist" / "nobody.html").read_bytes()
    execute(site, "UPDATE profiles SET username = 'minimal' WHERE id = 'p-min'")
    build_site(site)
    assert 'href="/ana"' in (site / "dist" / "index.html").read_text()


def _many_profiles(site, count=250):
    execute(site, ";".join(f"INSERT INTO profiles (id, username, display_name) VALUES ('m{n}', 'many-{n}', 'M {n}')"
                           for n in range(count)))


def test_a_template_syntax_error_names_file_and_line_and_keeps_the_output(site):
    from generator.errors import TemplateError
    _many_profiles(site)  # enough to render in worker processes
    build_site(site)
    before = snapshot(site / "dist")
    templates = site / "templates"
    templates.mkdir()
    (templates / "profile.html").write_text("<p>\n{% if page.name %}\n<b>{{ page.name }</b>\n")
    with pytest.raises(TemplateError, match=r"profile\.html, line 3"):
        build_site(site)
    assert snapshot(site / "dist") == before


def test_a_template_failing_while_rendering_names_the_profile(site):
    from generator.errors import TemplateError
    _many_profiles(site)
    templates = site / "templates"
    templates.mkdir()
    (templates / "profile.html").write_text("<p>{{ page.name }}</p>\n<p>{{ page.no_such_field.x }}</p>\n")
    with pytest.raises(TemplateError, match=r"profile\.html, line 2: .*no_such_field.*while rendering profile"):
        build_site(site)
    shutil.rmtree(templates)
    build_site(site)  # the next build recovers the staging tree
    assert (site / "dist" / "many-7.html").exists()


def test_image_formats_setting_drops_a_source_and_its_files(site):
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + 'image_formats = ["avif"]\n')
    build_site(site)
    page = (site / "dist" / "ana.html").read_text()
    assert '<source type=image/avif' in page and "image/webp" not in page
    assert list((site / "dist" / "m").glob("*.avif")) and not list((site / "dist" / "m").glob("*.webp"))


def test_the_stylesheet_holds_every_placeholder_colour():
    from generator.config import packaged_dir
    from generator.images.palette import PLACEHOLDER_CSS
    css = (packaged_dir("assets") / "style.css").read_text()
    assert PLACEHOLDER_CSS in css
    assert "img{display:block;max-width:100%;--p:rgb(var(--r) var(--g) var(--b));background:var(--p)}" in css


def test_each_section_is_a_region_named_by_its_heading(site):
    # aria-labelledby: a screen reader's list of regions shows "Links", "Products", "Tools".
    build_site(site)
    html = (site / "dist" / "ana.html").read_text()
    sections = re.findall(r"<section([^>]*)><h2 id=(\w+)>", html)
    assert [heading for _, heading in sections] == ["links", "products", "tools"]
    assert all(attributes == f" aria-labelledby={heading}" for attributes, heading in sections)
