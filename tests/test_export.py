"""biogen export: the built JSON documents, byte for byte, and export -> import -> export stability.

The property tests feed the importer arbitrary documents: each is either imported
exactly (its export is the document as normalized: ids as positions, URLs trimmed,
missing or null as "") or refused with a DocumentError that leaves the database as it was.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.authoring import documents, importer
from generator.cli import cli
from generator.data.db import connect
from generator.errors import DocumentError
from generator.data.migrate import create_database
from generator.data.store import export_all, export_one
from sitekit import build_site, execute, make_site

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def run(site: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, [*args, "--site", str(site)], input=input)


def empty_site(folder: Path) -> Path:
    """A site whose database holds no profile at all."""
    folder.mkdir()
    (folder / "biogen.toml").write_text('base_url = "https://copy.example.com"\n')
    create_database(folder / "content" / "bio.db", MIGRATIONS)
    conn = sqlite3.connect(folder / "content" / "bio.db")
    with conn:
        conn.execute("DELETE FROM profiles")
    conn.close()
    return folder


def test_export_is_the_built_document_byte_for_byte(site):
    build_site(site)
    for username in ("default", "ana", "minimal", "linh.example.com", "rtl"):
        result = run(site, "export", username)
        assert result.exit_code == 0, result.output
        built = (site / "dist" / "api" / "profiles" / f"{username}.json").read_text(encoding="utf-8")
        assert result.output == built


def test_export_to_a_file(site, tmp_path):
    target = tmp_path / "out" / "ana.json"
    assert run(site, "export", "ana", "-o", str(target)).exit_code == 0
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["profile"]["name"] == "Ana Souza"
    assert list(document) == ["profile", "links", "products", "aiTools"]
    assert [p.name for p in target.parent.iterdir()] == ["ana.json"]  # no temporary file left


def test_export_all_round_trips_through_an_empty_database(site, tmp_path):
    first = tmp_path / "first.json"
    assert run(site, "export", "--all", "-o", str(first)).exit_code == 0
    document = json.loads(first.read_text(encoding="utf-8"))
    assert list(document) == ["bioData"]
    assert list(document["bioData"]) == sorted(["default", "ana", "minimal", "linh.example.com", "rtl"])
    copy = empty_site(tmp_path / "copy")
    imported = run(copy, "import", str(first))
    assert imported.exit_code == 0, imported.output
    assert "created 5, changed 0, unchanged 0 profiles" in imported.output
    second = tmp_path / "second.json"
    assert run(copy, "export", "--all", "-o", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    again = run(copy, "import", str(second))
    assert "created 0, changed 0, unchanged 5 profiles" in again.output


def test_export_all_with_settings_round_trips_byte_for_byte(site, tmp_path):
    execute(site, "INSERT INTO profile_settings (profile_id, theme, accent, show_tools, links_heading, seo_title, "
                  "seo_title_template, seo_description) VALUES ('p-vi', 'bold', '#0A7', 0, 'Liên kết \"hay\"', "
                  "'Linh', '%s | Linh', 'Xin chào');"
                  "INSERT INTO profile_settings (profile_id, button_shape, show_links, show_products) "
                  "VALUES ('p-ana', 'pill', 1, 0);"
                  "INSERT INTO profile_settings (profile_id) VALUES ('p-rtl')")
    first = tmp_path / "first.json"
    assert run(site, "export", "--all", "-o", str(first)).exit_code == 0
    document = json.loads(first.read_text(encoding="utf-8"))
    assert document["bioData"]["linh.example.com"]["seo"] == {"title": {"default": "Linh", "template": "%s | Linh"},
                                                             "description": "Xin chào"}
    assert document["bioData"]["ana"]["settings"] == {"buttonShape": "pill", "showLinks": True, "showProducts": False}
    assert "settings" not in document["bioData"]["rtl"]
    copy = empty_site(tmp_path / "copy")
    imported = run(copy, "import", str(first))
    assert imported.exit_code == 0 and "dropped" not in imported.output, imported.output
    second = tmp_path / "second.json"
    assert run(copy, "export", "--all", "-o", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    assert "unchanged 5 profiles" in run(copy, "import", str(second)).output


def test_export_of_the_current_sites_data_round_trips(tmp_path):
    copy = empty_site(tmp_path / "copy")
    source = Path(__file__).parent / "fixtures" / "import" / "edge-config.json"
    assert run(copy, "import", str(source)).exit_code == 0
    exported = json.loads(run(copy, "export", "--all").output)
    original = json.loads(source.read_text())
    link = original["bioData"]["minhanh.vn"]["links"][1]
    assert exported["bioData"]["minhanh.vn"]["links"][1] == {**link, "url": link["url"].strip()}
    assert [p["id"] for p in exported["bioData"]["minhanh.vn"]["products"]] == [1, 2]  # were 1, 1


def test_export_refuses_unknown_names_and_bad_usage(site):
    missing = run(site, "export", "nobody")
    assert missing.exit_code == 1 and "no profile named 'nobody'" in missing.output
    assert "biogen profile list" in missing.output
    assert run(site, "export").exit_code == 2
    assert run(site, "export", "ana", "--all").exit_code == 2


# ---- property tests ---------------------------------------------------------------------------

TEXTS = st.one_of(st.text(max_size=12), st.sampled_from(["Nguyễn 🌸", "  ", "", "a\udc80b", "\x00", "سارة"]))
LINKS = st.one_of(st.sampled_from(["https://example.com", " https://a.example/x?y=1&z=2 ", "mailto:a@b.example",
                                   "tel:+84123", "javascript:alert(1)", "", " ", "ftp://x", "https://",
                                   "http://b.example/\u00e9"]), st.text(max_size=12))
IMAGES = st.one_of(st.sampled_from(["", "https://img.example/a.jpg?w=800&h=600&fit=crop", "/avatar.jpg",
                                    "images/a.png ", "../x.png", "a.exe", "//cdn.example/a.png"]),
                   st.text(max_size=12))
IDS = st.one_of(st.integers(-3, 5), st.text(max_size=2), st.booleans(), st.none())


def _entry(required: dict, optional: dict):
    return st.fixed_dictionaries(required, optional={"id": IDS, **optional})


def _maybe(values):
    return st.one_of(values, st.none())


SOCIAL = st.fixed_dictionaries({"name": TEXTS, "url": LINKS}, optional={"icon": _maybe(TEXTS)})
LINK = _entry({"name": TEXTS, "url": LINKS}, {"description": _maybe(TEXTS), "backgroundImage": _maybe(IMAGES)})
PRODUCT = _entry({"name": TEXTS, "price": st.one_of(TEXTS, st.integers()), "url": LINKS}, {"image": _maybe(IMAGES)})
TOOL = _entry({"name": TEXTS, "url": LINKS}, {"logo": _maybe(IMAGES)})
# Settings as the newer site writes them: valid values, "" and null (unset), and the keys
# biogen drops (defaultCollapsed, showSegmentTabs, seo.url).
HEADINGS = st.sampled_from(["Liên kết 🌸", 'a "b" \\ c', "", None, "x" * 60])
SWITCH = _maybe(st.booleans())
SETTINGS_DOC = st.fixed_dictionaries({}, optional={
    "theme": st.sampled_from(["bold", "minimal", "my-theme", "", None]),
    "defaultCollapsed": st.booleans(),
    "accent": st.sampled_from(["#0a7", "#ABCDEF", "", None]),
    "buttonShape": st.sampled_from(["rounded", "pill", "square", None]),
    "language": st.sampled_from(["en", "vi", "pt-BR", "", None]),
    "showLinks": SWITCH, "showProducts": SWITCH, "showAiTools": SWITCH, "showSegmentTabs": st.booleans(),
    "linksHeading": HEADINGS, "productsHeading": HEADINGS, "toolsHeading": HEADINGS})
SEO_DOC = st.fixed_dictionaries({}, optional={
    "url": st.just("https://a.example"),
    "description": st.sampled_from(["Designer & maker", "", None]),
    "title": _maybe(st.fixed_dictionaries({}, optional={"template": st.sampled_from(["%s | Ana", "", None]),
                                                        "default": HEADINGS}))})
BIODATA = st.fixed_dictionaries(
    {"profile": st.fixed_dictionaries({"name": TEXTS}, optional={
        "tagline": _maybe(TEXTS), "avatar": _maybe(IMAGES), "coverImage": _maybe(IMAGES),
        "socialLinks": st.lists(SOCIAL, max_size=3)})},
    optional={"links": st.lists(LINK, max_size=3), "products": st.lists(PRODUCT, max_size=2),
              "aiTools": st.lists(TOOL, max_size=2), "settings": _maybe(SETTINGS_DOC), "seo": _maybe(SEO_DOC)})
# The contract's order of the keys biogen keeps.
SETTINGS_ORDER = ("theme", "accent", "buttonShape", "language", "showLinks", "showProducts", "showAiTools",
                  "linksHeading", "productsHeading", "toolsHeading")


def normalized(document: dict) -> dict:
    """What the export of an imported document must be: written independently of the importer."""
    def text(value):
        return "" if value is None else value

    def url(value):
        return "" if value is None else value.strip()

    def kept(holder, keys):
        return {key: holder[key] for key in keys if (holder or {}).get(key) not in (None, "")}

    head = document["profile"]
    settings = kept(document.get("settings"), SETTINGS_ORDER)
    seo = {"title": kept((document.get("seo") or {}).get("title"), ("default", "template"))}
    seo.update(kept(document.get("seo"), ("description",)))
    seo = {key: value for key, value in seo.items() if value}
    return {
        "profile": {"name": head["name"], "tagline": text(head.get("tagline")), "avatar": url(head.get("avatar")),
                    "coverImage": url(head.get("coverImage")),
                    "socialLinks": [{"name": s["name"], "url": url(s["url"]), "icon": text(s.get("icon"))}
                                    for s in head.get("socialLinks", [])]},
        "links": [{"id": i, "name": b["name"], "url": url(b["url"]), "description": text(b.get("description")),
                   "backgroundImage": url(b.get("backgroundImage"))} for i, b in enumerate(document.get("links", []), 1)],
        "products": [{"id": i, "name": p["name"], "image": url(p.get("image")), "price": p["price"],
                      "url": url(p["url"])} for i, p in enumerate(document.get("products", []), 1)],
        "aiTools": [{"id": i, "name": t["name"], "logo": url(t.get("logo")), "url": url(t["url"])}
                    for i, t in enumerate(document.get("aiTools", []), 1)],
        **({"settings": settings} if settings else {}), **({"seo": seo} if seo else {}),
    }


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("property") / "bio.db"
    create_database(path, MIGRATIONS)
    return path


def _state(conn: sqlite3.Connection) -> list:
    return [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()
            for t in ("profiles", "social_links", "bio_links", "products", "carousel_items")] + [
        conn.execute("SELECT * FROM profile_settings ORDER BY profile_id").fetchall()]


def _import_text(conn: sqlite3.Connection, text: str, username: str | None = None):
    document = documents.parse_json("property.json", text.encode("utf-8", "surrogatepass"))
    incoming, _ = documents.incoming_profiles("property.json", document, username=username)
    return importer.import_profiles(conn, incoming)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=BIODATA, ascii_only=st.booleans())
def test_any_biodata_is_imported_exactly_or_refused_cleanly(shared_db, document, ascii_only):
    conn = connect(shared_db)
    try:
        before = _state(conn)
        text = json.dumps(document, ensure_ascii=ascii_only)
        try:
            _import_text(conn, text, username="prop")
        except DocumentError as error:
            assert error.problems and all(isinstance(message, str) for _, message in error.problems)
            assert _state(conn) == before
            return
        assert export_one(conn, "prop") == json.dumps(normalized(document), ensure_ascii=False,
                                                      separators=(",", ":"))
        exported = "".join(export_all(conn))
        assert json.loads(exported)["bioData"]["prop"] == normalized(document)
    finally:
        conn.close()


JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)),
                    lambda inner: st.one_of(st.lists(inner, max_size=4),
                                            st.dictionaries(st.sampled_from(["profile", "bioData", "key", "value",
                                                                             "name", "links", "a.com", "x"]) | st.text(max_size=4),
                                                            inner, max_size=4)),
                    max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.one_of(JSON, st.fixed_dictionaries({"bioData": st.dictionaries(st.text(max_size=8), JSON)}),
                          st.lists(st.fixed_dictionaries({"key": st.sampled_from(["bioData", "x"]), "value": JSON}))))
def test_any_json_is_imported_or_refused_never_a_traceback(shared_db, document):
    conn = connect(shared_db)
    try:
        before = _state(conn)
        try:
            _import_text(conn, json.dumps(document))
        except DocumentError:
            assert _state(conn) == before
    finally:
        conn.close()


def test_export_is_stable_across_rebuilt_databases(site, tmp_path):
    """Ids are UUIDs and differ between databases; the export does not show them."""
    once = tmp_path / "once.json"
    assert run(site, "export", "--all", "-o", str(once)).exit_code == 0
    other = make_site(tmp_path / "other")
    shutil.rmtree(other / "content" / "images")
    twice = tmp_path / "twice.json"
    assert run(other, "export", "--all", "-o", str(twice)).exit_code == 0
    assert once.read_bytes() == twice.read_bytes()
