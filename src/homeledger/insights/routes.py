"""JSON API of the insights: category suggestions, the categoriser, subscriptions,
unusual transactions and months, dismissals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from homeledger.insights import service
from homeledger.insights.schemas import (
    AnomalyRead,
    DismissalRead,
    ModelRead,
    ScheduleProposalRead,
    SubscriptionRead,
    SuggestRequest,
    SuggestRowsRead,
    TransactionSuggestions,
)
from homeledger.web.deps import CtxDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["insights"])
Top = Annotated[int, Query(ge=1, le=10, description="How many categories to suggest.")]


@router.get(
    "/transactions/{transaction_id}/suggestions",
    response_model=TransactionSuggestions,
    summary="Suggested categories of a transaction",
)
def transaction_suggestions(
    transaction_id: str, ctx: CtxDep, session: SessionDep, settings: SettingsDep, top: Top = 3
) -> TransactionSuggestions:
    """The household's own model ranks its categories, with a calibrated confidence.
    With too little categorised history the list is empty and `note` says why."""
    key = service.categoriser_key(settings.secret_key)
    return service.transaction_suggestions(session, ctx, key, transaction_id, top)


@router.get(
    "/insights/uncategorised",
    response_model=list[TransactionSuggestions],
    summary="Suggestions for uncategorised transactions",
)
def uncategorised_suggestions(
    ctx: CtxDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    top: Top = 3,
) -> list[TransactionSuggestions]:
    """The newest transactions still in an Uncategorised category, each with its
    suggestions."""
    key = service.categoriser_key(settings.secret_key)
    return service.uncategorised_suggestions(session, ctx, key, limit, top)


@router.post(
    "/insights/categoriser/suggest",
    response_model=SuggestRowsRead,
    summary="Suggest categories for rows not in the ledger yet",
)
def suggest_rows(
    data: SuggestRequest, ctx: CtxDep, session: SessionDep, settings: SettingsDep
) -> SuggestRowsRead:
    """For an import preview or a client's own staging: nothing is stored."""
    return service.suggest_rows(session, ctx, service.categoriser_key(settings.secret_key), data)


@router.get("/insights/categoriser", response_model=ModelRead, summary="The categoriser's state")
def model_status(ctx: CtxDep, session: SessionDep) -> ModelRead:
    return service.model_status(session, ctx)


@router.post(
    "/insights/categoriser/train", response_model=ModelRead, summary="Train the categoriser now"
)
def train(ctx: CtxDep, session: SessionDep, settings: SettingsDep) -> ModelRead:
    """Learns from every categorised transaction (the newest 20,000); a job does this
    by itself after enough corrections."""
    return service.train(session, ctx, service.categoriser_key(settings.secret_key))


@router.get(
    "/insights/subscriptions",
    response_model=list[SubscriptionRead],
    summary="Subscriptions and recurring charges",
)
def subscriptions(
    ctx: CtxDep,
    session: SessionDep,
    include_ended: Annotated[bool, Query(description="Also those that stopped.")] = True,
    include_dismissed: bool = False,
) -> list[SubscriptionRead]:
    """Found in the last three years of payments: cadence, amount, yearly cost, price
    changes and the next expected date; running ones first, then by yearly cost."""
    return service.subscriptions(
        session, ctx, include_ended=include_ended, include_dismissed=include_dismissed
    )


@router.get(
    "/insights/subscriptions/{insight_key}/schedule",
    response_model=ScheduleProposalRead,
    summary="The schedule a recurring charge would become",
)
def schedule_proposal(insight_key: str, ctx: CtxDep, session: SessionDep) -> ScheduleProposalRead:
    """An RFC 5545 rule and a transaction template. Schedules are not stored yet: this
    is the proposal (`persisted` is false)."""
    return service.schedule_proposal(session, ctx, insight_key)


@router.get(
    "/insights/anomalies",
    response_model=list[AnomalyRead],
    summary="Unusual transactions and months",
)
def anomalies(
    ctx: CtxDep,
    session: SessionDep,
    since: Annotated[
        dt.date | None,
        Query(
            ge=dt.date(1900, 1, 1),
            le=dt.date(2199, 12, 31),
            description="First day looked at; default: this month and the two before.",
        ),
    ] = None,
    include_dismissed: bool = False,
) -> list[AnomalyRead]:
    """Each says why it was raised: the median it is compared with, the ratio and the
    robust score, and the thresholds."""
    return service.anomalies(session, ctx, since=since, include_dismissed=include_dismissed)


@router.get(
    "/insights/dismissals", response_model=list[DismissalRead], summary="Dismissed insights"
)
def dismissals(ctx: CtxDep, session: SessionDep) -> list[DismissalRead]:
    return service.dismissals(session, ctx)


@router.post(
    "/insights/{insight_key}/dismiss",
    response_model=DismissalRead,
    status_code=201,
    summary="Dismiss an insight",
)
def dismiss(insight_key: str, ctx: CtxDep, session: SessionDep) -> DismissalRead:
    """It is not shown again to anyone in the household (audited)."""
    return service.dismiss(session, ctx, insight_key)


@router.delete(
    "/insights/{insight_key}/dismiss", status_code=204, summary="Show a dismissed insight again"
)
def restore(insight_key: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.restore(session, ctx, insight_key)
    return Response(status_code=204)
