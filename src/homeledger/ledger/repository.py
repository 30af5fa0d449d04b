"""Every SQL statement of the ledger. Reads of owned rows start from `scoped`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    Table,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from homeledger.accounts.models import Account
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import (
    AccountDayTotal,
    Payee,
    Posting,
    Tag,
    Transaction,
    transaction_tags,
)

TotalValue = tuple[str, str, str, dt.date, int]
"""(household_id, account_id, currency, date, amount_minor) of one posting."""


@dataclass(frozen=True)
class PostingQuery:
    """Resolved filters: ids already checked to belong to the household."""

    account_ids: frozenset[str] = frozenset()
    payee_id: str | None = None
    tag_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min_abs: dict[str, int] | None = None
    """Per currency, so that '10' means 10.00 EUR and 10 JPY alike."""
    amount_max_abs: dict[str, int] | None = None
    text: str | None = None
    status: str | None = None
    after: tuple[dt.date, str] | None = None
    """Keyset: rows strictly before (date, id) in the descending order."""
    limit: int = 50


class LedgerRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Transaction]:
        return select(Transaction).where(Transaction.household_id == ctx.household_id)

    def _with_children(self, query: Select[Transaction]) -> Select[Transaction]:
        return query.options(
            selectinload(Transaction.postings),
            selectinload(Transaction.payee),
            selectinload(Transaction.tags),
        )

    def get(self, ctx: Ctx, transaction_id: str, for_update: bool = False) -> Transaction | None:
        query = self._with_children(self.scoped(ctx).where(Transaction.id == transaction_id))
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def add_all(self, transactions: Sequence[Transaction]) -> None:
        self.session.add_all(transactions)
        self.session.flush()
        self.apply_totals((p for t in transactions for p in t.postings), +1)

    def delete(self, transaction: Transaction) -> None:
        self.apply_totals(transaction.postings, -1)
        self.session.delete(transaction)
        self.session.flush()

    def replace_postings(self, transaction: Transaction, postings: list[Posting]) -> None:
        self.apply_totals(transaction.postings, -1)
        transaction.postings = postings
        self.session.flush()
        self.apply_totals(postings, +1)

    def apply_totals(self, postings: Iterable[Posting], sign: int) -> None:
        """Adds (sign +1) or removes (-1) postings from the day totals, in the caller's
        transaction. Every write of postings goes through here."""
        self.apply_total_values(
            ((p.household_id, p.account_id, p.currency, p.date, p.amount_minor) for p in postings),
            sign,
        )

    def apply_total_values(self, values: Iterable[TotalValue], sign: int) -> None:
        """`apply_totals` for postings given as (household, account, currency, date,
        amount) tuples: the bulk paths hold rows, not ORM objects."""
        sums: dict[tuple[str, str, str, dt.date], int] = {}
        for household_id, account_id, currency, day, amount in values:
            key = (household_id, account_id, currency, day)
            sums[key] = sums.get(key, 0) + sign * amount
        rows = [
            {"household_id": h, "account_id": a, "currency": c, "date": d, "amount_minor": v}
            for (h, a, c, d), v in sums.items()
            if v
        ]
        self.upsert_totals(rows)

    def add_bulk(
        self,
        transactions: Sequence[dict[str, Any]],
        postings: Sequence[dict[str, Any]],
        tag_links: Sequence[dict[str, str]] = (),
    ) -> None:
        """Inserts many prepared transactions at once (imports, restores) through
        `bulk_insert` (COPY, executemany), and adds their postings to the day totals
        like `add` does. The caller has checked that every transaction balances and
        has set the ids."""
        bulk_insert(self.session, Transaction.__table__, transactions)
        bulk_insert(self.session, Posting.__table__, postings)
        bulk_insert(self.session, transaction_tags, tag_links)
        self.apply_total_values(
            (
                (p["household_id"], p["account_id"], p["currency"], p["date"], p["amount_minor"])
                for p in postings
            ),
            +1,
        )

    def delete_bulk(self, ctx: Ctx, transaction_ids: Sequence[str]) -> int:
        """Deletes the household's transactions with these ids and their postings, and
        takes the postings out of the day totals. Returns how many were deleted."""
        if not transaction_ids:
            return 0
        ids = list(transaction_ids)
        rows = self.session.execute(
            select(
                Posting.household_id,
                Posting.account_id,
                Posting.currency,
                Posting.date,
                Posting.amount_minor,
            ).where(Posting.household_id == ctx.household_id, Posting.transaction_id.in_(ids))
        )
        self.apply_total_values(((h, a, c, d, int(v)) for h, a, c, d, v in rows), -1)
        self.session.execute(
            delete(transaction_tags).where(transaction_tags.c.transaction_id.in_(ids))
        )
        self.session.execute(
            delete(Posting).where(
                Posting.household_id == ctx.household_id, Posting.transaction_id.in_(ids)
            )
        )
        result = self.session.execute(
            delete(Transaction)
            .where(Transaction.household_id == ctx.household_id, Transaction.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def upsert_totals(self, rows: Sequence[dict[str, object]]) -> None:
        if not rows:
            return
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(AccountDayTotal)
        statement = statement.on_conflict_do_update(
            index_elements=["account_id", "currency", "date"],
            set_={"amount_minor": AccountDayTotal.amount_minor + statement.excluded.amount_minor},
        )
        self.session.connection().execute(statement, list(rows))  # Core: no ORM bookkeeping

    def move_totals(self, ctx: Ctx, source_id: str, target_id: str) -> None:
        """After postings move between accounts (a category merge), so do their totals."""
        query = select(AccountDayTotal).where(
            AccountDayTotal.household_id == ctx.household_id,
            AccountDayTotal.account_id == source_id,
        )
        rows = [
            {
                "account_id": target_id,
                "currency": t.currency,
                "date": t.date,
                "household_id": t.household_id,
                "amount_minor": t.amount_minor,
            }
            for t in self.session.scalars(query)
        ]
        self.session.execute(
            delete(AccountDayTotal).where(
                AccountDayTotal.household_id == ctx.household_id,
                AccountDayTotal.account_id == source_id,
            )
        )
        self.upsert_totals(rows)

    def bump_version(self, ctx: Ctx, transaction_id: str, expected: int) -> bool:
        """Compare-and-set on the version: False when someone else edited first."""
        result = self.session.execute(
            update(Transaction)
            .where(
                Transaction.household_id == ctx.household_id,
                Transaction.id == transaction_id,
                Transaction.version == expected,
            )
            .values(version=expected + 1)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]

    def page(self, ctx: Ctx, q: PostingQuery) -> list[Transaction]:
        query = self.scoped(ctx)
        posting_conditions: list[ColumnElement[bool]] = []
        if q.account_ids:
            posting_conditions.append(Posting.account_id.in_(q.account_ids))
        if q.status:
            posting_conditions.append(Posting.status == q.status)
        if q.amount_min_abs is not None:
            posting_conditions.append(_amount_bound(q.amount_min_abs, minimum=True))
        if q.amount_max_abs is not None:
            posting_conditions.append(_amount_bound(q.amount_max_abs, minimum=False))
        if posting_conditions:
            query = query.where(
                exists().where(Posting.transaction_id == Transaction.id, *posting_conditions)
            )
        if q.payee_id:
            query = query.where(Transaction.payee_id == q.payee_id)
        if q.tag_id:
            query = query.where(
                exists().where(
                    transaction_tags.c.transaction_id == Transaction.id,
                    transaction_tags.c.tag_id == q.tag_id,
                )
            )
        if q.date_from:
            query = query.where(Transaction.date >= q.date_from)
        if q.date_to:
            query = query.where(Transaction.date <= q.date_to)
        if q.text:
            needle = f"%{_escape_like(q.text.lower())}%"
            payee_match = exists().where(
                Payee.id == Transaction.payee_id, func.lower(Payee.name).like(needle, escape="\\")
            )
            query = query.where(
                or_(func.lower(Transaction.memo).like(needle, escape="\\"), payee_match)
            )
        if q.after:
            day, last_id = q.after
            query = query.where(
                or_(Transaction.date < day, and_(Transaction.date == day, Transaction.id < last_id))
            )
        query = query.order_by(Transaction.date.desc(), Transaction.id.desc()).limit(q.limit)
        return list(self.session.scalars(self._with_children(query)))

    def balances(
        self, ctx: Ctx, on: dt.date | None, account_ids: Iterable[str] | None = None
    ) -> list[tuple[str, str, int]]:
        """(account_id, currency, sum) of postings dated on or before `on`."""
        total = AccountDayTotal
        query = select(total.account_id, total.currency, func.sum(total.amount_minor)).where(
            total.household_id == ctx.household_id
        )
        if on is not None:
            query = query.where(total.date <= on)
        if account_ids is not None:
            query = query.where(total.account_id.in_(list(account_ids)))
        query = query.group_by(total.account_id, total.currency)
        return [(a, c, int(s)) for a, c, s in self.session.execute(query)]

    def totals_between(
        self, ctx: Ctx, start: dt.date, end: dt.date, kinds: Sequence[str]
    ) -> list[tuple[str, str, int]]:
        """(account_id, currency, sum) for accounts of `kinds`, dates in [start, end]."""
        total = AccountDayTotal
        query = (
            select(total.account_id, total.currency, func.sum(total.amount_minor))
            .join(Account, Account.id == total.account_id)
            .where(
                total.household_id == ctx.household_id,
                total.date >= start,
                total.date <= end,
                Account.kind.in_(kinds),
            )
            .group_by(total.account_id, total.currency)
        )
        return [(a, c, int(s)) for a, c, s in self.session.execute(query)]

    def totals_by_bucket(
        self, ctx: Ctx, boundaries: Sequence[dt.date], account_ids: Iterable[str]
    ) -> list[tuple[str, str, int, int]]:
        """(account_id, currency, bucket, sum) from the day totals, where bucket ``i``
        holds the days ``boundaries[i] <= date < boundaries[i + 1]`` (half-open); days
        outside ``[boundaries[0], boundaries[-1])`` are left out. One query for any
        number of buckets (months, budget periods)."""
        if len(boundaries) < 2:
            return []
        total = AccountDayTotal
        edges = boundaries[1:-1]
        conditions = (
            total.household_id == ctx.household_id,
            total.account_id.in_(list(account_ids)),
            total.date >= boundaries[0],
            total.date < boundaries[-1],
        )
        if not edges:
            one = select(total.account_id, total.currency, func.sum(total.amount_minor))
            one = one.where(*conditions).group_by(total.account_id, total.currency)
            return [(a, c, 0, int(s)) for a, c, s in self.session.execute(one)]
        bucket = _bucket_of(total.date, list(edges), 0)
        query = (
            select(total.account_id, total.currency, bucket, func.sum(total.amount_minor))
            .where(*conditions)
            .group_by(total.account_id, total.currency, bucket)
        )
        return [(a, c, int(b), int(s)) for a, c, b, s in self.session.execute(query)]

    def postings_by_day(
        self,
        ctx: Ctx,
        start: dt.date,
        end: dt.date,
        account_ids: Iterable[str],
        currencies: Iterable[str],
    ) -> list[tuple[str, str, dt.date, int]]:
        """(account_id, currency, date, amount) of each posting dated in ``[start, end)``
        to the accounts in the currencies, one row per posting (not summed): for
        converting each at its own date's rate."""
        query = (
            select(Posting.account_id, Posting.currency, Posting.date, Posting.amount_minor)
            .where(
                Posting.household_id == ctx.household_id,
                Posting.account_id.in_(list(account_ids)),
                Posting.currency.in_(list(currencies)),
                Posting.date >= start,
                Posting.date < end,
            )
            .order_by(Posting.date, Posting.id)
        )
        return [(a, c, d, int(v)) for a, c, d, v in self.session.execute(query)]

    # Registers and the dashboard (web pages)

    def balance_through(
        self, ctx: Ctx, account_id: str, day: dt.date, transaction_id: str
    ) -> dict[str, int]:
        """Per currency, the account's postings up to and including transaction
        (day, transaction_id) in register order (date, then transaction id): the day
        totals before `day` plus that day's postings up to the transaction."""
        before = select(AccountDayTotal.currency, func.sum(AccountDayTotal.amount_minor)).where(
            AccountDayTotal.household_id == ctx.household_id,
            AccountDayTotal.account_id == account_id,
            AccountDayTotal.date < day,
        )
        on_day = select(Posting.currency, func.sum(Posting.amount_minor)).where(
            Posting.household_id == ctx.household_id,
            Posting.account_id == account_id,
            Posting.date == day,
            Posting.transaction_id <= transaction_id,
        )
        totals: dict[str, int] = {}
        for query in (before, on_day):
            for currency, total in self.session.execute(query.group_by(query.selected_columns[0])):
                totals[currency] = totals.get(currency, 0) + int(total)
        return totals

    def daily_sums(
        self, ctx: Ctx, account_id: str, start: dt.date
    ) -> list[tuple[dt.date, str, int]]:
        """(date, currency, sum) of the account's postings dated on or after `start`."""
        total = AccountDayTotal
        query = (
            select(total.date, total.currency, total.amount_minor)
            .where(
                total.household_id == ctx.household_id,
                total.account_id == account_id,
                total.date >= start,
            )
            .order_by(total.date)
        )
        return [(d, c, int(s)) for d, c, s in self.session.execute(query)]

    def count_transactions(
        self,
        ctx: Ctx,
        *,
        status: str | None = None,
        account_ids: Iterable[str] | None = None,
        cap: int = 1000,
    ) -> int:
        """How many transactions have a posting with this status / in these accounts,
        counting at most `cap` (a badge needs no exact figure beyond it)."""
        inner = select(Posting.transaction_id).where(Posting.household_id == ctx.household_id)
        if status is not None:
            inner = inner.where(Posting.status == status)
        if account_ids is not None:
            inner = inner.where(Posting.account_id.in_(list(account_ids)))
        inner = inner.distinct().limit(cap)
        return int(self.session.scalar(select(func.count()).select_from(inner.subquery())) or 0)

    # Payees

    def payees(self, ctx: Ctx) -> list[Payee]:
        query = select(Payee).where(Payee.household_id == ctx.household_id).order_by(Payee.name)
        return list(self.session.scalars(query))

    def payee(self, ctx: Ctx, payee_id: str) -> Payee | None:
        query = select(Payee).where(Payee.household_id == ctx.household_id, Payee.id == payee_id)
        return self.session.scalars(query).one_or_none()

    def payees_by_name(self, ctx: Ctx, names: Iterable[str]) -> dict[str, Payee]:
        wanted = list(names)
        query = select(Payee).where(Payee.household_id == ctx.household_id, Payee.name.in_(wanted))
        return {p.name: p for p in self.session.scalars(query)} if wanted else {}

    def payee_by_name(self, ctx: Ctx, name: str) -> Payee | None:
        query = select(Payee).where(Payee.household_id == ctx.household_id, Payee.name == name)
        return self.session.scalars(query).one_or_none()

    def repoint_payee(self, ctx: Ctx, source_id: str, target_id: str) -> None:
        self.session.execute(
            update(Transaction)
            .where(Transaction.household_id == ctx.household_id, Transaction.payee_id == source_id)
            .values(payee_id=target_id)
            .execution_options(synchronize_session=False)
        )

    # Tags

    def tags(self, ctx: Ctx) -> list[Tag]:
        query = select(Tag).where(Tag.household_id == ctx.household_id).order_by(Tag.name)
        return list(self.session.scalars(query))

    def tag(self, ctx: Ctx, tag_id: str) -> Tag | None:
        query = select(Tag).where(Tag.household_id == ctx.household_id, Tag.id == tag_id)
        return self.session.scalars(query).one_or_none()

    def tags_by_name(self, ctx: Ctx, names: Iterable[str]) -> dict[str, Tag]:
        query = select(Tag).where(Tag.household_id == ctx.household_id, Tag.name.in_(list(names)))
        return {t.name: t for t in self.session.scalars(query)}

    def delete_tag_links(self, tag_id: str) -> None:
        self.session.execute(delete(transaction_tags).where(transaction_tags.c.tag_id == tag_id))


