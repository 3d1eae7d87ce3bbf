"""Exact money: Decimal amounts in a stated currency, rounded to cents half-up, never float; shown
with the currency's symbol and thousands separators by Babel (CLDR data), not by hand."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 codes for the places ketamine clinics advertise in.
CURRENCIES: tuple[str, ...] = (
    "AUD",
    "CAD",
    "CHF",
    "DKK",
    "EUR",
    "GBP",
    "ILS",
    "INR",
    "JPY",
    "MXN",
    "NOK",
    "NZD",
    "SEK",
    "SGD",
    "USD",
    "ZAR",
)
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def show(value: Decimal, code: str, *, locale: str = "en") -> str:
    """ "$1,234.50", "-£300.00", "CHF 1,234.50": every amount to the cent, as calculated (currency
    digits are not applied: a yen total that came out at .50 is shown as such, not rounded away)."""
    from babel.numbers import format_currency  # lazily: `ketnav --help` stays instant

    text = format_currency(value, code, locale=locale, currency_digits=False)
    # CLDR asks for a space between a letter code and the digits ("CHF 12"); Babel leaves it out.
    return re.sub(r"(?<=[A-Za-z])(?=\d)", "\u00a0", text)
