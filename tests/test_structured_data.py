"""The JSON-LD a profile page carries: a schema.org ProfilePage whose mainEntity is the
Person, and the products with an Offer when their price reads."""

from __future__ import annotations

import json
import re

import pytest

from generator.share.structured_data import offer_price, product_entity, profile_page_document
from sitekit import build_site, execute, make_site


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path / "site")


def json_ld(html: str) -> dict:
    """The page's one JSON-LD block, parsed."""
    blocks = re.findall(r"<script type=application/ld\+json>(.*?)</script>", html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_a_profile_page_is_a_profile_page_about_a_person():
    document = profile_page_document(name="Ana", image="https://x.example/a.jpg",
                                     description="Designer", same_as=["https://github.com/ana"], products=[])
    assert document == {"@context": "https://schema.org", "@type": "ProfilePage", "mainEntity": {
        "@type": "Person", "name": "Ana", "image": "https://x.example/a.jpg",
        "description": "Designer", "sameAs": ["https://github.com/ana"]}}


def test_a_person_without_image_description_or_links_has_no_such_keys():
    document = profile_page_document(name="Ana", image=None, description="",
                                     same_as=[], products=[])
    assert document["mainEntity"] == {"@type": "Person", "name": "Ana"}


def test_products_follow_the_page_in_one_graph_with_an_offer_only_when_the_price_reads():
    document = profile_page_document(name="Ana", image=None, description="",
                                     same_as=[], products=[("Mug", "149.000₫"), ("Print", "from $10"),
                                                           ("Book", "€12,50")])
    assert list(document) == ["@context", "@graph"]
    page, mug, print_, book = document["@graph"]
    assert page["@type"] == "ProfilePage" and page["mainEntity"]["@type"] == "Person"
    assert mug == {"@type": "Product", "name": "Mug",
                   "offers": {"@type": "Offer", "price": 149000, "priceCurrency": "VND"}}
    assert print_ == {"@type": "Product", "name": "Print"}  # no guessed Offer
    assert book["offers"] == {"@type": "Offer", "price": 12.5, "priceCurrency": "EUR"}


def test_an_offer_price_is_a_json_number_keeping_its_digits():
    assert (offer_price("29"), offer_price("12.50"), offer_price("0.0125")) == (29, 12.5, 0.0125)
    assert json.dumps(product_entity("x", "$1,299.99")["offers"]["price"]) == "1299.99"


def test_the_built_page_carries_the_person_and_its_products(site):
    execute(site, "INSERT INTO products (id, profile_id, name, image_url, price, url, order_index) VALUES "
                  "('pr9', 'p-ana', 'Tote </script><script>alert(1)</script>', NULL, 'Free', "
                  "'https://shop.example.com/tote', 1)")
    build_site(site)
    html = (site / "dist" / "ana.html").read_text(encoding="utf-8")
    assert html.count("</script>") == 1  # a name cannot end the block early
    document = json_ld(html)
    page, icons, tote = document["@graph"]
    person = page["mainEntity"]
    assert document["@context"] == "https://schema.org" and page["@type"] == "ProfilePage"
    assert person["@type"] == "Person" and person["name"] == "Ana Souza"
    assert "url" not in person and "url" not in page  # the page's own address: its canonical link
    assert person["image"].startswith("https://bio.example.com/m/") and person["image"].endswith(".jpg")
    assert person["description"] == "Designer & maker. Say hi now"  # the tagline as plain text
    assert person["sameAs"] == ["https://github.com/ana", "https://x.com/ana"]  # not the mailto: link
    assert icons == {"@type": "Product", "name": "Icon pack",
                     "offers": {"@type": "Offer", "price": 29, "priceCurrency": "USD"}}
    assert tote == {"@type": "Product", "name": "Tote </script><script>alert(1)</script>"}
    assert re.findall(r'<a href=[^ >]+ rel=me', html)  # social links say they are the person's


def test_hidden_products_are_not_in_the_structured_data(site):
    execute(site, "INSERT INTO profile_settings (profile_id, show_products) VALUES ('p-ana', 0)")
    build_site(site)
    document = json_ld((site / "dist" / "ana.html").read_text(encoding="utf-8"))
    assert document["@type"] == "ProfilePage" and "@graph" not in document
