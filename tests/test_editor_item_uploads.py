"""Images uploaded in the forms of a profile's lists: a link's background, a product's
image, a tool's logo, on the Add form (on the profile's page) and on a row's own page.
Checked and stored as the profile form's avatar is (generator.editor.uploads): the path
under content/uploads/ reaches the row and the page as built; a refused file or save
leaves no file and no row; the multipart forms still need their token and Origin."""

from __future__ import annotations

import collections
import html
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from editorkit import ORIGIN, SECRET, client, copy_site, dump, field_values, hidden_fields, open_form, row
from generator.editor import item_forms, uploads
from generator.editor.forms import NOT_KEPT
from generator.editor.security import MAX_BODY_BYTES, csrf_token
from generator.images.codec import ImageError
from generator.images.svg import sanitize_svg
from sitekit import build_site, execute, make_site

# Each kind with an image column: (its column, a row of ana's, a new row as typed in its Add form).
IMAGE_KINDS = {
    "links": ("background_image", "b2", {"name": "Shop", "url": "https://shop.example.com/new"}),
    "products": ("image_url", "pr1", {"name": "Brush set", "price": "$12", "url": "https://shop.example.com/b"}),
    "tools": ("logo_url", "c2", {"name": "Krita", "url": "https://krita.org"}),
}
KIND = {kind.slug: kind for kind in item_forms.KINDS}
HOSTILE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("editor-item-uploads") / "site")
    build_site(site)
    return site


@pytest.fixture
def site(built, tmp_path):
    return copy_site(built, tmp_path / "site")


@pytest.fixture
def browser(site):
    return client(site)


def solid(colour: tuple[int, int, int], format: str = "PNG", size=(400, 300)) -> bytes:
    """An image of one colour, so the page's own copy of it can be told by its pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format)
    return buffer.getvalue()


def noise(size: int) -> bytes:
    """A PNG of noise (it does not compress): ~3 bytes a pixel."""
    buffer = io.BytesIO()
    Image.effect_noise((size, size), 80).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def uploaded(site: Path) -> list[str] | None:
    """The files in content/uploads/; None when the folder does not exist."""
    folder = site / "content" / uploads.UPLOAD_DIR
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else None


def problems(page: str, field_id: str) -> list[str]:
    return [html.unescape(text) for text in
            re.findall(rf'<p class="problem" id="{field_id}-problem-\d+">([^<]*)</p>', page)]


def add_form(browser, slug: str) -> dict[str, str]:
    return open_form(browser, "/_edit/p/ana", f"/_edit/p/ana/{slug}")


def send(browser, path: str, form: dict[str, str], files: dict[str, tuple[str, bytes]], **headers):
    """`form` posted as the page's multipart form does, with `files` ({input: (filename, bytes)})."""
    sent = {name: (filename, data, "application/octet-stream") for name, (filename, data) in files.items()}
    return browser.post(path, data=form, files=sent, headers={"Origin": ORIGIN, **headers})


def item_html(page: str, name: str) -> str:
    """The list item of the built page that names `name` (a link's card, a product, a tool)."""
    found = [part for part in page.split("<li")[1:] if f">{name}<" in part]
    assert len(found) == 1, (name, found)
    return found[0]


def shown_colour(browser, item: str) -> tuple[int, ...]:
    """The colour at the middle of the image the built page shows in `item` (its /m/ copy)."""
    source = re.search(r'src="?(/m/[a-z2-7]{10}\.(?:jpg|png|webp|avif))', item).group(1)
    served = browser.get(source)
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.content)) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def near(found: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 8 for a, b in zip(found, colour))   # JPEG's rounding of a flat colour


