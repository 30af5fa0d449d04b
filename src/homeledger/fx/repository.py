"""Every SQL statement about user-entered exchange rates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from homeledger.fx.models import FxRate
from homeledger.kit.tenancy import Ctx


class FxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[FxRate]:
        return select(FxRate).where(FxRate.household_id == ctx.household_id)

    def rates(self, ctx: Ctx, base: str | None = None, quote: str | None = None) -> list[FxRate]:
        query = self.scoped(ctx)
        if base is not None:
            query = query.where(FxRate.base == base)
        if quote is not None:
            query = query.where(FxRate.quote == quote)
        query = query.order_by(FxRate.base, FxRate.quote, FxRate.as_of.desc())
        return list(self.session.scalars(query))

    def get(self, ctx: Ctx, rate_id: str) -> FxRate | None:
        return self.session.scalars(self.scoped(ctx).where(FxRate.id == rate_id)).one_or_none()

    def on_day(self, ctx: Ctx, base: str, quote: str, as_of: dt.date) -> FxRate | None:
        query = self.scoped(ctx).where(
            FxRate.base == base, FxRate.quote == quote, FxRate.as_of == as_of
        )
        return self.session.scalars(query).one_or_none()

    def add(self, rate: FxRate) -> FxRate:
        self.session.add(rate)
        self.session.flush()
        return rate

    def delete(self, rate: FxRate) -> None:
        self.session.delete(rate)
        self.session.flush()
