"""The directory of profiles: pagination arithmetic and the index (pure), then real
builds of a site with 255 profiles: which pages a change rewrites, where the index
links land, stale pages, the sitemap, and the preview's routing of /page/N."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings, strategies as st

from generator.build import directory
from generator.build.directory import (MAX_SPAN, PAGE_SIZE, Index, SortedNames, page_count, page_of, page_path,
                                       page_url, whole_directory)
from generator.config import load_config
from generator.errors import ValidationError
from generator.preview.routing import PagesSite
from sitekit import build_site, execute, make_site, mtimes

# -- arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize("profiles, pages", [(0, 1), (1, 1), (100, 1), (101, 2), (200, 2), (201, 3), (100_000, 1000)])
def test_page_count(profiles, pages):
    assert page_count(profiles) == pages


@pytest.mark.parametrize("rank, page", [(0, 1), (99, 1), (100, 2), (199, 2), (200, 3), (99_999, 1000)])
def test_page_of_a_rank(rank, page):
    assert page_of(rank) == page


def test_page_one_is_the_root_and_the_others_are_under_page():
    assert (page_path(1), page_url(1)) == ("index.html", "/")
    assert (page_path(2), page_url(2)) == ("page/2.html", "/page/2")
    assert (page_path(1000), page_url(1000)) == ("page/1000.html", "/page/1000")


def test_pages_hold_page_size_rows_in_username_order_and_link_their_neighbours():
    rows = [(f"user-{n:03d}", f"User {n}") for n in range(250)]
    pages = whole_directory(rows, None, render_all=True).pages
    assert [len(page.rows) for page in pages] == [100, 100, 50]
    assert [page.rows for page in pages] == [tuple(rows[0:100]), tuple(rows[100:200]), tuple(rows[200:])]
    assert [(page.previous_url, page.next_url) for page in pages] == [
        (None, "/page/2"), ("/", "/page/3"), ("/page/2", None)]


def test_an_empty_directory_is_one_page_with_the_letters_only():
    (page,) = whole_directory([], None, render_all=True).pages
    assert page.rows == () and page.next_url is None
    assert [row.label for row in page.index] == [""]
    assert all(link.page is None for link in page.index[0].links)


# -- the index ----------------------------------------------------------------------

def _matches(text: str, name: str, letters: bool) -> bool:
    if letters:
        return name[0].isdigit() if text == "0–9" else name[0] == text
    return name.startswith(text)


def _walk(pages: list, target: str) -> int:
    """Clicks from page 1 to the page showing `target`: the most precise index link whose
    names the target begins with when it leads further on, else "next page"."""
    number, clicks = 1, 0
    while all(username != target for username, _ in pages[number - 1].rows):
        best = None
        for depth, row in enumerate(pages[number - 1].index):
            for link in row.links:
                key = (min(depth, 1), len(link.text))
                if link.page and _matches(link.text, target, depth == 0) and (best is None or key > best[0]):
                    best = (key, link.page)
        number = best[1] if best and best[1] > number else number + 1
        clicks += 1
        assert clicks <= len(pages), f"{target} not reached"
    return clicks


_NAMES = st.lists(st.from_regex(r"[a-z0-9](?:[a-z0-9._-]{0,6}[a-z0-9])?", fullmatch=True).filter(lambda n: ".." not in n),
                  unique=True, max_size=300).map(sorted)


@settings(max_examples=150, deadline=None)
@given(_NAMES)
def test_every_index_link_lands_on_the_page_where_its_names_start(names):
    with mock.patch.object(directory, "PAGE_SIZE", 3):
        pages = whole_directory([(name, name) for name in names], None, render_all=True).pages
        for page in pages:
            letters = page.index[0]
            assert [link.text for link in letters.links] == ["0–9", *string.ascii_lowercase]
            for depth, row in enumerate(page.index):
                for link in row.links:
                    starting = [n for n in names if _matches(link.text, n, depth == 0)]
                    if link.page is None:
                        assert not starting, link
                        continue
                    first = names.index(starting[0])
                    assert link.page == page_of(first) == first // 3 + 1, (row.label, link)
                    if depth and row.label != "0–9":  # the digits' row, when they share nothing
                        assert all(n.startswith(row.label) for n in starting)


@settings(max_examples=150, deadline=None)
@given(_NAMES)
def test_any_profile_is_a_few_clicks_from_the_first_page(names):
    with mock.patch.object(directory, "PAGE_SIZE", 3):
        pages = whole_directory([(name, name) for name in names], None, render_all=True).pages
        for target in names:
            shown = [p for p in pages if any(username == target for username, _ in p.rows)]
            # One click per index row leading to it, then at most MAX_SPAN - 1 "next page".
            assert _walk(pages, target) <= len(shown[0].index) + MAX_SPAN - 1


@pytest.mark.parametrize("kind", ["user-NNNNN", "random"])
def test_at_100000_profiles_any_profile_is_3_clicks_from_the_first_page(kind):
    rng = random.Random(7)
    if kind == "random":
        alphabet = string.ascii_lowercase + string.digits
        names = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(3, 12))) for _ in range(100_000)})
    else:
        names = [f"user-{n:05d}" for n in range(100_000)]
    pages = whole_directory([(name, name) for name in names], None, render_all=True).pages
    assert max(_walk(pages, target) for target in rng.sample(names, 500)) <= 3
    # Each row has at most 38 links (the 27 letters, or the characters a username holds).
    assert max(len(row.links) for page in pages for row in page.index) <= 38


def test_a_part_is_split_after_what_its_names_share():
    names = [f"user-{n:04d}" for n in range(1000)]
    with mock.patch.object(directory, "PAGE_SIZE", 10):
        rows = Index(SortedNames(names)).rows("user-0500", "user-0509")
    # Every name begins with "user-0": the "u" row splits after that, into user-00 ... user-09.
    assert [row.label for row in rows] == ["", "user-0", "user-05"]
    assert [(link.text, link.page) for link in rows[1].links] == [(f"user-0{d}", d * 10 + 1) for d in range(10)]
    assert [(link.text, link.page) for link in rows[2].links] == [(f"user-05{d}", 51 + d) for d in range(10)]
    assert [link.page for link in rows[0].links if link.page] == [1]  # u


def test_a_name_that_others_begin_with_is_a_piece_of_its_own():
    names = ["ab", *[f"ab{n:03d}" for n in range(30)]]
    with mock.patch.object(directory, "PAGE_SIZE", 3):
        pieces = Index(SortedNames(names)).children("ab", names[-1])
    assert pieces[0] == ("ab", "ab", "ab") and pieces[1][0] == "ab0"


def test_page_digests_change_only_with_what_a_page_shows():
    rows = [(f"user-{n:03d}", f"User {n}") for n in range(250)]
    before = whole_directory(rows, None, render_all=False)
    renamed = list(rows)
    renamed[150] = ("user-150", "Someone else")
    after = whole_directory(renamed, before.state, render_all=False)
    assert [page.number for page in after.pages] == [2] and after.stale == []
    shrunk = whole_directory(rows[:150], before.state, render_all=False)
    assert shrunk.stale == ["page/3.html"] and 2 in [page.number for page in shrunk.pages]  # lost its next link


# -- real builds -------------------------------------------------------------------

FIXTURE_USERNAMES = ["ana", "default", "linh.example.com", "minimal", "rtl"]


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path / "site")
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text() + "directory = true\n")
    execute(site, ";".join(f"INSERT INTO profiles (id, username, display_name) VALUES ('m{n}', 'many-{n:03d}', 'M {n}')"
                           for n in range(250)))
    return site


def _cards(page: Path) -> list[str]:
    return re.findall(r'<li><h2><a href="/([^"]+)">', page.read_text())


def _rewritten(before: dict, after: dict) -> set[str]:
    """Files written (new inode) or deleted between two `mtimes` of the output."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def _directory_files(paths) -> set[str]:
    return {path for path in paths if path == "index.html" or path.startswith("page/")}