def _bucket_of(column: ColumnElement[dt.date] | Any, edges: list[dt.date], first: int) -> Any:
    """The index of the bucket holding ``column``: ``first + i`` when it lies before
    ``edges[i]`` and on or after ``edges[i - 1]``. A balanced tree of CASEs, so that a
    row takes log2(buckets) comparisons, not one per bucket (120 months)."""
    if not edges:
        return literal(first)
    if len(edges) <= 2:
        return case(
            *((column < edge, first + index) for index, edge in enumerate(edges)),
            else_=first + len(edges),
        )
    middle = len(edges) // 2
    return case(
        (column < edges[middle], _bucket_of(column, edges[:middle], first)),
        else_=_bucket_of(column, edges[middle + 1 :], first + middle + 1),
    )


def bulk_insert(session: Session, table: FromClause, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts many rows in the session's transaction at the driver's own speed:
    PostgreSQL COPY, SQLite executemany. Values pass through each column type's bind
    processing first, so they are stored exactly as an ORM insert would store them.
    Every dict names the same columns."""
    if not rows:
        return
    assert isinstance(table, Table)
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    processors = [(i, table.c[n].type.bind_processor(dialect)) for i, n in enumerate(names)]
    processed = [(i, p) for i, p in processors if p is not None]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    target = dialect.identifier_preparer.format_table(table)
    getter = itemgetter(*names)

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        picked = getter(row)
        if len(names) == 1:
            picked = (picked,)
        if not processed:
            return tuple(picked)
        out = list(picked)
        for i, process in processed:
            out[i] = process(out[i])
        return tuple(out)

    cursor = connection.connection.cursor()
    try:
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            marks = ", ".join("?" for _ in names)
            cursor.executemany(
                f"INSERT INTO {target} ({quoted}) VALUES ({marks})",  # noqa: S608 - our columns
                [values(row) for row in rows],
            )
    finally:
        cursor.close()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _amount_bound(bounds: dict[str, int], *, minimum: bool) -> ColumnElement[bool]:
    absolute = func.abs(Posting.amount_minor)
    return or_(
        false(),
        *(
            and_(Posting.currency == currency, absolute >= limit if minimum else absolute <= limit)
            for currency, limit in bounds.items()
        ),
    )
