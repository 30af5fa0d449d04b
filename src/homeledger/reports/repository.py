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
            .where(*_conditions(ctx, f), Posting.currency == base)
            .group_by(Posting.account_id, Posting.currency)
        )
        rows: list[tuple[str, str, dt.date | None, int, int]] = [
            (a, c, None, int(i), int(o)) for a, c, i, o in self.session.execute(grouped)
        ]
        single = select(Posting.account_id, Posting.currency, Posting.date, amount).where(
            *_conditions(ctx, f), Posting.currency != base
        )
        rows += [
            (a, c, d, max(0, int(v)), max(0, -int(v)))
            for a, c, d, v in self.session.execute(single)
        ]
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
            query = query.join(Transaction, Transaction.id == Posting.transaction_id)
            if tagged:
                query = query.join(
                    transaction_tags, transaction_tags.c.transaction_id == Transaction.id
                )
            return query.where(*_conditions(ctx, f), *_transaction_conditions(f))

        grouped = joined(select(key, Posting.currency, func.sum(Posting.amount_minor))).where(
            Posting.currency == base
        )
        grouped = grouped.group_by(key, Posting.currency)
        rows: list[tuple[str | None, str, dt.date | None, int]] = [
            (k, c, None, int(s)) for k, c, s in self.session.execute(grouped)
        ]
        single = joined(select(key, Posting.currency, Posting.date, Posting.amount_minor)).where(
            Posting.currency != base
        )
        rows += [(k, c, d, int(v)) for k, c, d, v in self.session.execute(single)]
        return rows

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

        grouped = base_query(select(Posting.currency, func.sum(Posting.amount_minor))).where(
            Posting.currency == base
        )
        rows: list[tuple[str, dt.date | None, int]] = [
            (c, None, int(s)) for c, s in self.session.execute(grouped.group_by(Posting.currency))
        ]
        single = base_query(select(Posting.currency, Posting.date, Posting.amount_minor)).where(
            Posting.currency != base
        )
        rows += [(c, d, int(v)) for c, d, v in self.session.execute(single)]
        return rows

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
        return {tag_id: name for tag_id, name in self.session.execute(query)}
