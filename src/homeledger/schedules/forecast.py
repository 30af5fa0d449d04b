"""Cash-flow forecast: account balances projected day by day, with the lowest point.

The model
---------
The forecast covers the half-open range of days ``[start, end)``. Each account
starts from its balance at the beginning of ``start`` (everything already posted)
and, for every day, adds that day's flows; the figure for a day is the balance at
the end of that day. Flows come from:

* scheduled items (`schedule_flows`): each occurrence of a `Schedule` in the range
  moves its amount on its account, and the opposite amount on its
  ``counter_account`` for a transfer;
* budgets (`spread_budget`): money a budget expects to spend in a period, spread
  evenly over the period's days from the forecast start (so the current period
  spreads what is left of it over what is left of the period, and later periods
  spread their whole amount). The division is exact: the remainder goes one minor
  unit at a time to the earliest days, so money leaves no later than it would.
* anything else the caller projects (`CashFlow`).

Flows dated outside the range are not part of this forecast and are left out; a flow
on an account without an opening balance is an error (money must not vanish).

For every account and for the total, the forecast flags the lowest end-of-day
balance and the first day it occurs, and the first day the balance goes below zero.
The total adds the accounts in one currency; accounts in other currencies are
converted at the rates given (``rates[currency]`` = units of the total currency per
unit of that currency), each account and day rounded half-even to the minor unit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from homeledger.budgets.periods import Period
from homeledger.fx.calc import convert_amount
from homeledger.schedules.calc import Schedule, occurrences

TOTAL = "total"
"""The account name of the total line in a `Forecast`."""


@dataclass(frozen=True, slots=True)
class OpeningBalance:
    account: str
    currency: str
    balance_minor: int
    """Balance at the beginning of the forecast's first day."""


@dataclass(frozen=True, slots=True)
class CashFlow:
    """Money moving on an account on a day; positive in, negative out."""

    account: str
    on: date
    amount_minor: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class BudgetOutflow:
    """Money a budget expects to leave ``account`` during ``period`` (positive)."""

    account: str
    period: Period
    amount_minor: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class LowPoint:
    balance_minor: int
    on: date


@dataclass(frozen=True, slots=True)
class AccountForecast:
    account: str
    currency: str
    opening_minor: int
    balances: tuple[int, ...]
    """End-of-day balances, one per day of the forecast."""
    lowest: LowPoint
    """The lowest end-of-day balance and the first day it is reached."""
    first_negative: date | None
    """The first day that ends below zero, if any."""


@dataclass(frozen=True, slots=True)
class Forecast:
    start: date
    end: date
    accounts: tuple[AccountForecast, ...]
    total: AccountForecast

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=i) for i in range((self.end - self.start).days))

    def account(self, name: str) -> AccountForecast:
        for line in self.accounts:
            if line.account == name:
                return line
        raise KeyError(name)

    def balance_on(self, name: str, day: date) -> int:
        line = self.total if name == TOTAL else self.account(name)
        if not self.start <= day < self.end:
            raise ValueError(f"{day} is outside the forecast")
        return line.balances[(day - self.start).days]


def schedule_flows(schedules: Iterable[Schedule], start: date, end: date) -> list[CashFlow]:
    """One flow per occurrence in ``[start, end)`` (two for a transfer)."""
    flows: list[CashFlow] = []
    for schedule in schedules:
        for on in occurrences(schedule, start, end):
            flows.append(CashFlow(schedule.account, on, schedule.amount_minor, schedule.label))
            if schedule.counter_account is not None:
                flows.append(
                    CashFlow(schedule.counter_account, on, -schedule.amount_minor, schedule.label)
                )
    return flows


def spread_budget(outflow: BudgetOutflow, start: date, end: date) -> list[CashFlow]:
    """The outflow as daily flows over what is left of its period from ``start``.

    Days on or after ``end`` are cut off (the forecast does not reach them).
    """
    if outflow.amount_minor < 0:
        raise ValueError("a budget outflow is a positive amount of money going out")
    first = max(outflow.period.start, start)
    days = (outflow.period.end - first).days
    if days <= 0 or outflow.amount_minor == 0:
        return []
    share, remainder = divmod(outflow.amount_minor, days)
    flows: list[CashFlow] = []
    for index in range(days):
        on = first + timedelta(days=index)
        if on >= end:
            break
        amount = share + (1 if index < remainder else 0)
        if amount:
            flows.append(CashFlow(outflow.account, on, -amount, outflow.label))
    return flows


def _line(
    account: str, currency: str, opening: int, balances: Sequence[int], start: date
) -> AccountForecast:
    lowest_index = min(range(len(balances)), key=lambda i: (balances[i], i))
    negative = next((i for i, balance in enumerate(balances) if balance < 0), None)
    return AccountForecast(
        account=account,
        currency=currency,
        opening_minor=opening,
        balances=tuple(balances),
        lowest=LowPoint(balances[lowest_index], start + timedelta(days=lowest_index)),
        first_negative=None if negative is None else start + timedelta(days=negative),
    )


def forecast(
    openings: Sequence[OpeningBalance],
    start: date,
    end: date,
    *,
    flows: Iterable[CashFlow] = (),
    schedules: Iterable[Schedule] = (),
    budget_outflows: Iterable[BudgetOutflow] = (),
    total_currency: str | None = None,
    rates: Mapping[str, Decimal] | None = None,
) -> Forecast:
    """Project every account day by day over ``[start, end)``; see the module docs.

    ``total_currency`` defaults to the currency of the first account (by name); any
    account in another currency then needs its rate in ``rates``.
    """
    if end <= start:
        raise ValueError("a forecast needs at least one day")
    by_account = {opening.account: opening for opening in openings}
    if len(by_account) != len(openings):
        raise ValueError("an account has two opening balances")
    if not by_account:
        raise ValueError("a forecast needs at least one account")

    all_flows = list(flows)
    all_flows.extend(schedule_flows(schedules, start, end))
    for outflow in budget_outflows:
        all_flows.extend(spread_budget(outflow, start, end))

    length = (end - start).days
    changes: dict[str, list[int]] = defaultdict(lambda: [0] * length)
    for flow in all_flows:
        if flow.account not in by_account:
            raise ValueError(f"a flow names account '{flow.account}' with no opening balance")
        if start <= flow.on < end:
            changes[flow.account][(flow.on - start).days] += flow.amount_minor

    lines: list[AccountForecast] = []
    for name in sorted(by_account):
        opening = by_account[name]
        balance = opening.balance_minor
        balances: list[int] = []
        for change in changes.get(name, [0] * length):
            balance += change
            balances.append(balance)
        lines.append(_line(name, opening.currency, opening.balance_minor, balances, start))

    currency = total_currency or lines[0].currency
    rates = rates or {}

    def in_total(amount: int, line_currency: str) -> int:
        if line_currency == currency:
            return amount
        if line_currency not in rates:
            raise ValueError(f"no {line_currency}->{currency} rate for the total")
        return convert_amount(amount, line_currency, currency, rates[line_currency])

    totals = [
        sum(in_total(line.balances[i], line.currency) for line in lines) for i in range(length)
    ]
    opening_total = sum(in_total(line.opening_minor, line.currency) for line in lines)
    return Forecast(
        start=start,
        end=end,
        accounts=tuple(lines),
        total=_line(TOTAL, currency, opening_total, totals, start),
    )
