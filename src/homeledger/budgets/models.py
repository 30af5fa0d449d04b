"""Budgets: the budget itself, its categories' settings, assignments and moves."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column


class BudgetMode(StrEnum):
    ENVELOPE = "envelope"
    """Zero-based: every unit of income is assigned to a category; leftovers roll over."""
    TRACKING = "tracking"
    """Limits per category; rollover only where a category asks for it."""


class PeriodKind(StrEnum):
    CALENDAR_MONTH = "calendar-month"
    MONTH_FROM_DAY = "month-from-day"
    EVERY_N_WEEKS = "every-n-weeks"
    TWICE_MONTHLY = "twice-monthly"


class TemplateKind(StrEnum):
    COPY_LAST = "copy-last"
    AVERAGE = "average"
    FIXED = "fixed"
    SAVINGS_GOAL = "savings-goal"


class Budget(Base):
    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("household_id", "name"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(10))
    """envelope | tracking"""
    currency: Mapped[str] = mapped_column(String(3))
    """The household's base currency when the budget was made; spending in other
    currencies is converted at each transaction's date."""
    starts_on: Mapped[date]
    """The budget begins with the period that holds this day; nothing carries in."""
    period_kind: Mapped[str] = mapped_column(String(20))
    period_day: Mapped[int | None] = mapped_column(default=None)
    """month-from-day: the day a period starts; twice-monthly: the first start day."""
    period_second_day: Mapped[int | None] = mapped_column(default=None)
    """twice-monthly: the second start day."""
    period_anchor: Mapped[date | None] = mapped_column(default=None)
    """every-n-weeks: a day on which a period starts."""
    period_weeks: Mapped[int | None] = mapped_column(default=None)
    weekend_shift: Mapped[str] = mapped_column(String(20), default="none")
    """none | previous-friday | next-monday (month-based rules only)."""
    spending_account_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    """The account the cash-flow forecast takes the budget's spending from."""
    created_at: Mapped[datetime] = created_column()


class BudgetCategory(Base):
    """A category's settings in one budget: tracking rollover and its template."""

    __tablename__ = "budget_categories"
    __table_args__ = (UniqueConstraint("budget_id", "category_id"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    budget_id: Mapped[str] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"))
    category_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    rollover: Mapped[str] = mapped_column(String(10), default="none")
    """Tracking mode: none | surplus | all. Envelopes always roll over."""
    template_kind: Mapped[str | None] = mapped_column(String(20), default=None)
    template_basis: Mapped[str | None] = mapped_column(String(10), default=None)
    """assigned | spent (copy-last and average)."""
    template_periods: Mapped[int | None] = mapped_column(default=None)
    template_amount_minor: Mapped[int | None] = mapped_column(default=None)
    """fixed: the amount; savings-goal: the target."""
    template_target_date: Mapped[date | None] = mapped_column(default=None)


class BudgetAssignment(Base):
    """Money given to a category in one period (the limit, in tracking mode)."""

    __tablename__ = "budget_assignments"
    __table_args__ = (UniqueConstraint("budget_id", "category_id", "period_start"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    budget_id: Mapped[str] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"))
    category_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date]
    amount_minor: Mapped[int]
    """In minor units of the budget's currency; negative takes money back."""
    updated_at: Mapped[datetime] = created_column()


class BudgetMove(Base):
    """Money moved between two categories' envelopes within a period."""

    __tablename__ = "budget_moves"

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    budget_id: Mapped[str] = mapped_column(ForeignKey("budgets.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    source_category_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    target_category_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    amount_minor: Mapped[int]
    """Positive, in minor units of the budget's currency."""
    memo: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = created_column()
