"""Stored rules and payee aliases of a household."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column, utcnow


class Rule(Base):
    __tablename__ = "rules"
    __table_args__ = (Index("ix_rules_household_position", "household_id", "position"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    """Rules run in ascending position."""
    is_active: Mapped[bool] = mapped_column(default=True)
    match_all: Mapped[bool] = mapped_column(default=True)
    """True: every condition must hold; False: any one."""
    stop: Mapped[bool] = mapped_column(default=False)
    """No later rule runs once this one matched."""
    conditions: Mapped[str] = mapped_column(Text)
    """JSON list of conditions (see rules.matching)."""
    actions: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PayeeAlias(Base):
    """Bank text (by its `payee_key`) -> the payee and category the user gave it.

    Explicit aliases (`is_manual`) come from the user; the others are learned: each
    import remembers the last transaction it made for the key, and the next import
    reads back whatever payee and category the user has since given that transaction.
    """

    __tablename__ = "payee_aliases"
    __table_args__ = (UniqueConstraint("household_id", "raw_key"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    raw_key: Mapped[str] = mapped_column(String(100))
    payee: Mapped[str | None] = mapped_column(String(200), default=None)
    category_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    """An income/expense category, or an own account (money to it is a transfer)."""
    is_manual: Mapped[bool] = mapped_column(default=False)
    last_transaction_id: Mapped[str | None] = mapped_column(
        ForeignKey("transactions.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime] = created_column()
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
