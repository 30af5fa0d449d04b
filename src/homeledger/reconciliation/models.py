"""Reconciliations of an account against a bank statement, and the statement's lines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column


class ReconciliationStatus(StrEnum):
    OPEN = "open"
    FINISHED = "finished"


class Reconciliation(Base):
    __tablename__ = "reconciliations"
    __table_args__ = (
        Index("ix_reconciliations_account_statement", "account_id", "statement_date"),
    )

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    statement_date: Mapped[date]
    """The statement's closing day; postings up to and including it count."""
    statement_balance_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default=ReconciliationStatus.OPEN.value)
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL"), default=None, index=True
    )
    """The imported statement file it started from, if any."""
    reconciled_count: Mapped[int] = mapped_column(default=0)
    """Postings marked reconciled when it finished."""
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = created_column()
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class StatementLine(Base):
    """One line of the statement, matched to a ledger posting or not yet."""

    __tablename__ = "reconciliation_lines"
    __table_args__ = (Index("ix_reconciliation_lines_reconciliation", "reconciliation_id", "line"),)

    id: Mapped[str] = id_column()
    reconciliation_id: Mapped[str] = mapped_column(
        ForeignKey("reconciliations.id", ondelete="CASCADE")
    )
    household_id: Mapped[str] = mapped_column(String(32))
    line: Mapped[int]
    date: Mapped[date]
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    payee: Mapped[str] = mapped_column(String(200), default="")
    memo: Mapped[str] = mapped_column(String(500), default="")
    posting_id: Mapped[str | None] = mapped_column(
        ForeignKey("postings.id", ondelete="SET NULL"), default=None, index=True
    )
    match_reason: Mapped[str] = mapped_column(String(200), default="")
