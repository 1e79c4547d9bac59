"""biogen import: the current site's formats, the build's rules with JSON paths, one transaction."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.authoring import documents, importer
from generator.data.biodata import biodata_json
from generator.cli import cli
from generator.data.db import connect
from generator.errors import DatabaseError, DocumentError
from generator.data.model import load_profiles
from generator.data.store import find_profile
from sitekit import make_site

FIXTURES = Path(__file__).parent / "fixtures" / "import"
EXPORT = FIXTURES / "bio-data-export-2025-06-01T10-15-30.json"


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def run(site: Path, *args: str, input: bytes | str | None = None):
    return CliRunner().invoke(cli, [*args, "--site", str(site)], input=input)


def rows(site: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(site / "content" / "bio.db")
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def dump(site: Path) -> list:
    """Every row of the six profile tables, to prove that nothing changed."""
    return [rows(site, f"SELECT * FROM {t} ORDER BY id") for t in
            ("profiles", "social_links", "bio_links", "products", "carousel_items")] + [
        rows(site, "SELECT * FROM profile_settings ORDER BY profile_id")]


def incoming(document, **options):
    return documents.incoming_profiles("test.json", document, **options)[0]


def problems(document, **options) -> list[tuple[str, str]]:
    with pytest.raises(DocumentError) as caught:
        documents.incoming_profiles("test.json", document, **options)
    return caught.value.problems


def biodata(**changes) -> dict:
    document = {"profile": {"name": "Ana", "tagline": "", "avatar": "", "coverImage": "", "socialLinks": []},
                "links": [], "products": [], "aiTools": []}
    document.update(changes)
    return document


# ---- the current site's data ------------------------------------------------------------

def test_admin_export_imports_with_its_quirks(site):
    result = run(site, "import", str(EXPORT), "--username", "minhanh.vn")
    assert result.exit_code == 0, result.output
    assert "created 1, changed 0, unchanged 0 profile" in result.output
    # The avatar is a file of the old site: imported, with a warning that the build needs it.
    assert "$.profile.avatar: the file content/avatar.jpg does not exist" in result.output
    conn = connect(site / "content" / "bio.db", readonly=True)
    profile = find_profile(conn, "minhanh.vn")
    conn.close()
    assert profile.display_name == "Minh Anh Trần ✨"
    assert profile.avatar_url == "/avatar.jpg"
    assert [s.icon for s in profile.social_links] == ["Globe", "Twitter", "Youtube", "Mail"]
    # Repeated numeric ids: order comes from the array, written as distinct order_index values.
    assert [b.name for b in profile.bio_links][2:] == ["Nhóm Facebook 👥", "Đặt lịch tư vấn 📅"]
    assert [b.order_index for b in profile.bio_links] == [0, 1, 2, 3]
    assert profile.bio_links[1].url == "https://blog.minhanh.vn"  # the trailing space is trimmed
    assert profile.bio_links[1].description is None and profile.bio_links[1].background_image is None
    assert profile.products[0].image_url.endswith("?w=400&h=400&fit=crop")
    assert len({p.id for p in profile.products}) == 2 and all(len(p.id) == 36 for p in profile.products)
    assert [c.name for c in profile.carousel_items] == ["ChatGPT", "Claude", "Midjourney"]
    document = json.loads(biodata_json(profile))
    assert [link["id"] for link in document["links"]] == [1, 2, 3, 4]


def test_single_document_defaults_to_the_workers_default_username(site):
    result = run(site, "import", str(EXPORT))
    assert result.exit_code == 0, result.output
    assert "change     default" in result.output
    assert rows(site, "SELECT display_name FROM profiles WHERE username = 'default'") == [("Minh Anh Trần ✨",)]


@pytest.mark.parametrize("name", ["edge-config.json", "edge-config-items.json"])
def test_edge_config_forms_make_one_profile_per_domain(site, name):
    result = run(site, "import", str(FIXTURES / name))
    assert result.exit_code == 0, result.output
    assert "created 2" in result.output
    assert rows(site, "SELECT username FROM profiles WHERE username LIKE '%.%' ORDER BY username") == [
        ("lanphuong.com",), ("linh.example.com",), ("minhanh.vn",)]
    if name == "edge-config-items.json":
        assert "$[0]: ignored the Edge Config item 'featureFlags'" in result.output


def test_username_option_only_fits_a_single_document(site):
    result = run(site, "import", str(FIXTURES / "edge-config.json"), "--username", "x")
    assert result.exit_code == 1 and "--username applies to a single BioData document" in result.output


def test_stdin(site):
    document = json.dumps(biodata(profile={"name": "Từ stdin"}))
    result = run(site, "import", "-", "--username", "piped", input=document.encode())
    assert result.exit_code == 0, result.output
    assert rows(site, "SELECT display_name FROM profiles WHERE username = 'piped'") == [("Từ stdin",)]


# ---- matching, updated_at, dry run -----------------------------------------------------------

def test_reimport_changes_nothing_and_keeps_updated_at(site):
    assert run(site, "import", str(FIXTURES / "edge-config.json")).exit_code == 0
    before = dump(site)
    again = run(site, "import", str(FIXTURES / "edge-config.json"))
    assert "created 0, changed 0, unchanged 2 profiles" in again.output
    assert dump(site) == before


def test_a_changed_profile_is_updated_in_place_and_only_it_gets_a_new_updated_at(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    document = json.loads((FIXTURES / "edge-config.json").read_text())
    assert run(site, "import", str(FIXTURES / "edge-config.json")).exit_code == 0
    (profile_id, ) = rows(site, "SELECT id FROM profiles WHERE username = 'minhanh.vn'")[0]
    document["bioData"]["minhanh.vn"]["links"].reverse()
    document["bioData"]["minhanh.vn"]["profile"]["tagline"] = "Mới"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # a day later
    result = run(site, "import", "-", input=json.dumps(document))
    assert result.exit_code == 0, result.output
    assert "change     minhanh.vn  tagline; links: 0 removed, 0 added" in result.output
    assert rows(site, "SELECT username, updated_at FROM profiles WHERE username IN ('minhanh.vn', 'lanphuong.com') "
                      "ORDER BY username") == [("lanphuong.com", "2026-01-01 00:00:00"),
                                               ("minhanh.vn", "2026-01-02 00:00:00")]
    assert rows(site, "SELECT id FROM profiles WHERE username = 'minhanh.vn'") == [(profile_id,)]
    names = rows(site, "SELECT name FROM bio_links WHERE profile_id = ? ORDER BY order_index", (profile_id,))
    assert [n for (n,) in names] == [link["name"] for link in document["bioData"]["minhanh.vn"]["links"]]
    # The untouched kinds keep their rows (and ids).
    assert len(rows(site, "SELECT id FROM products WHERE profile_id = ?", (profile_id,))) == 2


def test_dry_run_reports_and_writes_nothing(site):
    before = dump(site)
    document = {"bioData": {"ana": biodata(), "new.example.com": biodata()}}
    result = run(site, "import", "-", "--dry-run", input=json.dumps(document))
    assert result.exit_code == 0, result.output
    assert "change     ana  name, tagline, avatar, coverImage; social links: 3 removed, 0 added" in result.output
    assert "create     new.example.com  0 social links, 0 links, 0 products, 0 tools" in result.output
    assert "would create 1, change 1, leave unchanged 0 profiles; 8 child rows would be removed" in result.output
    assert "nothing was written" in result.output
    assert dump(site) == before


# ---- refusals: every problem with its JSON path, nothing written -------------------------------

def test_invalid_entries_are_reported_with_json_paths_and_nothing_is_written(site):
    document = json.loads((FIXTURES / "edge-config.json").read_text())
    document["bioData"]["example.com"] = biodata(links=[{"id": i, "name": "x", "url": "https://x.example"}
                                                        for i in range(3)] +
                                                       [{"id": 3, "name": "bad", "url": "javascript:alert(1)"}])
    document["bioData"]["lanphuong.com"]["products"] = [{"name": " ", "price": 29, "url": "ftp://x", "image": "a.exe"}]
    before = dump(site)
    result = run(site, "import", "-", input=json.dumps(document))
    assert result.exit_code == 1
    assert "cannot be imported (5 problems); nothing was written" in result.output
    assert '$.bioData["example.com"].links[3].url: the scheme \'javascript\' is not allowed' in result.output
    for path in ('$.bioData["lanphuong.com"].products[0].name: is blank',
                 '$.bioData["lanphuong.com"].products[0].price: is the number 29; it must be text',
                 '$.bioData["lanphuong.com"].products[0].url: the scheme \'ftp\'',
                 '$.bioData["lanphuong.com"].products[0].image: \'a.exe\' is not an image file'):
        assert path in result.output
    assert dump(site) == before


@pytest.mark.parametrize("document, path, message", [
    ([], "$", 'a list without an item whose "key" is "bioData"'),
    ({"hello": 1}, "$", "is an object, not a shape biogen imports; accepted: a BioData document"),
    ("text", "$", "is a string, not a shape"),
    ({"bioData": {}, "profile": {}}, "$", 'holds both "bioData" and "profile"'),
    ({"bioData": []}, "$.bioData", "is a list, not an object of BioData documents by domain"),
    ({"bioData": {"Example.com": {}}}, '$.bioData["Example.com"]', "(usernames are lowercase)"),
    ({"bioData": {"index": biodata()}}, '$.bioData["index"]', "is reserved"),
    ({"bioData": {"a.com": []}}, '$.bioData["a.com"]', "it must be a BioData document"),
    ([{"key": "bioData", "value": {}}, {"key": "bioData", "value": {}}], "$[1]", 'a second "bioData" item'),
    ([1], "$[0]", 'not an Edge Config item {"key": ..., "value": ...}'),
    (biodata(profile=None), "$.profile", "is missing; it must be the \"profile\" object"),
    (biodata(profile={"tagline": "x"}), "$.profile.name", "is missing; it is required"),
    (biodata(profile={"name": "A", "avatar": 3}), "$.profile.avatar", "is the number 3; it must be text"),
    (biodata(profile={"name": "A", "avatar": "javascript:x"}), "$.profile.avatar", "is not allowed for images"),
    (biodata(profile={"name": "A", "theme": "dark"}), "$.profile.theme", "is not a key biogen knows here"),
    (biodata(profile={"name": "A", "socialLinks": {}}), "$.profile.socialLinks", "it must be a list"),
    (biodata(profile={"name": "A", "socialLinks": [{"name": "X", "url": "https://x.com/\na"}]}),
     "$.profile.socialLinks[0].url", None),
    (biodata(links=[{"name": "A", "url": "https://"}]), "$.links[0].url", "has no host"),
    (biodata(links=[{"id": {}, "name": "A", "url": "https://a.example"}]), "$.links[0].id", "ids are numbers"),
    (biodata(links=["https://a.example"]), "$.links[0]", "it must be an entry"),
    (biodata(aiTools=[{"name": "A", "url": ""}]), "$.aiTools[0].url", "is empty; it is required"),
    (biodata(products=[{"name": "A", "price": "1", "url": "https://a.example", "image": "../x.png"}]),
     "$.products[0].image", "escapes content/"),
    (biodata(profile={"name": "\ud800"}), "$.profile.name", "unpaired surrogate (\\ud800)"),
])
def test_refusals_name_the_json_path(document, path, message):
    found = problems(document)
    assert any(p == path and (message is None or message in m) for p, m in found), found


def test_duplicate_usernames_and_keys_are_caught_though_json_merges_them(site):
    text = ('{"bioData": {"a.com": {"profile": {"name": "A"}},\n'
            '             "a.com": {"profile": {"name": "B", "name": "C"}}}}')
    result = run(site, "import", "-", input=text)
    assert result.exit_code == 1
    assert "$.bioData[\"a.com\"]: the username 'a.com' appears more than once in this file" in result.output
    assert '$.bioData["a.com"].profile.name: appears more than once in this object' in result.output


@pytest.mark.parametrize("data, message", [
    (b'{"profile": {"name": "A",}}', "is not valid JSON: Expecting property name enclosed in double quotes "
                                     "at line 1, column 26"),
    (b'{\n  "profile": {\n    "name": "A"\n  }\n', "at line 5, column 1"),
    (b'{"profile": {"name": NaN}}', "NaN is not JSON"),
    (b"", "is not valid JSON: Expecting value at line 1, column 1"),
    (b'{"profile": {"name": "caf\xe9"}}', "is not UTF-8 text: byte 0xe9 at line 1, column 26"),
    (b"[" * 100_000, "nests arrays or objects too deeply"),
])
def test_malformed_files_give_line_and_column(site, data, message):
    before = dump(site)
    result = run(site, "import", "-", input=data)
    assert result.exit_code == 1
    assert "standard input cannot be imported" in result.output and message in result.output
    assert "Traceback" not in result.output
    assert dump(site) == before


def test_utf8_bom_and_utf16_are_read():
    document = json.dumps(biodata(profile={"name": "Việt"}), ensure_ascii=False)
    for data in (b"\xef\xbb\xbf" + document.encode(), document.encode("utf-16")):
        assert documents.parse_json("x", data)["profile"]["name"] == "Việt"


def test_huge_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(documents.MAX_IMPORT_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(DocumentError, match=r"biogen imports at most 50,000,000 bytes"):
        documents.read_source(str(big))
    stream = io.BytesIO(b" " * 101)
    with pytest.raises(DocumentError, match="is more than 100 bytes"):
        documents.read_source("-", stream, limit=100)
    assert stream.tell() == 101  # read limit + 1 bytes, never the rest


def test_missing_file(site):
    result = run(site, "import", str(site / "nope.json"))
    assert result.exit_code == 1 and "nope.json cannot be imported" in result.output and "no such file" in result.output


def test_text_in_any_script_is_kept_exactly(site):
    names = ["Nguyễn Thị Minh Khai", "سارة", "山田太郎", "Ελένη", "👩🏽‍💻 dev", "e\u0301", "\u200bzero-width"]
    document = {"bioData": {f"p{i}": biodata(profile={"name": name, "tagline": name * 2})
                            for i, name in enumerate(names)}}
    assert run(site, "import", "-", input=json.dumps(document)).exit_code == 0
    stored = dict(rows(site, "SELECT username, display_name FROM profiles WHERE username LIKE 'p_'"))
    assert stored == {f"p{i}": name for i, name in enumerate(names)}


# ---- the database: one transaction, other writers --------------------------------------------

def test_a_database_error_rolls_everything_back(site):
    conn = sqlite3.connect(site / "content" / "bio.db")
    conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON carousel_items WHEN NEW.name = 'boom' "
                 "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END")
    conn.commit()
    conn.close()
    before = dump(site)
    document = {"bioData": {"first.com": biodata(), "second.com": biodata(
        aiTools=[{"name": "boom", "url": "https://boom.example"}])}}
    result = run(site, "import", "-", input=json.dumps(document))
    assert result.exit_code == 1
    assert "refused by a trigger" in result.output and "rolled back and nothing was written" in result.output
    assert dump(site) == before


def test_import_waits_for_another_writer(site):
    other = sqlite3.connect(site / "content" / "bio.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE profiles SET tagline = 'held' WHERE username = 'ana'")
    releaser = threading.Timer(0.5, lambda: other.execute("COMMIT"))
    releaser.start()
    started = time.monotonic()
    conn = connect(site / "content" / "bio.db")
    try:
        plan = importer.import_profiles(conn, incoming({"bioData": {"waited.com": biodata()}}))
    finally:
        conn.close()
        releaser.join()
        other.close()
    assert time.monotonic() - started >= 0.4
    assert [c.action for c in plan] == ["create"]
    assert rows(site, "SELECT tagline FROM profiles WHERE username = 'ana'") == [("held",)]
    assert rows(site, "PRAGMA integrity_check") == [("ok",)]


def test_a_writer_that_never_lets_go_gives_a_clear_error(site, monkeypatch):
    monkeypatch.setattr("generator.data.db.BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(site / "content" / "bio.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    conn = connect(site / "content" / "bio.db")
    try:
        with pytest.raises(DatabaseError, match="another program holds its write lock"):
            importer.import_profiles(conn, incoming({"bioData": {"x.com": biodata()}}))
    finally:
        conn.close()
        other.execute("ROLLBACK")
        other.close()


def test_imported_site_builds(site):
    assert run(site, "import", str(FIXTURES / "edge-config.json")).exit_code == 0
    (site / "content" / "avatar.jpg").write_bytes((site / "content" / "images" / "avatar.jpg").read_bytes())
    assert run(site, "check").exit_code == 0
    result = run(site, "build")
    assert result.exit_code == 0, result.output
    conn = connect(site / "content" / "bio.db", readonly=True)
    for profile in load_profiles(conn):
        built = site / "dist" / "api" / "profiles" / f"{profile.username}.json"
        assert built.read_text(encoding="utf-8") == biodata_json(profile)
    conn.close()


def test_a_single_biodata_under_the_edge_config_key(site):
    """A one-domain site may keep its BioData itself under bioData, without the domain level."""
    single = json.loads(EXPORT.read_text())
    for document, path in (({"bioData": single}, "$.bioData"), ([{"key": "bioData", "value": single}], "$[0].value")):
        found = incoming(document, username="minhanh.vn")
        assert [(p.username, p.path) for p in found] == [("minhanh.vn", path)]
        assert incoming(document)[0].username == "default"
    # A domain literally named "profile" is still a domain.
    by_domain = incoming({"bioData": {"profile": single}})
    assert [(p.username, p.path) for p in by_domain] == [("profile", '$.bioData["profile"]')]


# ---- settings and seo (the newer site's shape) ---------------------------------------------

SETTINGS = {"theme": "bold", "accent": "#0A7", "buttonShape": "pill", "language": "vi", "showLinks": True,
            "showProducts": False, "showAiTools": False, "linksHeading": "Liên kết", "productsHeading": "Cửa hàng",
            "toolsHeading": "Công cụ"}
SEO = {"title": {"default": "Linh", "template": "%s | Linh"}, "description": "Xin chào"}


def settings_rows(site: Path, username: str) -> list[tuple]:
    return rows(site, "SELECT s.* FROM profile_settings s JOIN profiles p ON p.id = s.profile_id WHERE p.username = ?",
                (username,))


def test_settings_and_seo_are_stored_and_exported_as_imported(site):
    document = biodata(settings=SETTINGS, seo=SEO)
    result = run(site, "import", "-", "--username", "linh", input=json.dumps(document))
    assert result.exit_code == 0, result.output
    assert "create     linh  0 social links, 0 links, 0 products, 0 tools; settings" in result.output
    [row] = settings_rows(site, "linh")
    assert row[1:] == ("bold", "#0A7", "pill", "vi", 1, 0, 0, "Liên kết", "Cửa hàng", "Công cụ", "Linh", "%s | Linh",
                       "Xin chào")
    exported = run(site, "export", "linh").output
    assert exported == json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def test_only_the_given_settings_are_set(site):
    document = biodata(settings={"showAiTools": False, "linksHeading": ""}, seo={"title": {"template": "%s · A"}})
    assert run(site, "import", "-", "--username", "a", input=json.dumps(document)).exit_code == 0
    [row] = settings_rows(site, "a")
    # theme, accent, button_shape, language, show_links, show_products, show_tools, three headings, seo_*
    assert row[1:] == (None, None, None, None, None, None, 0, None, None, None, None, "%s · A", None)
    assert json.loads(run(site, "export", "a").output)["settings"] == {"showAiTools": False}


def test_the_newer_sites_keys_biogen_does_not_keep_are_dropped_with_a_warning(site):
    document = {"bioData": {"a.com": biodata(settings={**SETTINGS, "defaultCollapsed": True, "showSegmentTabs": True,
                                                       "glitter": "on"},
                                             seo={**SEO, "url": "https://a.com", "title": {**SEO["title"], "x": 1}})}}
    result = run(site, "import", "-", input=json.dumps(document))
    assert result.exit_code == 0, result.output
    for path in ('$.bioData["a.com"].settings.defaultCollapsed: dropped', '$.bioData["a.com"].settings.showSegmentTabs',
                 '$.bioData["a.com"].settings.glitter: dropped', '$.bioData["a.com"].seo.url: dropped',
                 '$.bioData["a.com"].seo.title.x: dropped'):
        assert f"warning: {path}" in result.output
    exported = json.loads(run(site, "export", "a.com").output)
    assert exported["settings"] == SETTINGS and exported["seo"] == SEO


def test_bad_settings_are_refused_with_their_json_paths_and_nothing_is_written(site):
    before = dump(site)
    document = {"bioData": {"ana": biodata(settings={"accent": "teal", "showLinks": "yes", "theme": "Bold"},
                                           seo={"title": {"template": "Ana"}, "description": "x" * 161}),
                            "new.example.com": biodata(settings={"theme": "bold"})}}
    result = run(site, "import", "-", input=json.dumps(document))
    assert result.exit_code == 1
    assert "cannot be imported (5 problems); nothing was written" in result.output
    for line in ('$.bioData["ana"].settings.accent: \'teal\' is not a CSS hex colour',
                 '$.bioData["ana"].settings.showLinks: is a string; it must be true or false',
                 '$.bioData["ana"].settings.theme: \'Bold\' is not a theme name',
                 '$.bioData["ana"].seo.title.template: \'Ana\' must contain %s exactly once',
                 '$.bioData["ana"].seo.description: \'' + "x" * 70 + '...\' is 161 characters long'):
        assert line in result.output, line
    assert dump(site) == before


def test_settings_objects_with_a_key_given_twice_are_refused(site):
    text = '{"profile": {"name": "A"}, "seo": {"title": {"default": "A", "default": "B"}}}'
    result = run(site, "import", "-", input=text)
    assert result.exit_code == 1 and "$.seo.title.default: appears more than once in this object" in result.output


def test_changed_settings_update_the_profile_and_its_updated_at(site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    document = json.loads(run(site, "export", "ana").output)
    assert run(site, "import", "-", "--username", "ana", input=json.dumps(document)).output.endswith(
        "created 0, changed 0, unchanged 1 profile\n")
    document["settings"] = {"theme": "minimal"}
    result = run(site, "import", "-", "--username", "ana", input=json.dumps(document))
    assert "change     ana  settings" in result.output
    assert settings_rows(site, "ana")[0][1] == "minimal"
    assert rows(site, "SELECT updated_at FROM profiles WHERE username = 'ana'") == [("2026-01-01 00:00:00",)]
    again = run(site, "import", "-", "--username", "ana", input=json.dumps(document))
    assert "changed 0, unchanged 1" in again.output
    # A document without settings means every setting at its default, as the export of such a profile is.
    del document["settings"]
    document["seo"] = {"description": "Designer"}
    result = run(site, "import", "-", "--username", "ana", input=json.dumps(document))
    assert "change     ana  settings, seo" in result.output
    assert settings_rows(site, "ana")[0][1:] == (None,) * 12 + ("Designer",)
    del document["seo"]
    assert run(site, "import", "-", "--username", "ana", input=json.dumps(document)).exit_code == 0
    assert settings_rows(site, "ana") == []  # no row rather than a row of NULLs
    assert run(site, "export", "ana").output == json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def test_a_row_of_nulls_and_a_document_without_settings_are_the_same(site):
    from sitekit import execute
    execute(site, "INSERT INTO profile_settings (profile_id) VALUES ('p-ana')")
    before = dump(site)
    document = run(site, "export", "ana").output
    result = run(site, "import", "-", "--username", "ana", input=document)
    assert "changed 0, unchanged 1" in result.output
    assert dump(site) == before
