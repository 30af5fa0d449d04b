"""Closed forms the engine must hit: lognormal wealth, means under rebalancing, seeds."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from homeledger.planning import Plan, simulate
from homeledger.planning.history import annual_history
from homeledger.planning.returns import (
    Bootstrap,
    Lognormal,
    MarketAssumptions,
    ReturnModel,
    StudentT,
)
from homeledger.planning.strategies import ConstantDollar, ConstantPercent

PATHS = 20_000
YEARS = 10
STANDARD_ERRORS = 4.0
"""A seeded run is deterministic; 4 standard errors keeps an honest engine well inside while
a wrong one (a drift off by a tenth of a volatility) falls far outside."""

ONE_ASSET = MarketAssumptions(
    log_mean=(0.06,), log_volatility=(0.18,), correlation=((1.0,),), inflation=0.0
)
TWO_ASSETS = MarketAssumptions(
    log_mean=(0.07, 0.03),
    log_volatility=(0.20, 0.07),
    correlation=((1.0, 0.3), (0.3, 1.0)),
    inflation=0.0,
)


def _no_withdrawals(allocation: tuple[float, ...], rebalance: str = "annual") -> Plan:
    return Plan(
        initial_portfolio=100.0,
        years=YEARS,
        allocation=allocation,
        retire_after_years=YEARS,
        rebalance="monthly" if rebalance == "monthly" else "annual",
    )


def test_lognormal_ending_wealth_matches_closed_form() -> None:
    result = simulate(
        _no_withdrawals((1.0,)), Lognormal(ONE_ASSET), ConstantDollar(), paths=PATHS, seed=11
    )
    # 12 * YEARS i.i.d. monthly log returns sum to N(YEARS * mu, YEARS * sigma^2).
    mu, sigma = YEARS * 0.06, math.sqrt(YEARS) * 0.18
    ending = result.ending_real
    mean = 100.0 * math.exp(mu + sigma**2 / 2.0)
    sd = mean * math.sqrt(math.exp(sigma**2) - 1.0)
    assert abs(ending.mean() - mean) <= STANDARD_ERRORS * sd / math.sqrt(PATHS)
    normal = NormalDist()
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        z = normal.inv_cdf(q)
        exact = 100.0 * math.exp(mu + sigma * z)
        density = normal.pdf(z) / (exact * sigma)
        quantile_se = math.sqrt(q * (1.0 - q) / PATHS) / density
        assert abs(float(np.quantile(ending, q)) - exact) <= STANDARD_ERRORS * quantile_se


@pytest.mark.parametrize("rebalance", ["annual", "monthly"])
def test_mean_wealth_of_a_rebalanced_mix_matches_closed_form(rebalance: str) -> None:
    weights = (0.6, 0.4)
    result = simulate(
        _no_withdrawals(weights, rebalance),
        Lognormal(TWO_ASSETS),
        ConstantDollar(),
        paths=PATHS,
        seed=5,
    )
    # Returns are independent across rebalancing periods, so expected growth multiplies.
    if rebalance == "annual":
        period_growth = sum(
            w * math.exp(m + s**2 / 2.0)
            for w, m, s in zip(weights, (0.07, 0.03), (0.20, 0.07), strict=True)
        )
        mean = 100.0 * period_growth**YEARS
    else:
        monthly = sum(
            w * math.exp(m / 12.0 + s**2 / 24.0)
            for w, m, s in zip(weights, (0.07, 0.03), (0.20, 0.07), strict=True)
        )
        mean = 100.0 * monthly ** (12 * YEARS)
    ending = result.ending_real
    standard_error = ending.std(ddof=1) / math.sqrt(PATHS)
    assert abs(ending.mean() - mean) <= STANDARD_ERRORS * standard_error


def test_fees_cost_exactly_their_rate() -> None:
    plan = _no_withdrawals((1.0,))
    with_fee = Plan(
        initial_portfolio=100.0,
        years=YEARS,
        allocation=(1.0,),
        retire_after_years=YEARS,
        annual_fee=0.01,
    )
    free = simulate(plan, Lognormal(ONE_ASSET), ConstantDollar(), paths=500, seed=2)
    charged = simulate(with_fee, Lognormal(ONE_ASSET), ConstantDollar(), paths=500, seed=2)
    np.testing.assert_allclose(charged.ending_real, free.ending_real * 0.99**YEARS, rtol=1e-12)


@pytest.mark.parametrize(
    "model",
    [
        Lognormal(
            MarketAssumptions(
                log_mean=(0.02, 0.0),
                log_volatility=(0.6, 0.3),
                correlation=((1.0, 0.0), (0.0, 1.0)),
                inflation=0.03,
            )
        ),
        StudentT(MarketAssumptions.from_history(annual_history()), degrees_of_freedom=2.5),
        Bootstrap(annual_history()),
    ],
    ids=["lognormal-60%-vol", "student-t-df2.5", "bootstrap"],
)
@pytest.mark.parametrize("rate", [0.04, 0.25, 0.9])
@pytest.mark.parametrize("withdrawals", ["monthly", "annual"])
def test_constant_percentage_never_fails(model: ReturnModel, rate: float, withdrawals: str) -> None:
    plan = Plan(
        years=40,
        allocation=(1.0, 0.0),
        withdrawals="monthly" if withdrawals == "monthly" else "annual",
    )
    result = simulate(plan, model, ConstantPercent(rate), paths=2_000, seed=3, bands=False)
    assert result.success_rate == 1.0
    assert (result.ending_real > 0).all()


def test_same_seed_same_result_and_other_seed_differs() -> None:
    plan = Plan(years=30, allocation=(0.6, 0.4))
    model = StudentT(MarketAssumptions.from_history(annual_history()))
    first = simulate(plan, model, ConstantDollar(0.05), paths=3_000, seed=42)
    again = simulate(plan, model, ConstantDollar(0.05), paths=3_000, seed=42)
    other = simulate(plan, model, ConstantDollar(0.05), paths=3_000, seed=43)
    np.testing.assert_array_equal(first.ending_real, again.ending_real)
    assert first.bands is not None
    assert again.bands is not None
    assert other.bands is not None
    np.testing.assert_array_equal(first.bands, again.bands)
    assert first.success_rate == again.success_rate
    assert not np.array_equal(first.ending_real, other.ending_real)
    assert not np.array_equal(first.bands, other.bands)
