"""Properties of the withdrawal strategies, for any market (hypothesis)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.planning import Plan, simulate
from homeledger.planning.returns import YearDraw
from homeledger.planning.strategies import (
    FloorCeiling,
    Guardrails,
    RetirementMemory,
    VariablePercentage,
    YearContext,
)
from homeledger.planning.xp import FloatArray, Generator

annual_returns = st.floats(min_value=-0.6, max_value=0.8, allow_nan=False)
inflations = st.floats(min_value=-0.1, max_value=0.2, allow_nan=False)


def _memory(value: float, price: float = 1.0) -> RetirementMemory:
    return RetirementMemory(
        value_at_retirement=np.array([value]),
        price_at_retirement=np.array([price]),
        previous_amount=np.zeros(1),
        previous_price=np.array([price]),
    )


def _context(year: int, years_left: int, value: float, price: float, last: float) -> YearContext:
    return YearContext(
        year=year,
        years_left=years_left,
        payments_per_year=12,
        value=np.array([value]),
        price=np.array([price]),
        last_year_return=np.array([last]),
    )


@given(
    rate=st.floats(min_value=0.01, max_value=0.15),
    value=st.floats(min_value=0.0, max_value=1e8),
    price=st.floats(min_value=0.5, max_value=5.0),
    floor=st.floats(min_value=0.0, max_value=1.0),
    ceiling=st.floats(min_value=1.0, max_value=3.0),
)
def test_floor_ceiling_spending_stays_between_floor_and_ceiling(
    rate: float, value: float, price: float, floor: float, ceiling: float
) -> None:
    strategy = FloorCeiling(rate=rate, floor=floor, ceiling=ceiling)
    memory = _memory(1_000_000.0)
    amount = strategy.decide(_context(3, 10, value, price, 0.0), memory).amount[0]
    first_year = rate * 1_000_000.0
    real = amount / price
    assert floor * first_year * (1 - 1e-12) <= real <= ceiling * first_year * (1 + 1e-12)


@settings(max_examples=150)
@given(
    rate=st.floats(min_value=0.02, max_value=0.08),
    returns=st.lists(st.tuples(annual_returns, inflations), min_size=2, max_size=30),
)
def test_guardrails_change_real_spending_only_at_guardrail_crossings(
    rate: float, returns: list[tuple[float, float]]
) -> None:
    strategy = Guardrails(rate=rate)
    years = len(returns) + 1
    value, price = 1_000_000.0, 1.0
    memory = _memory(value)
    previous = strategy.decide(_context(0, years, value, price, 0.0), memory).amount[0]
    memory.previous_amount = np.array([previous])
    for year, (market, inflation) in enumerate(returns, start=1):
        value = max((value - previous) * (1.0 + market), 0.0)
        new_price = price * (1.0 + inflation)
        years_left = years - year
        decided = strategy.decide(_context(year, years_left, value, new_price, market), memory)
        amount = decided.amount[0]
        # What the inflation rule alone would pay, and the rate that would mean.
        frozen = market < 0 and previous / max(value, 1e-300) > rate
        candidate = previous if frozen else previous * new_price / price
        candidate_rate = candidate / max(value, 1e-300)
        inside = rate * 0.8 <= candidate_rate <= rate * 1.2
        if inside or (candidate_rate > rate * 1.2 and years_left <= 15):
            assert np.isclose(amount, candidate, rtol=1e-12)
        else:
            assert np.isclose(amount, candidate * 0.9, rtol=1e-12) or np.isclose(
                amount, candidate * 1.1, rtol=1e-12
            )
            assert (amount < candidate) == (candidate_rate > rate * 1.2)
        memory.previous_amount = decided.amount
        memory.previous_price = np.array([new_price])
        previous, price = amount, new_price


class _GivenReturns:
    """A one-asset model replaying the annual returns a test gives it."""

    def __init__(self, returns: list[float]) -> None:
        self.returns = returns

    @property
    def n_assets(self) -> int:
        return 1

    def n_paths(self, requested: int, years: int) -> int:
        return requested

    def stream(self, paths: int, years: int, rng: Generator) -> Iterator[YearDraw]:
        for annual in self.returns[:years]:
            monthly: FloatArray = np.full((1, 12, paths), (1.0 + annual) ** (1.0 / 12.0))
            yield YearDraw(growth=monthly, inflation=np.full(paths, 0.02))


@settings(max_examples=60, deadline=None)
@given(
    returns=st.lists(annual_returns, min_size=1, max_size=40),
    withdrawals=st.sampled_from(["monthly", "annual"]),
    real_return=st.floats(min_value=0.0, max_value=0.08),
)
def test_vpw_spends_everything_by_the_horizon_and_never_runs_out_before(
    returns: list[float], withdrawals: str, real_return: float
) -> None:
    years = len(returns)
    plan = Plan(
        initial_portfolio=1_000.0,
        years=years,
        allocation=(1.0,),
        withdrawals="monthly" if withdrawals == "monthly" else "annual",
    )
    result = simulate(
        plan, _GivenReturns(returns), VariablePercentage(real_return), paths=1, seed=0
    )
    assert result.success_rate == 1.0
    assert result.ending_real[0] == 0.0
    assert result.bands is not None
    # Every year end before the last still holds money.
    assert (result.bands[:-1, 0] > 0.0).all()


def test_vpw_takes_everything_only_at_the_last_payment() -> None:
    strategy = VariablePercentage(0.04)
    memory = _memory(1.0)
    for years_left in range(1, 41):
        fraction = strategy.decide(_context(0, years_left, 1.0, 1.0, 0.0), memory).fraction
        if years_left == 1:
            assert fraction[-1] == 1.0
            assert (fraction[:-1] < 1.0).all()
        else:
            assert (fraction < 1.0).all()
