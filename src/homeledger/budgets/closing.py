"""Closing a budget's periods from the ledger: the bridge between the database and
`budgets.calc`.

A budget starts with the period that holds its ``starts_on``; to show any period,
every period from the first one is closed in order, so that rollover and
ready-to-assign carry exactly as `budgets.calc` describes. Every expense category is
an envelope (or a tracked limit) of its own postings; a parent category's line holds
only what was posted to it directly. Income is every income category's postings.
Figures come from the ledger's day totals in one query per view (`fx.service`), and
postings in another currency are converted one by one at their own date's rate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from homeledger.accounts.calc import Node, paths
from homeledger.accounts.models import Account, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.budgets.calc import (
    Alert,
    CategoryActivity,
    CategoryPosting,
    EnvelopeInput,
    EnvelopePeriod,
    Move,
    Rollover,
    TrackingCategory,
    TrackingInput,
    TrackingPeriod,
    activity_by_category,
    alerts_for_spending,
    envelope_periods,
    tracking_periods,
)
from homeledger.budgets.models import Budget, BudgetCategory, BudgetMode, BudgetMove, PeriodKind
from homeledger.budgets.periods import (
    CalendarMonth,
    EveryNWeeks,
    MonthFromDay,
    Period,
    PeriodRule,
    TwiceMonthly,
    WeekendShift,
    periods_between,
)
from homeledger.budgets.repository import BudgetRepository
from homeledger.fx.service import HouseholdRates, bucket_amounts, household_rates, rates_required
from homeledger.kit.errors import InvalidInput
from homeledger.kit.tenancy import Ctx

INCOME = "income"
MAX_PERIODS = 600
"""Periods closed for one view (50 years of months, 11 of weeks): bounds the work."""
MAX_DAYS = 366 * 50


def rule_of(
    kind: str,
    day: int | None,
    second_day: int | None,
    anchor: dt.date | None,
    weeks: int | None,
    shift: str,
) -> PeriodRule:
    """The period rule a budget's columns describe; refuses an incomplete one."""
    try:
        weekend = WeekendShift(shift)
        if kind == PeriodKind.CALENDAR_MONTH:
            return CalendarMonth()
        if kind == PeriodKind.MONTH_FROM_DAY:
            if day is None:
                raise ValueError("a month from a day needs the day (e.g. pay day, 25)")
            return MonthFromDay(day, weekend)
        if kind == PeriodKind.EVERY_N_WEEKS:
            if anchor is None:
                raise ValueError("every n weeks needs an anchor: a day a period starts on")
            return EveryNWeeks(anchor, weeks or 2)
        if kind == PeriodKind.TWICE_MONTHLY:
            return TwiceMonthly(day or 1, second_day or 15, weekend)
    except ValueError as error:
        raise InvalidInput("period", str(error)) from None
    raise InvalidInput("period", f"unknown period kind '{kind}'")


def budget_rule(budget: Budget) -> PeriodRule:
    return rule_of(
        budget.period_kind,
        budget.period_day,
        budget.period_second_day,
        budget.period_anchor,
        budget.period_weeks,
        budget.weekend_shift,
    )


@dataclass
class Closed:
    """A budget closed from its first period through a target period."""

    budget: Budget
    rule: PeriodRule
    periods: list[Period]
    envelopes: list[EnvelopePeriod]
    tracking: list[TrackingPeriod]
    categories: dict[str, Account]
    paths: dict[str, str]
    settings: dict[str, BudgetCategory]
    assigned: list[dict[str, int]]
    """Per period, per category."""
    spent: list[dict[str, int]]
    """Per period, per category: net spending (activity negated)."""
    income: list[int]
    moves: list[list[BudgetMove]]
    rates: HouseholdRates
    income_ids: list[str] = field(default_factory=list)

    @property
    def target(self) -> Period:
        return self.periods[-1]

    def rollover(self, category_id: str) -> Rollover:
        setting = self.settings.get(category_id)
        return Rollover(setting.rollover) if setting else Rollover.NONE


def _period_index(rule: PeriodRule, periods: list[Period], day: dt.date) -> int | None:
    period = rule.containing(day)
    for index, candidate in enumerate(periods):
        if candidate == period:
            return index
    return None


