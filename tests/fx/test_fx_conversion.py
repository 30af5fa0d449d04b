from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeledger.fx.calc import (
    Conversion,
    Rate,
    RateNotFoundError,
    RatePrecedence,
    RateSource,
    RateTable,
    chain,
    convert_amount,
    convert_on,
    cross_rate,
    find_rate,
    inverse,
)
from homeledger.kit.currencies import (
    ISO_4217_EXPONENTS,
    UnknownCurrencyError,
    minor_unit_exponent,
)

D = Decimal


@pytest.mark.parametrize(
    ("currency", "exponent"),
    [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("ISK", 0), ("BHD", 3), ("KWD", 3),
     ("OMR", 3), ("TND", 3), ("JOD", 3), ("IQD", 3), ("CLF", 4), ("UYW", 4), ("RSD", 2)],
)  # fmt: skip
def test_iso_4217_minor_units(currency: str, exponent: int) -> None:
    assert minor_unit_exponent(currency) == exponent


@pytest.mark.parametrize("code", ["XAU", "XDR", "XXX", "eur", "ABC", ""])
def test_codes_without_a_minor_unit_are_refused(code: str) -> None:
    with pytest.raises(UnknownCurrencyError):
        minor_unit_exponent(code)


def test_the_table_is_read_only_and_well_formed() -> None:
    assert all(len(code) == 3 and code.isupper() for code in ISO_4217_EXPONENTS)
    assert set(ISO_4217_EXPONENTS.values()) == {0, 2, 3, 4}
    with pytest.raises(TypeError):
        ISO_4217_EXPONENTS["EUR"] = 3  # type: ignore[index]


def test_conversion_between_exponents() -> None:
    # 100.00 EUR at 1.0956 = 109.56 USD
    assert convert_amount(10_000, "EUR", "USD", D("1.0956")) == 10_956
    # 100.00 USD at 145.1973 JPY = 14519.73 -> 14520 JPY (no decimals)
    assert convert_amount(10_000, "USD", "JPY", D("145.1973")) == 14_520
    # 1,000 JPY at 0.0026 BHD = 2.600 BHD (three decimals)
    assert convert_amount(1_000, "JPY", "BHD", D("0.0026")) == 2_600
    # 1.000 BHD at 2.4 EUR
    assert convert_amount(1_000, "BHD", "EUR", D("2.4")) == 240
    # 1 CLF at 38,000 CLP
    assert convert_amount(10_000, "CLF", "CLP", D("38000")) == 38_000


def test_rounding_is_half_even_on_the_target_minor_unit() -> None:
    # 0.05 EUR * 0.5 = 0.025 -> 0.02 (2 is even); 0.07 * 0.5 = 0.035 -> 0.04
    assert convert_amount(5, "EUR", "USD", D("0.5")) == 2
    assert convert_amount(7, "EUR", "USD", D("0.5")) == 4
    assert convert_amount(-5, "EUR", "USD", D("0.5")) == -2
    assert convert_amount(5, "EUR", "USD", D("0.5"), rounding="ROUND_HALF_UP") == 3


def test_nothing_is_rounded_before_the_end() -> None:
    # Exactly ...001.4999, which rounds to ...001. Multiplying in the default
    # 28-digit context would first round to ...001.50 and then, half-even, to ...002.
    amount = 100_000_000_000_000_000_000_000_014_999
    rate = D("0.0001")
    assert convert_amount(amount, "EUR", "USD", rate) == 10_000_000_000_000_000_000_000_001
    twice_rounded = (D(amount) * rate).quantize(D(1), rounding=ROUND_HALF_EVEN)
    assert twice_rounded == 10_000_000_000_000_000_000_000_002


def test_rates_must_be_positive_decimals() -> None:
    with pytest.raises(TypeError):
        convert_amount(1, "EUR", "USD", 1.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="positive"):
        convert_amount(1, "EUR", "USD", D(0))
    with pytest.raises(ValueError, match="positive"):
        Rate("EUR", "USD", D("NaN"), date(2024, 1, 1))
    with pytest.raises(ValueError, match="must be 1"):
        Rate("EUR", "EUR", D(2), date(2024, 1, 1))


def test_inverse_and_cross_rates() -> None:
    eur_usd = Rate("EUR", "USD", D("1.25"), date(2024, 1, 2), "ECB")
    eur_jpy = Rate("EUR", "JPY", D("160"), date(2024, 1, 1), "ECB")
    assert inverse(eur_usd) == Rate("USD", "EUR", D("0.8"), date(2024, 1, 2), "ECB")
    usd_jpy = cross_rate(eur_usd, eur_jpy)
    assert usd_jpy == Rate("USD", "JPY", D("128"), date(2024, 1, 1), "ECB")
    assert chain(inverse(eur_usd), eur_jpy).value == D("128.0")
    with pytest.raises(ValueError, match="same base"):
        cross_rate(eur_usd, inverse(eur_jpy))


USER = RateTable(
    [
        Rate("USD", "EUR", D("0.90"), date(2024, 3, 1)),
        Rate("USD", "EUR", D("0.95"), date(2024, 3, 10)),
        Rate("GBP", "EUR", D("1.17"), date(2024, 3, 5)),
        Rate("GBP", "EUR", D("1.18"), date(2024, 3, 5)),  # a correction on the same day
    ]
)
MARKET = RateTable(
    [
        Rate("USD", "EUR", D("0.91"), date(2024, 3, 5), "ECB"),
        Rate("USD", "EUR", D("0.92"), date(2024, 3, 10), "ECB"),
        Rate("EUR", "PLN", D("4.30"), date(2024, 3, 8), "ECB"),
    ]
)


