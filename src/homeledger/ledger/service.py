"""Transactions: create, edit, delete, transfers, batches, queries and balances.

Every write checks, before anything is flushed, that each posting's account belongs to
the household, that its currency matches the account's, and that the postings sum to
zero per currency. A refused request therefore changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import calc as tree
from homeledger.accounts.errors import DuplicateName
from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.accounts.service import category_with_descendants, system_account
from homeledger.kit import audit, metrics
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import check_currency, exponent, format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import calc
from homeledger.ledger.errors import (
    BatchFailed,
    ReconciledPosting,
    StaleVersion,
    UnbalancedTransaction,
)
from homeledger.ledger.models import Payee, Posting, PostingStatus, Tag, Transaction
from homeledger.ledger.repository import LedgerRepository, PostingQuery
from homeledger.ledger.schemas import (
    BalanceRead,
    BatchCreate,
    CategoryTotalRead,
    PostingIn,
    PostingRead,
    TransactionCreate,
    TransactionFilter,
    TransactionPage,
    TransactionRead,
    TransactionUpdate,
    TransferCreate,
)


def to_read(txn: Transaction) -> TransactionRead:
    return TransactionRead(
        id=txn.id,
        date=txn.date,
        payee=txn.payee.name if txn.payee else None,
        payee_id=txn.payee_id,
        memo=txn.memo,
        version=txn.version,
        postings=[
            PostingRead(
                id=p.id,
                account_id=p.account_id,
                amount=format_plain(p.amount_minor, p.currency),
                currency=p.currency,
                status=PostingStatus(p.status),
                memo=p.memo,
            )
            for p in txn.postings
        ],
        tags=sorted(t.name for t in txn.tags),
        created_at=txn.created_at,
        updated_at=txn.updated_at,
    )


# Building postings


def _build_postings(
    accounts: Mapping[str, Account],
    ctx: Ctx,
    date: dt.date,
    postings: Sequence[PostingIn],
    field: str = "postings",
) -> list[Posting]:
    """Postings checked against the household's accounts and balanced per currency;
    raises before anything is written."""
    built = []
    for index, item in enumerate(postings):
        where = f"{field}[{index}]"
        account = accounts.get(item.account_id)
        if account is None:
            raise InvalidInput(
                f"{where}.account_id", f"no account '{item.account_id}' in this household"
            )
        currency = check_currency(item.currency, f"{where}.currency")
        if account.currency is not None and account.currency != currency:
            raise InvalidInput(
                f"{where}.currency",
                f"'{account.name}' holds {account.currency}, not {currency}",
            )
        built.append(
            Posting(
                household_id=ctx.household_id,
                account_id=account.id,
                date=date,
                amount_minor=to_minor(Decimal(item.amount), currency, f"{where}.amount"),
                currency=currency,
                status=item.status.value,
                memo=item.memo,
                position=index,
            )
        )
    off = calc.imbalance((p.amount_minor, p.currency) for p in built)
    if off:
        raise UnbalancedTransaction(
            f"the postings do not sum to zero: off by {calc.describe_imbalance(off)}",
            field=field,
            imbalance={c: format_plain(v, c) for c, v in off.items()},
        )
    return built


@dataclass(frozen=True)
class _Lookups:
    """What a set of new transactions refers to, loaded in a few queries."""

    accounts: dict[str, Account]
    payees: dict[str, Payee]
    tags: dict[str, Tag]


def _lookups(session: Session, ctx: Ctx, items: Sequence[TransactionCreate]) -> _Lookups:
    repo = LedgerRepository(session)
    account_ids = {p.account_id for item in items for p in item.postings}
    payee_names = {item.payee for item in items if item.payee}
    tag_names = {tag for item in items for tag in item.tags}
    payees = repo.payees_by_name(ctx, payee_names)
    tags = repo.tags_by_name(ctx, tag_names)
    for name in sorted(payee_names - payees.keys()):
        payees[name] = Payee(household_id=ctx.household_id, name=name)
        session.add(payees[name])
    for name in sorted(tag_names - tags.keys()):
        tags[name] = Tag(household_id=ctx.household_id, name=name)
        session.add(tags[name])
    return _Lookups(AccountRepository(session).many(ctx, account_ids), payees, tags)


def _transaction(
    ctx: Ctx, found: _Lookups, data: TransactionCreate, field: str = "postings"
) -> Transaction:
    return Transaction(
        household_id=ctx.household_id,
        date=data.date,
        memo=data.memo,
        created_by=ctx.user_id,
        payee=found.payees[data.payee] if data.payee else None,
        tags=[found.tags[name] for name in sorted(set(data.tags))],
        postings=_build_postings(found.accounts, ctx, data.date, data.postings, field),
    )


def _insert(session: Session, ctx: Ctx, data: TransactionCreate) -> Transaction:
    txn = _transaction(ctx, _lookups(session, ctx, [data]), data)
    LedgerRepository(session).add_all([txn])
    return txn


# Writes


def create(session: Session, ctx: Ctx, data: TransactionCreate) -> TransactionRead:
    ctx.require(Role.EDITOR)
    txn = _insert(session, ctx, data)
    metrics.TRANSACTIONS_CREATED.inc()
    return to_read(txn)


def create_batch(session: Session, ctx: Ctx, data: BatchCreate) -> list[TransactionRead]:
    """All or nothing: the first refused item names its index and nothing is kept (the
    edge rolls the whole request back)."""
    ctx.require(Role.EDITOR)
    found = _lookups(session, ctx, data.transactions)
    created = []
    for index, item in enumerate(data.transactions):
        try:
            created.append(_transaction(ctx, found, item, f"transactions[{index}].postings"))
        except (InvalidInput, UnbalancedTransaction) as error:
            raise BatchFailed(
                f"transaction {index} refused, nothing created: {error.detail}",
                field=error.field,
                index=index,
            ) from error
    LedgerRepository(session).add_all(created)
    metrics.TRANSACTIONS_CREATED.inc(len(created))
    return [to_read(t) for t in created]


def transfer(session: Session, ctx: Ctx, data: TransferCreate) -> TransactionRead:
    """A transfer between own accounts; across currencies it balances each currency
    through the household's currency-exchange account."""
    ctx.require(Role.EDITOR)
    repo = AccountRepository(session)
    source, target = (repo.get(ctx, data.from_account_id), repo.get(ctx, data.to_account_id))
    balance_sheet = {Kind.ASSET.value, Kind.LIABILITY.value}
    if source is None or source.kind not in balance_sheet:
        raise InvalidInput("from_account_id", "no such account in this household")
    if target is None or target.kind not in balance_sheet:
        raise InvalidInput("to_account_id", "no such account in this household")
    if source.id == target.id:
        raise InvalidInput("to_account_id", "a transfer needs two different accounts")
    # Balance-sheet accounts always have a currency.
    assert source.currency is not None
    assert target.currency is not None
    if Decimal(data.amount) <= 0:
        raise InvalidInput("amount", "a transfer amount must be positive")
    postings = [PostingIn(account_id=source.id, amount=f"-{data.amount}", currency=source.currency)]
    if source.currency == target.currency:
        if data.to_amount is not None and Decimal(data.to_amount) != Decimal(data.amount):
            raise InvalidInput(
                "to_amount", "same currency: the amount that arrives is the amount sent"
            )
        postings.append(
            PostingIn(account_id=target.id, amount=data.amount, currency=target.currency)
        )
    else:
        if data.to_amount is None or Decimal(data.to_amount) <= 0:
            raise InvalidInput("to_amount", f"say how much {target.currency} arrives")
        exchange = system_account(session, ctx, AccountType.CURRENCY_EXCHANGE)
        postings += [
            PostingIn(account_id=exchange.id, amount=data.amount, currency=source.currency),
            PostingIn(
                account_id=exchange.id, amount=f"-{data.to_amount}", currency=target.currency
            ),
            PostingIn(account_id=target.id, amount=data.to_amount, currency=target.currency),
        ]
    return create(
        session,
        ctx,
        TransactionCreate(
            date=data.date, payee=data.payee, memo=data.memo, postings=postings, tags=data.tags
        ),
    )


