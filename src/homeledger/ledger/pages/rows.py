"""How a transaction reads in a register row: which account, which category, how much.
Pure functions over what the services return (no database, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from homeledger.accounts.models import Kind
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import PostingRead, TransactionRead

Labels = dict[str, tuple[str, Kind]]
BALANCE_SHEET = {Kind.ASSET, Kind.LIABILITY}
CATEGORIES = {Kind.INCOME, Kind.EXPENSE}


@dataclass(frozen=True)
class Row:
    txn: TransactionRead
    account: str
    category: str
    amount: str
    """Signed decimal string: what left (-) or reached (+) the account shown."""
    currency: str
    balance_minor: int | None = None
    is_transfer: bool = False
    is_split: bool = False
    uncategorised: bool = False

    @property
    def pending(self) -> bool:
        return any(p.status is PostingStatus.PENDING for p in self.txn.postings)

    @property
    def reconciled(self) -> bool:
        return any(p.status is PostingStatus.RECONCILED for p in self.txn.postings)


def _name(labels: Labels, account_id: str) -> str:
    return labels.get(account_id, ("(unknown account)", Kind.EQUITY))[0]


def _kind(labels: Labels, posting: PostingRead) -> Kind:
    return labels.get(posting.account_id, ("", Kind.EQUITY))[1]


def describe(
    txn: TransactionRead,
    labels: Labels,
    account_id: str | None = None,
    balance_minor: int | None = None,
    uncategorised: frozenset[str] = frozenset(),
) -> Row:
    """`account_id` set: the row as that account's register shows it."""
    sheet = [p for p in txn.postings if _kind(labels, p) in BALANCE_SHEET]
    cats = [p for p in txn.postings if _kind(labels, p) in CATEGORIES]
    unsorted = any(p.account_id in uncategorised for p in cats)
    if len(cats) > 1:
        category = "Split: " + ", ".join(dict.fromkeys(_name(labels, p.account_id) for p in cats))
    elif cats:
        category = _name(labels, cats[0].account_id)
    else:
        others = [p for p in txn.postings if p not in sheet]
        category = _name(labels, others[0].account_id) if others else ""
    if account_id is not None:
        mine = [p for p in txn.postings if p.account_id == account_id]
        amount = sum((Decimal(p.amount) for p in mine), Decimal(0))
        currency = mine[0].currency if mine else ""
        others = [p for p in sheet if p.account_id != account_id]
        if not cats and others:
            arrow = "from" if amount > 0 else "to"
            category = f"Transfer {arrow} {_name(labels, others[0].account_id)}"
        return Row(
            txn,
            _name(labels, account_id),
            category,
            str(amount),
            currency,
            balance_minor,
            is_transfer=not cats and bool(others),
            is_split=len(cats) > 1,
            uncategorised=unsorted,
        )
    if len(sheet) >= 2 and not cats:
        source = next((p for p in sheet if Decimal(p.amount) < 0), sheet[0])
        target = next(
            (p for p in sheet if p is not source and p.account_id != source.account_id), sheet[-1]
        )
        return Row(
            txn,
            f"{_name(labels, source.account_id)} → {_name(labels, target.account_id)}",
            "Transfer",
            str(-Decimal(source.amount)) if Decimal(source.amount) < 0 else source.amount,
            source.currency,
            is_transfer=True,
        )
    if sheet:
        first = sheet[0]
        total = sum((Decimal(p.amount) for p in sheet if p.currency == first.currency), Decimal(0))
        return Row(
            txn,
            _name(labels, first.account_id),
            category,
            str(total),
            first.currency,
            is_split=len(cats) > 1,
            uncategorised=unsorted,
        )
    positive = [p for p in txn.postings if Decimal(p.amount) > 0]
    head = positive[0] if positive else txn.postings[0]
    return Row(txn, "", category, head.amount, head.currency)
