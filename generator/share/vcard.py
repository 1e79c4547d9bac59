"""A profile's contact card: vCard 4.0 (RFC 6350), as `/<username>.vcf`.

Pure. FN is the display name, NOTE the tagline as plain text, PHOTO the avatar's
absolute URL, URL the page itself and then each http(s) link and social link in page
order, EMAIL and TEL the addresses of `mailto:` and `tel:` links (TEL as a `tel:` URI,
RFC 6350 6.4.1's preferred form). Other schemes are left out.

Text values escape "\\", ",", ";" and line breaks (RFC 6350 3.4); URIs are written as
the page writes them (generator.data.urls.href), which percent-encodes what a URI may
not hold, so they need no escaping. Lines are folded at 75 octets (3.2): a longer line
goes on in lines starting with one space, cut only between characters, never inside a
UTF-8 sequence. The card is UTF-8 with CRLF line ends, the same bytes for the same
profile (no REV or timestamp), so a rebuild writes it only when the profile changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT value as RFC 6350 3.4 writes it."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> bytes:
    """One content line, UTF-8, folded at 75 octets between characters, with CRLF after each piece."""
    data = line.encode("utf-8")
    pieces, start, room = [], 0, LINE_OCTETS
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        pieces.append(data[start:end])
        start, room = end, LINE_OCTETS - 1  # the next line's leading space counts
    pieces.append(data[start:])
    return b"\r\n ".join(pieces) + b"\r\n"


def contact_addresses(urls: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """(web URLs, email addresses, tel: URIs) of links as the page writes them, in order, once each."""
    web, emails, phones = [], [], []
    for url in urls:
        scheme, _, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme in ("http", "https"):
            web.append(url)
        elif scheme == "mailto":
            emails += [unquote(address).strip() for address in rest.split("?", 1)[0].split(",")]
        elif scheme == "tel":
            phones.append(f"tel:{rest}")
    return (list(dict.fromkeys(web)), list(dict.fromkeys(a for a in emails if a)),
            list(dict.fromkeys(p for p in phones if p != "tel:")))


def vcard(*, name: str, note: str, photo: str | None, page_url: str, link_urls: Iterable[str]) -> bytes:
    """The vCard 4.0 of a profile. `link_urls`: its social links then its links, as the page writes them."""
    web, emails, phones = contact_addresses(link_urls)
    lines = ["BEGIN:VCARD", "VERSION:4.0", "KIND:individual", f"FN:{escape_text(name)}"]
    if note:
        lines.append(f"NOTE:{escape_text(note)}")
    if photo:
        lines.append(f"PHOTO:{photo}")
    lines += [f"URL:{url}" for url in dict.fromkeys([page_url, *web])]
    lines += [f"EMAIL:{escape_text(address)}" for address in emails]
    lines += [f"TEL;VALUE=uri:{uri}" for uri in phones]
    lines.append("END:VCARD")
    return b"".join(fold(line) for line in lines)
