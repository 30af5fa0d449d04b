"""The simulation engine: every path at once, a month at a time, one year streamed at a time.

Memory is O(paths): the engine keeps a few (paths,) vectors (value, price level, failure
flags) and one year of returns from the model (assets x 12 x paths); nothing of shape
paths x months is ever held. Percentile bands are taken from the value vector at each year
end, so they cost one (years + 1, 7) table, not the paths.

Conventions, chosen to follow the Trinity study (Cooley, Hubbard & Walz 1998):

* Withdrawals are taken at the start of each month (1/12 of the year's amount) or, for annual
  withdrawals, at the start of the year; then the month's return is earned.
* Inflation adjustments happen once a year, each January: within a year every amount in
  plan-start money is converted at the price level of the year's start.
* Rebalancing is monthly or annual (see :attr:`Plan.rebalance`). With annual rebalancing the
  assets drift within the year; withdrawals and contributions are taken pro rata, so the
  portfolio's monthly return is ``B[m] / B[m-1]`` where ``B[m] = sum_a weight_a * prod(growth_a
  up to m)`` is the buy-and-hold growth since January.
* A path fails when a withdrawal cannot be paid in full (the balance would go below zero); the
  failure is final: its value stays at zero even if income arrives later. With VPW the last
  payment takes exactly what is left, which is not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeledger.planning.history import MONTHS
from homeledger.planning.plan import Plan
from homeledger.planning.results import (
    SimulationResult,
    percentiles,
    worst_path,
)
from homeledger.planning.returns import HistoricalRolling, ReturnModel
from homeledger.planning.strategies import (
    RetirementMemory,
    Strategy,
    Withdrawal,
    YearContext,
)
from homeledger.planning.xp import BoolArray, FloatArray, IntArray, make_rng, xp


@dataclass
class _State:
    """The per-path vectors carried from month to month."""

    value: FloatArray
    price: FloatArray
    failed: BoolArray
    depleted_year: IntArray
    lowest_real: FloatArray
    last_year_return: FloatArray


def simulate(
    plan: Plan,
    model: ReturnModel,
    strategy: Strategy,
    *,
    paths: int = 10_000,
    seed: int | None = None,
    bands: bool = True,
) -> SimulationResult:
    """Run ``plan`` under ``model`` with ``strategy``; the same seed gives the same result."""
    rng = make_rng(seed)
    n = model.n_paths(paths, plan.years)
    if n < 1:
        raise ValueError("a simulation needs at least one path")
    weights = plan.weights(0)
    if weights.size != model.n_assets:
        raise ValueError(
            f"the allocation names {weights.size} assets, the model has {model.n_assets}"
        )
    state = _State(
        value=xp.full(n, plan.initial_portfolio),
        price=xp.ones(n),
        failed=xp.zeros(n, dtype=xp.bool_),
        depleted_year=xp.full(n, -1, dtype=xp.int64),
        lowest_real=xp.full(n, plan.initial_portfolio),
        last_year_return=xp.zeros(n),
    )
    band_rows = [percentiles(state.value)] if bands else []
    fee_factor = (1.0 - plan.annual_fee) ** (1.0 / MONTHS)
    ratios = xp.empty((MONTHS, n))
    held = xp.empty((model.n_assets, MONTHS, n))
    memory: RetirementMemory | None = None
    for year, draw in enumerate(model.stream(n, plan.years, rng)):
        state.last_year_return = _monthly_ratios(
            draw.growth, plan.weights(year), plan.rebalance, fee_factor, ratios, held
        )
        withdrawal: Withdrawal | None = None
        if year >= plan.retire_after_years:
            if memory is None:
                memory = RetirementMemory(
                    value_at_retirement=state.value.copy(),
                    price_at_retirement=state.price.copy(),
                    previous_amount=xp.zeros(n),
                    previous_price=state.price.copy(),
                )
            context = YearContext(
                year=year - plan.retire_after_years,
                years_left=plan.years - year,
                payments_per_year=MONTHS if plan.withdrawals == "monthly" else 1,
                value=state.value,
                price=state.price,
                last_year_return=state.last_year_return,
            )
            withdrawal = strategy.decide(context, memory)
            memory.previous_amount = withdrawal.amount
            memory.previous_price = state.price.copy()
        _run_year(plan, year, withdrawal, ratios, state)
        state.price *= 1.0 + draw.inflation
        real = state.value / state.price
        xp.minimum(state.lowest_real, real, out=state.lowest_real)
        if bands:
            band_rows.append(percentiles(real))
    start_years = model.start_years(plan.years) if isinstance(model, HistoricalRolling) else None
    ending_real = state.value / state.price
    return SimulationResult(
        paths=n,
        years=plan.years,
        success_rate=float(1.0 - xp.count_nonzero(state.failed) / n),
        ending_real=ending_real,
        depleted_year=state.depleted_year,
        worst=worst_path(state.depleted_year, ending_real, state.lowest_real, start_years),
        bands=xp.stack(band_rows) if bands else None,
        start_years=start_years,
    )


def _monthly_ratios(
    growth: FloatArray,
    weights: FloatArray,
    rebalance: str,
    fee_factor: float,
    out: FloatArray,
    held: FloatArray,
) -> FloatArray:
    """Fill ``out`` (12, paths) with the portfolio's gross return of each month; return the
    year's net return per path. ``held`` (assets, 12, paths) is scratch space."""
    if rebalance == "monthly":
        _weighted_sum(weights, growth, out)
        year_growth: FloatArray = xp.prod(out, axis=0)
    else:
        # Buy-and-hold growth since January, B[m]; month m's return is B[m] / B[m - 1]. The
        # running product is a loop of 12 in-place multiplies: NumPy's cumprod along a middle
        # axis is several times slower.
        held[:, 0] = growth[:, 0]
        for month in range(1, MONTHS):
            xp.multiply(held[:, month - 1], growth[:, month], out=held[:, month])
        _weighted_sum(weights, held, out)
        year_growth = out[-1].copy()
        xp.divide(out[1:], out[:-1], out=out[1:])
    if fee_factor != 1.0:
        out *= fee_factor
        year_growth *= fee_factor**MONTHS
    year_growth -= 1.0
    return year_growth


