"""The highest safe spending: the largest withdrawal rate that keeps a chosen success rate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeledger.planning.engine import simulate
from homeledger.planning.plan import Plan
from homeledger.planning.returns import ReturnModel
from homeledger.planning.strategies import Strategy


@dataclass(frozen=True)
class SafeSpending:
    rate: float
    """Highest initial withdrawal rate (fraction of the portfolio at retirement) found."""
    success_rate: float
    """Success rate at ``rate`` (at least the target)."""
    evaluations: int


def highest_safe_rate(
    plan: Plan,
    model: ReturnModel,
    strategy_for_rate: Callable[[float], Strategy],
    *,
    target_success: float = 0.95,
    paths: int = 10_000,
    seed: int | None = 0,
    high: float = 0.25,
    tolerance: float = 1e-4,
) -> SafeSpending:
    """Bisect on the withdrawal rate.

    Every evaluation reuses the same seed, so all rates face the same market paths (common
    random numbers): success then falls monotonically as the rate rises, and bisection is
    exact up to ``tolerance`` instead of chasing sampling noise.
    """
    if not 0.0 < target_success <= 1.0:
        raise ValueError("the target success rate must be in (0, 1]")

    def success(rate: float) -> float:
        result = simulate(plan, model, strategy_for_rate(rate), paths=paths, seed=seed, bands=False)
        return result.success_rate

    low, low_success, evaluations = 0.0, 1.0, 0
    high_success = success(high)
    evaluations += 1
    if high_success >= target_success:
        return SafeSpending(high, high_success, evaluations)
    while high - low > tolerance:
        middle = (low + high) / 2.0
        middle_success = success(middle)
        evaluations += 1
        if middle_success >= target_success:
            low, low_success = middle, middle_success
        else:
            high = middle
    return SafeSpending(low, low_success, evaluations)
