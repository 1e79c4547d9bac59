"""generator.data.urls.href: a URL as a page writes it, percent-encoded as the WHATWG URL
standard's serializer encodes it (https://url.spec.whatwg.org/#percent-encoded-bytes),
so that it is a valid URL (the Nu Html Checker's rule) and leads where the stored one does.

Expected values are worked out from the standard's percent-encode sets and its host
parser (UTS #46, non-transitional), as web-platform-tests' urltestdata.json states
them; the Chromium test compares with the browser's own `new URL(x).href`."""

from __future__ import annotations

import html.parser
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.data import urls
from generator.data.urls import href
from generator.data.validate import link_problem
from generator.build.build import build
from generator.config import load_config
from sitekit import HOSTILE, HOSTILE_ROWS, add_hostile_profile, make_site

CASES = [
    # The example: a double quote is not allowed unescaped in a query.
    ('https://example.com/0?a=1&b="2"', "https://example.com/0?a=1&b=%222%22"),
    # Spaces, in every component.
    ("https://example.com/a b?c d#e f", "https://example.com/a%20b?c%20d#e%20f"),
    # {}|^` and [] in the path; a backslash is a slash in an http(s) path.
    ("https://example.com/{a}|b^c`d[e]", "https://example.com/%7Ba%7D%7Cb%5Ec%60d%5Be%5D"),
    ("https://example.com/a\\b\\c", "https://example.com/a/b/c"),
    ("https://example.com\\a", "https://example.com/a"),
    ("https:\\\\example.com\\a", "https://example.com/a"),  # urltestdata: http:\\www.google.com\foo
    ("https:///example.com/", "https://example.com/"),        # the parser skips extra slashes
    # The same in the query, where a backslash is no separator; ' is in the special-query set.
    ("https://example.com/?q={a}|b\\c^d`e[f]'g", "https://example.com/?q=%7Ba%7D%7Cb%5Cc%5Ed%60e%5Bf%5D%27g"),
    # <> and " everywhere; a backtick, and a second #, in the fragment; ' stays in a fragment.
    ('https://example.com/<a>?<b>"#<c>"`d#e\'', "https://example.com/%3Ca%3E?%3Cb%3E%22#%3Cc%3E%22%60d%23e'"),
    # Characters a valid URL holds as they are: kept.
    ("https://example.com/a'b(c)*!$,;=:@~_-.?x=1&y=a/b?c#frag/?'!",
     "https://example.com/a'b(c)*!$,;=:@~_-.?x=1&y=a/b?c#frag/?'!"),
    # Non-ASCII in the path, query and fragment: UTF-8, percent-encoded.
    ("https://example.com/café", "https://example.com/caf%C3%A9"),
    ("https://example.com/a?q=ñ#ü", "https://example.com/a?q=%C3%B1#%C3%BC"),
    ("https://example.com/\u00a0x\U0001F600", "https://example.com/%C2%A0x%F0%9F%98%80"),
    ("https://example.com/\ud800", "https://example.com/%EF%BF%BD"),  # a lone surrogate, as U+FFFD
    # Escapes already valid are kept (never %2520), in either case; a bare % becomes %25.
    ("https://example.com/a%20b?c%2fd#%7E", "https://example.com/a%20b?c%2fd#%7E"),
    ("https://example.com/100%?q=5%&r=%zz#%", "https://example.com/100%25?q=5%25&r=%25zz#%25"),
    ("https://example.com/%C3%A9é", "https://example.com/%C3%A9%C3%A9"),
    # Hosts: Unicode becomes IDNA (UTS #46 maps case, width and dots first).
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
    ("https://BÜCHER.example/café", "https://xn--bcher-kva.example/caf%C3%A9"),
    ("https://faß.de/", "https://xn--fa-hia.de/"),  # non-transitional: not fass.de (IDNA 2003)
    ("https://例え.テスト/パス", "https://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9"),
    ("https://ＥＸＡＭＰＬＥ。com/", "https://example.com/"),
    ("https://💩.la", "https://xn--ls8h.la"),
    ("https://bücher.example:8443/a?b#c", "https://xn--bcher-kva.example:8443/a?b#c"),
    ("https://ex%61mple.com/", "https://example.com/"),  # a host is percent-decoded first
    ("https://a\u200bb.com/", "https://ab.com/"),  # UTS #46 ignores a zero-width space
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
    ("http://[::1]:8080/a b", "http://[::1]:8080/a%20b"),
    # Userinfo: the last @ ends it; the userinfo set encodes : and @ in the password.
    ("https://us er:p@ss:w@example.com/", "https://us%20er:p%40ss%3Aw@example.com/"),
    # The parser strips C0 controls and spaces at the ends and drops tabs and newlines.
    (" https://example.com/a\tb\nc\r \x01", "https://example.com/abc"),
    ("https://example.com/a\x01b\x7fc", "https://example.com/a%01b%7Fc"),
    # What the serializer would merely normalize is left as written.
    ("HTTPS://Example.COM:443/a/../b", "HTTPS://Example.COM:443/a/../b"),
    ("https://example.com", "https://example.com"),
    ("https://example.com?q=1", "https://example.com?q=1"),
    # mailto: and tel: (opaque paths): the path set, then the query and fragment sets.
    ("mailto:ana@example.com", "mailto:ana@example.com"),
    ("mailto:ana@example.com?subject=Hi there&body=\"it's\"", "mailto:ana@example.com?subject=Hi%20there&body=%22it's%22"),
    ("mailto:a b@bücher.example", "mailto:a%20b@b%C3%BCcher.example"),
    ("MAILTO:<ana@example.com>", "MAILTO:%3Cana@example.com%3E"),
    ("tel:+1 (555) 010-0100", "tel:+1%20(555)%20010-0100"),
    ("tel:+1-555-0100", "tel:+1-555-0100"),
    ("tel:{1}|2\\3^4`5", "tel:%7B1%7D%7C2%5C3%5E4%605"),
]


