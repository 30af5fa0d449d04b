"""Transactions are journal entries; postings move money into or out of accounts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from homeledger.db.base import Base, created_column, id_column, utcnow


class PostingStatus(StrEnum):
    PENDING = "pending"
    CLEARED = "cleared"
    RECONCILED = "reconciled"


class Payee(Base):
    __tablename__ = "payees"
    __table_args__ = (UniqueConstraint("household_id", "name"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_column()


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("household_id", "name"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = created_column()


transaction_tags = Table(
    "transaction_tags",
    Base.metadata,
    Column(
        "transaction_id",
        ForeignKey("transactions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Transaction(Base):
    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_household_date", "household_id", "date", "id"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    date: Mapped[date]
    payee_id: Mapped[str | None] = mapped_column(
        ForeignKey("payees.id", ondelete="SET NULL"), default=None, index=True
    )
    memo: Mapped[str] = mapped_column(String(500), default="")
    version: Mapped[int] = mapped_column(default=1)
    """Raised by every edit; an edit based on an older version is refused (409)."""
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    postings: Mapped[list[Posting]] = relationship(
        back_populates="transaction",
        cascade="all, delete-orphan",
        order_by="Posting.position",
        lazy="raise",
    )
    payee: Mapped[Payee | None] = relationship(lazy="raise")
    tags: Mapped[list[Tag]] = relationship(secondary=transaction_tags, lazy="raise")


class Posting(Base):
    __tablename__ = "postings"
    __table_args__ = (
        # Balances at a date and registers read postings by account and date only.
        Index("ix_postings_account_date", "account_id", "date"),
        Index("ix_postings_household_date", "household_id", "date"),
    )

    id: Mapped[str] = id_column()
    transaction_id: Mapped[str] = mapped_column(
        ForeignKey("transactions.id", ondelete="CASCADE"), index=True
    )
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    date: Mapped[date]
    """Copied from the transaction so that balances need no join."""
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    """Signed, in minor units of `currency`: positive is a debit (money into an asset)."""
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default=PostingStatus.CLEARED.value)
    memo: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)

    transaction: Mapped[Transaction] = relationship(back_populates="postings", lazy="raise")


class AccountDayTotal(Base):
    """Sum of postings per account, currency and day: balances and period totals read
    a few thousand of these instead of millions of postings. Maintained by the ledger
    repository on every posting write; `homeledger check` proves it equals the sums."""

    __tablename__ = "account_day_totals"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    date: Mapped[date] = mapped_column(primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
