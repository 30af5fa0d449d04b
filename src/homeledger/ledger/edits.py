"""Edits the web pages need on top of service.py: bulk categorise, tag and delete of
selected transactions, and editing a transfer as a transfer. Each goes through the
one-transaction service functions, so every rule (versions, reconciled postings,
balance) holds; the edge makes a batch all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import AccountType
from homeledger.kit.errors import InvalidInput
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import (
    PostingIn,
    PostingRead,
    TransactionRead,
    TransactionUpdate,
    TransferCreate,
)

MAX_SELECTION = 500


@dataclass(frozen=True)
class BulkResult:
    changed: int
    skipped: int = 0
    """Selected transactions the action does not apply to (a transfer has no category)."""


def _selection(ids: Sequence[str]) -> list[str]:
    unique = list(dict.fromkeys(i for i in ids if i))
    if not unique:
        raise InvalidInput("ids", "select at least one transaction")
    if len(unique) > MAX_SELECTION:
        raise InvalidInput("ids", f"select at most {MAX_SELECTION} transactions at a time")
    return unique


def _update(
    session: Session,
    ctx: Ctx,
    txn: TransactionRead,
    postings: list[PostingIn],
    tags: list[str],
) -> None:
    service.update(
        session,
        ctx,
        txn.id,
        TransactionUpdate(
            date=txn.date,
            payee=txn.payee,
            memo=txn.memo,
            postings=postings,
            tags=tags,
            version=txn.version,
        ),
    )


def _posting(p: PostingRead, account_id: str | None = None) -> PostingIn:
    # Reconciled postings go in as cleared; update() keeps them reconciled if unchanged.
    status = PostingStatus.CLEARED if p.status is PostingStatus.RECONCILED else p.status
    return PostingIn(
        account_id=account_id or p.account_id,
        amount=p.amount,
        currency=p.currency,
        status=status,
        memo=p.memo,
    )


def categorise(session: Session, ctx: Ctx, ids: Sequence[str], category_id: str) -> BulkResult:
    """Every income/expense posting of each selected transaction moves to `category_id`."""
    ctx.require(Role.EDITOR)
    category = accounts.get_category(session, ctx, category_id)
    categories = {c.id for c in accounts.list_categories(session, ctx)}
    changed = skipped = 0
    for transaction_id in _selection(ids):
        txn = service.get(session, ctx, transaction_id)
        if not any(p.account_id in categories for p in txn.postings):
            skipped += 1
            continue
        postings = [
            _posting(p, category.id if p.account_id in categories else None) for p in txn.postings
        ]
        _update(session, ctx, txn, postings, txn.tags)
        changed += 1
    return BulkResult(changed, skipped)


def tag(session: Session, ctx: Ctx, ids: Sequence[str], name: str) -> BulkResult:
    ctx.require(Role.EDITOR)
    name = name.strip()
    if not name or len(name) > 60:
        raise InvalidInput("tag", "a tag is 1 to 60 characters")
    changed = skipped = 0
    for transaction_id in _selection(ids):
        txn = service.get(session, ctx, transaction_id)
        if name in txn.tags:
            skipped += 1
            continue
        _update(session, ctx, txn, [_posting(p) for p in txn.postings], [*txn.tags, name])
        changed += 1
    return BulkResult(changed, skipped)


def delete(session: Session, ctx: Ctx, ids: Sequence[str]) -> BulkResult:
    ctx.require(Role.EDITOR)
    selection = _selection(ids)
    for transaction_id in selection:
        service.delete(session, ctx, transaction_id)
    return BulkResult(len(selection))


def update_transfer(
    session: Session, ctx: Ctx, transaction_id: str, data: TransferCreate, version: int
) -> TransactionRead:
    """Replaces a transaction with the postings `service.transfer` would make for `data`."""
    ctx.require(Role.EDITOR)
    source = accounts.get_account(session, ctx, data.from_account_id)
    target = accounts.get_account(session, ctx, data.to_account_id)
    if source.id == target.id:
        raise InvalidInput("to_account_id", "a transfer needs two different accounts")
    if Decimal(data.amount) <= 0:
        raise InvalidInput("amount", "a transfer amount must be positive")
    assert source.currency is not None
    assert target.currency is not None
    postings = [PostingIn(account_id=source.id, amount=f"-{data.amount}", currency=source.currency)]
    if source.currency == target.currency:
        postings.append(
            PostingIn(account_id=target.id, amount=data.amount, currency=target.currency)
        )
    else:
        if data.to_amount is None or Decimal(data.to_amount) <= 0:
            raise InvalidInput("to_amount", f"say how much {target.currency} arrives")
        exchange = accounts.system_account(session, ctx, AccountType.CURRENCY_EXCHANGE).id
        postings += [
            PostingIn(account_id=exchange, amount=data.amount, currency=source.currency),
            PostingIn(account_id=exchange, amount=f"-{data.to_amount}", currency=target.currency),
            PostingIn(account_id=target.id, amount=data.to_amount, currency=target.currency),
        ]
    return service.update(
        session,
        ctx,
        transaction_id,
        TransactionUpdate(
            date=data.date,
            payee=data.payee,
            memo=data.memo,
            postings=postings,
            tags=data.tags,
            version=version,
        ),
    )