@pytest.mark.parametrize("url, expected", CASES, ids=[repr(url) for url, _ in CASES])
def test_href_encodes_as_the_url_standard_does(url, expected):
    assert href(url) == expected
    assert href(expected) == expected  # idempotent: a written URL is written again as it is


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>", "/relative path", "",
                                 "https://", "https://a\ufffdb.com/ x"])
def test_href_leaves_what_it_cannot_serialize_as_it_is(url):
    # Other schemes, relative and unparseable URLs: the link rules turn them away already.
    assert href(url) == url


# A valid URL string (https://url.spec.whatwg.org/#valid-url-string) of the kinds
# above, in ASCII: URL code points and %XX escapes only.
_VALID = re.compile(r"(?:[A-Za-z0-9!$&'()*+,\-./:;=?@_~#]|%[0-9A-Fa-f]{2})*")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
       st.sampled_from(["https://example.com/", "https://example.com/?", "https://example.com/#",
                        "https://bücher.example/x?", "mailto:", "tel:"]))
def test_href_of_any_text_is_a_valid_url_written_once(text, prefix):
    url = prefix + text
    written = href(url)
    assert _VALID.fullmatch(written), written
    assert written.count("#") <= 1
    assert href(written) == written


_URL_TEXT = st.text(alphabet="abcXYZ019!$&'()*+,-./:;=?@_~%#[]|\\^{}` \"<>é", max_size=30)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["https://", "http://", "mailto:", "tel:", "HTTPS://", "https://a.b"]), _URL_TEXT)
def test_the_shortcut_for_valid_urls_agrees_with_the_parse(prefix, text):
    url = prefix + text
    assert href(url) == urls.serialize(url)


@pytest.mark.parametrize("url", ["https://example.com/0?a=1&b=\"2\"", "https://bücher.example/café",
                                 "mailto:a b@example.com", "https://example.com\\a"])
def test_what_the_rules_accept_they_accept_written_too(url):
    assert link_problem(url) is None and link_problem(href(url)) is None


# --------------------------------------------------------------------------
# Against Chromium's own URL parser: `new URL(x).href`
# --------------------------------------------------------------------------

# Each printable ASCII character that is not a letter or digit, and some beyond ASCII
# (no-break space, é, an emoji, a right-to-left letter, a noncharacter), in each
# component of each kind of URL a link may hold.
CHARACTERS = [chr(code) for code in range(0x20, 0x7f) if not chr(code).isalnum()] + \
    ["\x01", "\x7f", "\u00a0", "é", "\U0001F600", "\u05d0", "\ufdd0"]