def close_through(session: Session, ctx: Ctx, budget: Budget, day: dt.date) -> Closed:
    """Close every period from the budget's first through the one holding ``day``
    (the first period, when ``day`` is earlier)."""
    rule = budget_rule(budget)
    first = rule.containing(budget.starts_on)
    target = rule.containing(max(day, first.start))
    if (target.end - first.start).days > MAX_DAYS:
        raise InvalidInput("date", "a budget shows at most 50 years from its start")
    periods = periods_between(rule, first.start, target.end)
    if len(periods) > MAX_PERIODS:
        raise InvalidInput(
            "date", f"a budget shows at most {MAX_PERIODS} periods from its start; start it later"
        )
    boundaries = [p.start for p in periods] + [target.end]

    accounts = AccountRepository(session)
    categories = {a.id: a for a in accounts.of_kinds(ctx, {Kind.EXPENSE})}
    income_ids = [a.id for a in accounts.of_kinds(ctx, {Kind.INCOME})]
    every = [*categories.values(), *accounts.of_kinds(ctx, {Kind.INCOME})]
    names = paths(Node(a.id, a.name, a.parent_id) for a in every)
    rates = household_rates(session, ctx, budget.currency)
    income_set = set(income_ids)

    expense_postings: list[list[CategoryPosting]] = [[] for _ in periods]
    income_postings: list[list[CategoryPosting]] = [[] for _ in periods]
    for item in bucket_amounts(
        session, ctx, budget.currency, boundaries, [*categories, *income_ids]
    ):
        # Ledger signs: spending is a positive expense posting, calc's activity is
        # negative spending; income is a negative income posting.
        target_list = income_postings if item.account_id in income_set else expense_postings
        key = INCOME if item.account_id in income_set else item.account_id
        target_list[item.bucket].append(
            CategoryPosting(key, item.on, -item.amount_minor, item.currency)
        )

    repo = BudgetRepository(session)
    assigned: list[dict[str, int]] = [defaultdict(int) for _ in periods]
    for row in repo.assignments(ctx, budget.id, first.start, target.end):
        index = _period_index(rule, periods, row.period_start)
        if index is not None:
            assigned[index][row.category_id] += row.amount_minor
    moves: list[list[BudgetMove]] = [[] for _ in periods]
    for move in repo.moves(ctx, budget.id, first.start, target.end):
        index = _period_index(rule, periods, move.period_start)
        if index is not None:
            moves[index].append(move)
    settings = {s.category_id: s for s in repo.settings(ctx, budget.id)}

    activity: list[dict[str, int]] = []
    income: list[int] = []
    with rates_required():
        for index in range(len(periods)):
            activity.append(activity_by_category(expense_postings[index], budget.currency, [rates]))
            income.append(
                activity_by_category(income_postings[index], budget.currency, [rates]).get(
                    INCOME, 0
                )
            )
    closed = Closed(
        budget=budget,
        rule=rule,
        periods=periods,
        envelopes=[],
        tracking=[],
        categories=categories,
        paths=names,
        settings=settings,
        assigned=[dict(a) for a in assigned],
        spent=[{k: -v for k, v in a.items()} for a in activity],
        income=income,
        moves=moves,
        rates=rates,
        income_ids=income_ids,
    )
    if budget.mode == BudgetMode.ENVELOPE:
        closed.envelopes = envelope_periods(
            [
                EnvelopeInput(
                    period=period,
                    currency=budget.currency,
                    income_minor=income[i],
                    categories=tuple(
                        CategoryActivity(c, assigned[i].get(c, 0), activity[i].get(c, 0))
                        for c in sorted(set(assigned[i]) | set(activity[i]))
                    ),
                    moves=tuple(
                        Move(m.source_category_id, m.target_category_id, m.amount_minor)
                        for m in moves[i]
                    ),
                )
                for i, period in enumerate(periods)
            ]
        )
    else:
        closed.tracking = tracking_periods(
            [
                TrackingInput(
                    period=period,
                    currency=budget.currency,
                    categories=tuple(
                        TrackingCategory(
                            c,
                            max(0, assigned[i].get(c, 0)),
                            -activity[i].get(c, 0),
                            closed.rollover(c),
                        )
                        for c in sorted(set(assigned[i]) | set(activity[i]) | set(settings))
                    ),
                )
                for i, period in enumerate(periods)
            ]
        )
    return closed


def daily_alerts(
    session: Session, ctx: Ctx, closed: Closed, budgets: dict[str, int]
) -> list[Alert]:
    """The first day each category reached 80 % and 100 % of its budget in the target
    period (``budgets``: category -> what it could spend)."""
    period = closed.target
    days = [*period.dates(), period.end]
    spending: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    with rates_required():
        for item in bucket_amounts(
            session, ctx, closed.budget.currency, days, list(closed.categories)
        ):
            amount = closed.rates.convert(item.amount_minor, item.currency, item.on)
            spending[item.account_id].append((days[item.bucket], amount))
    alerts: list[Alert] = []
    for category in sorted(spending):
        alerts.extend(alerts_for_spending(category, budgets.get(category, 0), spending[category]))
    return alerts