@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_an_added_row_takes_an_uploaded_image_to_the_database_and_the_page(site, browser, slug):
    kind, (column, _, typed) = KIND[slug], IMAGE_KINDS[slug]
    data, colour = solid((200, 30, 120)), (200, 30, 120)
    answer = send(browser, f"/_edit/p/ana/{slug}", add_form(browser, slug) | typed,
                  {f"{column}_file": ("My picture.png", data)})
    assert answer.status_code == 303, answer.text
    path = uploads.stored_path(data, "png")
    assert row(site, f"SELECT {column} FROM {kind.table} WHERE name = ?", (typed["name"],)) == (path,)
    assert (site / "content" / path).read_bytes() == data and uploaded(site) == [Path(path).name]
    page = browser.get("/ana").text
    assert "uploads/" not in page
    assert near(shown_colour(browser, item_html(page, typed["name"])), colour)


@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_a_rows_page_takes_an_uploaded_image_to_the_database_and_the_page(site, browser, slug):
    kind, (column, item_id, _) = KIND[slug], IMAGE_KINDS[slug]
    name = row(site, f"SELECT name FROM {kind.table} WHERE id = ?", (item_id,))[0]
    data, colour = solid((20, 160, 90), "JPEG"), (20, 160, 90)
    form = open_form(browser, f"/_edit/p/ana/{slug}/{item_id}")
    answer = send(browser, f"/_edit/p/ana/{slug}/{item_id}", form, {f"{column}_file": ("logo.jpeg", data)})
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"#item-{slug}-{item_id}")
    path = uploads.stored_path(data, "jpeg")
    assert path.endswith(".jpg")
    assert row(site, f"SELECT {column} FROM {kind.table} WHERE id = ?", (item_id,)) == (path,)
    assert uploaded(site) == [Path(path).name]
    assert near(shown_colour(browser, item_html(browser.get("/ana").text, name)), colour)
    # The row's page now shows the stored path in the field, the picker empty beside it.
    assert field_values(browser.get(f"/_edit/p/ana/{slug}/{item_id}").text)[column] == path


def test_an_image_larger_than_a_text_form_passes_on_the_item_forms_only(site, browser):
    data = noise(400)   # ~480 KB, more than a text form's whole body
    assert len(data) > MAX_BODY_BYTES
    form = open_form(browser, "/_edit/p/ana/tools/c2")
    assert send(browser, "/_edit/p/ana/tools/c2", form, {"logo_url_file": ("big.png", data)}).status_code == 303
    assert row(site, "SELECT logo_url FROM carousel_items WHERE id = 'c2'") == (uploads.stored_path(data, "png"),)
    # A social link has no image: its forms keep the text forms' limit.
    form = open_form(browser, "/_edit/p/ana/social-links/s1")
    before = dump(site)
    assert send(browser, "/_edit/p/ana/social-links/s1", form, {"x_file": ("big.png", data)}).status_code == 413
    assert dump(site) == before


REFUSALS = {
    "text named .png": (b"just some text, not a picture\n", "notes.png"),
    "hostile svg": (HOSTILE_SVG, "logo.svg"),
}


def refusal_of(data: bytes, filename: str) -> str:
    """What the check says of the file: the build's own SVG message, else the upload check's."""
    if data.startswith(b"<svg"):
        with pytest.raises(ImageError) as build_says:
            sanitize_svg(data, uploads.shown_name(filename))
        return str(build_says.value)
    with pytest.raises(uploads.UploadError) as refused:
        uploads.check_image(data, filename)
    return str(refused.value)


@pytest.mark.parametrize("what", list(REFUSALS))
@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_a_refused_file_on_an_add_form_is_shown_at_its_field_and_nothing_is_written(site, browser, slug, what):
    column, _, typed = IMAGE_KINDS[slug]
    data, filename = REFUSALS[what]
    before = dump(site)
    answer = send(browser, f"/_edit/p/ana/{slug}", add_form(browser, slug) | typed,
                  {f"{column}_file": (filename, data)})
    assert answer.status_code == 422
    assert problems(answer.text, f"add-{slug}-{column}_file") == [refusal_of(data, filename)]
    assert "Not added" in answer.text
    assert dump(site) == before and uploaded(site) is None
    # The Add form is open again holding what was typed.
    assert {key: field_values(answer.text, f"/_edit/p/ana/{slug}")[key] for key in typed} == typed