SHAPES = ["https://example.com/a{}b", "https://example.com/a?q={}b", "https://example.com/a#f{}b",
          "http://user{}name:pass{}word@example.com/", "mailto:a{}b@example.com",
          "mailto:a@example.com?subject={}b", "tel:+1{}555"]
HOSTS = ["https://bücher.example/", "https://BÜCHER.Example/x", "https://faß.de/", "https://💩.la/",
         "https://例え.テスト/パス?キー=値#断片", "https://ＥＸＡＭＰＬＥ。com/", "https://ex%61mple.com/",
         "https://a\u200bb.com/", "https://xn--bcher-kva.example/", "https://bücher.example:8443/a b",
         "https://ü.example\\a\\b?c\\d#e\\f"]
OTHER = ['https://example.com/0?a=1&b="2"', "https://example.com\\a\\b", "https:\\\\example.com/",
         "https:///example.com/", "HTTPS://EXAMPLE.COM:443/a/./b/../c", "https://example.com/%zz%2f%",
         "https://example.com/#a#b#c", "mailto:ana@example.com?subject=Hi there&body=<\"x\">",
         "https://example.com/a%20b/%C3%A9é?%7b{", "https://u:p@ss@example.com/"]
UNPARSEABLE = ["https://", "https://a\ufffdb.com/"]


def _encode_rest(text: str, characters: str) -> str:
    out = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", text)
    return "".join(f"%{ord(c):02X}" if c in characters else c for c in out)


def _valid(browser_href: str) -> str:
    """The browser's serialization with what it leaves raw but no valid URL holds
    percent-encoded: [ ] | \\ ^ { } ` and a bare %, a second #; in an opaque path
    (mailto:, tel:) the path set too, which the browser leaves raw there."""
    match = re.match(r"(https?://)(?:([^/@]*)@)?([^/]*)", browser_href)
    if match:
        scheme, userinfo, host = match.groups()
        prefix = scheme + (_encode_rest(userinfo, "") + "@" if userinfo is not None else "") + host
        rest, characters = browser_href[match.end():], "[]|\\^{}`"
    else:
        scheme, rest = browser_href.split(":", 1)
        prefix, characters = scheme + ":", '[]|\\^{}` "<>'
    head, hash_, fragment = rest.partition("#")
    return prefix + _encode_rest(head, characters) + (hash_ + _encode_rest(fragment, characters + "#") if hash_ else "")


@pytest.mark.slow  # Chromium starts in ~2.5 s, over 4 s on a busy machine
def test_href_leads_where_chromium_leads_and_chromium_keeps_it():
    from test_browser import launched_chromium
    cases = [(shape.replace("{}", char), shape, char) for shape in SHAPES for char in CHARACTERS]
    cases += [(url, None, None) for url in HOSTS + OTHER]
    written = [href(url) for url, _, _ in cases]
    with launched_chromium() as chromium:
        page = chromium.new_page()
        parse = "urls => urls.map(url => { try { return new URL(url).href } catch (e) { return null } })"
        theirs, theirs_of_ours = page.evaluate(parse, [url for url, _, _ in cases]), page.evaluate(parse, written)
        unparseable = page.evaluate(parse, UNPARSEABLE)
    problems = []
    for (url, shape, char), ours, their, their_of_ours in zip(cases, written, theirs, theirs_of_ours):
        # The same place: Chromium reads ours as it reads the stored URL, up to the
        # characters a valid URL must encode and Chromium leaves raw.
        if their is None or their_of_ours != _valid(their):
            problems.append(f"{url!r}: ours {ours!r} reads as {their_of_ours!r}, Chromium's own {their!r}")
            continue
        # Written as Chromium writes it, for URLs already in its normal shape: nothing is
        # left for the browser to encode. Not compared: a character that ends the
        # userinfo (Chromium then adds the path's /), and ' in a userinfo or a mailto:
        # query, which Chromium encodes and the standard does not (both lead alike).
        if shape is None:
            continue
        userinfo = "@example.com/" in shape
        if (userinfo and char in "#?/\\@") or (char == "'" and (userinfo or "?subject" in shape)):
            continue
        if their_of_ours != ours:
            problems.append(f"{url!r}: ours {ours!r}, Chromium writes {their_of_ours!r}")
    assert not problems, "\n".join(problems)
    assert unparseable == [None] * len(UNPARSEABLE)
    assert [href(url) for url in UNPARSEABLE] == UNPARSEABLE


