"""Every SQL statement of schedules. Reads of owned rows start from `scoped`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Payee, Posting, Transaction
from homeledger.schedules.models import Schedule, ScheduleOccurrence


class ScheduleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Schedule]:
        return (
            select(Schedule)
            .where(Schedule.household_id == ctx.household_id)
            .options(selectinload(Schedule.postings))
        )

    def all(self, ctx: Ctx, active_only: bool = False) -> list[Schedule]:
        query = self.scoped(ctx)
        if active_only:
            query = query.where(Schedule.is_active.is_(True))
        return list(self.session.scalars(query.order_by(Schedule.name, Schedule.id)))

    def get(self, ctx: Ctx, schedule_id: str, for_update: bool = False) -> Schedule | None:
        query = self.scoped(ctx).where(Schedule.id == schedule_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def add(self, row: object) -> None:
        self.session.add(row)
        self.session.flush()

    def delete(self, schedule: Schedule) -> None:
        self.session.delete(schedule)
        self.session.flush()

    def occurrences(self, ctx: Ctx, schedule_ids: Iterable[str]) -> list[ScheduleOccurrence]:
        query = (
            select(ScheduleOccurrence)
            .where(
                ScheduleOccurrence.household_id == ctx.household_id,
                ScheduleOccurrence.schedule_id.in_(list(schedule_ids)),
            )
            .order_by(ScheduleOccurrence.occurs_on)
        )
        return list(self.session.scalars(query))

    def account_postings(
        self, ctx: Ctx, account_id: str, start: dt.date, end: dt.date
    ) -> list[tuple[str, dt.date, int, str, str]]:
        """(transaction_id, date, amount, currency, payee or memo) of the account's
        postings dated in ``[start, end)``: what a bill can be matched against."""
        query = (
            select(
                Posting.transaction_id,
                Posting.date,
                Posting.amount_minor,
                Posting.currency,
                Payee.name,
                Transaction.memo,
            )
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .outerjoin(Payee, Payee.id == Transaction.payee_id)
            .where(
                Posting.household_id == ctx.household_id,
                Posting.account_id == account_id,
                Posting.date >= start,
                Posting.date < end,
            )
            .order_by(Posting.date, Posting.transaction_id)
        )
        return [
            (t, d, int(a), c, payee or memo or "")
            for t, d, a, c, payee, memo in self.session.execute(query)
        ]

    def transaction_exists(self, ctx: Ctx, transaction_id: str) -> bool:
        query = select(Transaction.id).where(
            Transaction.household_id == ctx.household_id, Transaction.id == transaction_id
        )
        return self.session.scalars(query).first() is not None