@pytest.mark.parametrize("what", list(REFUSALS))
@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_a_refused_file_on_a_rows_page_is_shown_at_its_field_and_nothing_is_written(site, browser, slug, what):
    column, item_id, _ = IMAGE_KINDS[slug]
    data, filename = REFUSALS[what]
    form = open_form(browser, f"/_edit/p/ana/{slug}/{item_id}") | {"name": "Renamed"}
    before = dump(site)
    answer = send(browser, f"/_edit/p/ana/{slug}/{item_id}", form, {f"{column}_file": (filename, data)})
    assert answer.status_code == 422
    assert problems(answer.text, f"item-{column}_file") == [refusal_of(data, filename)]
    assert 'value="Renamed"' in answer.text and "Not saved" in answer.text
    assert dump(site) == before and uploaded(site) is None


def test_a_file_alone_is_refused_on_an_unchanged_row_too(site, browser):
    """A row whose fields are sent unchanged is a save with nothing to do, unless a file was refused."""
    form = open_form(browser, "/_edit/p/ana/links/b2")
    before = dump(site)
    answer = send(browser, "/_edit/p/ana/links/b2", form, {"background_image_file": ("x.png", b"not an image")})
    assert answer.status_code == 422 and problems(answer.text, "item-background_image_file")
    assert dump(site) == before and uploaded(site) is None


@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_a_refused_save_keeps_neither_row_nor_file(site, browser, slug):
    column, item_id, typed = IMAGE_KINDS[slug]
    before = dump(site)
    good = {f"{column}_file": ("good.png", solid((1, 2, 3)))}
    added = send(browser, f"/_edit/p/ana/{slug}", add_form(browser, slug) | typed | {"url": "javascript:alert(1)"},
                 good)
    assert added.status_code == 422 and problems(added.text, f"add-{slug}-url")
    assert problems(added.text, f"add-{slug}-{column}_file") == [NOT_KEPT]   # the file was fine: choose it again
    saved = send(browser, f"/_edit/p/ana/{slug}/{item_id}",
                 open_form(browser, f"/_edit/p/ana/{slug}/{item_id}") | {"url": "javascript:alert(1)"}, good)
    assert saved.status_code == 422 and problems(saved.text, f"item-{column}_file") == [NOT_KEPT]
    assert dump(site) == before and uploaded(site) is None
    # The other kinds' Add forms say nothing of a file.
    for other, (other_column, _, _) in IMAGE_KINDS.items():
        if other != slug:
            assert not problems(added.text, f"add-{other}-{other_column}_file")


@pytest.mark.parametrize("path", ["/_edit/p/ana/products", "/_edit/p/ana/products/pr1"])
def test_a_save_over_a_change_made_elsewhere_keeps_no_file(site, browser, path):
    page = browser.get(path if path.endswith("pr1") else "/_edit/p/ana").text
    form = hidden_fields(page, path) | field_values(page, path) | IMAGE_KINDS["products"][2]
    execute(site, "UPDATE bio_links SET name = 'Theirs' WHERE id = 'b1'")   # another program
    before = dump(site)
    answer = send(browser, path, form, {"image_url_file": ("a.png", solid((9, 9, 9)))})
    assert answer.status_code == 409 and "changed since you opened" in answer.text
    assert dump(site) == before and uploaded(site) is None
    prefix = "item-" if path.endswith("pr1") else "add-products-"
    assert problems(answer.text, f"{prefix}image_url_file") == [NOT_KEPT]
    # A refused file is named at its field there too.
    answer = send(browser, path, form, {"image_url_file": ("a.svg", HOSTILE_SVG)})
    assert answer.status_code == 409
    assert problems(answer.text, f"{prefix}image_url_file") == [refusal_of(HOSTILE_SVG, "a.svg")]
    assert dump(site) == before and uploaded(site) is None


