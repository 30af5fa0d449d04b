"""Reports by category and over time: spending and income by category (with drill
down into subcategories), income vs expense per month, payee and tag breakdowns,
year over year, and the transactions behind any figure.

Every amount is in the household's base currency: sums in the base currency come
straight from the ledger's day totals, and each posting in another currency is
converted at its own date's rate (`fx.service`), so a report's figures equal the
ledger's own sums (`ledger.service.category_totals`) and add up to what they show.
Expense figures are money spent and income figures money received, both positive;
refunds make them smaller. Date ranges are inclusive, as in the ledger's API.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Literal

from sqlalchemy.orm import Session

from homeledger.accounts.models import Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.accounts.service import category_with_descendants, get_account_model
from homeledger.fx.service import (
    base_currency,
    converted_bucket_totals,
    household_rates,
    rates_required,
)
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.repository import LedgerRepository
from homeledger.ledger.service import decode_cursor, encode_cursor, to_read
from homeledger.reports.repository import NO_PAYEE, PostingFilter, ReportRepository
from homeledger.reports.schemas import (
    BreakdownReport,
    CategoryReport,
    CategoryRow,
    DrillPage,
    DrillQuery,
    IncomeExpenseReport,
    MonthRow,
    NamedRow,
    YearCategoryRow,
    YearMonthRow,
    YearOverYearReport,
)
from homeledger.reports.scope import (
    ONE_DAY,
    Categories,
    Scope,
    categories,
    make_scope,
    month_starts,
    share,
)

FlowKind = Literal["expense", "income"]


def sign(kind: str) -> int:
    """Expense postings are positive when money is spent; income postings negative."""
    return 1 if kind == Kind.EXPENSE else -1


def category_amounts(scope: Scope, tree: Categories, kind: str) -> dict[str, int]:
    """Each category's own postings in the period, as money spent or received."""
    boundaries = [scope.start, scope.after]
    with rates_required():
        totals = converted_bucket_totals(
            scope.session, scope.ctx, scope.rates, boundaries, list(tree.accounts)
        )
    return {account_id: sign(kind) * amount for (account_id, _), amount in totals.items()}


def category_rows(
    scope: Scope, tree: Categories, own: dict[str, int], roots: list[str], whole: int
) -> list[CategoryRow]:
    """Depth-first from ``roots``, largest first per level; categories with nothing
    in the period are left out."""
    rolled = tree.rolled(own)
    rows: list[CategoryRow] = []

    def visit(category_id: str, depth: int) -> None:
        account = tree.accounts[category_id]
        total = rolled.get(category_id, 0)
        has_activity = any(own.get(c, 0) for c in _subtree(tree, category_id))
        if not has_activity:
            return
        rows.append(
            CategoryRow(
                category_id=category_id,
                name=account.name,
                path=tree.paths[category_id],
                parent_id=account.parent_id,
                depth=depth,
                own=scope.figure(
                    own.get(category_id, 0), category_id=category_id, include_subcategories=False
                ),
                total=scope.figure(total, category_id=category_id),
                share=share(total, whole),
            )
        )
        for child in _ordered(tree, tree.children.get(category_id, []), rolled):
            visit(child, depth + 1)

    for root in _ordered(tree, roots, rolled):
        visit(root, 0)
    return rows


def _subtree(tree: Categories, root: str) -> list[str]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(tree.children.get(node, []))
    return found


def _ordered(tree: Categories, ids: list[str], rolled: dict[str, int]) -> list[str]:
    return sorted(ids, key=lambda c: (-rolled.get(c, 0), tree.paths[c].casefold()))


def category_report(
    session: Session,
    ctx: Ctx,
    kind: FlowKind,
    start: dt.date,
    end: dt.date,
    category_id: str | None = None,
) -> CategoryReport:
    """Spending (``expense``) or income by category; with ``category_id``, that
    category's subtree (drill down)."""
    scope = make_scope(session, ctx, start, end)
    tree = categories(session, ctx, Kind(kind))
    if category_id is not None and category_id not in tree.accounts:
        raise NotFound(f"no such {kind} category")
    own = category_amounts(scope, tree, kind)
    rolled = tree.rolled(own)
    roots = [category_id] if category_id else tree.children.get(None, [])
    whole = sum(rolled.get(r, 0) for r in roots)
    drill: dict[str, object] = {"category_id": category_id} if category_id else {"kind": kind}
    title = "Spending by category" if kind == "expense" else "Income by category"
    if category_id:
        title += f": {tree.paths[category_id]}"
    return CategoryReport(
        **scope.meta("spending" if kind == "expense" else "income", title),
        kind=kind,
        category_id=category_id,
        total=scope.figure(whole, **drill),
        rows=category_rows(scope, tree, own, roots, whole),
    )


