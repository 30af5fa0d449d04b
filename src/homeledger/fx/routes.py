"""JSON API: the household's exchange rates and conversions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from homeledger.accounts.schemas import AmountStr, CurrencyCode
from homeledger.fx import service
from homeledger.fx.schemas import ConversionRead, RateCreate, RateRead
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}/fx", tags=["fx"])


@router.get("/rates", response_model=list[RateRead], summary="Exchange rates entered by hand")
def list_rates(
    ctx: CtxDep,
    session: SessionDep,
    base: Annotated[CurrencyCode | None, Query()] = None,
    quote: Annotated[CurrencyCode | None, Query()] = None,
) -> list[RateRead]:
    """Newest first per pair. These override the ECB's rate for the days they cover
    (the latest rate on or before a day wins; on the same day, the one entered here)."""
    return service.list_rates(session, ctx, base, quote)


@router.post(
    "/rates", response_model=RateRead, status_code=201, summary="Enter (or correct) a rate"
)
def add_rate(data: RateCreate, ctx: CtxDep, session: SessionDep) -> RateRead:
    """A rate for a pair and day that already has one replaces it."""
    return service.add_rate(session, ctx, data)


@router.delete("/rates/{rate_id}", status_code=204, summary="Delete an entered rate")
def delete_rate(rate_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_rate(session, ctx, rate_id)
    return Response(status_code=204)


@router.get("/convert", response_model=ConversionRead, summary="Convert an amount")
def convert(
    ctx: CtxDep,
    session: SessionDep,
    amount: Annotated[AmountStr, Query()],
    source: Annotated[CurrencyCode, Query(alias="from")],
    target: Annotated[CurrencyCode, Query(alias="to")],
    on: Annotated[dt.date | None, Query(alias="date", description="Default: today.")] = None,
) -> ConversionRead:
    """At the latest rate on or before the day, rounded once, half-even, to the target's
    minor unit; the answer names the rate and its source."""
    return service.convert(session, ctx, amount, source, target, on or dt.date.today())
