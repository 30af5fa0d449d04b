"""The Trinity study's experiment (Cooley, Hubbard & Walz 1998, updated 2011) on this engine.

Method, as the papers state it: a portfolio of S&P 500 stocks and long-term high-grade bonds,
rebalanced; monthly withdrawals at the start of each month of 1/12 of the annual amount; the
annual amount starts at a percentage of the initial portfolio and is raised with the CPI once
a year; every rolling start year from 1926 to (last year - horizon + 1); a period succeeds
when the portfolio ends above zero. Here the returns come from Shiller's data
(:mod:`homeledger.planning.history`), where the study used Ibbotson's.
"""

from __future__ import annotations

from dataclasses import dataclass

from homeledger.planning.engine import simulate
from homeledger.planning.history import AnnualHistory, annual_history
from homeledger.planning.plan import Plan
from homeledger.planning.returns import HistoricalRolling
from homeledger.planning.strategies import ConstantDollar

STOCK_SHARES_PCT = (100, 75, 50, 25, 0)
HORIZONS = (15, 20, 25, 30)
WITHDRAWAL_RATES_PCT = tuple(range(3, 13))


@dataclass(frozen=True)
class TrinityCell:
    stock_pct: int
    years: int
    withdrawal_rate_pct: int
    success_pct: float
    periods: int


def success_rate(
    stock_pct: int,
    years: int,
    withdrawal_rate_pct: float,
    first_year: int = 1926,
    last_year: int = 1995,
    history: AnnualHistory | None = None,
) -> TrinityCell:
    """One cell of the table: the share of rolling periods that never ran out, in percent."""
    data = (history or annual_history()).window(first_year, last_year)
    share = stock_pct / 100.0
    plan = Plan(
        initial_portfolio=1.0,
        years=years,
        allocation=(share, 1.0 - share),
        rebalance="annual",
        withdrawals="monthly",
    )
    result = simulate(
        plan,
        HistoricalRolling(data),
        ConstantDollar(rate=withdrawal_rate_pct / 100.0),
        bands=False,
    )
    return TrinityCell(
        stock_pct=stock_pct,
        years=years,
        withdrawal_rate_pct=round(withdrawal_rate_pct),
        success_pct=100.0 * result.success_rate,
        periods=result.paths,
    )


def table(
    first_year: int = 1926, last_year: int = 1995, history: AnnualHistory | None = None
) -> list[TrinityCell]:
    """Every cell of the study's Table 3 layout for one data window."""
    return [
        success_rate(stock, years, rate, first_year, last_year, history)
        for stock in STOCK_SHARES_PCT
        for years in HORIZONS
        for rate in WITHDRAWAL_RATES_PCT
    ]
