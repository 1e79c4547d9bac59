"""generator.data.validate: usernames, link and image URLs, local files, whole profiles."""

from __future__ import annotations

import html
import os
import posixpath
import re
import string
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.data import validate
from generator.errors import Problem, ValidationError
from generator.data.model import BioLink, CarouselItem, Product, Profile, SocialLink, load_profiles
from generator.data.validate import (IMAGE_EXTENSIONS, USERNAME_MAX, image_problem, link_problem, local_file_problem,
                                local_path_problem, profile_problems, text_problem, username_problem)


class _Str(str):
    """A str subclass: link_problem's fast path checks `__class__ is str`, so this takes the full check."""


# --------------------------------------------------------------------------
# Usernames
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a", "0", "alice", "bob42", "a.b", "a-b", "a_b", "a.b-c_d9",
                                  "example.com", "bio.example.co.uk", "x" * USERNAME_MAX, "404a", "indexer",
                                  "api2", "my.html.page", "a.htmlx"])
def test_valid_usernames(name):
    assert username_problem(name) is None


@pytest.mark.parametrize("name", ["", "Alice", "ALICE", "alice bob", "alice/bob", "ali@ce", "ä", "ali\u200bce",
                                  "-alice", "alice-", ".alice", "alice.", "_alice", "alice_", "a..b", "a...b",
                                  " alice", "alice ", "alice\n", "élan", "x" * (USERNAME_MAX + 1)])
def test_invalid_usernames(name):
    assert username_problem(name) is not None


@pytest.mark.parametrize("name", ["index", "404", "api", "sitemap", "robots", "assets", "m", "media", "favicon",
                                  "manifest", "functions", "cdn-cgi", "page", "alice.html", "a.htm", "index.html"])
def test_reserved_usernames_are_refused(name):
    message = username_problem(name)
    assert message is not None and "reserved" in message


@pytest.mark.parametrize("name", ["robots.txt", "sitemap.xml", "sitemap-1.xml"])
def test_usernames_that_shadow_site_files_are_refused(name):
    assert username_problem(name) is not None


@pytest.mark.parametrize("value", [None, 5, b"alice", ["alice"]])
def test_a_username_that_is_not_text_is_refused(value):
    assert username_problem(value) is not None


def test_username_length_limit_is_253():
    assert username_problem("a" * 253) is None
    assert "254 characters" in username_problem("a" * 254)


_VALID_USERNAME = st.from_regex(r"[a-z0-9](?:[a-z0-9._-]{0,40}[a-z0-9])?", fullmatch=True)


@given(_VALID_USERNAME)
def test_username_rules_hold_for_generated_names(name):
    expected_ok = (".." not in name and name not in validate.RESERVED_USERNAMES
                   and not name.endswith((".html", ".htm")))
    assert (username_problem(name) is None) == expected_ok


@given(st.text(min_size=1, max_size=30))
def test_any_accepted_username_uses_only_the_allowed_characters(name):
    if username_problem(name) is None:
        allowed = set(string.ascii_lowercase + string.digits + "._-")
        assert set(name) <= allowed
        assert name[0].isalnum() and name[-1].isalnum()
        assert ".." not in name


@given(_VALID_USERNAME, st.sampled_from(string.ascii_uppercase + " /\\:@?#%\u00e9\u200b"))
def test_a_username_with_a_forbidden_character_is_refused(name, bad):
    middle = len(name) // 2
    assert username_problem(name[:middle] + bad + name[middle:]) is not None


# --------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------

GOOD_LINKS = [
    "https://example.com",
    "https://example.com/",
    "http://example.com/path?q=1&r=2#frag",
    "https://sub.example.co.uk:8443/a/b",
    "HTTPS://EXAMPLE.COM/UPPER",
    "https://xn--tnht-lj0a.vn/ti%E1%BA%BFng",
    "https://example.com/tiếng-việt",
    "https://[2001:db8::1]/",
    "mailto:hello@example.com",
    "mailto:hello@example.com?subject=Hi%20there",
    "tel:+84123456789",
    "tel:+1-555-0100",
]

