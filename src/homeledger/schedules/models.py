"""Recurring transactions: the schedule, its postings template, its occurrences."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeledger.db.base import Base, created_column, id_column


class OccurrenceStatus(StrEnum):
    POSTED = "posted"
    """The job (or the user, from a reminder) posted it as a transaction."""
    PAID = "paid"
    """A bill: a transaction that was already in the ledger paid it."""
    SKIPPED = "skipped"
    """The user dismissed it; nothing was posted."""


class Schedule(Base):
    __tablename__ = "schedules"

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    rule: Mapped[str] = mapped_column(String(500))
    """An RFC 5545 RRULE body, e.g. FREQ=MONTHLY;BYMONTHDAY=1."""
    starts_on: Mapped[date]
    until: Mapped[date | None] = mapped_column(default=None)
    """The last day an occurrence may fall on (inclusive)."""
    count: Mapped[int | None] = mapped_column(default=None)
    mode: Mapped[str] = mapped_column(String(10))
    """auto-post | remind"""
    payee: Mapped[str] = mapped_column(String(200), default="")
    memo: Mapped[str] = mapped_column(String(500), default="")
    tags: Mapped[str] = mapped_column(String(500), default="")
    """Tag names given to each posted transaction, separated by spaces."""
    is_bill: Mapped[bool] = mapped_column(default=False)
    bill_min_minor: Mapped[int | None] = mapped_column(default=None)
    """A bill's smallest expected amount on its account, signed (a payment is < 0)."""
    bill_max_minor: Mapped[int | None] = mapped_column(default=None)
    bill_days_before: Mapped[int] = mapped_column(default=3)
    bill_days_after: Mapped[int] = mapped_column(default=5)
    done_through: Mapped[date | None] = mapped_column(default=None)
    """Every occurrence on or before this day is done (posted, paid or skipped)."""
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = created_column()

    postings: Mapped[list[SchedulePosting]] = relationship(
        cascade="all, delete-orphan", order_by="SchedulePosting.position", lazy="raise"
    )


class SchedulePosting(Base):
    """One posting of the transaction each occurrence makes."""

    __tablename__ = "schedule_postings"

    id: Mapped[str] = id_column()
    schedule_id: Mapped[str] = mapped_column(
        ForeignKey("schedules.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    amount_minor: Mapped[int]
    """Ledger-signed, in minor units of `currency`."""
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)


class ScheduleOccurrence(Base):
    """An occurrence that is done. The unique (schedule, day) makes posting
    idempotent: a second run, or two runs at once, cannot post a day twice."""

    __tablename__ = "schedule_occurrences"
    __table_args__ = (UniqueConstraint("schedule_id", "occurs_on"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    occurs_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10))
    """posted | paid | skipped"""
    transaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = created_column()
