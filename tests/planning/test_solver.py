from __future__ import annotations

from homeledger.planning import Plan, simulate
from homeledger.planning.history import annual_history
from homeledger.planning.returns import HistoricalRolling
from homeledger.planning.solver import highest_safe_rate
from homeledger.planning.strategies import ConstantDollar


def test_highest_safe_rate_is_the_edge_of_the_target() -> None:
    plan = Plan(years=30, allocation=(0.75, 0.25))
    model = HistoricalRolling(annual_history().window(1926, 2009))
    found = highest_safe_rate(
        plan, model, lambda rate: ConstantDollar(rate=rate), target_success=0.95, tolerance=1e-4
    )
    at = simulate(plan, model, ConstantDollar(rate=found.rate), bands=False).success_rate
    above = simulate(plan, model, ConstantDollar(rate=found.rate + 2e-4), bands=False)
    assert at >= 0.95
    assert above.success_rate < 0.95
    # The "4 % rule" territory for a 75/25 portfolio over US history.
    assert 0.035 <= found.rate <= 0.05