def post_opening_balance(
    session: Session, ctx: Ctx, account: Account, amount_minor: int, on: dt.date
) -> None:
    assert account.currency is not None
    equity = system_account(session, ctx, AccountType.OPENING_BALANCES)
    amount = format_plain(amount_minor, account.currency)
    negated = format_plain(-amount_minor, account.currency)
    _insert(
        session,
        ctx,
        TransactionCreate(
            date=on,
            memo=f"Opening balance of {account.name}",
            postings=[
                PostingIn(account_id=account.id, amount=amount, currency=account.currency),
                PostingIn(account_id=equity.id, amount=negated, currency=account.currency),
            ],
        ),
    )


def _for_edit(session: Session, ctx: Ctx, transaction_id: str, version: int) -> Transaction:
    txn = LedgerRepository(session).get(ctx, transaction_id, for_update=True)
    if txn is None:
        raise NotFound("no such transaction")
    if txn.version != version:
        raise StaleVersion(
            f"the transaction changed since version {version} (now {txn.version}); reload it",
            current_version=txn.version,
        )
    return txn


def _reconciled_signature(txn: Transaction) -> list[tuple[str, int, str]]:
    return sorted(
        (p.account_id, p.amount_minor, p.currency)
        for p in txn.postings
        if p.status == PostingStatus.RECONCILED
    )