BAD_LINKS = [
    "https://user@example.com/",
    "https://paypal.com@evil.example/login",
    "https://user:secret@example.com/",
    "http://@example.com/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\x01javascript:alert(1)",
    "\x00javascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "\ufeffjavascript:alert(1)",
    "\u00adjavascript:alert(1)",
    "java\u200dscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "java&Tab;script:alert(1)",
    "java&NewLine;script:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "&amp;amp;#106;avascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "/relative/path",
    "relative/path",
    "example.com",
    "www.example.com",
    "#anchor",
    "?query",
    "//evil.com",
    "//evil.com/path",
    "https://",
    "http://",
    "https:///path-only",
    "https:evil.com",
    "https:/evil.com",
    "mailto:",
    "tel:",
    " https://example.com",
    "https://example.com ",
    "https://example.com\n",
    "\thttps://example.com",
    "\u00a0https://example.com",
    "https://exa\tmple.com",
    "https://example.com/\x7f",
    "",
    "   ",
]


@pytest.mark.parametrize("value", GOOD_LINKS)
def test_good_links_are_accepted(value):
    assert link_problem(value) is None
    assert link_problem(_Str(value)) is None  # the full check agrees with the fast path


@pytest.mark.parametrize("value", BAD_LINKS)
def test_bad_links_are_refused(value):
    assert link_problem(value) is not None
    assert link_problem(_Str(value)) is not None


@pytest.mark.parametrize("value", [None, 42, 3.5, b"https://example.com", ["https://example.com"]])
def test_a_link_that_is_not_text_is_refused(value):
    assert "not text" in link_problem(value)


def test_link_messages_say_what_is_wrong():
    assert "scheme 'javascript' is not allowed" in link_problem("javascript:alert(1)")
    assert "hides its scheme" in link_problem("&#106;avascript:alert(1)")
    assert "whitespace" in link_problem("https://example.com ")
    assert "control characters" in link_problem("java\tscript:x")
    assert "no host" in link_problem("https:evil.com")
    assert "not an absolute URL" in link_problem("//evil.com")


def test_the_link_from_the_real_data_with_a_trailing_space_is_refused():
    # current-site.md: "A link URL ends with a space."
    assert "whitespace" in link_problem("https://zalo.me/0123456789 ")


_HIDING = st.sampled_from(["", " ", "\t", "\n", "\r", "\x00", "\x01", "\x0b", "\x0c", "\x1f", "\x7f", "\x85",
                           "\u00a0", "\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u2028", "\u2060",
                           "\ufeff", "&#9;", "&Tab;", "&NewLine;", "&#x0A;", "&amp;"])
_SCHEMES = st.sampled_from(["javascript", "vbscript", "data", "file", "livescript"])


@st.composite
def _disguised_scheme(draw):
    """A dangerous scheme with hiding characters and entities scattered through it."""
    scheme = draw(_SCHEMES)
    chars = []
    for char in scheme + ":":
        if draw(st.booleans()):
            char = draw(st.sampled_from([char, char.upper(), f"&#{ord(char)};", f"&#x{ord(char):x};",
                                         f"&#{ord(char):07d};", "&colon;" if char == ":" else char]))
        chars.append(draw(_HIDING) + char)
    return "".join(chars) + draw(_HIDING) + draw(st.text(max_size=10))


def _as_a_browser_reads_it(value: str) -> str:
    """What a URL parser sees: leading C0 controls and spaces dropped, tabs and newlines removed."""
    return re.sub(r"[\t\n\r]", "", value.lstrip("".join(map(chr, range(0x21))))).lower()


@settings(max_examples=300)
@given(_disguised_scheme())
def test_disguised_dangerous_schemes_are_refused(value):
    assert link_problem(value) is not None
    if image_problem(value) is None:  # accepted only as a harmless local file name
        for seen in (value, html.unescape(value), html.unescape(html.unescape(value))):
            assert not _as_a_browser_reads_it(seen).startswith(("javascript:", "vbscript:", "data:", "file:",
                                                                 "livescript:"))


@settings(max_examples=300)
@given(st.one_of(_disguised_scheme(), st.text(max_size=30),
                 st.builds(lambda a, b: a + b, st.sampled_from(["https://", "http://", "mailto:", "tel:", "//"]),
                           st.text(max_size=20))))
