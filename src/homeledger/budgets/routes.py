"""JSON API: budgets, assignments, moves, templates, the period view and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from homeledger.budgets import service, suggestions
from homeledger.budgets.schemas import (
    AlertRead,
    ApplyTemplates,
    AssignmentRead,
    AssignmentSet,
    BudgetCreate,
    BudgetPeriodView,
    BudgetRead,
    BudgetUpdate,
    CategorySettingsIn,
    CategorySettingsRead,
    CoverCreate,
    MoveCreate,
    MoveRead,
    SuggestionRead,
)
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}/budgets", tags=["budgets"])

DayQuery = Annotated[
    dt.date | None, Query(alias="date", description="Any day of the period; default: today.")
]


@router.get("", response_model=list[BudgetRead], summary="Budgets")
def list_budgets(ctx: CtxDep, session: SessionDep) -> list[BudgetRead]:
    return service.list_budgets(session, ctx)


@router.post("", response_model=BudgetRead, status_code=201, summary="Create a budget")
def create_budget(data: BudgetCreate, ctx: CtxDep, session: SessionDep) -> BudgetRead:
    """Envelope (zero-based) or tracking; periods by calendar month, a month from a
    day (pay day), every n weeks from an anchor, or twice a month. The budget is in
    the household's base currency."""
    return service.create_budget(session, ctx, data)


@router.get("/{budget_id}", response_model=BudgetRead, summary="One budget")
def get_budget(budget_id: str, ctx: CtxDep, session: SessionDep) -> BudgetRead:
    return service.get_budget(session, ctx, budget_id)


@router.patch("/{budget_id}", response_model=BudgetRead, summary="Change a budget")
def update_budget(
    budget_id: str, data: BudgetUpdate, ctx: CtxDep, session: SessionDep
) -> BudgetRead:
    return service.update_budget(session, ctx, budget_id, data)


@router.delete("/{budget_id}", status_code=204, summary="Delete a budget")
def delete_budget(budget_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_budget(session, ctx, budget_id)
    return Response(status_code=204)


@router.get("/{budget_id}/period", response_model=BudgetPeriodView, summary="The period view")
def period_view(
    budget_id: str, ctx: CtxDep, session: SessionDep, day: DayQuery = None
) -> BudgetPeriodView:
    """Per category: carried in, assigned, moved, activity, available (envelope) or
    limit, spent, remaining (tracking); ready to assign; alerts; every figure's
    transactions through its `activity_filter`."""
    return service.period_view(session, ctx, budget_id, day or dt.date.today())


@router.put("/{budget_id}/assignments", response_model=AssignmentRead, summary="Assign money")
def assign(budget_id: str, data: AssignmentSet, ctx: CtxDep, session: SessionDep) -> AssignmentRead:
    """Sets the amount a category gets in the period holding `date` (its limit, when
    tracking); setting it again replaces it."""
    return service.assign(session, ctx, budget_id, data)


@router.post("/{budget_id}/moves", response_model=MoveRead, status_code=201, summary="Move money")
def move(budget_id: str, data: MoveCreate, ctx: CtxDep, session: SessionDep) -> MoveRead:
    """Moves money from one category's envelope to another's (envelope budgets)."""
    return service.move(session, ctx, budget_id, data)


@router.post(
    "/{budget_id}/cover",
    response_model=MoveRead,
    status_code=201,
    summary="Cover overspending from another category",
)
def cover(budget_id: str, data: CoverCreate, ctx: CtxDep, session: SessionDep) -> MoveRead:
    """Moves the overspent amount (at most what the source has) into the overspent
    category for the period holding `date`."""
    return service.cover(session, ctx, budget_id, data)


@router.get(
    "/{budget_id}/categories",
    response_model=list[CategorySettingsRead],
    summary="Categories with settings",
)
def list_category_settings(
    budget_id: str, ctx: CtxDep, session: SessionDep
) -> list[CategorySettingsRead]:
    return suggestions.list_category_settings(session, ctx, budget_id)


@router.put(
    "/{budget_id}/categories/{category_id}",
    response_model=CategorySettingsRead,
    summary="A category's rollover and template",
)
def set_category_settings(
    budget_id: str, category_id: str, data: CategorySettingsIn, ctx: CtxDep, session: SessionDep
) -> CategorySettingsRead:
    """Templates: copy-last, average of the last n periods, fixed, or a savings goal
    (an amount by a date, spread over the periods left, rounded up)."""
    return suggestions.set_category_settings(session, ctx, budget_id, category_id, data)


@router.get(
    "/{budget_id}/suggestions",
    response_model=list[SuggestionRead],
    summary="What the templates suggest for a period",
)
def list_suggestions(
    budget_id: str, ctx: CtxDep, session: SessionDep, day: DayQuery = None
) -> list[SuggestionRead]:
    return suggestions.suggestions(session, ctx, budget_id, day or dt.date.today())


@router.post(
    "/{budget_id}/apply-templates",
    response_model=BudgetPeriodView,
    summary="Fill a period from templates",
)
def apply_templates(
    budget_id: str, data: ApplyTemplates, ctx: CtxDep, session: SessionDep
) -> BudgetPeriodView:
    """Assigns each category what its template suggests, or what one template given
    here suggests for every category (e.g. `{"kind": "copy-last"}`)."""
    return suggestions.apply_templates(session, ctx, budget_id, data)


@router.get("/{budget_id}/alerts", response_model=list[AlertRead], summary="Budget alerts")
def alerts(
    budget_id: str, ctx: CtxDep, session: SessionDep, day: DayQuery = None
) -> list[AlertRead]:
    """Categories past 80 % and 100 % of their budget in the period, with the day each
    threshold was reached. Shown in the app; no notification channel sends them yet."""
    return service.alerts(session, ctx, budget_id, day or dt.date.today())
