"""Money: an integer count of minor units plus an ISO 4217 currency.

`Decimal` appears only at the edges (parsing and display). The minor-unit exponent is
ISO 4217's (kit/currencies.py: JPY 0, USD 2, BHD 3), not CLDR's display precision.
Parsing refuses amounts with more decimals than the currency has: silently rounding a
user's or a bank's figure would make balances drift.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

from homeledger.kit.currencies import ISO_4217_EXPONENTS
from homeledger.kit.errors import InvalidInput


def known_currencies() -> frozenset[str]:
    return frozenset(ISO_4217_EXPONENTS)


def check_currency(code: str, field: str = "currency") -> str:
    if code not in ISO_4217_EXPONENTS:
        raise InvalidInput(field, f"'{code}' is not an ISO 4217 currency code")
    return code


@cache
def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit."""
    check_currency(currency)
    return ISO_4217_EXPONENTS[currency]


def to_minor(amount: Decimal | str, currency: str, field: str = "amount") -> int:
    """Exact conversion of a decimal amount to minor units; refuses extra precision."""
    try:
        value = Decimal(amount) if isinstance(amount, str) else amount
    except InvalidOperation:
        raise InvalidInput(field, f"'{amount}' is not a decimal amount") from None
    if not value.is_finite():
        raise InvalidInput(field, f"'{amount}' is not a finite amount")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise InvalidInput(
            field,
            f"{amount} has more decimals than {currency} allows ({exponent(currency)})",
        )
    return int(scaled)


def to_decimal(minor: int, currency: str) -> Decimal:
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def format_plain(minor: int, currency: str) -> str:
    """The amount as a decimal string with exactly the currency's decimals ('-12.30')."""
    return str(to_decimal(minor, currency))
