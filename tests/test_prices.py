"""Prices as people write them: amount and ISO 4217 currency, or nothing when unsure."""

from __future__ import annotations

import pytest

from generator.share.prices import MINOR_UNITS, SYMBOLS, Price, parse_price

READ = [
    # the examples
    ("$29", "29", "USD"),
    ("€12", "12", "EUR"),
    ("149.000₫", "149000", "VND"),
    ("¥1,200", "1200", "JPY"),
    ("29 USD", "29", "USD"),
    # sign or code before or after, with or without a (no-break) space
    ("USD 29", "29", "USD"),
    ("$ 29", "29", "USD"),
    ("29$", "29", "USD"),
    ("12\u00a0€", "12", "EUR"),
    ("149.000 đ", "149000", "VND"),
    ("CN¥88", "88", "CNY"),
    ("R$ 49,90", "49.90", "BRL"),
    ("A$15", "15", "AUD"),
    # decimal marks: the later of "." and ",", or one mark before one or two digits
    ("$29.99", "29.99", "USD"),
    ("€12,50", "12.50", "EUR"),
    ("12,5 €", "12.5", "EUR"),
    ("$1,299.00", "1299.00", "USD"),
    ("1.299,00 €", "1299.00", "EUR"),
    # grouping: one mark before three digits, a repeated mark, spaces
    ("$1,200", "1200", "USD"),
    ("€1.200.000", "1200000", "EUR"),
    ("1 299 SEK", "1299", "SEK"),
    ("1\u202f299,95 EUR", "1299.95", "EUR"),
    ("$29.999", "29999", "USD"),  # as Chile and Colombia write pesos: "." groups
    ("3.500,250 KWD", "3500.250", "KWD"),
    ("$0", "0", "USD"),
    ("$012", "12", "USD"),
]

NOT_READ = [
    "Free", "149k", "from $29", "$29/month", "$10-20", "10 - 20 €", "~$30",
    "1.5₫",          # the dong has no minor unit: a fraction of it is a mistake
    "¥12.5",         # neither has the yen
    "3.500 KWD",     # 3.5 dinars (three minor units) or 3,500
    "$1.299,999",    # three decimals for a currency with two
    "1,00,000 ₹",    # Indian grouping: groups of two are not read
    "29 XYZ", "29 usd", "$", "29", "USD", "", "  ",
    "1,2,3 €", "$,29", "$29.", "€.5", "$-5", "-$5", "$29 $30",
]


@pytest.mark.parametrize("text, amount, currency", READ)
def test_a_price_reads_as_its_amount_and_currency(text, amount, currency):
    assert parse_price(text) == Price(amount, currency)


@pytest.mark.parametrize("text", NOT_READ)
def test_a_price_that_is_not_certain_reads_as_nothing(text):
    assert parse_price(text) is None


def test_every_sign_stands_for_a_known_currency():
    assert set(SYMBOLS.values()) <= set(MINOR_UNITS)
    assert len(MINOR_UNITS) > 150  # the active ISO 4217 list, not a sample
    assert all(len(code) == 3 and code.isupper() for code in MINOR_UNITS)


def test_white_space_around_the_price_is_ignored():
    assert parse_price("  $29 \n") == Price("29", "USD")
