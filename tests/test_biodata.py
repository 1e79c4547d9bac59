"""generator.data.biodata: the Worker's BioData document, byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from generator.data.biodata import _text, biodata_json, dumps, to_biodata
from generator.data.model import BioLink, CarouselItem, Product, Profile, ProfileSettings, SocialLink, load_profiles

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not on PATH")


def _profile(**changes) -> Profile:
    base = dict(id="p1", username="alice", display_name="Alice", tagline=None, avatar_url=None, cover_url=None,
                created_at=None, updated_at=None)
    base.update(changes)
    return Profile(**base)


def _settings(**values) -> ProfileSettings:
    """A settings row of profile p1: NULL in every column not given."""
    return ProfileSettings("p1", **{column: values.get(column) for column in ProfileSettings._fields[1:]})


def _full_profile(text: str = "x", *, with_settings: bool = False) -> Profile:
    """A profile with `text` in every field the document carries (and every text setting)."""
    row = _settings(theme=text, accent=text, button_shape=text, language=text, show_links=1, show_products=0,
                    show_tools=1, links_heading=text, products_heading=text, tools_heading=text, seo_title=text,
                    seo_title_template=text, seo_description=text)
    return _profile(
        profile_settings=(row,) if with_settings else (),
        display_name=text, tagline=text, avatar_url=text, cover_url=text,
        social_links=(SocialLink("s1", "p1", text, text, text, 0), SocialLink("s2", "p1", text, text, None, 1)),
        bio_links=(BioLink("b1", "p1", text, text, text, text, 0), BioLink("b2", "p1", text, text, None, None, 1)),
        products=(Product("pr1", "p1", text, text, text, text, 0),),
        carousel_items=(CarouselItem("c1", "p1", text, text, text, 0), CarouselItem("c2", "p1", text, None, text, 1)),
    )


# --------------------------------------------------------------------------
# Shape and key order
# --------------------------------------------------------------------------

def test_document_shape_and_key_order():
    document = to_biodata(_full_profile())
    assert list(document) == ["profile", "links", "products", "aiTools"]
    assert list(document["profile"]) == ["name", "tagline", "avatar", "coverImage", "socialLinks"]
    assert [list(s) for s in document["profile"]["socialLinks"]] == [["name", "url", "icon"]] * 2
    assert [list(b) for b in document["links"]] == [["id", "name", "url", "description", "backgroundImage"]] * 2
    assert [list(p) for p in document["products"]] == [["id", "name", "image", "price", "url"]]
    assert [list(c) for c in document["aiTools"]] == [["id", "name", "logo", "url"]] * 2


def test_document_values_come_from_the_right_columns():
    profile = _profile(
        display_name="Alice A", tagline="Hello", avatar_url="/avatar.jpg", cover_url="https://c.example/c.jpg",
        social_links=(SocialLink("s1", "p1", "Twitter", "https://x.com/a", "Twitter", 0),),
        bio_links=(BioLink("b1", "p1", "Blog", "https://blog.example", "My blog", "https://img.example/b.jpg", 0),),
        products=(Product("pr1", "p1", "Book", "https://img.example/p.jpg", "29.99", "https://shop.example", 0),),
        carousel_items=(CarouselItem("c1", "p1", "ChatGPT", "https://img.example/l.png", "https://chat.example", 0),),
    )
    assert to_biodata(profile) == {
        "profile": {"name": "Alice A", "tagline": "Hello", "avatar": "/avatar.jpg",
                    "coverImage": "https://c.example/c.jpg",
                    "socialLinks": [{"name": "Twitter", "url": "https://x.com/a", "icon": "Twitter"}]},
        "links": [{"id": 1, "name": "Blog", "url": "https://blog.example", "description": "My blog",
                   "backgroundImage": "https://img.example/b.jpg"}],
        "products": [{"id": 1, "name": "Book", "image": "https://img.example/p.jpg", "price": "29.99",
                      "url": "https://shop.example"}],
        "aiTools": [{"id": 1, "name": "ChatGPT", "logo": "https://img.example/l.png", "url": "https://chat.example"}],
    }


def test_ids_are_one_based_positions_not_row_ids():
    links = tuple(BioLink(f"row-{n}", "p1", f"L{n}", "https://a.example", None, None, 3) for n in (9, 4, 7))
    products = tuple(Product(f"pr-{n}", "p1", "P", None, "1", "https://a.example", n) for n in (5, 6))
    tools = tuple(CarouselItem(f"c-{n}", "p1", "T", None, "https://a.example", None) for n in range(4))
    document = to_biodata(_profile(bio_links=links, products=products, carousel_items=tools))
    assert [(link["id"], link["name"]) for link in document["links"]] == [(1, "L9"), (2, "L4"), (3, "L7")]
    assert [p["id"] for p in document["products"]] == [1, 2]
    assert [c["id"] for c in document["aiTools"]] == [1, 2, 3, 4]
    assert "id" not in document["profile"]["socialLinks"]


def test_null_columns_become_empty_strings():
    profile = _profile(
        tagline=None, avatar_url=None, cover_url=None,
        social_links=(SocialLink("s1", "p1", "Web", "https://a.example", None, None),),
        bio_links=(BioLink("b1", "p1", "B", "https://a.example", None, None, None),),
        products=(Product("pr1", "p1", "P", None, "5", "https://a.example", None),),
        carousel_items=(CarouselItem("c1", "p1", "C", None, "https://a.example", None),),
    )
    document = to_biodata(profile)
    assert document["profile"]["tagline"] == document["profile"]["avatar"] == document["profile"]["coverImage"] == ""
    assert document["profile"]["socialLinks"][0]["icon"] == ""
    assert document["links"][0]["description"] == document["links"][0]["backgroundImage"] == ""
    assert document["products"][0]["image"] == ""
    assert document["aiTools"][0]["logo"] == ""
    assert "null" not in biodata_json(profile)


@pytest.mark.parametrize("price, expected", [(29, "29"), (29.0, "29"), (29.5, "29.5"), (0, "0"), (0.1, "0.1"),
                                             (-3, "-3"), (100.0, "100"), ("29.000", "29.000")])
def test_a_numeric_price_comes_back_as_a_string(price, expected):
    document = to_biodata(_profile(products=(Product("pr1", "p1", "P", None, price, "https://a.example", 0),)))
    assert document["products"][0]["price"] == expected
    assert f'"price":"{expected}"' in biodata_json(_profile(
        products=(Product("pr1", "p1", "P", None, price, "https://a.example", 0),)))


def test_a_price_stored_as_a_number_in_sqlite_comes_back_as_the_text_sqlite_keeps(empty_db, add_profile, add_child):
    add_profile(empty_db, "p1")
    add_child(empty_db, "products", "a", "p1", price=29, order_index=0)
    add_child(empty_db, "products", "b", "p1", price=29.5, order_index=1)
    add_child(empty_db, "products", "c", "p1", price=29.0, order_index=2)
    [profile] = load_profiles(empty_db)
    # TEXT affinity stores numbers as text, exactly as D1 would hand them to the Worker.
    assert [p["price"] for p in to_biodata(profile)["products"]] == ["29", "29.5", "29.0"]


def test_the_default_profile_document_is_exact(migrated_db):
    [profile] = load_profiles(migrated_db)
    assert biodata_json(profile) == (
        '{"profile":{"name":"Default Profile","tagline":"Premium Bio Website",'
        '"avatar":"https://images.unsplash.com/photo-1535713875002-d1d0cf377fde",'
        '"coverImage":"https://images.unsplash.com/photo-1579546929518-9e396f3cc809",'
        '"socialLinks":[]},"links":[],"products":[],"aiTools":[]}')


def test_json_is_compact_and_unescaped_utf8():
    assert " " not in biodata_json(_full_profile("x"))  # no spaces between tokens
    text = biodata_json(_full_profile("Tiếng Việt 🎉 </script> & / \u2028 'x'"))
    assert "\\u" not in text
    assert "Tiếng Việt 🎉 </script> & / \u2028 'x'" in text
    assert json.loads(text) == to_biodata(_full_profile("Tiếng Việt 🎉 </script> & / \u2028 'x'"))


def test_only_quotes_backslashes_and_control_characters_are_escaped():
    assert dumps('"\\') == '"\\"\\\\"'
    assert dumps("\b\f\n\r\t") == '"\\b\\f\\n\\r\\t"'
    assert dumps("\x00\x01\x1f") == '"\\u0000\\u0001\\u001f"'
    assert dumps("\x7f\u2028\u2029/<>&") == '"\x7f\u2028\u2029/<>&"'


def test_a_profile_loaded_from_the_database_keeps_hostile_text_exactly(empty_db, add_profile, add_child):
    hostile = "\"quoted\" \\ back \x00\x01\x1f\x7f \u2028\u2029 </script> 🎉 Tiếng Việt مرحبا"
    add_profile(empty_db, "p1", display_name=hostile, tagline=hostile)
    add_child(empty_db, "bio_links", "b1", "p1", name=hostile, description=hostile)
    [profile] = load_profiles(empty_db)
    document = json.loads(biodata_json(profile))
    assert document["profile"]["name"] == document["profile"]["tagline"] == hostile
    assert document["links"][0]["name"] == document["links"][0]["description"] == hostile


# --------------------------------------------------------------------------
# Byte-for-byte equality with JavaScript's JSON.stringify
# --------------------------------------------------------------------------

HOSTILE = {
    "double_quote": '"',
    "quotes": "She said \"hi\" and 'bye'",
    "backslash": "\\",
    "backslashes_and_quotes": "C:\\path\\\"file\"\\\\",
    "escape_lookalikes": "\\n \\u0000 \\\\u2028",
    "all_controls": "".join(chr(c) for c in range(0x00, 0x20)),
    "del": "\x7f",
    "c1_controls": "".join(chr(c) for c in range(0x80, 0xa0)),
    "line_separators": "a\u2028b\u2029c",
    "script_close": "</script><script>alert(1)</script>",
    "html_comment": "<!-- x --> <![CDATA[ ]]>",
    "slashes_and_amp": "https://a.example/?a=1&b=2 / \\/",
    "emoji": "👩‍💻 🇻🇳 👍🏽 ❤️ 🎉",
    "astral": "\U0001F600\U00010000\U0010FFFF",
    "vietnamese": "Xin chào! Tiếng Việt: ắ ằ ẳ ẵ ặ đ ơ ư",
    "rtl": "مرحبا بالعالم שלום \u202eevil\u202c",
    "cjk": "你好，世界 日本語 한국어",
    "bom_zero_width": "\ufeff\u200b\u200c\u200d\u2060",
    "nonchars": "\ufffe\uffff\ufdd0",
    "combining": "e\u0301 a\u0308",
    "empty": "",
}
for code in range(0x01, 0x20):
    HOSTILE[f"control_{code:02x}"] = f"a{chr(code)}b"
HOSTILE["one_megabyte"] = ("Tiếng Việt \"q\" \\ \n\t\x01 </script> 🎉 \u2028 " * 22000)[:1_000_000]


@pytest.fixture(scope="module")
def javascript_output(tmp_path_factory):
    """Each hostile document parsed and re-stringified by node: {case: bytes}."""
    if NODE is None:
        pytest.skip("node is not on PATH")
    folder = tmp_path_factory.mktemp("node")
    source = folder / "documents.json"
    cases = sorted(HOSTILE)
    # ASCII-only input, so the comparison below is not Python reading its own output back.
    source.write_text(json.dumps([to_biodata(_full_profile(HOSTILE[c], with_settings=True)) for c in cases],
                                 ensure_ascii=True))
    script = ("const fs = require('fs');"
              "const docs = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));"
              "const out = Buffer.from(docs.map(d => JSON.stringify(d)).join('\\n'), 'utf8');"
              "fs.writeFileSync(process.argv[2], out);")
    target = folder / "out.bin"
    subprocess.run([NODE, "-e", script, str(source), str(target)], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    # JSON.stringify escapes every newline inside a string, so b"\n" only separates documents.
    outputs = target.read_bytes().split(b"\n")
    assert len(outputs) == len(cases)
    return dict(zip(cases, outputs))


@needs_node
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_biodata_json_equals_javascripts_json_stringify_byte_for_byte(javascript_output, case):
    ours = biodata_json(_full_profile(HOSTILE[case], with_settings=True)).encode("utf-8")
    assert ours == javascript_output[case]


@needs_node
def test_the_one_megabyte_document_is_large(javascript_output):
    assert len(javascript_output["one_megabyte"]) > 7 * 1_000_000  # eleven fields of 1 MB text, and settings


# Floats never reach biodata from SQLite (every text column has TEXT affinity), but a
# Profile built in Python can carry one; _text claims JavaScript's String() for it.
FLOATS_SAME = [29.0, 29.5, 0.1, -0.0, 100.0, 123.456, 2.0 ** 53, 1e16, 1e20, 5e-324]
FLOATS_DIFFERENT = [1e21, 1.2345678901234568e20, 1e-7, float("inf")]


@pytest.fixture(scope="module")
def javascript_strings():
    if NODE is None:
        pytest.skip("node is not on PATH")
    values = FLOATS_SAME + FLOATS_DIFFERENT
    script = ("const v = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(v.map(x => x === null ? String(Infinity) : String(x))));")
    encoded = json.dumps([None if v == float("inf") else v for v in values])
    result = subprocess.run([NODE, "-e", script], input=encoded, capture_output=True, text=True, check=True,
                            timeout=30)
    return dict(zip(map(repr, values), json.loads(result.stdout)))


@needs_node
@pytest.mark.parametrize("value", FLOATS_SAME, ids=repr)
def test_a_float_is_written_as_javascripts_string(javascript_strings, value):
    assert _text(value) == javascript_strings[repr(value)]


@needs_node
@pytest.mark.parametrize("value", FLOATS_DIFFERENT, ids=repr)
def test_a_float_is_written_as_javascripts_string_at_the_extremes(javascript_strings, value):
    assert _text(value) == javascript_strings[repr(value)]


# --------------------------------------------------------------------------
# Settings: "settings" and "seo", only what is set, after the four lists
# --------------------------------------------------------------------------

def test_every_setting_appears_under_its_biodata_name_in_the_contracts_order():
    row = _settings(theme="bold", accent="#0A7", button_shape="pill", language="vi", show_links=1, show_products=0,
                    show_tools=0, links_heading="Liên kết", products_heading="Shop", tools_heading="Tools",
                    seo_title="Ana", seo_title_template="%s | Ana", seo_description="Designer")
    document = to_biodata(_profile(profile_settings=(row,)))
    assert list(document) == ["profile", "links", "products", "aiTools", "settings", "seo"]
    assert list(document["settings"].items()) == [
        ("theme", "bold"), ("accent", "#0A7"), ("buttonShape", "pill"), ("language", "vi"), ("showLinks", True),
        ("showProducts", False), ("showAiTools", False), ("linksHeading", "Liên kết"), ("productsHeading", "Shop"),
        ("toolsHeading", "Tools")]
    assert document["seo"] == {"title": {"default": "Ana", "template": "%s | Ana"}, "description": "Designer"}
    assert list(document["seo"]) == ["title", "description"]
    assert list(document["seo"]["title"]) == ["default", "template"]
    assert biodata_json(_profile(profile_settings=(row,))).endswith(
        '"aiTools":[],"settings":{"theme":"bold","accent":"#0A7","buttonShape":"pill","language":"vi",'
        '"showLinks":true,"showProducts":false,"showAiTools":false,"linksHeading":"Liên kết",'
        '"productsHeading":"Shop","toolsHeading":"Tools"},'
        '"seo":{"title":{"default":"Ana","template":"%s | Ana"},"description":"Designer"}}')


@pytest.mark.parametrize("values, expected", [
    ({"accent": "#fff"}, {"settings": {"accent": "#fff"}}),
    ({"show_tools": 0}, {"settings": {"showAiTools": False}}),
    ({"seo_title_template": "%s · Ana"}, {"seo": {"title": {"template": "%s · Ana"}}}),
    ({"seo_description": "Hi"}, {"seo": {"description": "Hi"}}),
    ({"seo_title": "Ana", "seo_description": "Hi"}, {"seo": {"title": {"default": "Ana"}, "description": "Hi"}}),
    ({"language": "ar", "seo_title": "سارة"}, {"settings": {"language": "ar"}, "seo": {"title": {"default": "سارة"}}}),
])
def test_only_the_set_settings_appear(values, expected):
    document = to_biodata(_profile(profile_settings=(_settings(**values),)))
    assert {key: document[key] for key in ("settings", "seo") if key in document} == expected


def test_a_row_of_nulls_keeps_the_document_of_a_profile_without_settings():
    for profile in (_profile(), _full_profile("Tiếng Việt")):
        with_nulls = _profile(**{**{f: getattr(profile, f) for f in Profile.__slots__}, "profile_settings": (_settings(),)})
        assert to_biodata(with_nulls) == to_biodata(profile)
        assert list(to_biodata(with_nulls)) == ["profile", "links", "products", "aiTools"]
        assert biodata_json(with_nulls) == biodata_json(profile)


def test_settings_read_from_the_database_appear_in_the_document(empty_db, add_profile):
    add_profile(empty_db, "p1")
    add_profile(empty_db, "p2")
    empty_db.execute("INSERT INTO profile_settings (profile_id, theme, show_links) VALUES ('p1', 'minimal', 0)")
    empty_db.execute("INSERT INTO profile_settings (profile_id) VALUES ('p2')")
    first, second = load_profiles(empty_db)
    assert json.loads(biodata_json(first))["settings"] == {"theme": "minimal", "showLinks": False}
    assert "settings" not in json.loads(biodata_json(second)) and "seo" not in json.loads(biodata_json(second))


# Any text (including what JSON must escape), any value SQLite can hand back in a column.
_ANY_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(list(HOSTILE.values())[:21]))
_COLUMN_VALUE = st.one_of(st.none(), _ANY_TEXT, st.integers(-2, 3), st.floats(allow_nan=False, width=32))
_SETTINGS_ROWS = st.builds(lambda values: ProfileSettings("p1", *values),
                           st.lists(_COLUMN_VALUE, min_size=13, max_size=13))
_LINKS = st.lists(st.builds(lambda i, name, url, description: BioLink(f"b{i}", "p1", name, url, description, None, i),
                            st.integers(0, 9), _ANY_TEXT, _ANY_TEXT, st.none() | _ANY_TEXT), max_size=3)


@hypothesis_settings(max_examples=300, deadline=None)
@given(row=st.none() | _SETTINGS_ROWS, name=_ANY_TEXT, tagline=st.none() | _ANY_TEXT, links=_LINKS)
def test_the_fast_serializer_writes_exactly_what_the_document_encodes_to(row, name, tagline, links):
    profile = _profile(display_name=name, tagline=tagline, bio_links=tuple(links),
                       profile_settings=() if row is None else (row,))
    assert biodata_json(profile) == dumps(to_biodata(profile))
    assert json.loads(biodata_json(profile)) == to_biodata(profile)