def _weighted_sum(weights: FloatArray, per_asset: FloatArray, out: FloatArray) -> None:
    """out = sum_a weights[a] * per_asset[a], as one matrix-vector product."""
    assets = per_asset.shape[0]
    xp.matmul(weights, per_asset.reshape(assets, -1), out=out.reshape(-1))


def _run_year(
    plan: Plan,
    year: int,
    withdrawal: Withdrawal | None,
    ratios: FloatArray,
    state: _State,
) -> None:
    """Pay a year of withdrawals and flows, month by month, and earn the returns."""
    value = state.value
    flows = plan.real_net_outflows(year)
    indexed = flows[:, 0]
    nominal = flows[:, 1]
    has_flows = bool(xp.any(flows != 0.0))
    payment_months = () if withdrawal is None else range(withdrawal.fraction.size)
    payment = None
    if withdrawal is not None and xp.any(withdrawal.amount != 0.0):
        payment = withdrawal.amount / withdrawal.fraction.size
    guard = plan.has_inflows
    for month in range(MONTHS):
        paid = month in payment_months
        if paid and withdrawal is not None:
            fraction = float(withdrawal.fraction[month])
            if fraction != 0.0:
                value *= 1.0 - fraction
            if payment is not None:
                value -= payment
        if has_flows and (indexed[month] != 0.0 or nominal[month] != 0.0):
            value -= indexed[month] * state.price + nominal[month]
        if guard:
            # Money may flow in later: a path that fails now must stay failed and empty.
            short = value < 0.0
            state.failed |= short
            value[state.failed] = 0.0
        value *= ratios[month]
    # Without inflows a shortfall can only deepen, so checking once a year finds every one.
    short = value < 0.0
    newly = (short | state.failed) & (state.depleted_year < 0)
    state.depleted_year[newly] = year
    state.failed |= short
    value[short] = 0.0