@pytest.mark.parametrize("path", ["/_edit/p/ana/links", "/_edit/p/ana/links/b2", "/_edit/p/ana/products",
                                  "/_edit/p/ana/products/pr1", "/_edit/p/ana/tools", "/_edit/p/ana/tools/c2"])
def test_a_multipart_item_form_still_needs_its_origin_and_token(site, browser, path):
    slug = path.split("/")[4]
    column, _, typed = IMAGE_KINDS[slug]
    page = browser.get(path if path.count("/") == 5 else "/_edit/p/ana").text
    form = hidden_fields(page, path) | field_values(page, path) | typed
    files = {f"{column}_file": ("a.png", solid((50, 60, 70)))}
    before = dump(site)
    for token in (None, csrf_token(SECRET, "/_edit/p/ana"), csrf_token("another secret", path)):
        data = {k: v for k, v in form.items() if k != "csrf"} | ({} if token is None else {"csrf": token})
        assert send(browser, path, data, files).status_code == 403
    for origin in ("http://evil.example", "null"):
        assert send(browser, path, form, files, Origin=origin).status_code == 403
    sent = {name: (filename, data, "image/png") for name, (filename, data) in files.items()}
    assert browser.post(path, data=form, files=sent).status_code == 403   # no Origin at all
    assert dump(site) == before and uploaded(site) is None
    assert send(browser, path, form, files).status_code == 303   # the page's own token and Origin pass


def ids_of(page: str) -> list[str]:
    return re.findall(r'\sid="?([^"\s>]+)', page)


def assert_ids_unique_and_referenced(page: str) -> None:
    """Every id once; every label's for= and aria-describedby's ids name one of them."""
    ids = ids_of(page)
    repeated = [name for name, count in collections.Counter(ids).items() if count > 1]
    assert not repeated, repeated
    named = set(re.findall(r'\sfor="([^"]+)"', page))
    for described in re.findall(r'aria-describedby="([^"]+)"', page):
        named.update(described.split())
    assert named <= set(ids), named - set(ids)


def test_every_id_on_the_profile_page_is_unique(site, browser):
    page = browser.get("/_edit/p/ana").text
    assert_ids_unique_and_referenced(page)
    for slug, (column, _, _) in IMAGE_KINDS.items():
        assert re.search(rf'<form method="post" action="/_edit/p/ana/{slug}" enctype="multipart/form-data">', page)
        picker = re.search(rf'<input id="add-{slug}-{column}_file" name="{column}_file" type="file" '
                           r'accept="([^"]+)"', page)
        assert picker and html.unescape(picker.group(1)) == uploads.ACCEPT
    assert 'name="x_file"' not in page and "social-links" not in "".join(re.findall(r'id="[^"]*_file"', page))
    # A refused Add (its problems and the file's at their fields) and a refused profile save too.
    refused = send(browser, "/_edit/p/ana/tools", add_form(browser, "tools") | {"url": "javascript:x"},
                   {"logo_url_file": ("x.png", b"not an image")})
    assert refused.status_code == 422 and problems(refused.text, "add-tools-logo_url_file")
    assert_ids_unique_and_referenced(refused.text)
    profile = send(browser, "/_edit/p/ana", open_form(browser, "/_edit/p/ana"),
                   {"avatar_url_file": ("x.png", b"not an image")})
    assert profile.status_code == 422 and problems(profile.text, "avatar_url_file")
    assert_ids_unique_and_referenced(profile.text)


@pytest.mark.parametrize("slug", list(IMAGE_KINDS))
def test_a_rows_page_offers_a_file_picker_beside_its_image_field(browser, slug):
    column, item_id, _ = IMAGE_KINDS[slug]
    page = browser.get(f"/_edit/p/ana/{slug}/{item_id}").text
    assert f'<form method="post" action="/_edit/p/ana/{slug}/{item_id}" enctype="multipart/form-data">' in page
    assert f'<input id="item-{column}_file" name="{column}_file" type="file"' in page
    assert_ids_unique_and_referenced(page)