def update(
    session: Session, ctx: Ctx, transaction_id: str, data: TransactionUpdate
) -> TransactionRead:
    ctx.require(Role.EDITOR)
    txn = _for_edit(session, ctx, transaction_id, data.version)
    found = _lookups(session, ctx, [data])
    postings = _build_postings(found.accounts, ctx, data.date, data.postings)
    reconciled = _reconciled_signature(txn)
    if reconciled:
        # A reconciled posting is kept as is (same account and amount) and stays reconciled.
        kept = {(p.account_id, p.amount_minor, p.currency) for p in postings}
        if data.date != txn.date or any(r not in kept for r in reconciled):
            raise ReconciledPosting("reconciled postings cannot change; un-reconcile them first")
        remaining = list(reconciled)
        for p in postings:
            key = (p.account_id, p.amount_minor, p.currency)
            if key in remaining:
                remaining.remove(key)
                p.status = PostingStatus.RECONCILED.value
    if not LedgerRepository(session).bump_version(ctx, txn.id, data.version):
        raise StaleVersion("the transaction changed meanwhile; reload it")
    txn.version = data.version + 1
    txn.date, txn.memo = data.date, data.memo
    txn.payee = found.payees[data.payee] if data.payee else None
    txn.tags = [found.tags[name] for name in sorted(set(data.tags))]
    LedgerRepository(session).replace_postings(txn, postings)
    return to_read(txn)


def delete(session: Session, ctx: Ctx, transaction_id: str, version: int | None = None) -> None:
    ctx.require(Role.EDITOR)
    repo = LedgerRepository(session)
    txn = repo.get(ctx, transaction_id, for_update=True)
    if txn is None:
        raise NotFound("no such transaction")
    if version is not None and txn.version != version:
        raise StaleVersion(f"the transaction changed since version {version}; reload it")
    if _reconciled_signature(txn):
        raise ReconciledPosting("a transaction with reconciled postings cannot be deleted")
    repo.delete(txn)
    audit.record(
        session,
        "transaction.deleted",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=transaction_id,
    )


def unreconcile(session: Session, ctx: Ctx, transaction_id: str) -> TransactionRead:
    """The explicit, audited way to make reconciled postings editable again."""
    ctx.require(Role.EDITOR)
    txn = LedgerRepository(session).get(ctx, transaction_id, for_update=True)
    if txn is None:
        raise NotFound("no such transaction")
    changed = [p.id for p in txn.postings if p.status == PostingStatus.RECONCILED]
    for p in txn.postings:
        if p.status == PostingStatus.RECONCILED:
            p.status = PostingStatus.CLEARED.value
    txn.version += 1
    session.flush()
    audit.record(
        session,
        "transaction.unreconciled",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=transaction_id,
        postings=changed,
    )
    return to_read(txn)


