"""Reading a price as people write it: "$29", "€12,50", "149.000₫", "¥1,200", "29 USD".

Pure. A price becomes (amount, ISO 4217 code) only when both are certain: a known
symbol or code before or after one number, whose separators read one way only for
that currency. Anything else ("from $29", "$29/month", "149k", "Free", "10-20 €",
"1.5₫" when the dong has no minor unit) gives None: the page then carries no Offer
rather than a guessed one (search engines show the Offer's price as fact).

How separators read: with both "." and "," the later one is the decimal mark
("1.299,00 €", "$1,299.00"). With one kind, seen more than once, or once before
exactly three digits, it groups thousands ("$1,200", "149.000₫", "€1.200"); once
before one or two digits it is the decimal mark ("€12,50", "$29.9"), allowed only for
a currency with minor units; for the dinars with three minor units (BHD, KWD, ...)
one mark before three digits could be either, and is not read. Spaces (also no-break and narrow no-break) and the
apostrophe group too ("1 299 kr" needs a code: "1 299 SEK"). A group after the first
has exactly three digits, so "1,00,000" (Indian grouping) is not read.

"¥" is read as JPY: the same sign stands for CNY, which writes "CN¥" or "元" (both
read as CNY here) when it must be told apart. "$" alone is USD; other dollars have
their prefixes (A$, C$, CA$, HK$, NZ$, S$, MX$, R$ for the real).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# Active ISO 4217 codes (2025) by their number of minor units; all others have 2.
_CODES_WITH_MINOR_UNITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
    2: "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD "
       "CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL "
       "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD "
       "LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN "
       "PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL "
       "THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL",
}
MINOR_UNITS = {code: units for units, codes in _CODES_WITH_MINOR_UNITS.items() for code in codes.split()}

# Signs written for a currency, before or after the number. Longest first when matched.
SYMBOLS = {
    "$": "USD", "US$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "HK$": "HKD",
    "NZ$": "NZD", "S$": "SGD", "MX$": "MXN", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY",
    "￥": "JPY", "円": "JPY", "CN¥": "CNY", "元": "CNY", "₫": "VND", "đ": "VND", "₩": "KRW",
    "₹": "INR", "₽": "RUB", "₺": "TRY", "₪": "ILS", "฿": "THB", "₱": "PHP", "₴": "UAH", "zł": "PLN",
    "₦": "NGN", "₡": "CRC", "₲": "PYG", "₸": "KZT", "₭": "LAK", "₮": "MNT", "Rp": "IDR", "RM": "MYR",
}
_SIGN = "|".join(re.escape(sign) for sign in sorted(SYMBOLS, key=len, reverse=True))
_NUMBER = r"\d[\d.,'’ \u00a0\u202f]*\d|\d"
_SPACE = r"[ \u00a0\u202f]?"
_PRICE = re.compile(
    rf"(?P<before>{_SIGN}|[A-Z]{{3}}){_SPACE}(?P<n1>{_NUMBER})"
    rf"|(?P<n2>{_NUMBER}){_SPACE}(?P<after>{_SIGN}|[A-Z]{{3}})")
_GROUPING = re.compile(r"\d{1,3}(?:[ \u00a0\u202f'’]\d{3})*")


class Price(NamedTuple):
    amount: str    # digits with "." before any fraction: "29", "12.50", "149000"
    currency: str  # an ISO 4217 code


def parse_price(text: str) -> Price | None:
    """The amount and currency `text` states, or None unless both are certain."""
    match = _PRICE.fullmatch(text.strip())
    if match is None:
        return None
    sign = match["before"] or match["after"]
    currency = SYMBOLS.get(sign) or (sign if sign in MINOR_UNITS else None)
    if currency is None:
        return None
    amount = _amount(match["n1"] or match["n2"], MINOR_UNITS[currency])
    return Price(amount, currency) if amount is not None else None


def _amount(number: str, minor_units: int) -> str | None:
    """`number` as plain digits and an optional ".fraction", or None when ambiguous."""
    marks = [mark for mark in (".", ",") if mark in number]
    if len(marks) == 2:
        decimal = max(marks, key=number.rfind)
    elif marks and number.count(marks[0]) == 1 and len(number.rsplit(marks[0], 1)[1]) in (1, 2):
        decimal = marks[0]
    elif marks and number.count(marks[0]) == 1 and minor_units >= 3:
        return None  # "3.500 KWD": 3.5 dinars (three minor units) or 3,500? Unsure.
    else:
        decimal = None
    whole, fraction = number.rsplit(decimal, 1) if decimal else (number, "")
    if decimal and not fraction.isdigit():
        return None
    for mark in (".", ","):  # whatever is not the decimal mark groups, like spaces
        whole = whole.replace(mark, " ")
    if not _GROUPING.fullmatch(whole) and not whole.isdigit():
        return None
    if len(fraction) > minor_units:
        return None
    digits = re.sub(r"\D", "", whole).lstrip("0") or "0"
    return f"{digits}.{fraction}" if fraction else digits