def test_an_accepted_link_starts_plainly_with_an_allowed_scheme(value):
    if link_problem(value) is None:
        for seen in (value, html.unescape(html.unescape(html.unescape(value)))):
            assert seen.lower().startswith(("https://", "http://", "mailto:", "tel:"))
        assert value == value.strip()


@given(st.from_regex(validate._PLAIN_HTTP, fullmatch=True))
def test_the_fast_path_accepts_only_what_the_full_check_accepts(value):
    assert link_problem(value) is None
    assert link_problem(_Str(value)) is None
    assert image_problem(_Str(value)) is None


# --------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------

GOOD_IMAGES = [
    "https://images.unsplash.com/photo-1535713875002-d1d0cf377fde",
    "https://images.unsplash.com/photo-1?w=800&h=600&fit=crop&crop=center",
    "https://example.com/a.jpg?w=800&h=600&fit=crop",
    "http://example.com/a.png",
    "/avatar.jpg",
    "avatar.jpg",
    "images/a.png",
    "/images/team/b.webp",
    "a/./b.jpeg",
    "photo.JPG",
    "x.gif", "x.avif", "x.svg",
    "/avatar.jpg?v=2",
    "/ảnh đại diện.jpg",
    "/my%20photo.png",
]

BAD_IMAGES = [
    "https://user:secret@images.example/a.jpg",  # the build would send the password when it downloads
    "../x.jpg",
    "/../x.jpg",
    "images/../../x.jpg",
    "/images/../../etc/passwd.jpg",
    "%2e%2e/x.jpg",
    "%2E%2E/x.jpg",
    "/%2e%2e/%2e%2e/x.jpg",
    "..%2fx.jpg",
    "%2F..%2Fx.jpg",
    "a\\b.jpg",
    "..\\x.jpg",
    "a%5cb.jpg",
    "/a%00.jpg",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "javascript:alert(1)",
    "&#106;avascript:alert(1).jpg",
    "file:///etc/passwd.jpg",
    "mailto:a@b.c",
    "//evil.com/a.jpg",
    "https://",
    "https:evil.com/a.jpg",
    "/avatar.txt",
    "/avatar.html",
    "/avatar.svgz",
    "/avatar",
    "/",
    "images/",
    " /avatar.jpg",
    "/avatar.jpg ",
    "/ava\ttar.jpg",
    "",
]


@pytest.mark.parametrize("value", GOOD_IMAGES)
def test_good_images_are_accepted(value):
    assert image_problem(value) is None
    assert image_problem(_Str(value)) is None


@pytest.mark.parametrize("value", BAD_IMAGES)
def test_bad_images_are_refused(value):
    assert image_problem(value) is not None
    assert image_problem(_Str(value)) is not None


def test_image_messages_say_what_is_wrong():
    assert "escapes content/" in image_problem("../x.jpg")
    assert "escapes content/" in image_problem("%2e%2e/x.jpg")
    assert "backslashes" in image_problem("a\\b.jpg")
    assert "scheme 'data' is not allowed for images" in image_problem("data:image/png;base64,AAAA")
    assert "not an image file" in image_problem("/a.txt")
    assert "protocol-relative" in image_problem("//evil.com/a.jpg")


@settings(max_examples=300)
@given(st.lists(st.sampled_from(list("ab./\\%2eEfF5cC?#:") + [".jpg", "..", "%2e", "%2f", "%5c", "%252e"]),
                max_size=12).map("".join))