def test_latest_rate_on_or_before_the_day() -> None:
    assert USER.latest_rate("USD", "EUR", date(2024, 2, 29)) is None
    assert USER.latest_rate("USD", "EUR", date(2024, 3, 1))
    rate = USER.latest_rate("USD", "EUR", date(2024, 3, 9))
    assert rate is not None
    assert (rate.value, rate.as_of) == (D("0.90"), date(2024, 3, 1))
    correction = USER.latest_rate("GBP", "EUR", date(2024, 3, 5))
    assert correction is not None
    assert correction.value == D("1.18")


def test_a_table_answers_the_reverse_pair_by_inverting() -> None:
    rate = USER.latest_rate("EUR", "GBP", date(2024, 3, 6))
    assert rate is not None
    assert rate.base == "EUR"
    assert rate.convert(118) == 100


def test_user_rates_override_the_market_on_the_same_day() -> None:
    sources: list[RateSource] = [USER, MARKET]
    same_day = find_rate("USD", "EUR", date(2024, 3, 10), sources)
    assert (same_day.value, same_day.source) == (D("0.95"), "user")


def test_a_fresher_market_rate_beats_an_older_override() -> None:
    sources: list[RateSource] = [USER, MARKET]
    rate = find_rate("USD", "EUR", date(2024, 3, 7), sources)
    assert (rate.value, rate.as_of, rate.source) == (D("0.91"), date(2024, 3, 5), "ECB")


def test_source_order_precedence_keeps_the_override_whatever_its_age() -> None:
    rate = find_rate(
        "USD", "EUR", date(2024, 3, 7), [USER, MARKET], precedence=RatePrecedence.SOURCE_ORDER
    )
    assert (rate.value, rate.source) == (D("0.90"), "user")


def test_a_pivot_bridges_pairs_no_source_has() -> None:
    with pytest.raises(RateNotFoundError, match="USD/PLN"):
        find_rate("USD", "PLN", date(2024, 3, 9), [USER, MARKET])
    rate = find_rate("USD", "PLN", date(2024, 3, 9), [USER, MARKET], pivot="EUR")
    # USD->EUR 0.91 (ECB, 5 March) then EUR->PLN 4.30 (8 March)
    assert rate.value == D("3.9130")
    assert rate.as_of == date(2024, 3, 5)


def test_convert_on_reports_the_rate_used() -> None:
    result = convert_on(12_345, "USD", "EUR", date(2024, 3, 10), [USER, MARKET])
    used = Rate("USD", "EUR", D("0.95"), date(2024, 3, 10))
    assert result == Conversion(12_345, "USD", 11_728, "EUR", used)
    same = convert_on(500, "EUR", "EUR", date(2024, 3, 10), [])
    assert same.amount_minor == 500
    assert same.rate.source == "identity"


currencies = st.sampled_from(sorted(ISO_4217_EXPONENTS))
rates = st.decimals(
    min_value=D("0.00001"), max_value=D("100000"), places=6, allow_nan=False, allow_infinity=False
).filter(lambda value: value > 0)
amounts = st.integers(-(10**15), 10**15)


@given(amounts, currencies, currencies, rates)
def test_a_conversion_is_within_half_a_target_unit_of_exact(
    amount: int, source: str, target: str, rate: Decimal
) -> None:
    converted = convert_amount(amount, source, target, rate)
    with localcontext() as wide:
        # Wide enough that the check itself does not round.
        wide.prec = 100
        shift = minor_unit_exponent(target) - minor_unit_exponent(source)
        exact = D(amount) * rate * D(10) ** shift
        assert abs(D(converted) - exact) <= D("0.5")


@given(amounts, currencies, currencies, rates)
def test_converting_there_and_back_is_within_the_coarser_unit(
    amount: int, source: str, target: str, rate: Decimal
) -> None:
    if source == target:
        return
    there = Rate(source, target, rate, date(2024, 1, 1))
    back = inverse(there).convert(there.convert(amount))
    # How many source minor units one target minor unit is worth.
    scale = rate * D(10) ** (minor_unit_exponent(target) - minor_unit_exponent(source))
    assert abs(back - amount) <= 1 + 1 / (2 * scale)
    if scale >= 1:
        # The target is at least as fine as the source: within one minor unit.
        assert abs(back - amount) <= 1


@given(amounts, rates)
def test_eur_usd_round_trip_within_one_cent(amount: int, rate: Decimal) -> None:
    if rate < 1:
        rate = 1 / rate
    there = Rate("EUR", "USD", rate.quantize(D("0.0001")), date(2024, 1, 1))
    back = inverse(there).convert(there.convert(amount))
    assert abs(back - amount) <= 1


@given(amounts, amounts, currencies, rates)
def test_conversion_is_monotonic(a: int, b: int, currency: str, rate: Decimal) -> None:
    low, high = sorted((a, b))
    assert convert_amount(low, currency, "EUR", rate) <= convert_amount(high, currency, "EUR", rate)


@given(amounts, currencies, rates)
def test_conversion_is_symmetric_around_zero(amount: int, currency: str, rate: Decimal) -> None:
    # Half-even rounding has no sign bias: -x converts to minus what x converts to.
    assert convert_amount(-amount, currency, "USD", rate) == -convert_amount(
        amount, currency, "USD", rate
    )


def test_rates_written_with_an_exponent_convert_in_full() -> None:
    assert convert_amount(1, "EUR", "USD", D("1E+5")) == 100_000
    assert convert_amount(3, "JPY", "BHD", D("1E+2")) == 300_000
    assert convert_amount(1, "CLF", "JPY", D("1E-3")) == 0
