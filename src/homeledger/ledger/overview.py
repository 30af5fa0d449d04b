"""Read-side services for registers and the dashboard: running balances, balance
history, what needs attention, and the month at a glance. Same rules as service.py:
a Session and a Ctx in, plain data out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.kit.money import to_minor
from homeledger.kit.tenancy import Ctx
from homeledger.ledger import service
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.repository import LedgerRepository
from homeledger.ledger.schemas import BalanceRead, TransactionFilter, TransactionRead


@dataclass(frozen=True)
class RegisterRow:
    transaction: TransactionRead
    amount_minor: int
    """What this transaction moved into (+) or out of (-) the account."""
    balance_minor: int
    """The account's balance after this transaction."""


@dataclass(frozen=True)
class AccountRegister:
    currency: str
    rows: list[RegisterRow]
    next_cursor: str | None


def account_register(
    session: Session, ctx: Ctx, account_id: str, cursor: str | None = None, limit: int = 50
) -> AccountRegister:
    """One page of an account's register, newest first, each row with the running balance
    (one extra aggregate query per page, whatever the page's depth)."""
    account = accounts.get_account(session, ctx, account_id)
    assert account.currency is not None  # balance-sheet accounts have one
    page = service.list_transactions(
        session, ctx, TransactionFilter(account_id=[account_id], cursor=cursor, limit=limit)
    )
    rows: list[RegisterRow] = []
    if page.items:
        top = page.items[0]
        through = LedgerRepository(session).balance_through(ctx, account_id, top.date, top.id)
        balance = through.get(account.currency, 0)
        for item in page.items:
            amount = sum(
                to_minor(Decimal(p.amount), p.currency)
                for p in item.postings
                if p.account_id == account_id and p.currency == account.currency
            )
            rows.append(RegisterRow(item, amount, balance))
            balance -= amount
    return AccountRegister(account.currency, rows, page.next_cursor)


def balance_history(
    session: Session, ctx: Ctx, account_id: str, days: int = 365, today: dt.date | None = None
) -> list[tuple[dt.date, int]]:
    """The account's end-of-day balance on every day it changed in the last `days`, plus
    the first and the last day, in minor units of its currency."""
    account = accounts.get_account(session, ctx, account_id)
    assert account.currency is not None
    today = today or dt.date.today()
    start = today - dt.timedelta(days=days)
    repo = LedgerRepository(session)
    opening = sum(
        total
        for acc, currency, total in repo.balances(ctx, start - dt.timedelta(days=1), [account_id])
        if currency == account.currency
    )
    points = [(start, opening)]
    balance = opening
    for day, currency, total in repo.daily_sums(ctx, account_id, start):
        if currency != account.currency:
            continue
        balance += total
        if points[-1][0] == day:
            points[-1] = (day, balance)
        else:
            points.append((day, balance))
    if points[-1][0] < today:
        points.append((today, balance))
    return points


@dataclass(frozen=True)
class Attention:
    pending: list[TransactionRead]
    pending_count: int
    uncategorised: list[TransactionRead]
    uncategorised_count: int
    uncategorised_ids: list[str]


def needs_attention(session: Session, ctx: Ctx, limit: int = 5) -> Attention:
    repo = LedgerRepository(session)
    pending = service.list_transactions(
        session, ctx, TransactionFilter(status=PostingStatus.PENDING, limit=limit)
    )
    pending_count = (
        repo.count_transactions(ctx, status=PostingStatus.PENDING.value) if pending.items else 0
    )
    ids = accounts.uncategorised_ids(session, ctx)
    uncategorised: list[TransactionRead] = []
    uncategorised_count = 0
    if ids:
        found = service.list_transactions(
            session, ctx, TransactionFilter(account_id=ids, limit=limit)
        )
        uncategorised = found.items
        if uncategorised:
            uncategorised_count = repo.count_transactions(ctx, account_ids=ids)
    return Attention(pending.items, pending_count, uncategorised, uncategorised_count, ids)


@dataclass(frozen=True)
class CategorySlice:
    category_id: str
    name: str
    total_minor: int


@dataclass
class MonthSummary:
    start: dt.date
    end: dt.date
    currency: str
    income_minor: int = 0
    spending_minor: int = 0
    by_category: list[CategorySlice] = field(default_factory=list)
    """Top-level expense categories, largest first."""


def month_summary(
    session: Session, ctx: Ctx, currency: str, today: dt.date | None = None
) -> MonthSummary:
    """Income and spending in `currency` from the 1st of this month to today, and the
    spending of each top-level expense category (subcategories rolled up)."""
    today = today or dt.date.today()
    start = today.replace(day=1)
    summary = MonthSummary(start, today, currency)
    top_level = {c.id: c for c in accounts.list_categories(session, ctx) if c.parent_id is None}
    slices: list[CategorySlice] = []
    for row in service.category_totals(session, ctx, start, today):
        category = top_level.get(row.category_id)
        if category is None or row.currency != currency:
            continue
        total = to_minor(Decimal(row.total), currency)
        if category.kind == Kind.INCOME:
            summary.income_minor -= total  # income is credited: negative in the ledger
        else:
            summary.spending_minor += total
            if total:
                slices.append(CategorySlice(category.id, category.name, total))
    summary.by_category = sorted(slices, key=lambda s: -s.total_minor)
    return summary


def net_worth(
    session: Session, ctx: Ctx, balances: list[BalanceRead] | None = None
) -> dict[str, int]:
    """Assets minus liabilities per currency (liabilities are negative balances); pass
    the balances when you already have them."""
    totals: dict[str, int] = defaultdict(int)
    for row in balances if balances is not None else service.balances(session, ctx):
        totals[row.currency] += to_minor(Decimal(row.balance), row.currency)
    return dict(totals)
