"""User-entered exchange rates: they override the ECB history (see `fx.calc`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any

from sqlalchemy import Dialect, ForeignKey, Numeric, String, TypeDecorator, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column

RATE_DIGITS = 15
"""Significant digits a stored rate may have. SQLite keeps NUMERIC as a double, and
every decimal of at most 15 significant digits survives a double exactly, so a rate
reads back as it was entered on both databases."""
RATE_DECIMALS = 12
"""Decimal places a stored rate may have (the column's scale)."""

_READ_CONTEXT = Context(prec=RATE_DIGITS)


class RateDecimal(TypeDecorator[Decimal]):
    """NUMERIC(24, 12) that reads back exactly what was written, on SQLite too."""

    impl = Numeric(24, RATE_DECIMALS)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # SQLite hands back the double formatted to 12 places (1.0956 -> 1.095600000000,
        # 123456.123456789 -> 123456.123456789006); 15 significant digits undo that.
        return _READ_CONTEXT.plus(Decimal(value)).normalize()


class FxRate(Base):
    """1 ``base`` = ``rate`` ``quote``, applying from ``as_of`` until a newer rate."""

    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("household_id", "base", "quote", "as_of"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    as_of: Mapped[date]
    """The day the rate applies from (the latest rate on or before a day is used)."""
    rate: Mapped[Decimal] = mapped_column(RateDecimal())
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_column()
