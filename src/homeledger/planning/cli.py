"""`homeledger simulate`: run a retirement simulation from the command line.

Mounted by the root CLI as a top-level command. It works on explicit numbers; taking the
household's own balances, savings and spending (``--household``) comes with the ledger
service.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from homeledger.planning.engine import simulate as run_simulation
from homeledger.planning.history import annual_history
from homeledger.planning.plan import Plan
from homeledger.planning.results import BAND_PERCENTILES, SimulationResult
from homeledger.planning.returns import (
    BlockBootstrap,
    Bootstrap,
    HistoricalRolling,
    Lognormal,
    MarketAssumptions,
    ReturnModel,
    StudentT,
)
from homeledger.planning.strategies import (
    ConstantDollar,
    ConstantPercent,
    FixedNominal,
    FloorCeiling,
    Guardrails,
    Strategy,
    VariablePercentage,
)

app = typer.Typer(help="Retirement planning simulations.", no_args_is_help=True)
console = Console()


class ModelName(StrEnum):
    historical = "historical"
    bootstrap = "bootstrap"
    block_bootstrap = "block-bootstrap"
    lognormal = "lognormal"
    student_t = "student-t"


class StrategyName(StrEnum):
    constant_dollar = "constant-dollar"
    fixed_nominal = "fixed-nominal"
    constant_percent = "constant-percent"
    guardrails = "guardrails"
    vpw = "vpw"
    floor_ceiling = "floor-ceiling"


class FrequencyName(StrEnum):
    monthly = "monthly"
    annual = "annual"


def build_model(
    name: ModelName, first_year: int | None, last_year: int | None, block_years: int = 5
) -> ReturnModel:
    """The return model; parametric models are calibrated on the same window of history."""
    history = annual_history().window(first_year, last_year)
    if name is ModelName.historical:
        return HistoricalRolling(history)
    if name is ModelName.bootstrap:
        return Bootstrap(history)
    if name is ModelName.block_bootstrap:
        return BlockBootstrap(history, block_years)
    assumptions = MarketAssumptions.from_history(history)
    if name is ModelName.lognormal:
        return Lognormal(assumptions)
    return StudentT(assumptions)


def build_strategy(name: StrategyName, rate: float) -> Strategy:
    """The strategy; ``rate`` is the first year's withdrawal as a fraction (VPW ignores it)."""
    if name is StrategyName.constant_dollar:
        return ConstantDollar(rate=rate)
    if name is StrategyName.fixed_nominal:
        return FixedNominal(rate=rate)
    if name is StrategyName.constant_percent:
        return ConstantPercent(rate=rate)
    if name is StrategyName.guardrails:
        return Guardrails(rate=rate)
    if name is StrategyName.vpw:
        return VariablePercentage()
    return FloorCeiling(rate=rate)


@app.command("simulate")
def simulate(
    model: Annotated[ModelName, typer.Option(help="Where returns come from.")] = (
        ModelName.historical
    ),
    strategy: Annotated[StrategyName, typer.Option(help="How withdrawals are set.")] = (
        StrategyName.constant_dollar
    ),
    withdrawal_rate: Annotated[
        float,
        typer.Option(help="First year's withdrawal, % of the portfolio (VPW ignores it).", min=0),
    ] = 4.0,
    years: Annotated[int, typer.Option(help="Retirement length in years.", min=1)] = 30,
    stocks: Annotated[
        float, typer.Option(help="% in stocks; the rest is in bonds.", min=0, max=100)
    ] = 60.0,
    first_year: Annotated[
        int | None, typer.Option(help="First year of history used (data: 1871).")
    ] = None,
    last_year: Annotated[
        int | None, typer.Option(help="Last year of history used (data: 2010).")
    ] = None,
    withdrawals: Annotated[
        FrequencyName, typer.Option(help="Monthly (1/12 each month) or annual payments.")
    ] = FrequencyName.monthly,
    paths: Annotated[
        int, typer.Option(help="Simulated paths (historical: every start year).", min=1)
    ] = 10_000,
    seed: Annotated[int | None, typer.Option(help="Seed for a reproducible run.")] = None,
    portfolio: Annotated[
        float, typer.Option(help="Starting portfolio, in today's money.", min=0)
    ] = 1_000_000.0,
    block_years: Annotated[int, typer.Option(help="Block length (block-bootstrap).", min=1)] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Simulate a retirement and print the success rate and percentile bands."""
    try:
        return_model = build_model(model, first_year, last_year, block_years)
        plan = Plan(
            initial_portfolio=portfolio,
            years=years,
            allocation=(stocks / 100.0, 1.0 - stocks / 100.0),
            withdrawals="monthly" if withdrawals is FrequencyName.monthly else "annual",
        )
        result = run_simulation(
            plan,
            return_model,
            build_strategy(strategy, withdrawal_rate / 100.0),
            paths=paths,
            seed=seed,
        )
    except ValueError as error:
        console.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    summary = {
        "model": model.value,
        "strategy": strategy.value,
        "withdrawal_rate_pct": withdrawal_rate,
        "stocks_pct": stocks,
        **result.to_dict(),
    }
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    _print_tables(summary, result)


def _print_tables(summary: dict[str, object], result: SimulationResult) -> None:
    overview = Table(title="Simulation", show_header=False)
    overview.add_row("model", str(summary["model"]))
    overview.add_row("strategy", str(summary["strategy"]))
    overview.add_row("success rate", f"{result.success_rate:.1%}")
    if result.start_years is not None:
        overview.add_row(
            "historical periods",
            f"{result.paths} (starts {result.start_years[0]}–{result.start_years[-1]})",
        )
    else:
        overview.add_row("paths", str(result.paths))
    worst = result.worst
    where = f"start {worst.start_year}" if worst.start_year is not None else f"path {worst.index}"
    ran_out = (
        f"ran out in year {worst.depleted_in_year + 1}"
        if worst.depleted_in_year is not None
        else f"ended at {worst.ending_real_value:,.0f}"
    )
    overview.add_row("worst sequence", f"{where}: {ran_out}")
    console.print(overview)
    if result.bands is None:
        return
    bands = Table(title="Real portfolio value (today's money) by percentile")
    bands.add_column("year", justify="right")
    for percentile in BAND_PERCENTILES:
        bands.add_column(f"p{percentile}", justify="right")
    last = result.bands.shape[0] - 1
    step = 1 if last <= 15 else 5
    for year, row in enumerate(result.bands):
        if year % step == 0 or year == last:
            bands.add_row(str(year), *(f"{value:,.0f}" for value in row))
    console.print(bands)