def income_expense(session: Session, ctx: Ctx, start: dt.date, end: dt.date) -> IncomeExpenseReport:
    """Income, expense and their difference per calendar month."""
    scope = make_scope(session, ctx, start, end)
    edges = month_starts(start, end)
    accounts = AccountRepository(session).of_kinds(ctx, {Kind.INCOME, Kind.EXPENSE})
    kinds = {a.id: a.kind for a in accounts}
    with rates_required():
        totals = converted_bucket_totals(session, ctx, scope.rates, edges, list(kinds))
    income: dict[int, int] = defaultdict(int)
    expense: dict[int, int] = defaultdict(int)
    for (account_id, bucket), amount in totals.items():
        if kinds[account_id] == Kind.INCOME:
            income[bucket] -= amount
        else:
            expense[bucket] += amount
    months = []
    for bucket in range(len(edges) - 1):
        first, last = edges[bucket], edges[bucket + 1] - ONE_DAY
        period = {"date_from": first, "date_to": last}
        months.append(
            MonthRow(
                month=f"{first.year:04d}-{first.month:02d}",
                date_from=first,
                date_to=last,
                income=scope.figure(income[bucket], kind="income", **period),
                expense=scope.figure(expense[bucket], kind="expense", **period),
                net=scope.money(income[bucket] - expense[bucket]),
            )
        )
    total_in, total_out = sum(income.values()), sum(expense.values())
    return IncomeExpenseReport(
        **scope.meta("income-expense", "Income and expense per month"),
        months=months,
        income=scope.figure(total_in, kind="income"),
        expense=scope.figure(total_out, kind="expense"),
        net=scope.money(total_in - total_out),
    )


def breakdown(
    session: Session,
    ctx: Ctx,
    by: Literal["payee", "tag"],
    start: dt.date,
    end: dt.date,
    kind: FlowKind = "expense",
) -> BreakdownReport:
    """Spending (or income) per payee or per tag, largest first."""
    scope = make_scope(session, ctx, start, end)
    ids = frozenset(a.id for a in AccountRepository(session).of_kinds(ctx, {Kind(kind)}))
    f = PostingFilter(ids, scope.start, scope.after)
    repo = ReportRepository(session)
    rows = (
        repo.payee_totals(ctx, f, scope.base)
        if by == "payee"
        else repo.tag_totals(ctx, f, scope.base)
    )
    amounts: dict[str | None, int] = defaultdict(int)
    with rates_required():
        for key, currency, day, amount in rows:
            converted = scope.rates.convert(amount, currency, day or scope.start)
            amounts[key] += sign(kind) * converted
    if by == "payee":
        names: dict[str, str] = {p.id: p.name for p in LedgerRepository(session).payees(ctx)}
    else:
        names = repo.tag_names(ctx, [k for k in amounts if k])
    total_minor = sum(amounts.values()) if by == "payee" else sign(kind) * sum(_totals(scope, ids))
    named = [
        NamedRow(
            id=key,
            name=names.get(key, "") if key else "(no payee)",
            amount=scope.figure(
                amount,
                kind=kind,
                **(
                    {"payee_id": key or NO_PAYEE}
                    if by == "payee"
                    else {"tag": names.get(key or "", "")}
                ),
            ),
            share=share(amount, total_minor),
        )
        for key, amount in amounts.items()
        if amount
    ]
    named.sort(key=lambda r: (-scope.minor(r.amount.amount), r.name.casefold()))
    title = ("Spending" if kind == "expense" else "Income") + f" by {by}"
    return BreakdownReport(
        **scope.meta(f"{by}s", title),
        kind=kind,
        by=by,
        total=scope.figure(total_minor, kind=kind),
        rows=named,
    )


def _totals(scope: Scope, ids: frozenset[str]) -> list[int]:
    with rates_required():
        totals = converted_bucket_totals(
            scope.session, scope.ctx, scope.rates, [scope.start, scope.after], ids
        )
    return list(totals.values())


