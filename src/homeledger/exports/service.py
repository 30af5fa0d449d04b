"""Exports: CSV (the transaction list's filters), JSON of the whole household (and its
restore), Beancount and QIF. Each export is written to a text stream and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.exports import household
from homeledger.exports.schemas import ExportFilter, ExportFormat, HouseholdDocument, RestoreResult
from homeledger.exports.text_formats import (
    SHEET,
    AccountInfo,
    write_beancount,
    write_csv,
    write_qif,
)
from homeledger.kit import audit
from homeledger.kit.money import format_plain
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.models import Transaction
from homeledger.ledger.repository import LedgerRepository
from homeledger.ledger.schemas import TransactionRead
from homeledger.reconciliation.models import Reconciliation
from homeledger.users import service as users

MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "beancount": "text/plain",
    "qif": "application/qif",
}
SUFFIXES = {"csv": "csv", "json": "json", "beancount": "beancount", "qif": "qif"}
PAGE = 500


def transactions(session: Session, ctx: Ctx, f: ExportFilter) -> Iterator[TransactionRead]:
    """Every transaction the filter selects, a page at a time (newest first)."""
    query = f.model_copy(update={"limit": PAGE, "cursor": None})
    while True:
        page = ledger.list_transactions(session, ctx, query)
        yield from page.items
        if page.next_cursor is None:
            return
        query = query.model_copy(update={"cursor": page.next_cursor})


def _accounts(session: Session, ctx: Ctx) -> dict[str, AccountInfo]:
    labels = accounts_service.labels(session, ctx)
    return {
        a.id: AccountInfo(a.id, labels[a.id][0], a.kind, a.type, a.currency)
        for a in AccountRepository(session).of_kinds(ctx, set(Kind))
    }


def file_name(session: Session, ctx: Ctx, fmt: ExportFormat) -> str:
    name = users.get_household(session, ctx).name
    safe = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-") or "household"
    return f"{safe}-{dt.date.today().isoformat()}.{SUFFIXES[fmt]}"


def export(
    session: Session,
    ctx: Ctx,
    fmt: ExportFormat,
    out: IO[str],
    key: bytes,
    f: ExportFilter | None = None,
) -> None:
    """Writes the export to `out`. JSON holds account numbers in the clear, so it needs
    an editor; the others any member."""
    ctx.require(Role.EDITOR if fmt == "json" else Role.VIEWER)
    f = f or ExportFilter()
    accounts = _accounts(session, ctx)
    if fmt == "csv":
        only = set(f.account_id) if f.account_id else None
        write_csv(out, accounts, transactions(session, ctx, f), only)
    elif fmt == "json":
        household.dump(session, ctx, out, key, transactions(session, ctx, ExportFilter()))
    elif fmt == "beancount":
        _beancount(session, ctx, out, accounts)
    else:
        grouped: dict[str, list[TransactionRead]] = {
            a.id: [] for a in accounts.values() if a.kind in SHEET
        }
        for txn in transactions(session, ctx, f):
            for p in txn.postings:
                if p.account_id in grouped and (not f.account_id or p.account_id in f.account_id):
                    grouped[p.account_id].append(txn)
        write_qif(out, accounts, {k: v for k, v in grouped.items() if v})
    audit.record(
        session,
        "export.created",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=fmt,
        filters=f.model_dump(exclude_defaults=True, mode="json"),
    )


def _beancount(session: Session, ctx: Ctx, out: IO[str], accounts: dict[str, AccountInfo]) -> None:
    home = users.get_household(session, ctx)
    first = session.scalar(
        select(func.min(Transaction.date)).where(Transaction.household_id == ctx.household_id)
    )
    finished = session.scalars(
        select(Reconciliation)
        .where(Reconciliation.household_id == ctx.household_id, Reconciliation.status == "finished")
        .order_by(Reconciliation.statement_date)
    )
    write_beancount(
        out,
        home.name,
        home.base_currency,
        accounts,
        transactions(session, ctx, ExportFilter()),
        first or dt.date.today(),
        [
            (
                r.account_id,
                r.statement_date,
                format_plain(r.statement_balance_minor, r.currency),
                r.currency,
            )
            for r in finished
            if _balance_on(session, ctx, r.account_id, r.statement_date, r.currency)
            == r.statement_balance_minor
        ],
    )


def _balance_on(session: Session, ctx: Ctx, account_id: str, day: dt.date, currency: str) -> int:
    """Every posting through `day`: a reconciliation's balance becomes a beancount
    assertion only where no pending posting makes the two differ."""
    rows = LedgerRepository(session).balances(ctx, day, [account_id])
    return sum(total for _, held, total in rows if held == currency)


def restore(session: Session, ctx: Ctx, document: HouseholdDocument, key: bytes) -> RestoreResult:
    result = household.restore(session, ctx, document, key)
    audit.record(
        session,
        "export.restored",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        transactions=result.transactions,
    )
    return result
