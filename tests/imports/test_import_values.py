"""Amounts and dates as banks write them, read strictly into Decimal and date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeledger.imports.parsers.values import InvalidValueError, parse_amount, parse_date


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("-1.234,56", ",", ".", "-1234.56"),
        ("1.234,56 €", ",", ".", "1234.56"),
        ("($1,200.00)", ".", ",", "-1200.00"),
        ("-$60.00", ".", ",", "-60.00"),
        ("$-60.00", ".", ",", "-60.00"),
        ("12,34-", ",", ".", "-12.34"),
        ("+5", ".", "", "5"),
        ("1 234,56", ",", " ", "1234.56"),
        ("EUR 12.50", ".", "", "12.50"),
        (".50", ".", "", "0.50"),
        ("\u22123.10", ".", "", "-3.10"),
    ],
)
def test_amounts_in_bank_styles(text: str, decimal: str, thousands: str, expected: str) -> None:
    assert parse_amount(text, decimal_separator=decimal, thousands_separator=thousands) == Decimal(
        expected
    )


@pytest.mark.parametrize(
    "text", ["12,3x", "1.2.3", "", "--5", "1,23,4.00", "NaN", "Infinity", "1e5"]
)
def test_amounts_that_are_not_amounts(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_amount(text, decimal_separator=".", thousands_separator=",")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2))
def test_german_formatting_round_trips(value: Decimal) -> None:
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(text, decimal_separator=",", thousands_separator=".") == value


@pytest.mark.parametrize(
    ("text", "date_format", "expected"),
    [
        ("31.12.2025", "%d.%m.%Y", date(2025, 12, 31)),
        ("31.12.25", "%d.%m.%y", date(2025, 12, 31)),
        ("12/31/2025", "%m/%d/%Y", date(2025, 12, 31)),
        ("2025-12-31 10:11:12", "%Y-%m-%d %H:%M:%S", date(2025, 12, 31)),
        ("31 Dec 2025", "%d %b %Y", date(2025, 12, 31)),
    ],
)
def test_dates_in_bank_styles(text: str, date_format: str, expected: date) -> None:
    assert parse_date(text, date_format) == expected


def test_impossible_date_names_the_expected_form() -> None:
    with pytest.raises(InvalidValueError, match=r"DD\.MM\.YYYY"):
        parse_date("31.02.2025", "%d.%m.%Y")