def test_the_directory_is_paginated_in_username_order(site):
    build_site(site)
    dist = site / "dist"
    everyone = sorted(FIXTURE_USERNAMES + [f"many-{n:03d}" for n in range(250)])
    assert _cards(dist / "index.html") + _cards(dist / "page" / "2.html") + _cards(dist / "page" / "3.html") == everyone
    assert not (dist / "page" / "4.html").exists() and not (dist / "page" / "1.html").exists()
    second = (dist / "page" / "2.html").read_text()
    assert "<title>Profiles, page 2</title>" in second
    assert '<link rel="canonical" href="https://bio.example.com/page/2">' in second
    assert '<a class="button" rel="prev" href="/">' in second and 'rel="next" href="/page/3"' in second
    assert "<title>Profiles</title>" in (dist / "index.html").read_text()
    assert 'rel="next"' not in (dist / "page" / "3.html").read_text()


def test_every_index_link_of_a_built_page_lands_where_its_names_start(site):
    build_site(site)
    dist = site / "dist"
    pages = {"/": dist / "index.html", "/page/2": dist / "page" / "2.html", "/page/3": dist / "page" / "3.html"}
    order = [username for url in pages for username in _cards(pages[url])]
    for url, path in pages.items():
        nav = re.search(r'<nav class="index".*?</nav>', path.read_text(), re.S).group(0)
        for target, text in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav):
            starting = [n for n in order if (n[0].isdigit() if text == "0–9" else n.startswith(text))]
            assert starting and starting[0] in _cards(pages[target]), (url, text, target)
            assert starting[0] not in [n for n in order[:order.index(_cards(pages[target])[0])]]


def test_a_changed_name_rewrites_the_one_page_showing_it_and_a_tagline_none(site):
    build_site(site)
    before = mtimes(site / "dist")
    execute(site, "UPDATE profiles SET display_name = 'Renamed' WHERE username = 'many-150'")
    # The usernames are those of the last build: the page is read alone, not every row.
    with mock.patch.object(directory, "whole_directory", side_effect=AssertionError("read every row")):
        build_site(site)
    after = mtimes(site / "dist")
    assert "Renamed" in (site / "dist" / "page" / "2.html").read_text()
    assert _directory_files(_rewritten(before, after)) == {"page/2.html"}
    execute(site, "UPDATE profiles SET tagline = 'Not in the directory' WHERE username = 'many-150'")
    build_site(site)
    assert _directory_files(_rewritten(after, mtimes(site / "dist"))) == set()