def test_an_accepted_local_image_stays_inside_content(value):
    value = value + ".png"
    if image_problem(value) is None and not value.lower().startswith(("http://", "https://")):
        path = unquote(value.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
        assert "\\" not in path
        assert ".." not in path.split("/")
        assert not posixpath.normpath(path).startswith("..")
        assert posixpath.splitext(path)[1].lower() in IMAGE_EXTENSIONS


def test_local_path_problem_checks_only_the_path():
    assert local_path_problem("a/b.png") is None
    assert local_path_problem("a/b.png?x=../../y") is None  # the query is not part of the file name
    assert local_path_problem("a/../b.png") is not None


# --------------------------------------------------------------------------
# Local files under content/
# --------------------------------------------------------------------------

@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    (folder / "images").mkdir(parents=True)
    (folder / "avatar.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "images" / "a.png").write_bytes(b"\x89PNG")
    return folder


def test_an_existing_file_under_content_is_fine(content):
    assert local_file_problem("/avatar.jpg", content) is None
    assert local_file_problem("images/a.png", content) is None
    assert local_file_problem("/avatar.jpg?w=100", content) is None


def test_a_missing_file_under_content_is_reported(content):
    message = local_file_problem("/nope.jpg", content)
    assert message is not None and "content/nope.jpg" in message and "does not exist" in message


def test_a_folder_is_not_a_file(content):
    (content / "dir.jpg").mkdir()
    assert local_file_problem("dir.jpg", content) is not None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symlink_inside_content_that_points_outside_is_refused(tmp_path, content):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"outside")
    (content / "evil.jpg").symlink_to(secret)
    message = local_file_problem("/evil.jpg", content)
    assert message is not None and "outside content/" in message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symlinked_folder_that_points_outside_is_refused(tmp_path, content):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.jpg").write_bytes(b"outside")
    (content / "linked").symlink_to(outside, target_is_directory=True)
    assert "outside content/" in local_file_problem("linked/x.jpg", content)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_symlink_that_stays_inside_content_is_fine(content):
    (content / "alias.jpg").symlink_to(content / "avatar.jpg")
    assert local_file_problem("alias.jpg", content) is None


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------

@pytest.mark.parametrize("value, required, ok", [
    (None, False, True),
    (None, True, False),
    ("", False, True),
    ("", True, False),
    ("   ", True, False),
    ("Tiếng Việt 🎉", True, True),
    ("مرحبا", True, True),
    (29, True, True),
    (29.5, True, True),
    (b"bytes", False, False),
])
def test_text_problem(value, required, ok):
    assert (text_problem(value, required=required) is None) == ok


# --------------------------------------------------------------------------
# profile_problems()
# --------------------------------------------------------------------------

def _profile(**changes) -> Profile:
    base = dict(id="p1", username="alice", display_name="Alice", tagline=None, avatar_url=None, cover_url=None,
                created_at=None, updated_at=None)
    base.update(changes)
    return Profile(**base)


def test_a_good_profile_has_no_problems():
    profile = _profile(
        tagline="Hi *there*", avatar_url="https://example.com/a.jpg?w=800&h=600", cover_url="/cover.png",
        social_links=(SocialLink("s1", "p1", "Twitter", "https://x.com/alice", "Twitter", 0),),
        bio_links=(BioLink("b1", "p1", "Blog", "https://blog.example.com", None, None, 0),),
        products=(Product("pr1", "p1", "Book", None, "29", "https://shop.example.com", 0),),
        carousel_items=(CarouselItem("c1", "p1", "Tool", None, "https://tool.example.com", 0),),
    )
    assert profile_problems(profile) == []


def test_profile_problems_reports_every_problem_located():
    profile = _profile(
        username="Bad Name",
        display_name="  ",
        avatar_url="javascript:alert(1)",
        cover_url="../cover.jpg",
        social_links=(SocialLink("s1", "p1", "", "javascript:alert(1)", None, 0),
                      SocialLink("s2", "p1", "Mail", "mailto:a@b.c", None, 1)),
        bio_links=(BioLink("b1", "p1", "Blog", "https://ok.example.com ", None, "%2e%2e/x.jpg", 0),),
        products=(Product("pr1", "p1", "Book", "data:image/png;base64,AA", None, "//evil.com", 0),),
        carousel_items=(CarouselItem("c1", "p1", None, "/logo.txt", "file:///etc/passwd", 0),),
    )
    problems = profile_problems(profile)
    located = {(p.profile, p.table, p.row_id, p.column) for p in problems}
    assert located == {
        ("Bad Name", "profiles", "p1", "username"),
        ("Bad Name", "profiles", "p1", "display_name"),
        ("Bad Name", "profiles", "p1", "avatar_url"),
        ("Bad Name", "profiles", "p1", "cover_url"),
        ("Bad Name", "social_links", "s1", "platform"),
        ("Bad Name", "social_links", "s1", "url"),
        ("Bad Name", "bio_links", "b1", "url"),
        ("Bad Name", "bio_links", "b1", "background_image"),
        ("Bad Name", "products", "pr1", "image_url"),
        ("Bad Name", "products", "pr1", "price"),
        ("Bad Name", "products", "pr1", "url"),
        ("Bad Name", "carousel_items", "c1", "name"),
        ("Bad Name", "carousel_items", "c1", "logo_url"),
        ("Bad Name", "carousel_items", "c1", "url"),
    }
    assert len(problems) == len(located)
    assert all(isinstance(p, Problem) and p.message for p in problems)


def test_required_links_may_not_be_empty_but_optional_images_may():
    profile = _profile(bio_links=(BioLink("b1", "p1", "Blog", "", "", "", 0),))
    problems = profile_problems(profile)
    assert [(p.table, p.column) for p in problems] == [("bio_links", "url")]
    assert "required" in problems[0].message


def test_profile_problems_checks_local_files_when_given_content(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "here.jpg").write_bytes(b"x")
    profile = _profile(avatar_url="/here.jpg", cover_url="/missing.jpg",
                       bio_links=(BioLink("b1", "p1", "B", "https://a.example", None,
                                          "https://example.com/remote.jpg", 0),))
    assert profile_problems(profile) == []  # without content_dir, files are not checked
    problems = profile_problems(profile, content)
    assert [(p.table, p.row_id, p.column) for p in problems] == [("profiles", "p1", "cover_url")]
    assert "does not exist" in problems[0].message


def test_profile_problems_of_a_profile_loaded_from_the_database(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1", "alice", avatar_url="javascript:alert(1)")
    add_child(empty_db, "bio_links", "b1", "p1", url="&#106;avascript:alert(1)")
    add_child(empty_db, "bio_links", "b2", "p1", url="https://fine.example")
    add_child(empty_db, "products", "pr1", "p1", price="   ")
    add_profile(empty_db, "p2", "index")
    problems = [p for profile in load_profiles(empty_db) for p in profile_problems(profile)]
    assert sorted((p.profile, p.table, p.row_id, p.column) for p in problems) == [
        ("alice", "bio_links", "b1", "url"),
        ("alice", "products", "pr1", "price"),
        ("alice", "profiles", "p1", "avatar_url"),
        ("index", "profiles", "p2", "username"),
    ]
    error = ValidationError(problems)
    text = str(error)
    assert "(4)" in text
    assert "profile 'alice': bio_links row 'b1', column url:" in text


# The fast whole-profile check may only accept what the column-by-column check accepts.
_TRICKY_URLS = ["https://example.com", "http://a.b/c?d=e&f=g", "mailto:a@b.c", "tel:+1 555", "tel:+15550100",
                "javascript:alert(1)", "https://", "https:evil", " https://a.com", "https://a.com ", "/local.jpg",
                "images/a.png", "data:image/png;base64,AA", "mailto:", "HTTPS://A.COM", "https://exa mple.com",
                "https://a.com/\u200b", "jav&#x61;script:x", "", None, 5, b"https://a.com"]
_TRICKY_TEXT = ["Name", "", " ", "\t", None, 3, 2.5, b"bytes", "Tiếng Việt 🎉", "\u00a0"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TRICKY_URLS), min_size=6, max_size=6),
       st.lists(st.sampled_from(_TRICKY_TEXT), min_size=6, max_size=6))
def test_fast_profile_check_accepts_only_what_the_full_check_accepts(urls, texts):
    from generator.data.model import BioLink, CarouselItem, Product, Profile, SocialLink
    from generator.data.validate import _detailed_problems, _plainly_valid
    profile = Profile("p", "user", texts[0], texts[1], urls[0], urls[1], None, None,
                      social_links=(SocialLink("s", "p", texts[2], urls[2], texts[3], 0),),
                      bio_links=(BioLink("b", "p", texts[4], urls[3], texts[5], urls[4], 0),),
                      products=(Product("r", "p", "Thing", urls[5], "$1", "https://shop.example.com", 0),),
                      carousel_items=(CarouselItem("c", "p", "Tool", None, urls[2], 0),))
    if _plainly_valid(profile):
        assert _detailed_problems(profile, None) == []


@pytest.mark.parametrize("url", ["https:// x", "https://exa mple.com", "https://a b.example/x.png",
                                 "https://exa\u200bmple.com/"])
def test_hosts_with_spaces_or_invisible_characters_are_refused(url):
    from generator.data.validate import image_problem, link_problem
    assert link_problem(url) and image_problem(url)
