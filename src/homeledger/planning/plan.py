"""The inputs of a simulation: what the household has, saves, spends and holds.

Amounts are floats in plan-start money (today's money). They come from the ledger as
``Decimal`` and are converted once, here at the edge, with :func:`to_float`: the engine
simulates returns, it does not keep books, and float64 is ample for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from homeledger.planning.xp import FloatArray, xp

Frequency = Literal["monthly", "annual"]
MONTHS = 12


def to_float(amount: Decimal | int | float) -> float:
    """The one conversion from ledger money (``Decimal``) to the engine's float64."""
    return float(amount)


@dataclass(frozen=True)
class Income:
    """Money that arrives every month from ``start_month`` (a pension, a salary, rent).

    It pays for spending before the portfolio does; any surplus is invested.
    """

    monthly_amount: float
    start_month: int = 0
    end_month: int | None = None
    """First month without the income; None: until the horizon."""
    inflation_indexed: bool = True
    """Raised with inflation once a year (in plan-start money); else a fixed nominal amount."""


@dataclass(frozen=True)
class OneOff:
    """A single amount in plan-start money at a month: negative is spent (a house, a car),
    positive arrives (an inheritance, a house sale)."""

    month: int
    amount: float


@dataclass(frozen=True)
class Plan:
    """Everything about the household; return model and strategy are given separately."""

    initial_portfolio: float = 1_000_000.0
    years: int = 30
    """Whole horizon, saving years included."""
    allocation: tuple[float, ...] = (0.6, 0.4)
    """Weight of each asset of the return model (stocks, bonds), summing to 1."""
    final_allocation: tuple[float, ...] | None = None
    """Glide path: the allocation in the last year, reached linearly; None keeps it fixed."""
    rebalance: Frequency = "annual"
    """Back to the target weights every month or every January. Annual is the default: the
    historical data is annual, and with a constant rate inside each year monthly rebalancing
    only adds an artefact (it forgoes the growth of the better asset within the year)."""
    withdrawals: Frequency = "monthly"
    """Monthly: 1/12 of the year's amount at the start of each month; annual: all of it at
    the start of the year."""
    retire_after_years: int = 0
    """Saving years before withdrawals start."""
    monthly_contribution: float = 0.0
    """Saved each month until retirement, in plan-start money, raised with inflation."""
    incomes: tuple[Income, ...] = field(default_factory=tuple)
    one_offs: tuple[OneOff, ...] = field(default_factory=tuple)
    annual_fee: float = 0.0
    """Fund and advice costs as a fraction of assets a year, charged monthly."""

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("the horizon must be at least one year")
        if not 0 <= self.retire_after_years <= self.years:
            raise ValueError("retirement must start within the horizon")
        if self.initial_portfolio < 0:
            raise ValueError("the starting portfolio cannot be negative")
        for weights in (self.allocation, self.final_allocation):
            if weights is not None and (min(weights) < 0 or abs(sum(weights) - 1.0) > 1e-9):
                raise ValueError(f"allocation {weights} must be non-negative and sum to 1")
        if self.final_allocation is not None and len(self.final_allocation) != len(self.allocation):
            raise ValueError("the glide path must name the same assets as the allocation")
        if not 0.0 <= self.annual_fee < 1.0:
            raise ValueError("the annual fee must be a fraction below 1")

    @property
    def retirement_years(self) -> int:
        return self.years - self.retire_after_years

    @property
    def has_inflows(self) -> bool:
        """Whether money can flow in (then a depleted portfolio must be kept at zero)."""
        return (
            (self.monthly_contribution > 0 and self.retire_after_years > 0)
            or bool(self.incomes)
            or any(event.amount > 0 for event in self.one_offs)
        )

    def weights(self, year: int) -> FloatArray:
        """Target weights for a year (interpolated along the glide path)."""
        start = xp.array(self.allocation, dtype=xp.float64)
        if self.final_allocation is None or self.years == 1:
            return start
        end = xp.array(self.final_allocation, dtype=xp.float64)
        share = year / (self.years - 1)
        result: FloatArray = start + (end - start) * share
        return result

    def real_net_outflows(self, year: int) -> FloatArray:
        """Plan-start money leaving the portfolio each month of a year, before the strategy's
        withdrawals: contributions and incomes count negative, spent one-offs positive.

        Shape (12, 2): column 0 is inflation-indexed, column 1 is fixed nominal money.
        """
        flows = xp.zeros((MONTHS, 2))
        first = year * MONTHS
        months = xp.arange(first, first + MONTHS)
        if year < self.retire_after_years:
            flows[:, 0] -= self.monthly_contribution
        for income in self.incomes:
            end = self.years * MONTHS if income.end_month is None else income.end_month
            active = (months >= income.start_month) & (months < end)
            flows[active, 0 if income.inflation_indexed else 1] -= income.monthly_amount
        for event in self.one_offs:
            if first <= event.month < first + MONTHS:
                flows[event.month - first, 0] -= event.amount
        return flows