# --------------------------------------------------------------------------
# The pages write every URL through href; the JSON documents keep them exactly
# --------------------------------------------------------------------------

MARKDOWN_DESTINATIONS = ["mailto:a b@example.com?subject=Hi there", 'https://example.com/0?a=1&b="2"',
                         "https://bücher.example/café", 'https://example.com/x y?q="z"', "https://example.com/a\\b"]
LINK_COLUMNS = {"url"}
IMAGE_COLUMNS = {"avatar_url", "cover_url", "background_image", "image_url", "logo_url"}


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("urls") / "site")
    add_hostile_profile(site)
    build(load_config(site, base_url="https://Bücher.example"))  # a Unicode host for the canonical URL
    return site / "dist"


class _Attributes(html.parser.HTMLParser):
    """Every URL-valued attribute of a page, decoded as a browser decodes it."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.json_ld: list[dict] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "src"):
            if attributes.get(name):
                self.urls.append(attributes[name])
        if attributes.get("srcset"):
            self.urls += [part.split()[0] for part in attributes["srcset"].split(",")]
        if attributes.get("property") in ("og:url", "og:image"):
            self.urls.append(attributes["content"])
        self._in_json_ld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld.append(json.loads(data))


def _stored(columns: set[str]) -> list[str]:
    return [row[column] for rows in HOSTILE_ROWS.values() for row in rows for column in columns if row.get(column)]


def test_the_page_writes_every_url_as_href_writes_it(hostile_output):
    page = _Attributes()
    page.feed((hostile_output / f"{HOSTILE}.html").read_text(encoding="utf-8"))
    written = set(page.urls)
    for url in _stored(LINK_COLUMNS | IMAGE_COLUMNS) + MARKDOWN_DESTINATIONS:
        assert href(url) in written, f"{url!r} is not written as {href(url)!r}"
        assert href(url) != url  # each one needs encoding: the test would hold for nothing otherwise
    for url in written:
        assert _VALID.fullmatch(url) and url.count("#") <= 1, f"{url!r} is not a valid URL"
    assert 'https://example.com/0?a=1&b=%222%22' in written  # the example
    assert f"https://xn--bcher-kva.example/{HOSTILE}" in written  # canonical and og:url
    document, = page.json_ld
    graph = document.get("@graph", [document])
    assert graph[0]["@type"] == "ProfilePage"
    person = graph[0]["mainEntity"]
    assert person["image"] == href(HOSTILE_ROWS["profiles"][0]["avatar_url"])
    assert person["sameAs"] == [href(row["url"]) for row in HOSTILE_ROWS["social_links"]
                                if row["url"].startswith("https:")]


def test_the_json_document_keeps_every_url_exactly(hostile_output):
    document = json.loads((hostile_output / "api" / "profiles" / f"{HOSTILE}.json").read_text(encoding="utf-8"))
    profile, = HOSTILE_ROWS["profiles"]
    assert (document["profile"]["avatar"], document["profile"]["coverImage"]) == (profile["avatar_url"], profile["cover_url"])
    assert document["profile"]["tagline"] == profile["tagline"]
    assert [s["url"] for s in document["profile"]["socialLinks"]] == [r["url"] for r in HOSTILE_ROWS["social_links"]]
    assert [(link["url"], link["backgroundImage"] or None, link["description"] or None) for link in document["links"]] == [
        (r["url"], r["background_image"], r["description"]) for r in HOSTILE_ROWS["bio_links"]]
    assert [(p["url"], p["image"]) for p in document["products"]] == [(r["url"], r["image_url"]) for r in HOSTILE_ROWS["products"]]
    assert [(t["url"], t["logo"]) for t in document["aiTools"]] == [(r["url"], r["logo_url"]) for r in HOSTILE_ROWS["carousel_items"]]