def test_a_profile_added_or_removed_rewrites_the_pages_from_it_on(site):
    build_site(site)
    before = mtimes(site / "dist")
    # After every other name, and no letter starts after it: only the last page changes.
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-z', 'rtz', 'Last')")
    build_site(site)
    after = mtimes(site / "dist")
    assert _directory_files(_rewritten(before, after)) == {"page/3.html"}
    # Before every other name: every page's rows shift by one.
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-a', 'aa', 'First')")
    build_site(site)
    later = mtimes(site / "dist")
    assert _directory_files(_rewritten(after, later)) == {"index.html", "page/2.html", "page/3.html"}
    execute(site, "DELETE FROM profiles WHERE id = 'p-a'")
    build_site(site)
    assert _directory_files(_rewritten(later, mtimes(site / "dist"))) == {"index.html", "page/2.html",
                                                                          "page/3.html"}


def test_incremental_directory_pages_equal_a_full_builds(site):
    build_site(site)
    execute(site, "UPDATE profiles SET display_name = 'Renamed' WHERE username IN ('many-010', 'many-240')")
    execute(site, "UPDATE profiles SET display_name = 'Also' WHERE username = 'rtl'")
    build_site(site)
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-n', 'many-1000', 'New')")
    build_site(site)
    dist = site / "dist"
    incremental = {path: (dist / path).read_bytes() for path in ("index.html", "page/2.html", "page/3.html")}
    build_site(site, full=True)
    assert {path: (dist / path).read_bytes() for path in incremental} == incremental


def test_pages_of_a_shrinking_directory_are_deleted_and_switching_it_off_deletes_the_rest(site):
    build_site(site)
    execute(site, "DELETE FROM profiles WHERE username >= 'many-100' AND username < 'many-200'")
    summary = build_site(site)
    dist = site / "dist"
    assert (dist / "page" / "2.html").exists() and not (dist / "page" / "3.html").exists()
    assert summary.deleted >= 100 + 1  # the profiles' pages and documents, and page/3.html
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text().replace("directory = true\n", ""))
    build_site(site)
    assert not (dist / "page").exists()
    assert (dist / "index.html").read_bytes() == (dist / "default.html").read_bytes()


def test_the_directory_comes_back_when_the_home_profile_goes(site):
    (site / "biogen.toml").write_text((site / "biogen.toml").read_text().replace("directory = true\n", ""))
    build_site(site)
    assert not (site / "dist" / "page").exists()
    execute(site, "DELETE FROM profiles WHERE username = 'default'")
    build_site(site)
    assert (site / "dist" / "page" / "3.html").exists() and "<title>Profiles</title>" in (
        site / "dist" / "index.html").read_text()
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('home', 'default', 'Home again')")
    build_site(site)
    assert not (site / "dist" / "page").exists()
    assert (site / "dist" / "index.html").read_bytes() == (site / "dist" / "default.html").read_bytes()


def test_the_sitemap_lists_the_first_page_and_the_home_profile_at_its_own_address(site):
    build_site(site)
    sitemap = (site / "dist" / "sitemap.xml").read_text()
    assert "<url><loc>https://bio.example.com/</loc></url>" in sitemap
    assert "<loc>https://bio.example.com/default</loc>" in sitemap and "/page/" not in sitemap
    assert '<link rel=canonical href=https://bio.example.com/default>' in (site / "dist" / "default.html").read_text()


def test_the_preview_serves_page_n_without_a_redirect_as_pages_does(site):
    build_site(site)
    pages = PagesSite(load_config(site).output)
    second = pages.respond("/page/2")
    assert second.status == 200 and b"<title>Profiles, page 2</title>" in second.body
    assert pages.respond("/page/2.html").status == 308
    assert pages.respond("/page/9").status == 404


def test_a_directory_page_of_100_profiles_is_small(site):
    build_site(site)
    size = (site / "dist" / "page" / "2.html").stat().st_size
    # 100 cards of ~65 bytes, three index rows, the head: ~7 KB (the one-page directory
    # was 758 KB at 10,000 profiles).
    assert size < 9_000, size


def test_a_profile_named_page_is_refused(site):
    execute(site, "INSERT INTO profiles (id, username, display_name) VALUES ('p-page', 'page', 'Page')")
    with pytest.raises(ValidationError, match="'page' is reserved"):
        build_site(site)


@pytest.mark.slow  # one run of the Nu Html Checker (Java): ~5 s
def test_directory_pages_pass_the_nu_html_checker(site):
    from test_html_validity import nu_html_checker_errors
    build_site(site)
    dist = site / "dist"
    pages = [dist / "index.html", *sorted((dist / "page").glob("*.html"))]
    assert len(pages) == 3
    errors = nu_html_checker_errors(pages)
    assert not errors, "\n".join(errors)
