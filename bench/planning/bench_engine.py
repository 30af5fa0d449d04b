"""Planning engine speed: 10,000 paths x 40 years, monthly steps, every strategy.

Side by side with
* the floor: NumPy's Generator drawing the same number of standard normals the lognormal
  model needs (paths x 480 months x 2 assets), with nothing else done;
* the ``monteplan`` package (PyPI) on the same scenario where it has the same strategy
  (it has no fixed-nominal strategy), if it is installed: ``pip install monteplan``.

Run: ``python bench/planning/bench_engine.py [--repeats 7] [--json]``. Times are the best of
the repeats (the least disturbed by other processes), in seconds.
"""

from __future__ import annotations

import argparse
import functools
import json
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from homeledger.planning import Plan, simulate
from homeledger.planning.history import annual_history
from homeledger.planning.returns import Bootstrap, Lognormal, MarketAssumptions, StudentT
from homeledger.planning.strategies import (
    ConstantDollar,
    ConstantPercent,
    FixedNominal,
    FloorCeiling,
    Guardrails,
    Strategy,
    VariablePercentage,
)

PATHS = 10_000
YEARS = 40
ASSETS = 2
RATE = 0.04
PORTFOLIO = 1_000_000.0

STRATEGIES: dict[str, Strategy] = {
    "constant-dollar": ConstantDollar(rate=RATE),
    "fixed-nominal": FixedNominal(rate=RATE),
    "constant-percent": ConstantPercent(rate=RATE),
    "guardrails": Guardrails(rate=RATE),
    "vpw": VariablePercentage(),
    "floor-ceiling": FloorCeiling(rate=RATE),
}
MONTEPLAN_POLICY = {
    "constant-dollar": "constant_real",
    "constant-percent": "percent_of_portfolio",
    "guardrails": "guardrails",
    "vpw": "vpw",
    "floor-ceiling": "floor_ceiling",
}


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def raw_draw_time(repeats: int) -> float:
    """The same normals the engine draws, the same way (one year per call), and nothing else."""
    rng = np.random.default_rng(1)
    buffer = np.empty((ASSETS, 12, PATHS))

    def draw() -> None:
        for _ in range(YEARS):
            rng.standard_normal(out=buffer)

    return best_of(repeats, draw)


def raw_student_t_draw_time(repeats: int, degrees_of_freedom: float = 5.0) -> float:
    """The Student-t model's own floor: the normals plus one chi-square per month and path."""
    rng = np.random.default_rng(1)
    buffer = np.empty((ASSETS, 12, PATHS))

    def draw() -> None:
        for _ in range(YEARS):
            rng.standard_normal(out=buffer)
            rng.chisquare(degrees_of_freedom, size=(12, PATHS))

    return best_of(repeats, draw)


def monteplan_runner(policy: str, assumptions: MarketAssumptions) -> Callable[[], object] | None:
    try:
        import monteplan
    except ImportError:
        return None
    expected = [
        float(np.exp(m + s**2 / 2) - 1)
        for m, s in zip(assumptions.log_mean, assumptions.log_volatility, strict=True)
    ]
    volatility = [
        float(np.sqrt(np.exp(s**2) - 1) * np.exp(m + s**2 / 2))
        for m, s in zip(assumptions.log_mean, assumptions.log_volatility, strict=True)
    ]
    plan = monteplan.PlanConfig(
        # monteplan needs at least one working year: 40 monthly-step years, the first without
        # withdrawals (and without contributions or income).
        current_age=60,
        retirement_age=61,
        end_age=60 + YEARS,
        accounts=[monteplan.AccountConfig(account_type="taxable", balance=PORTFOLIO)],
        monthly_spending=PORTFOLIO * RATE / 12,
    )
    market = monteplan.MarketAssumptions(
        assets=[
            monteplan.AssetClass(name="stocks", weight=0.6),
            monteplan.AssetClass(name="bonds", weight=0.4),
        ],
        expected_annual_returns=expected,
        annual_volatilities=volatility,
        correlation_matrix=[list(row) for row in assumptions.correlation],
        inflation_mean=assumptions.inflation,
        inflation_vol=0.0,
    )
    policies = monteplan.PolicyBundle(
        spending=monteplan.SpendingPolicyConfig(policy_type=policy, withdrawal_rate=RATE),
        tax_model="flat",
        tax_rate=0.0,
    )
    config = monteplan.SimulationConfig(n_paths=PATHS, seed=1)
    return lambda: monteplan.simulate(plan, market, policies, config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    assumptions = MarketAssumptions.from_history(annual_history())
    plan = Plan(initial_portfolio=PORTFOLIO, years=YEARS, allocation=(0.6, 0.4))
    floor = raw_draw_time(args.repeats)
    t_floor = raw_student_t_draw_time(args.repeats)
    rows: list[dict[str, Any]] = []
    for name, strategy in STRATEGIES.items():
        for model_name, model in (
            ("lognormal", Lognormal(assumptions)),
            ("student-t", StudentT(assumptions)),
            ("bootstrap", Bootstrap(annual_history())),
        ):
            run = functools.partial(simulate, plan, model, strategy, paths=PATHS, seed=1)
            with_bands = best_of(args.repeats, run)
            without = best_of(args.repeats, functools.partial(run, bands=False))
            success = simulate(plan, model, strategy, paths=PATHS, seed=1).success_rate
            row: dict[str, Any] = {
                "strategy": name,
                "model": model_name,
                "seconds": round(with_bands, 4),
                "seconds_no_bands": round(without, 4),
                "success_rate": success,
            }
            if model_name == "lognormal" and name in MONTEPLAN_POLICY:
                runner = monteplan_runner(MONTEPLAN_POLICY[name], assumptions)
                if runner is not None:
                    row["monteplan_seconds"] = round(best_of(max(2, args.repeats // 3), runner), 4)
            rows.append(row)
        # Refresh the floor between strategies: other processes come and go.
        floor = min(floor, raw_draw_time(args.repeats))
        t_floor = min(t_floor, raw_student_t_draw_time(args.repeats))
    for row in rows:
        # Against the quietest floor seen in the whole run: the same conditions as the best
        # engine time, which is also a minimum.
        own = t_floor if row["model"] == "student-t" else floor
        row["ratio_to_raw_draw"] = round(row["seconds"] / floor, 2)
        row["ratio_to_own_draw"] = round(row["seconds"] / own, 2)
    report = {
        "machine": f"{platform.processor() or platform.machine()}, numpy {np.__version__}",
        "paths": PATHS,
        "years": YEARS,
        "raw_draw_seconds": round(floor, 4),
        "raw_student_t_draw_seconds": round(t_floor, 4),
        "rows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"raw draw of {PATHS * YEARS * 12 * ASSETS:,} normals: {floor:.4f} s")
    print(f"raw draw of the same normals plus {PATHS * YEARS * 12:,} chi-squares: {t_floor:.4f} s")
    print(
        f"{'strategy':<17}{'model':<11}{'s':>8}{'s, no bands':>13}{'x draw':>8}"
        f"{'success':>9}{'monteplan s':>13}"
    )
    for row in rows:
        monteplan_time = row.get("monteplan_seconds")
        print(
            f"{row['strategy']:<17}{row['model']:<11}{row['seconds']:>8.3f}"
            f"{row['seconds_no_bands']:>13.3f}{row['ratio_to_raw_draw']:>8.2f}"
            f"{row['ratio_to_own_draw']:>11.2f}"
            f"{row['success_rate']:>9.3f}"
            f"{'' if monteplan_time is None else f'{monteplan_time:.3f}':>13}"
        )


if __name__ == "__main__":
    main()
