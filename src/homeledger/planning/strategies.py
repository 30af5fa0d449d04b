"""Withdrawal strategies, each deciding a whole year of withdrawals for every path at once.

At the start of each retirement year the engine asks the strategy for a :class:`Withdrawal`:
an annual nominal amount per path (paid in equal parts at each payment of the year) and a
fraction of the portfolio value taken at each payment. Deciding once a year matches how the
published rules are written (Guyton-Klinger, VPW, floor-and-ceiling all adjust annually) and
keeps the engine's monthly loop to a few array operations.

Spending is stated either as a rate of the portfolio at retirement (``rate``; the "4 %" of the
4 % rule) or as an amount in plan-start money (``amount``), whichever the caller knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from homeledger.planning.xp import FloatArray, xp


@dataclass(frozen=True)
class YearContext:
    """What a strategy may look at when it decides a year."""

    year: int
    """Retirement year, 0 for the first."""
    years_left: int
    """Retirement years left, counting this one."""
    payments_per_year: int
    """12 for monthly withdrawals, 1 for annual."""
    value: FloatArray
    """Portfolio value per path now (nominal, never negative)."""
    price: FloatArray
    """Price level per path now, 1.0 at the plan's start."""
    last_year_return: FloatArray
    """The portfolio's investment return over the previous year (0 in the first year)."""


@dataclass
class RetirementMemory:
    """Per-path facts from the start of retirement, and what was spent last year."""

    value_at_retirement: FloatArray
    price_at_retirement: FloatArray
    previous_amount: FloatArray
    previous_price: FloatArray


@dataclass(frozen=True)
class Withdrawal:
    """One year of withdrawals for every path."""

    amount: FloatArray
    """Annual nominal amount per path, paid in equal parts at each payment."""
    fraction: FloatArray
    """Fraction of the current value taken at each payment of the year, shape (payments,)."""


class Strategy(Protocol):
    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal: ...


def _no_fraction(context: YearContext) -> FloatArray:
    return xp.zeros(context.payments_per_year)


@dataclass(frozen=True)
class _Spending:
    """The first year's spending: a rate of the portfolio at retirement, or a fixed amount."""

    rate: float = 0.04
    amount: float | None = None
    """Annual spending in plan-start money; overrides ``rate`` when given."""

    def first_year_real(self, memory: RetirementMemory) -> FloatArray:
        """First-year spending per path, in plan-start money."""
        if self.amount is not None:
            return xp.full_like(memory.value_at_retirement, self.amount)
        result: FloatArray = self.rate * memory.value_at_retirement / memory.price_at_retirement
        return result


@dataclass(frozen=True)
class ConstantDollar(_Spending):
    """The "4 % rule": the first year's spending, raised with inflation once a year."""

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        return Withdrawal(self.first_year_real(memory) * context.price, _no_fraction(context))


@dataclass(frozen=True)
class FixedNominal(_Spending):
    """The first year's spending, never raised: inflation erodes it."""

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        nominal = self.first_year_real(memory) * memory.price_at_retirement
        return Withdrawal(nominal, _no_fraction(context))


@dataclass(frozen=True)
class ConstantPercent:
    """Each payment takes ``rate / payments`` of what is there: it can shrink, never run out."""

    rate: float = 0.04

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate < 1.0:
            raise ValueError("a constant-percentage rate must be at least 0 and below 100 %")

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        fraction = xp.full(context.payments_per_year, self.rate / context.payments_per_year)
        return Withdrawal(xp.zeros_like(context.value), fraction)


@dataclass(frozen=True)
class Guardrails(_Spending):
    """Guyton-Klinger decision rules (2006), applied at the start of each year.

    * Inflation rule: spending rises with last year's inflation, except (``freeze_after_loss``)
      after a year in which the portfolio lost money while the current withdrawal rate is above
      the initial one.
    * Capital-preservation rule: when the withdrawal rate rises above ``1 + upper`` times the
      initial rate, spending is cut by ``adjustment``; not in the final
      ``preservation_stop_years`` years, where the portfolio only has to last a little longer.
    * Prosperity rule: when the rate falls below ``1 - lower`` times the initial rate,
      spending is raised by ``adjustment``.
    """

    upper: float = 0.20
    lower: float = 0.20
    adjustment: float = 0.10
    freeze_after_loss: bool = True
    preservation_stop_years: int = 15

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        initial_rate = (
            self.first_year_real(memory)
            * memory.price_at_retirement
            / xp.maximum(memory.value_at_retirement, _TINY)
        )
        if context.year == 0:
            return Withdrawal(self.first_year_real(memory) * context.price, _no_fraction(context))
        inflated = memory.previous_amount * (context.price / memory.previous_price)
        amount = inflated
        if self.freeze_after_loss:
            rate_before = memory.previous_amount / xp.maximum(context.value, _TINY)
            frozen = (context.last_year_return < 0.0) & (rate_before > initial_rate)
            amount = xp.where(frozen, memory.previous_amount, inflated)
        rate = amount / xp.maximum(context.value, _TINY)
        cut = rate > initial_rate * (1.0 + self.upper)
        if context.years_left <= self.preservation_stop_years:
            cut = xp.zeros_like(cut)
        raise_ = rate < initial_rate * (1.0 - self.lower)
        factor = xp.where(cut, 1.0 - self.adjustment, xp.where(raise_, 1.0 + self.adjustment, 1.0))
        return Withdrawal(amount * factor, _no_fraction(context))


@dataclass(frozen=True)
class VariablePercentage:
    """VPW: each payment is the level payment that would empty the portfolio exactly at the
    horizon if the portfolio earned ``real_return`` (an annuity due over the payments left).

    The fraction reaches 1 at the last payment, so the portfolio is spent by the horizon and
    never before: VPW cannot fail, its risk is in how much the spending varies.
    """

    real_return: float = 0.04

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        per_year = context.payments_per_year
        rate = (1.0 + self.real_return) ** (1.0 / per_year) - 1.0
        left = context.years_left * per_year - xp.arange(per_year, dtype=xp.float64)
        if rate == 0.0:
            fraction: FloatArray = 1.0 / left
        else:
            # 1 / annuity-due factor: the first payment is taken now.
            fraction = rate / ((1.0 + rate) * (1.0 - (1.0 + rate) ** -left))
        # The formula gives 1 - 1e-14 for the last payment; it must take exactly what is left.
        fraction[left <= 1.0] = 1.0
        return Withdrawal(xp.zeros_like(context.value), fraction)


@dataclass(frozen=True)
class FloorCeiling(_Spending):
    """A fixed percentage of the current portfolio, kept between a floor and a ceiling that
    are fractions of the first year's spending, both raised with inflation."""

    floor: float = 0.85
    ceiling: float = 1.20

    def __post_init__(self) -> None:
        if not 0.0 <= self.floor <= 1.0 <= self.ceiling:
            raise ValueError("floor-and-ceiling needs floor <= 1 <= ceiling")

    def decide(self, context: YearContext, memory: RetirementMemory) -> Withdrawal:
        base = self.first_year_real(memory) * context.price
        wanted = self.rate * context.value
        amount = xp.clip(wanted, self.floor * base, self.ceiling * base)
        return Withdrawal(amount, _no_fraction(context))


_TINY = 1e-300
"""Divides by a depleted (zero) portfolio give a huge rate instead of a warning."""

STRATEGIES = {
    "constant-dollar": ConstantDollar,
    "fixed-nominal": FixedNominal,
    "constant-percent": ConstantPercent,
    "guardrails": Guardrails,
    "vpw": VariablePercentage,
    "floor-ceiling": FloorCeiling,
}
