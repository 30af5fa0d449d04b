"""The cash-flow forecast of a household: `schedules.forecast` fed from the ledger.

Each asset and liability account starts from its balance at the start of the first
day. Flows come from every active schedule (each occurrence not yet done moves its
postings' amounts on the household's accounts; auto-post occurrences already due but
not yet posted count on the first day) and from every budget: what is left to spend
in the current period (envelope: the positive available of each category; tracking:
the remaining allowance), then each later period's assignments (or, where none are
made yet, the current period's), spread evenly over the days. Categories that a
schedule already posts to are left out of the budget's part, so rent scheduled and
budgeted is not counted twice. A budget's spending leaves its spending account, or
the first checking account in the budget's currency. The total is in the base
currency, at the rates of the first day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.budgets.closing import Closed, close_through
from homeledger.budgets.models import Budget, BudgetMode
from homeledger.budgets.periods import periods_between
from homeledger.budgets.repository import BudgetRepository
from homeledger.fx.service import HouseholdRates, base_currency, household_rates, rates_required
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import format_plain
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.repository import LedgerRepository
from homeledger.schedules import calc
from homeledger.schedules.forecast import (
    AccountForecast,
    BudgetOutflow,
    CashFlow,
    OpeningBalance,
    forecast,
)
from homeledger.schedules.repository import ScheduleRepository
from homeledger.schedules.schemas import (
    AccountForecastRead,
    FlowRead,
    ForecastRead,
    LowPointRead,
)
from homeledger.schedules.service import load_schedules

ONE_DAY = dt.timedelta(days=1)


def _schedule_flows(
    session: Session, ctx: Ctx, start: dt.date, end: dt.date, accounts: dict[str, Account]
) -> tuple[list[CashFlow], set[str]]:
    """Flows of every active schedule, and the categories schedules post to."""
    rows = ScheduleRepository(session).all(ctx, active_only=True)
    loaded = load_schedules(session, ctx, rows)
    flows: list[CashFlow] = []
    categories: set[str] = set()
    for row in rows:
        if row.id not in loaded.calcs:
            continue
        as_calc = loaded.calcs[row.id]
        state = loaded.state(row.id)
        days = [d for d in calc.occurrences(as_calc, start, end) if d not in state.done]
        if as_calc.mode is calc.ScheduleMode.AUTO_POST:
            # Due but not posted yet: the job posts them with their own (past) dates,
            # so the money has left by the first day of the forecast.
            days += [start for _ in calc.pending(as_calc, state, start - ONE_DAY)]
        for posting in row.postings:
            if posting.account_id in accounts:
                flows.extend(
                    CashFlow(posting.account_id, d, posting.amount_minor, row.name) for d in days
                )
            else:
                categories.add(posting.account_id)
    return flows, categories


def _spending_account(budget: Budget, accounts: dict[str, Account]) -> Account | None:
    if budget.spending_account_id in accounts:
        return accounts[budget.spending_account_id]
    for account in sorted(accounts.values(), key=lambda a: (a.name, a.id)):
        if account.type == AccountType.CHECKING and account.currency == budget.currency:
            return account
    return None


def _left_to_spend(closed: Closed, skip: set[str]) -> int:
    if closed.budget.mode == BudgetMode.ENVELOPE:
        lines = closed.envelopes[-1].lines
        return sum(max(0, x.available_minor) for x in lines if x.category not in skip)
    return sum(
        max(0, x.remaining_minor) for x in closed.tracking[-1].lines if x.category not in skip
    )


def _budget_outflows(
    session: Session,
    ctx: Ctx,
    start: dt.date,
    end: dt.date,
    accounts: dict[str, Account],
    scheduled: set[str],
    notes: list[str],
) -> list[BudgetOutflow]:
    outflows: list[BudgetOutflow] = []
    repo = BudgetRepository(session)
    for budget in repo.all(ctx):
        account = _spending_account(budget, accounts)
        if account is None or account.currency != budget.currency:
            notes.append(
                f"budget '{budget.name}' is left out: it needs a spending account "
                f"in {budget.currency}"
            )
            continue
        closed = close_through(session, ctx, budget, start)
        current = closed.target
        outflows.append(
            BudgetOutflow(account.id, current, _left_to_spend(closed, scheduled), budget.name)
        )
        later = periods_between(closed.rule, current.end, end)
        if not later:
            continue
        planned: dict[dt.date, int] = defaultdict(int)
        for row in repo.assignments(ctx, budget.id, later[0].start, later[-1].end):
            if row.category_id not in scheduled:
                planned[closed.rule.containing(row.period_start).start] += row.amount_minor
        repeat = sum(a for c, a in closed.assigned[-1].items() if c not in scheduled)
        for period in later:
            amount = planned.get(period.start, repeat)
            outflows.append(BudgetOutflow(account.id, period, max(0, amount), budget.name))
    return outflows


def _account_read(line: AccountForecast, name: str) -> AccountForecastRead:
    currency = line.currency
    return AccountForecastRead(
        account_id=line.account,
        name=name,
        currency=currency,
        opening=format_plain(line.opening_minor, currency),
        balances=[format_plain(b, currency) for b in line.balances],
        lowest=LowPointRead(
            balance=format_plain(line.lowest.balance_minor, currency), on=line.lowest.on
        ),
        first_negative=line.first_negative,
    )


def _total_rates(
    rates: HouseholdRates, currencies: set[str], base: str, on: dt.date
) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    with rates_required():
        for currency in currencies - {base}:
            rate = rates.latest_rate(currency, base, on)
            if rate is None:
                rates.convert(1, currency, on)  # raises the clear MissingRate
            else:
                found[currency] = rate.value
    return found


def cash_flow_forecast(session: Session, ctx: Ctx, start: dt.date, days: int) -> ForecastRead:
    """Balances day by day over ``[start, start + days)`` with the lowest point."""
    if not 1 <= days <= 731:
        raise InvalidInput("days", "forecast between 1 and 731 days")
    end = start + dt.timedelta(days=days)
    base = base_currency(session, ctx)
    accounts = {
        a.id: a
        for a in AccountRepository(session).of_kinds(ctx, {Kind.ASSET, Kind.LIABILITY}, False)
        if a.currency
    }
    if not accounts:
        raise InvalidInput("accounts", "there is no account to forecast")
    balances = LedgerRepository(session).balances(ctx, start - ONE_DAY, list(accounts))
    opening: dict[str, int] = defaultdict(int)
    for account_id, _currency, balance in balances:
        opening[account_id] += balance
    openings = [
        OpeningBalance(a.id, a.currency or base, opening.get(a.id, 0)) for a in accounts.values()
    ]
    notes: list[str] = []
    flows, scheduled = _schedule_flows(session, ctx, start, end, accounts)
    outflows = _budget_outflows(session, ctx, start, end, accounts, scheduled, notes)
    rates = household_rates(session, ctx, base)
    currencies = {a.currency for a in accounts.values() if a.currency}
    total_rates = _total_rates(rates, currencies, base, start)
    result = forecast(
        openings,
        start,
        end,
        flows=flows,
        budget_outflows=outflows,
        total_currency=base,
        rates=total_rates,
    )
    names = {a.id: a.name for a in accounts.values()}
    shown_flows = [
        FlowRead(
            on=f.on,
            account_id=f.account,
            amount=format_plain(f.amount_minor, accounts[f.account].currency or base),
            currency=accounts[f.account].currency or base,
            label=f.label,
            source="schedule",
        )
        for f in sorted(flows, key=lambda f: (f.on, f.label))
    ]
    shown_flows += [
        FlowRead(
            on=max(o.period.start, start),
            account_id=o.account,
            amount=format_plain(-o.amount_minor, accounts[o.account].currency or base),
            currency=accounts[o.account].currency or base,
            label=f"{o.label}: {o.period.start} to {o.period.last_day}",
            source="budget",
        )
        for o in outflows
        if o.amount_minor and o.period.start < end
    ]
    total = _account_read(result.total, "Total")
    return ForecastRead(
        start=start,
        end=end,
        currency=base,
        days=list(result.days),
        total=total,
        lowest=total.lowest,
        accounts=[_account_read(line, names[line.account]) for line in result.accounts],
        flows=sorted(shown_flows, key=lambda f: (f.on, f.source, f.label)),
        rates=rates.used(),
        notes=notes,
    )
