"""One table for every kind of account, so a posting always names an account."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column


class Kind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    INCOME = "income"
    EXPENSE = "expense"
    EQUITY = "equity"


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    LOAN = "loan"
    INVESTMENT = "investment"
    CATEGORY = "category"
    UNCATEGORISED = "uncategorised"
    """The income or expense category of money not yet sorted (at most one of each)."""
    OPENING_BALANCES = "opening_balances"
    CURRENCY_EXCHANGE = "currency_exchange"


# What each user-facing account type is on the balance sheet. Investment can be either
# (a brokerage account is an asset; a margin loan a liability), so it is chosen.
TYPE_KINDS: dict[AccountType, frozenset[Kind]] = {
    AccountType.CHECKING: frozenset({Kind.ASSET}),
    AccountType.SAVINGS: frozenset({Kind.ASSET}),
    AccountType.CASH: frozenset({Kind.ASSET}),
    AccountType.CREDIT_CARD: frozenset({Kind.LIABILITY}),
    AccountType.LOAN: frozenset({Kind.LIABILITY}),
    AccountType.INVESTMENT: frozenset({Kind.ASSET, Kind.LIABILITY}),
}


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (Index("ix_accounts_household_kind", "household_id", "kind"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    """asset | liability | income | expense | equity"""
    type: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), default=None, index=True
    )
    """Categories nest to any depth; asset and liability accounts have no parent."""
    currency: Mapped[str | None] = mapped_column(String(3), default=None)
    """Asset and liability accounts hold one currency; categories and equity any."""
    institution: Mapped[str] = mapped_column(String(100), default="")
    number_encrypted: Mapped[bytes | None] = mapped_column(default=None)
    """The full account number, AES-GCM encrypted; only the last four are shown."""
    number_last4: Mapped[str] = mapped_column(String(4), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_column()
