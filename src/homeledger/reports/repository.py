"""The SQL of reports that need more than the day totals: gross flows per account,
payee and tag breakdowns, and the transactions behind a figure.

Dates are half-open here: ``start <= date < end``. Sums in the base currency come
grouped; postings in other currencies come one by one with their dates, so that the
service converts each at its own date's rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Posting, Tag, Transaction, transaction_tags

NO_PAYEE = "none"
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


@dataclass(frozen=True)
class PostingFilter:
    """Postings to these accounts in ``[start, end)`` whose transaction matches."""

    account_ids: frozenset[str]
    start: dt.date | None = None
    end: dt.date | None = None
    payee_id: str | None = None
    """A payee's id, `NO_PAYEE` for transactions without one, None for any."""
    tag_id: str | None = None


def _conditions(ctx: Ctx, f: PostingFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Posting.household_id == ctx.household_id,
        Posting.account_id.in_(sorted(f.account_ids)),
    ]
    if f.start is not None:
        conditions.append(Posting.date >= f.start)
    if f.end is not None:
        conditions.append(Posting.date < f.end)
    return conditions


def _transaction_conditions(f: PostingFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if f.payee_id == NO_PAYEE:
        conditions.append(Transaction.payee_id.is_(None))
    elif f.payee_id is not None:
        conditions.append(Transaction.payee_id == f.payee_id)
    if f.tag_id is not None:
        conditions.append(
            exists().where(
                transaction_tags.c.transaction_id == Transaction.id,
                transaction_tags.c.tag_id == f.tag_id,
            )
        )
    return conditions


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _split(self, grouped: Any, single: Any, base: str) -> list[tuple[Any, ...]]:
        """Rows of ``grouped`` (sums per key and currency) in ``base``; for any other
        currency found, the rows of ``single`` (one per posting) in those currencies.
        The per-posting read happens only when a foreign currency is present."""
        rows: list[tuple[Any, ...]] = []
        foreign: set[str] = set()
        for row in self.session.execute(grouped):
            if row.currency == base:
                rows.append(tuple(row))
            else:
                foreign.add(row.currency)
        if foreign:
            rows += [
                tuple(r)
                for r in self.session.execute(single.where(Posting.currency.in_(sorted(foreign))))
            ]
        return rows

    def gross_flows(
        self, ctx: Ctx, f: PostingFilter, base: str
    ) -> list[tuple[str, str, dt.date | None, int, int]]:
        """(account_id, currency, date, money in, money out) per account in ``base``
        (date None), and per posting in other currencies. Money out is positive."""
        amount = Posting.amount_minor
        inflow = func.sum(case((amount > 0, amount), else_=0))
        outflow = func.sum(case((amount < 0, -amount), else_=0))
        grouped = (
            select(Posting.account_id, Posting.currency, inflow, outflow)
            .where(*_conditions(ctx, f))
            .group_by(Posting.account_id, Posting.currency)
        )
        single = select(Posting.account_id, Posting.currency, Posting.date, amount).where(
            *_conditions(ctx, f)
        )
        rows: list[tuple[str, str, dt.date | None, int, int]] = []
        for row in self._split(grouped, single, base):
            if len(row) == 4 and isinstance(row[2], dt.date):
                account_id, currency, day, value = row
                rows.append((account_id, currency, day, max(0, int(value)), max(0, -int(value))))
            else:
                account_id, currency, money_in, money_out = row
                rows.append((account_id, currency, None, int(money_in), int(money_out)))
        return rows

    def _breakdown(
        self,
        ctx: Ctx,
        f: PostingFilter,
        base: str,
        key: ColumnElement[str | None] | Any,
        tagged: bool,
    ) -> list[tuple[str | None, str, dt.date | None, int]]:
        def joined(query: Query) -> Query:
            if tagged:
                # Tags hang off the transaction id the posting already carries.
                query = query.join(
                    transaction_tags, transaction_tags.c.transaction_id == Posting.transaction_id
                )
            if not tagged or f.payee_id is not None or f.tag_id is not None:
                query = query.join(Transaction, Transaction.id == Posting.transaction_id)
            return query.where(*_conditions(ctx, f), *_transaction_conditions(f))

        grouped = joined(select(key, Posting.currency, func.sum(Posting.amount_minor)))
        single = joined(select(key, Posting.currency, Posting.date, Posting.amount_minor))
        return [
            (row[0], row[1], None, int(row[2]))
            if len(row) == 3
            else (row[0], row[1], row[2], int(row[3]))
            for row in self._split(grouped.group_by(key, Posting.currency), single, base)
        ]

    def payee_totals(
        self, ctx: Ctx, f: PostingFilter, base: str
    ) -> list[tuple[str | None, str, dt.date | None, int]]:
        """(payee_id or None, currency, date, sum): see `gross_flows` for the rows."""
        return self._breakdown(ctx, f, base, Transaction.payee_id, tagged=False)

    def tag_totals(
        self, ctx: Ctx, f: PostingFilter, base: str
    ) -> list[tuple[str | None, str, dt.date | None, int]]:
        """(tag_id, currency, date, sum); a transaction counts under each of its tags."""
        return self._breakdown(ctx, f, base, transaction_tags.c.tag_id, tagged=True)

    def matching_sums(
        self, ctx: Ctx, f: PostingFilter, base: str
    ) -> list[tuple[str, dt.date | None, int]]:
        """(currency, date, sum) of the matching postings: one row for ``base``, one per
        posting in other currencies."""

        def base_query(query: Query) -> Query:
            query = query.join(Transaction, Transaction.id == Posting.transaction_id)
            return query.where(*_conditions(ctx, f), *_transaction_conditions(f))

        grouped = base_query(select(Posting.currency, func.sum(Posting.amount_minor)))
        single = base_query(select(Posting.currency, Posting.date, Posting.amount_minor))
        return [
            (row[0], None, int(row[1])) if len(row) == 2 else (row[0], row[1], int(row[2]))
            for row in self._split(grouped.group_by(Posting.currency), single, base)
        ]

    def matching_transactions(
        self, ctx: Ctx, f: PostingFilter, after: tuple[dt.date, str] | None, limit: int
    ) -> list[Transaction]:
        """Transactions with a matching posting, newest first, after the keyset."""
        query = select(Transaction).where(
            Transaction.household_id == ctx.household_id,
            exists().where(Posting.transaction_id == Transaction.id, *_conditions(ctx, f)),
            *_transaction_conditions(f),
        )
        if after is not None:
            day, last_id = after
            query = query.where(
                or_(Transaction.date < day, and_(Transaction.date == day, Transaction.id < last_id))
            )
        query = (
            query.order_by(Transaction.date.desc(), Transaction.id.desc())
            .limit(limit)
            .options(
                selectinload(Transaction.postings),
                selectinload(Transaction.payee),
                selectinload(Transaction.tags),
            )
        )
        return list(self.session.scalars(query))

    def tag_names(self, ctx: Ctx, tag_ids: Iterable[str]) -> dict[str, str]:
        query = select(Tag.id, Tag.name).where(
            Tag.household_id == ctx.household_id, Tag.id.in_(list(tag_ids))
        )
        return {row.id: row.name for row in self.session.execute(query)}