def year_over_year(
    session: Session, ctx: Ctx, year: int, kind: FlowKind = "expense"
) -> YearOverYearReport:
    """Each month and each top-level category of ``year`` next to the year before."""
    if not 1901 <= year <= 2199:
        raise InvalidInput("year", "between 1901 and 2199")
    scope = make_scope(session, ctx, dt.date(year - 1, 1, 1), dt.date(year, 12, 31))
    tree = categories(session, ctx, Kind(kind))
    edges = month_starts(scope.start, scope.end)
    with rates_required():
        totals = converted_bucket_totals(session, ctx, scope.rates, edges, list(tree.accounts))
    by_month: dict[int, int] = defaultdict(int)
    by_top: dict[tuple[str, int], int] = defaultdict(int)
    for (account_id, bucket), amount in totals.items():
        by_month[bucket] += sign(kind) * amount
        by_top[(tree.top(account_id), bucket // 12)] += sign(kind) * amount

    def window(first: dt.date, last: dt.date, **drill: object) -> dict[str, object]:
        return {"date_from": first, "date_to": last, **drill}

    months = []
    for month in range(1, 13):
        last_day = edges[month + 12] - ONE_DAY
        before_last = edges[month] - ONE_DAY
        this, last = by_month[month + 11], by_month[month - 1]
        months.append(
            YearMonthRow(
                month=month,
                this_year=scope.figure(this, **window(edges[month + 11], last_day, kind=kind)),
                last_year=scope.figure(last, **window(edges[month - 1], before_last, kind=kind)),
                change=scope.money(this - last),
            )
        )
    this_year = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    last_year = (dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
    rows = [
        YearCategoryRow(
            category_id=top,
            path=tree.paths[top],
            this_year=scope.figure(by_top[(top, 1)], **window(*this_year, category_id=top)),
            last_year=scope.figure(by_top[(top, 0)], **window(*last_year, category_id=top)),
            change=scope.money(by_top[(top, 1)] - by_top[(top, 0)]),
        )
        for top in tree.children.get(None, [])
        if by_top[(top, 1)] or by_top[(top, 0)]
    ]
    rows.sort(key=lambda r: (-scope.minor(r.this_year.amount), r.path.casefold()))
    this_total = sum(v for (_, y), v in by_top.items() if y == 1)
    last_total = sum(v for (_, y), v in by_top.items() if y == 0)
    title = f"{'Spending' if kind == 'expense' else 'Income'}: {year} against {year - 1}"
    return YearOverYearReport(
        **scope.meta("year-over-year", title),
        kind=kind,
        year=year,
        months=months,
        categories=rows,
        this_year=scope.figure(this_total, **window(*this_year, kind=kind)),
        last_year=scope.figure(last_total, **window(*last_year, kind=kind)),
        change=scope.money(this_total - last_total),
    )


# The transactions behind a figure


def _drill_accounts(session: Session, ctx: Ctx, q: DrillQuery) -> frozenset[str]:
    kinds = {Kind(q.kind)} if q.kind else set(Kind)
    accounts = {a.id for a in AccountRepository(session).of_kinds(ctx, kinds)}
    if q.category_id:
        if q.include_subcategories:
            chosen = category_with_descendants(session, ctx, q.category_id)
        else:
            chosen = {
                get_account_model(session, ctx, q.category_id, {Kind.INCOME, Kind.EXPENSE}).id
            }
        accounts &= chosen
    if q.account_id:
        get_account_model(session, ctx, q.account_id, set(Kind))
        accounts &= {q.account_id}
    return frozenset(accounts)


def drill(session: Session, ctx: Ctx, q: DrillQuery) -> DrillPage:
    """The transactions behind a figure, newest first, and the sum of their matching
    postings in the base currency (the figure: expense positive, income negative,
    as the ledger signs them)."""
    if q.date_from and q.date_to and q.date_to < q.date_from:
        raise InvalidInput("date_to", "must not be before date_from")
    base = base_currency(session, ctx)
    scope = Scope(
        session,
        ctx,
        q.date_from or dt.date(1900, 1, 1),
        q.date_to or dt.date(2199, 12, 31),
        base,
        household_rates(session, ctx, base),
    )
    tag_id = None
    if q.tag:
        tag = LedgerRepository(session).tags_by_name(ctx, [q.tag]).get(q.tag)
        if tag is None:
            return DrillPage(items=[], next_cursor=None, total=scope.money(0), currency=scope.base)
        tag_id = tag.id
    if (
        q.payee_id
        and q.payee_id != NO_PAYEE
        and LedgerRepository(session).payee(ctx, q.payee_id) is None
    ):
        raise NotFound("no such payee")
    f = PostingFilter(
        _drill_accounts(session, ctx, q),
        q.date_from,
        q.date_to + ONE_DAY if q.date_to else None,
        q.payee_id,
        tag_id,
    )
    repo = ReportRepository(session)
    total = 0
    with rates_required():
        for currency, day, amount in repo.matching_sums(ctx, f, scope.base):
            total += scope.rates.convert(amount, currency, day or scope.start)
    after = decode_cursor(q.cursor) if q.cursor else None
    rows = repo.matching_transactions(ctx, f, after, q.limit + 1)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = encode_cursor(rows[-1].date, rows[-1].id) if more and rows else None
    return DrillPage(
        items=[to_read(t) for t in rows],
        next_cursor=cursor,
        total=scope.money(total),
        currency=scope.base,
    )
