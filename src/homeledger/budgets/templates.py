"""Budget templates: what to assign to a category for a period, suggested from a rule.

Templates
---------
`CopyLast`
    The most recent period's figure (what was assigned, or what was spent).
`AverageOfLast`
    The average of the last ``periods`` periods' figures (spent, by default). A
    category younger than that is averaged over the periods it has; with no history
    the suggestion is 0.
`Fixed`
    The same amount every period.
`SavingsGoal`
    Reach ``target_minor`` by ``target_date`` ("3,000 by June"): what is still missing
    (target minus what is saved at the start of the period) divided by the periods
    left, counting the current period and the one that holds ``target_date``. A
    date already past asks for everything now; a goal reached asks for nothing.

Rounding
--------
Every division rounds **up** to the next whole minor unit, so following the
suggestion never leaves a goal short. For a savings goal the suggestion is computed
afresh each period from what is saved, so the cents rounded up early are taken off
later: the last period asks for exactly what is missing and the total assigned equals
the target to the minor unit (`savings_plan` shows the whole schedule; its amounts
never increase from one period to the next). Suggestions are never negative: a
template proposes money to assign, taking money back is the user's decision.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from homeledger.budgets.periods import Period, PeriodRule, count_periods, next_period


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


class Basis(enum.Enum):
    """Which history figure a template follows."""

    ASSIGNED = "assigned"
    SPENT = "spent"


@dataclass(frozen=True, slots=True)
class CategoryHistory:
    """A category's past, one entry per period, oldest first (most recent last)."""

    assigned_minor: tuple[int, ...] = ()
    spent_minor: tuple[int, ...] = ()
    """Net spending per period (refunds deducted)."""
    saved_minor: int = 0
    """What the category holds at the start of the period (for savings goals)."""

    def figures(self, basis: Basis) -> tuple[int, ...]:
        return self.assigned_minor if basis is Basis.ASSIGNED else self.spent_minor


@dataclass(frozen=True, slots=True)
class CopyLast:
    basis: Basis = Basis.ASSIGNED


@dataclass(frozen=True, slots=True)
class AverageOfLast:
    periods: int = 3
    basis: Basis = Basis.SPENT

    def __post_init__(self) -> None:
        if self.periods < 1:
            raise ValueError(f"average over at least one period, not {self.periods}")


@dataclass(frozen=True, slots=True)
class Fixed:
    amount_minor: int

    def __post_init__(self) -> None:
        if self.amount_minor < 0:
            raise ValueError("a fixed template amount cannot be negative")


@dataclass(frozen=True, slots=True)
class SavingsGoal:
    target_minor: int
    target_date: date

    def __post_init__(self) -> None:
        if self.target_minor <= 0:
            raise ValueError("a savings goal needs a positive target")


Template = CopyLast | AverageOfLast | Fixed | SavingsGoal


@dataclass(frozen=True, slots=True)
class Suggestion:
    category: str
    amount_minor: int
    template: Template


def savings_goal_amount(
    target_minor: int, saved_minor: int, target_date: date, period: Period, rule: PeriodRule
) -> int:
    """What to assign in ``period`` to reach ``target_minor`` by ``target_date``."""
    missing = target_minor - saved_minor
    if missing <= 0:
        return 0
    periods_left = count_periods(rule, period, target_date)
    if periods_left <= 1:
        return missing
    return _ceil_div(missing, periods_left)


def savings_plan(
    target_minor: int, saved_minor: int, target_date: date, period: Period, rule: PeriodRule
) -> list[tuple[Period, int]]:
    """The amounts to assign from ``period`` up to the target, following the suggestion.

    Empty when the goal is already reached. When the target date is already past, a
    single entry asks for everything in ``period``.
    """
    plan: list[tuple[Period, int]] = []
    saved = saved_minor
    current = period
    while saved < target_minor:
        amount = savings_goal_amount(target_minor, saved, target_date, current, rule)
        plan.append((current, amount))
        saved += amount
        current = next_period(rule, current)
    return plan


def suggest(template: Template, history: CategoryHistory, period: Period, rule: PeriodRule) -> int:
    """The amount ``template`` suggests assigning in ``period`` (never negative)."""
    if isinstance(template, Fixed):
        return template.amount_minor
    if isinstance(template, SavingsGoal):
        return savings_goal_amount(
            template.target_minor, history.saved_minor, template.target_date, period, rule
        )
    figures = history.figures(template.basis)
    if not figures:
        return 0
    if isinstance(template, CopyLast):
        return max(0, figures[-1])
    recent = figures[-template.periods :]
    return max(0, _ceil_div(sum(recent), len(recent)))


def suggest_all(
    templates: Mapping[str, Template],
    histories: Mapping[str, CategoryHistory],
    period: Period,
    rule: PeriodRule,
) -> tuple[Suggestion, ...]:
    """One suggestion per templated category, sorted by category name."""
    return tuple(
        Suggestion(
            category,
            suggest(templates[category], histories.get(category, CategoryHistory()), period, rule),
            templates[category],
        )
        for category in sorted(templates)
    )
