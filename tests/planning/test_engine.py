"""What a person planning with the engine would notice: flows, events, bands, failures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeledger.planning import Income, OneOff, Plan, simulate, to_float
from homeledger.planning.history import annual_history
from homeledger.planning.results import BAND_PERCENTILES, percentiles
from homeledger.planning.returns import (
    BlockBootstrap,
    Bootstrap,
    HistoricalRolling,
    Lognormal,
    MarketAssumptions,
)
from homeledger.planning.strategies import ConstantDollar, FixedNominal

FLAT = MarketAssumptions(
    log_mean=(0.0, 0.0),
    log_volatility=(1e-9, 1e-9),
    correlation=((1.0, 0.0), (0.0, 1.0)),
    inflation=0.0,
)
"""No growth, no inflation: every amount can be checked by hand."""


def test_flat_market_spends_exactly_the_withdrawals() -> None:
    plan = Plan(initial_portfolio=1_000.0, years=10, allocation=(0.5, 0.5))
    result = simulate(plan, Lognormal(FLAT), ConstantDollar(rate=0.05), paths=10, seed=1)
    np.testing.assert_allclose(result.ending_real, 500.0, rtol=1e-6)
    assert result.success_rate == 1.0


def test_running_out_is_reported_with_the_year() -> None:
    plan = Plan(initial_portfolio=1_000.0, years=30, allocation=(0.5, 0.5))
    result = simulate(plan, Lognormal(FLAT), ConstantDollar(rate=0.06), paths=10, seed=1)
    assert result.success_rate == 0.0
    # 16 years of 60 leave 40: the ninth monthly payment of 5 in year 17 (index 16) fails.
    assert (result.depleted_year == 16).all()
    assert result.worst.depleted_in_year == 16
    assert (result.ending_real == 0.0).all()


def test_contributions_pensions_and_one_offs_move_money_as_stated() -> None:
    plan = Plan(
        initial_portfolio=1_000.0,
        years=10,
        allocation=(0.5, 0.5),
        retire_after_years=5,
        monthly_contribution=10.0,
        incomes=(Income(monthly_amount=2.0, start_month=84),),
        one_offs=(OneOff(month=30, amount=-300.0), OneOff(month=100, amount=50.0)),
    )
    result = simulate(plan, Lognormal(FLAT), FixedNominal(amount=120.0), paths=4, seed=1)
    saved = 5 * 12 * 10.0
    spent = 5 * 120.0
    pension = 3 * 12 * 2.0
    expected = 1_000.0 + saved - spent + pension - 300.0 + 50.0
    np.testing.assert_allclose(result.ending_real, expected, rtol=1e-6)


def test_failure_is_final_even_if_a_pension_starts_later() -> None:
    plan = Plan(
        initial_portfolio=100.0,
        years=5,
        allocation=(0.5, 0.5),
        incomes=(Income(monthly_amount=50.0, start_month=36),),
    )
    result = simulate(plan, Lognormal(FLAT), FixedNominal(amount=120.0), paths=3, seed=1)
    assert result.success_rate == 0.0
    assert (result.ending_real == 0.0).all()


def test_decimal_money_from_the_ledger_is_converted_once_at_the_edge() -> None:
    from decimal import Decimal

    plan = Plan(initial_portfolio=to_float(Decimal("1000.50")), years=1, allocation=(0.5, 0.5))
    result = simulate(plan, Lognormal(FLAT), ConstantDollar(rate=0.0), paths=2, seed=1)
    np.testing.assert_allclose(result.ending_real, 1000.5, rtol=1e-9)


def test_glide_path_reaches_the_final_allocation() -> None:
    plan = Plan(years=11, allocation=(0.9, 0.1), final_allocation=(0.3, 0.7))
    np.testing.assert_allclose(plan.weights(0), [0.9, 0.1])
    np.testing.assert_allclose(plan.weights(5), [0.6, 0.4])
    np.testing.assert_allclose(plan.weights(10), [0.3, 0.7])
    with pytest.raises(ValueError, match="sum to 1"):
        Plan(allocation=(0.9, 0.2))


def test_bands_are_ordered_and_start_at_the_portfolio() -> None:
    plan = Plan(initial_portfolio=500_000.0, years=25, allocation=(0.6, 0.4))
    result = simulate(plan, Bootstrap(annual_history()), ConstantDollar(0.04), paths=4000, seed=9)
    assert result.bands is not None
    assert result.bands.shape == (26, 7)
    np.testing.assert_allclose(result.bands[0], 500_000.0)
    assert (np.diff(result.bands, axis=1) >= 0).all()
    assert 0.0 <= result.success_rate <= 1.0
    unbanded = simulate(
        plan, Bootstrap(annual_history()), ConstantDollar(0.04), paths=4000, seed=9, bands=False
    )
    assert unbanded.bands is None
    assert unbanded.success_rate == result.success_rate


def test_historical_worst_sequence_is_the_1966_retiree() -> None:
    plan = Plan(years=30, allocation=(0.5, 0.5))
    model = HistoricalRolling(annual_history().window(1926, 1995))
    result = simulate(plan, model, ConstantDollar(0.05), bands=False)
    assert result.paths == 41
    assert result.start_years is not None
    assert result.start_years[0] == 1926
    # The late-1960s start years are the famous worst case of US history.
    assert result.worst.start_year is not None
    assert 1964 <= result.worst.start_year <= 1969
    assert result.worst.depleted_in_year is not None


def test_block_bootstrap_keeps_consecutive_years_together() -> None:
    history = annual_history().window(1926, 2010)
    model = BlockBootstrap(history, block_years=5)
    draws = list(model.stream(200, 10, np.random.default_rng(4)))
    first = np.stack([d.history_index for d in draws[:5] if d.history_index is not None])
    steps = np.diff(first, axis=0) % history.year.size
    assert (steps == 1).all()


def test_a_horizon_longer_than_the_data_is_refused() -> None:
    model = HistoricalRolling(annual_history().window(1990, 2000))
    with pytest.raises(ValueError, match="does not fit"):
        simulate(Plan(years=30), model, ConstantDollar())


@given(values=st.lists(st.floats(min_value=-1e9, max_value=1e9), min_size=1, max_size=300))
def test_band_percentiles_match_numpy(values: list[float]) -> None:
    array = np.array(values)
    np.testing.assert_allclose(
        percentiles(array), np.percentile(array, BAND_PERCENTILES), rtol=1e-12, atol=1e-6
    )
