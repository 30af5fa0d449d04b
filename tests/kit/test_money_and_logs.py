"""Money exponents and parsing; log redaction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from homeledger.kit.errors import InvalidInput
from homeledger.kit.logging import redact
from homeledger.kit.money import exponent, format_plain, to_decimal, to_minor


@pytest.mark.parametrize(
    ("currency", "places"),
    [("JPY", 0), ("USD", 2), ("EUR", 2), ("BHD", 3), ("CLF", 4), ("RSD", 2), ("IQD", 3)],
)
def test_exponents_follow_iso_4217(currency: str, places: int) -> None:
    assert exponent(currency) == places


def test_parsing_is_exact_and_refuses_extra_precision() -> None:
    assert to_minor("12.30", "EUR") == 1230
    assert to_minor("-0.005", "BHD") == -5
    assert to_minor("1500", "JPY") == 1500
    with pytest.raises(InvalidInput, match="more decimals than JPY allows"):
        to_minor("1.5", "JPY")
    with pytest.raises(InvalidInput, match="not a decimal"):
        to_minor("12,30", "EUR")
    with pytest.raises(InvalidInput, match="ISO 4217"):
        to_minor("1", "ABC")


def test_display_keeps_the_currency_decimals() -> None:
    assert format_plain(-1230, "EUR") == "-12.30"
    assert format_plain(5, "BHD") == "0.005"
    assert to_decimal(1500, "JPY") == Decimal(1500)


def test_log_lines_never_carry_secrets() -> None:
    event = redact(
        None,
        "info",
        {
            "event": "called with Bearer eyJhbGciOi.payload.sig and hlp_abcdef123",
            "password": "hunter2 hunter2",
            "account_number": "DE89370400440532013000",
            "detail": "card 4111111111111111 declined",
            "route": "/api/v1/households/{household_id}",
        },
    )
    assert event["password"] == "[redacted]"
    assert event["account_number"] == "[redacted]"
    assert "eyJhbGciOi" not in event["event"]
    assert "hlp_abcdef123" not in event["event"]
    assert "4111111111111111" not in event["detail"]
    assert event["route"] == "/api/v1/households/{household_id}"