def get(session: Session, ctx: Ctx, transaction_id: str) -> TransactionRead:
    txn = LedgerRepository(session).get(ctx, transaction_id)
    if txn is None:
        raise NotFound("no such transaction")
    return to_read(txn)


# Queries


def encode_cursor(day: dt.date, transaction_id: str) -> str:
    return base64.urlsafe_b64encode(f"{day.isoformat()}|{transaction_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[dt.date, str]:
    try:
        day, transaction_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.date.fromisoformat(day), transaction_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor", "not a cursor this server gave out") from None


def _bounds(session: Session, ctx: Ctx, text: str, *, minimum: bool) -> dict[str, int]:
    """An amount bound in every currency the household uses (rounded inwards)."""
    value = abs(Decimal(text))
    currencies = {
        a.currency for a in AccountRepository(session).of_kinds(ctx, set(Kind)) if a.currency
    }
    rounding = ROUND_CEILING if minimum else ROUND_FLOOR
    return {c: int(value.scaleb(exponent(c)).to_integral_value(rounding)) for c in currencies}


def list_transactions(session: Session, ctx: Ctx, f: TransactionFilter) -> TransactionPage:
    repo = LedgerRepository(session)
    accounts = AccountRepository(session)
    account_ids: set[str] = set()
    for index, account_id in enumerate(f.account_id):
        if accounts.get(ctx, account_id) is None:
            raise NotFound(f"no such account: account_id[{index}]")
        account_ids.add(account_id)
    if f.category_id:
        account_ids |= category_with_descendants(session, ctx, f.category_id)
    if f.payee_id and repo.payee(ctx, f.payee_id) is None:
        raise NotFound("no such payee")
    tag_id = None
    if f.tag:
        tag = repo.tags_by_name(ctx, [f.tag]).get(f.tag)
        if tag is None:
            return TransactionPage(items=[], next_cursor=None)
        tag_id = tag.id
    query = PostingQuery(
        account_ids=frozenset(account_ids),
        payee_id=f.payee_id,
        tag_id=tag_id,
        date_from=f.date_from,
        date_to=f.date_to,
        amount_min_abs=_bounds(session, ctx, f.amount_min, minimum=True) if f.amount_min else None,
        amount_max_abs=_bounds(session, ctx, f.amount_max, minimum=False) if f.amount_max else None,
        text=f.q or None,
        status=f.status.value if f.status else None,
        after=decode_cursor(f.cursor) if f.cursor else None,
        limit=f.limit + 1,  # one more tells whether a next page exists
    )
    rows = repo.page(ctx, query)
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    cursor = encode_cursor(rows[-1].date, rows[-1].id) if more and rows else None
    return TransactionPage(items=[to_read(t) for t in rows], next_cursor=cursor)


def balances(
    session: Session, ctx: Ctx, on: dt.date | None = None, include_categories: bool = False
) -> list[BalanceRead]:
    """Balance of every account at the end of `on` (default: all postings)."""
    kinds = set(Kind) if include_categories else {Kind.ASSET, Kind.LIABILITY}
    accounts = {a.id: a for a in AccountRepository(session).of_kinds(ctx, kinds)}
    sums = {
        (account_id, currency): total
        for account_id, currency, total in LedgerRepository(session).balances(ctx, on)
        if account_id in accounts
    }
    for account in accounts.values():
        if account.currency and (account.id, account.currency) not in sums:
            sums[(account.id, account.currency)] = 0
    return [
        BalanceRead(
            account_id=account_id,
            name=accounts[account_id].name,
            kind=accounts[account_id].kind,
            currency=currency,
            balance=format_plain(total, currency),
        )
        for (account_id, currency), total in sorted(
            sums.items(), key=lambda kv: (accounts[kv[0][0]].name, kv[0])
        )
    ]


def category_totals(
    session: Session, ctx: Ctx, start: dt.date, end: dt.date
) -> list[CategoryTotalRead]:
    """Per category and currency: its own postings and the rollup with subcategories, for
    dates in [start, end]. Spending shows positive, income negative (ledger signs)."""
    if end < start:
        raise InvalidInput("date_to", "must not be before date_from")
    categories = AccountRepository(session).of_kinds(ctx, {Kind.INCOME, Kind.EXPENSE})
    nodes = [tree.Node(c.id, c.name, c.parent_id) for c in categories]
    names = tree.paths(nodes)
    own: dict[tuple[str, str], int] = {
        (a, c): s
        for a, c, s in LedgerRepository(session).totals_between(
            ctx, start, end, ["income", "expense"]
        )
    }
    parents = {n.id: n.parent_id for n in nodes}
    rolled: dict[tuple[str, str], int] = {}
    for (account_id, currency), total in own.items():
        node: str | None = account_id
        while node is not None:  # the posting counts for its category and every ancestor
            rolled[(node, currency)] = rolled.get((node, currency), 0) + total
            node = parents.get(node)
    kinds = {c.id: c.kind for c in categories}
    return [
        CategoryTotalRead(
            category_id=cid,
            path=names[cid],
            kind=kinds[cid],
            currency=currency,
            own=format_plain(own.get((cid, currency), 0), currency),
            total=format_plain(total, currency),
        )
        for (cid, currency), total in sorted(
            rolled.items(), key=lambda kv: (names[kv[0][0]], kv[0][1])
        )
    ]


# Payees and tags


def list_payees(session: Session, ctx: Ctx) -> list[Payee]:
    return LedgerRepository(session).payees(ctx)


def create_payee(session: Session, ctx: Ctx, name: str) -> Payee:
    ctx.require(Role.EDITOR)
    if LedgerRepository(session).payee_by_name(ctx, name) is not None:
        raise DuplicateName(f"a payee named '{name}' already exists", field="name")
    payee = Payee(household_id=ctx.household_id, name=name)
    session.add(payee)
    session.flush()
    return payee


def _get_payee(session: Session, ctx: Ctx, payee_id: str) -> Payee:
    payee = LedgerRepository(session).payee(ctx, payee_id)
    if payee is None:
        raise NotFound("no such payee")
    return payee


def rename_payee(session: Session, ctx: Ctx, payee_id: str, name: str) -> Payee:
    ctx.require(Role.EDITOR)
    payee = _get_payee(session, ctx, payee_id)
    other = LedgerRepository(session).payee_by_name(ctx, name)
    if other is not None and other.id != payee.id:
        raise DuplicateName(f"a payee named '{name}' already exists; merge instead", field="name")
    payee.name = name
    session.flush()
    return payee


def merge_payee(session: Session, ctx: Ctx, payee_id: str, into_id: str) -> Payee:
    ctx.require(Role.EDITOR)
    source, target = _get_payee(session, ctx, payee_id), _get_payee(session, ctx, into_id)
    if source.id == target.id:
        raise InvalidInput("into_id", "a payee cannot merge into itself")
    LedgerRepository(session).repoint_payee(ctx, source.id, target.id)
    session.delete(source)
    session.flush()
    return target


def delete_payee(session: Session, ctx: Ctx, payee_id: str) -> None:
    """Transactions keep their amounts and lose only the payee name."""
    ctx.require(Role.EDITOR)
    session.delete(_get_payee(session, ctx, payee_id))
    session.flush()


def list_tags(session: Session, ctx: Ctx) -> list[Tag]:
    return LedgerRepository(session).tags(ctx)


def create_tag(session: Session, ctx: Ctx, name: str) -> Tag:
    ctx.require(Role.EDITOR)
    if LedgerRepository(session).tags_by_name(ctx, [name]):
        raise DuplicateName(f"a tag named '{name}' already exists", field="name")
    tag = Tag(household_id=ctx.household_id, name=name)
    session.add(tag)
    session.flush()
    return tag


def delete_tag(session: Session, ctx: Ctx, tag_id: str) -> None:
    ctx.require(Role.EDITOR)
    repo = LedgerRepository(session)
    tag = repo.tag(ctx, tag_id)
    if tag is None:
        raise NotFound("no such tag")
    repo.delete_tag_links(tag.id)
    session.delete(tag)
    session.flush()
