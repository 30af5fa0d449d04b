"""Reports over balances and budgets: cash flow (per account and category, with the
links of a Sankey diagram), net worth at each month end, budget vs actual.

Flows are converted at each posting's date; a balance in another currency is
converted at the rate of the day it is shown for (the net worth at a month end uses
that month end's rate), and the cash-flow report shows the difference this makes as
`revaluation`, so that opening + inflow - outflow + revaluation = closing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from homeledger.accounts.models import Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.budgets.closing import close_through
from homeledger.budgets.models import BudgetMode
from homeledger.budgets.repository import BudgetRepository
from homeledger.budgets.service import get_budget_model, period_read
from homeledger.fx.service import rates_required
from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.repository import LedgerRepository
from homeledger.reports.repository import PostingFilter, ReportRepository
from homeledger.reports.schemas import (
    AccountFlowRow,
    BudgetActualRow,
    BudgetPeriodRows,
    BudgetReport,
    CashFlowReport,
    NetWorthPoint,
    NetWorthReport,
    SankeyLink,
    SankeyNode,
)
from homeledger.reports.scope import ONE_DAY, Scope, categories, make_scope, month_starts
from homeledger.reports.service import category_amounts, category_rows

HUB = "budget"


EPOCH = dt.date(1900, 1, 1)
"""Before any posting (the ledger refuses earlier dates)."""


def _history(
    scope: Scope, edges: list[dt.date], ids: list[str]
) -> tuple[dict[tuple[str, str], int], dict[int, list[tuple[str, str, int]]]]:
    """Each account's balance before ``edges[0]`` (per currency) and its changes in
    each bucket of ``edges``: one pass over the day totals."""
    opening: dict[tuple[str, str], int] = defaultdict(int)
    changes: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    boundaries = [EPOCH, *edges] if edges[0] > EPOCH else edges
    shift = len(boundaries) - len(edges)
    for account_id, currency, bucket, amount in LedgerRepository(scope.session).totals_by_bucket(
        scope.ctx, boundaries, ids
    ):
        if bucket < shift:
            opening[(account_id, currency)] += amount
        else:
            changes[bucket - shift].append((account_id, currency, amount))
    return opening, changes


def cash_flow(session: Session, ctx: Ctx, start: dt.date, end: dt.date) -> CashFlowReport:
    scope = make_scope(session, ctx, start, end)
    accounts = AccountRepository(session).of_kinds(ctx, {Kind.ASSET, Kind.LIABILITY})
    ids = [a.id for a in accounts]
    before, changes = _history(scope, [start, scope.after], ids)
    after = dict(before)
    for account_id, currency, amount in changes[0]:
        after[(account_id, currency)] = after.get((account_id, currency), 0) + amount
    flows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = ReportRepository(session).gross_flows(
        ctx, PostingFilter(frozenset(ids), start, scope.after), scope.base
    )
    income_tree = categories(session, ctx, Kind.INCOME)
    expense_tree = categories(session, ctx, Kind.EXPENSE)
    with rates_required():
        for account_id, currency, day, inflow, outflow in rows:
            on = day or start
            flows[account_id][0] += scope.rates.convert(inflow, currency, on)
            flows[account_id][1] += scope.rates.convert(outflow, currency, on)
        account_rows = []
        for account in accounts:
            currency = account.currency or scope.base
            opening = before.get((account.id, currency), 0)
            closing = after.get((account.id, currency), 0)
            inflow, outflow = flows[account.id]
            if not (opening or closing or inflow or outflow):
                continue
            first = scope.rates.convert(opening, currency, start - ONE_DAY)
            last = scope.rates.convert(closing, currency, end)
            account_rows.append(
                AccountFlowRow(
                    account_id=account.id,
                    name=account.name,
                    kind=account.kind,
                    account_currency=currency,
                    opening=scope.money(first),
                    inflow=scope.figure(inflow, account_id=account.id),
                    outflow=scope.figure(outflow, account_id=account.id),
                    revaluation=scope.money(last - first - inflow + outflow),
                    closing=scope.money(last),
                )
            )
        income_own = category_amounts(scope, income_tree, Kind.INCOME)
        expense_own = category_amounts(scope, expense_tree, Kind.EXPENSE)
    income_roots = income_tree.children.get(None, [])
    expense_roots = expense_tree.children.get(None, [])
    income_total = sum(income_own.values())
    expense_total = sum(expense_own.values())
    income_rows = [
        r
        for r in category_rows(scope, income_tree, income_own, income_roots, income_total)
        if r.depth == 0
    ]
    expense_rows = [
        r
        for r in category_rows(scope, expense_tree, expense_own, expense_roots, expense_total)
        if r.depth == 0
    ]
    nodes = [SankeyNode(id=r.category_id, name=r.name, kind="income") for r in income_rows]
    nodes.append(SankeyNode(id=HUB, name="Budget", kind="hub"))
    nodes += [SankeyNode(id=r.category_id, name=r.name, kind="expense") for r in expense_rows]
    links = [
        SankeyLink(source=r.category_id, target=HUB, value=r.total.amount, filter=r.total.filter)
        for r in income_rows
        if not r.total.amount.startswith("-")
    ]
    links += [
        SankeyLink(source=HUB, target=r.category_id, value=r.total.amount, filter=r.total.filter)
        for r in expense_rows
        if not r.total.amount.startswith("-")
    ]
    net = income_total - expense_total
    if net > 0:
        nodes.append(SankeyNode(id="saved", name="Saved", kind="savings"))
        links.append(SankeyLink(source=HUB, target="saved", value=scope.money(net), filter=None))
    elif net < 0:
        nodes.insert(0, SankeyNode(id="savings", name="From savings", kind="savings"))
        links.insert(
            0, SankeyLink(source="savings", target=HUB, value=scope.money(-net), filter=None)
        )
    return CashFlowReport(
        **scope.meta("cash-flow", "Cash flow"),
        income=scope.figure(income_total, kind="income"),
        expense=scope.figure(expense_total, kind="expense"),
        net=scope.money(net),
        accounts=account_rows,
        income_categories=income_rows,
        expense_categories=expense_rows,
        nodes=nodes,
        links=links,
    )


def net_worth(session: Session, ctx: Ctx, start: dt.date, end: dt.date) -> NetWorthReport:
    """Assets, liabilities and net worth at the end of each month (and of ``end``)."""
    scope = make_scope(session, ctx, start, end)
    accounts = AccountRepository(session).of_kinds(ctx, {Kind.ASSET, Kind.LIABILITY})
    kinds = {a.id: a.kind for a in accounts}
    edges = month_starts(start, end)
    balance, changes = _history(scope, edges, list(kinds))
    points = []
    with rates_required():
        for bucket in range(len(edges) - 1):
            for account_id, currency, amount in changes[bucket]:
                balance[(account_id, currency)] += amount
            day = edges[bucket + 1] - ONE_DAY
            assets = liabilities = 0
            for (account_id, currency), amount in balance.items():
                value = scope.rates.convert(amount, currency, day)
                if kinds[account_id] == Kind.ASSET:
                    assets += value
                else:
                    liabilities += value
            points.append(
                NetWorthPoint(
                    on=day,
                    assets=scope.figure(assets, kind="asset", date_from=None, date_to=day),
                    liabilities=scope.figure(
                        liabilities, kind="liability", date_from=None, date_to=day
                    ),
                    net_worth=scope.money(assets + liabilities),
                )
            )
    first = scope.minor(points[0].net_worth) if points else 0
    last = scope.minor(points[-1].net_worth) if points else 0
    return NetWorthReport(
        **scope.meta("net-worth", "Net worth"),
        points=points,
        change=scope.money(last - first),
    )


def budget_vs_actual(
    session: Session, ctx: Ctx, start: dt.date, end: dt.date, budget_id: str | None = None
) -> BudgetReport:
    """Per budget period overlapping the dates: what each category was given (assigned
    and moved in, or its limit) against what it spent."""
    scope = make_scope(session, ctx, start, end)
    if budget_id is None:
        budgets = BudgetRepository(session).all(ctx)
        if not budgets:
            raise NotFound("the household has no budget yet")
        budget = budgets[0]
    else:
        budget = get_budget_model(session, ctx, budget_id)
    closed = close_through(session, ctx, budget, end)
    periods = []
    for index, period in enumerate(closed.periods):
        if period.end <= start or period.start > end:
            continue
        given: dict[str, tuple[int, int]] = {}
        if budget.mode == BudgetMode.ENVELOPE:
            for line in closed.envelopes[index].lines:
                budgeted = line.assigned_minor + line.moved_minor
                given[line.category] = (budgeted, line.available_minor)
        else:
            for tracked in closed.tracking[index].lines:
                given[tracked.category] = (tracked.limit_minor, tracked.remaining_minor)
        spent = closed.spent[index]
        rows = []
        for category in sorted(set(given) | set(spent), key=lambda c: closed.paths.get(c, c)):
            budgeted, available = given.get(category, (0, 0))
            actual = spent.get(category, 0)
            if not (budgeted or actual):
                continue
            rows.append(
                BudgetActualRow(
                    category_id=category,
                    path=closed.paths.get(category, category),
                    budgeted=scope.money(budgeted),
                    actual=scope.figure(
                        actual,
                        category_id=category,
                        include_subcategories=False,
                        date_from=period.start,
                        date_to=period.last_day,
                    ),
                    difference=scope.money(budgeted - actual),
                    available=scope.money(available),
                )
            )
        total_budgeted = sum(scope.minor(r.budgeted) for r in rows)
        total_actual = sum(scope.minor(r.actual.amount) for r in rows)
        periods.append(
            BudgetPeriodRows(
                period=period_read(period),
                rows=rows,
                budgeted=scope.money(total_budgeted),
                actual=scope.money(total_actual),
                difference=scope.money(total_budgeted - total_actual),
            )
        )
    budgeted_all = sum(scope.minor(p.budgeted) for p in periods)
    actual_all = sum(scope.minor(p.actual) for p in periods)
    scope.rates = closed.rates
    return BudgetReport(
        **scope.meta("budget", f"Budget vs actual: {budget.name}"),
        budget_id=budget.id,
        budget_name=budget.name,
        mode=budget.mode,
        periods=periods,
        budgeted=scope.money(budgeted_all),
        actual=scope.money(actual_all),
        difference=scope.money(budgeted_all - actual_all),
    )
