"""Exact money: Decimal amounts in a stated currency, rounded to cents half-up, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ketnav.errors import ErrorDetail, InvalidInput

# ISO 4217 codes for the places ketamine clinics advertise in; the symbol is for display only.
CURRENCIES: dict[str, str] = {
    "USD": "$",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "GBP": "£",
    "EUR": "€",
    "CHF": "CHF ",
    "SEK": "SEK ",
    "NOK": "NOK ",
    "DKK": "DKK ",
    "MXN": "MX$",
    "ILS": "₪",
    "ZAR": "R",
    "INR": "₹",
    "JPY": "¥",
    "SGD": "S$",
}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def currency(code: object, where: str) -> str:
    text = str(code or "").strip().upper()
    if text not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInput(
            f"{where}: {code!r} is not a currency we know; use an ISO 4217 code ({known})",
            [ErrorDetail(where, f"unknown currency {code!r}")],
        )
    return text


def amount(value: object, where: str, *, allow_zero: bool = True) -> Decimal:
    """A price as Decimal: accepts 450, "450", "$1,250.50"; rejects negatives, text and absurd sizes."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(f"{where}: {value!r} is not an amount of money", [ErrorDetail(where, "not an amount")])
    text = str(value).strip().replace(",", "")
    for symbol in ("US$", "CA$", "A$", "NZ$", "$", "£", "€"):
        text = text.replace(symbol, "")
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInput(
            f"{where}: {value!r} is not an amount of money", [ErrorDetail(where, "not an amount")]
        ) from None
    if not number.is_finite():
        raise InvalidInput(f"{where}: {value!r} is not a finite amount", [ErrorDetail(where, "not finite")])
    if number < 0:
        raise InvalidInput(
            f"{where}: {value} is negative; prices cannot be below zero", [ErrorDetail(where, "negative")]
        )
    if number == 0 and not allow_zero:
        raise InvalidInput(f"{where}: must be more than zero", [ErrorDetail(where, "zero")])
    if number > MAX_AMOUNT:
        raise InvalidInput(f"{where}: {value} is implausibly large", [ErrorDetail(where, "too large")])
    return cents(number)


def percent(value: object, where: str) -> Decimal:
    """A percentage from 0 to 100 (APR, coinsurance, reimbursement)."""
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        raise InvalidInput(f"{where}: {value!r} is not a percentage", [ErrorDetail(where, "not a number")]) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal(100):
        raise InvalidInput(
            f"{where}: {value}% is outside 0–100%", [ErrorDetail(where, "must be between 0 and 100 percent")]
        )
    return number


def show(value: Decimal, code: str) -> str:
    """ "$1,234.50" or "-$300.00": for pages and the terminal."""
    sign = "-" if value < 0 else ""
    return f"{sign}{CURRENCIES.get(code, code + ' ')}{abs(value):,.2f}"
