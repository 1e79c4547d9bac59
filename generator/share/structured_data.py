"""The schema.org document a profile page carries in its JSON-LD block.

A `ProfilePage` whose `mainEntity` is the `Person` (name, image, description,
sameAs), and each product shown on the page as a `Product`, with an `Offer` only when
its price reads as an amount and an ISO 4217 currency (generator.share.prices): a
search engine shows an Offer's price as fact, so an unreadable price gets none
rather than a guess. One `@graph` holds the page and the products: a product is
neither part of the page as a creative work (`hasPart`) nor necessarily offered by
the person (`makesOffer` needs an Offer). Keys are written only when they have a
value, and no key a consumer would not read (a product's URL and image are on the
page; every byte here is in the 16 KB budget of the full demo profile, see
tests/test_quality.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.share.prices import parse_price


def profile_page_document(*, name: str, image: str | None, description: str,
                          same_as: list[str], products: Iterable[tuple[str, str]]) -> dict:
    """The JSON-LD document of a profile page; `products` are (name, price as written)."""
    person: dict = {"@type": "Person", "name": name}
    if image:
        person["image"] = image
    if description:
        person["description"] = description
    if same_as:
        person["sameAs"] = same_as
    # No url: the document describes the page it is on, whose address the canonical
    # link gives (Google's ProfilePage example has none; 38 bytes on the demo's page).
    page = {"@type": "ProfilePage", "mainEntity": person}
    graph = [page] + [product_entity(product_name, price) for product_name, price in products]
    if len(graph) == 1:
        return {"@context": "https://schema.org", **page}
    return {"@context": "https://schema.org", "@graph": graph}


def product_entity(name: str, price_text: str) -> dict:
    """A `Product`, with an `Offer` when `price_text` reads as a price."""
    product: dict = {"@type": "Product", "name": name}
    price = parse_price(price_text)
    if price is not None:
        product["offers"] = {"@type": "Offer", "price": offer_price(price.amount), "priceCurrency": price.currency}
    return product


def offer_price(amount: str) -> int | float:
    """The amount as a JSON number (schema.org takes Number or Text; a number is 2 bytes
    shorter): "29" -> 29, "12.50" -> 12.5. Amounts are below 2**53 and have at most four
    decimals (ISO 4217 minor units), so the float keeps every digit that matters."""
    return float(amount) if "." in amount else int(amount)
