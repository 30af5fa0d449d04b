"""JSON API: schedules and bills, the posting job, reminders, the cash-flow forecast."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from homeledger.schedules import forecasting, service
from homeledger.schedules.schemas import (
    ForecastRead,
    OccurrenceAction,
    OccurrenceRead,
    RunResult,
    ScheduleCreate,
    ScheduleRead,
)
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["schedules"])

Horizon = Annotated[int, Query(ge=0, le=366, description="Days ahead to list as upcoming.")]


@router.get("/schedules", response_model=list[ScheduleRead], summary="Schedules and bills")
def list_schedules(ctx: CtxDep, session: SessionDep) -> list[ScheduleRead]:
    return service.list_schedules(session, ctx, dt.date.today())


@router.post(
    "/schedules", response_model=ScheduleRead, status_code=201, summary="Create a schedule"
)
def create_schedule(data: ScheduleCreate, ctx: CtxDep, session: SessionDep) -> ScheduleRead:
    """A recurring transaction: an RFC 5545 rule, the postings each occurrence makes,
    an end (`until` or `count`), and `auto-post` or `remind`. With `bill`, an imported
    transaction in the expected range and window marks the occurrence paid."""
    return service.create(session, ctx, data, dt.date.today())


@router.get(
    "/schedules/upcoming", response_model=RunResult, summary="Due, upcoming and missed items"
)
def upcoming(ctx: CtxDep, session: SessionDep, days: Horizon = 14) -> RunResult:
    """What the posting job would do today, without doing it."""
    return service.upcoming(session, ctx, dt.date.today(), days)


@router.post("/schedules/run", response_model=RunResult, summary="Post what is due now")
def run(ctx: CtxDep, session: SessionDep, days: Horizon = 14) -> RunResult:
    """Runs the posting job for this household now; running it again posts nothing twice."""
    return service.post_due(session, ctx, dt.date.today(), days)


@router.get("/schedules/{schedule_id}", response_model=ScheduleRead, summary="One schedule")
def get_schedule(schedule_id: str, ctx: CtxDep, session: SessionDep) -> ScheduleRead:
    return service.get(session, ctx, schedule_id, dt.date.today())


@router.put("/schedules/{schedule_id}", response_model=ScheduleRead, summary="Replace")
def replace_schedule(
    schedule_id: str, data: ScheduleCreate, ctx: CtxDep, session: SessionDep
) -> ScheduleRead:
    """What is already posted, paid or skipped stays so."""
    return service.replace(session, ctx, schedule_id, data, dt.date.today())


@router.delete("/schedules/{schedule_id}", status_code=204, summary="Delete a schedule")
def delete_schedule(schedule_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    """Transactions it posted stay in the ledger."""
    service.delete(session, ctx, schedule_id)
    return Response(status_code=204)


@router.get(
    "/schedules/{schedule_id}/occurrences",
    response_model=list[OccurrenceRead],
    summary="Occurrences and their status",
)
def list_occurrences(
    schedule_id: str,
    ctx: CtxDep,
    session: SessionDep,
    date_from: Annotated[dt.date, Query(description="First day, inclusive.")],
    date_to: Annotated[dt.date, Query(description="Last day, inclusive.")],
) -> list[OccurrenceRead]:
    return service.occurrences(session, ctx, schedule_id, date_from, date_to, dt.date.today())


@router.post(
    "/schedules/{schedule_id}/occurrences",
    response_model=OccurrenceRead,
    status_code=201,
    summary="Post, skip or mark one occurrence paid",
)
def act(
    schedule_id: str, data: OccurrenceAction, ctx: CtxDep, session: SessionDep
) -> OccurrenceRead:
    return service.act(session, ctx, schedule_id, data, dt.date.today())


@router.get("/forecast", response_model=ForecastRead, summary="Cash-flow forecast")
def cash_flow_forecast(
    ctx: CtxDep,
    session: SessionDep,
    days: Annotated[int, Query(ge=1, le=731)] = 90,
    start: Annotated[dt.date | None, Query(description="Default: today.")] = None,
) -> ForecastRead:
    """Every account's balance projected day by day from schedules and budgets, with
    the lowest point flagged (per account and in total)."""
    return forecasting.cash_flow_forecast(session, ctx, start or dt.date.today(), days)
