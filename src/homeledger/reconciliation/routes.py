"""JSON API of reconciliations."""

from __future__ import annotations

from fastapi import APIRouter, Response

from homeledger.reconciliation import service
from homeledger.reconciliation.schemas import (
    ClearPostings,
    LineCreate,
    LineMatch,
    LineRef,
    ReconciliationCreate,
    ReconciliationRead,
    ReconciliationSummary,
)
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["reconciliation"])


@router.get(
    "/accounts/{account_id}/reconciliations",
    response_model=list[ReconciliationSummary],
    summary="An account's reconciliation history",
)
def history(account_id: str, ctx: CtxDep, session: SessionDep) -> list[ReconciliationSummary]:
    return service.history(session, ctx, account_id)


@router.post(
    "/reconciliations",
    response_model=ReconciliationRead,
    status_code=201,
    summary="Start reconciling an account against a statement",
)
def start(data: ReconciliationCreate, ctx: CtxDep, session: SessionDep) -> ReconciliationRead:
    """Give the closing day and balance, or `batch_id` of an imported statement (its
    closing balance and lines are used, and lines are matched to postings at once)."""
    return service.start(session, ctx, data)


@router.get(
    "/reconciliations/{reconciliation_id}",
    response_model=ReconciliationRead,
    summary="Cleared vs statement balance, matched and unmatched on both sides",
)
def get(reconciliation_id: str, ctx: CtxDep, session: SessionDep) -> ReconciliationRead:
    return service.get(session, ctx, reconciliation_id)


@router.post(
    "/reconciliations/{reconciliation_id}/auto-match",
    response_model=ReconciliationRead,
    summary="Match statement lines to postings (amount, date window, payee)",
)
def auto_match(reconciliation_id: str, ctx: CtxDep, session: SessionDep) -> ReconciliationRead:
    return service.auto_match(session, ctx, reconciliation_id)


@router.post(
    "/reconciliations/{reconciliation_id}/match",
    response_model=ReconciliationRead,
    summary="Match a line to a posting (clears it)",
)
def match(
    reconciliation_id: str, data: LineMatch, ctx: CtxDep, session: SessionDep
) -> ReconciliationRead:
    return service.match(session, ctx, reconciliation_id, data)


@router.post(
    "/reconciliations/{reconciliation_id}/unmatch",
    response_model=ReconciliationRead,
    summary="Undo a line's match",
)
def unmatch(
    reconciliation_id: str, data: LineRef, ctx: CtxDep, session: SessionDep
) -> ReconciliationRead:
    return service.unmatch(session, ctx, reconciliation_id, data)


@router.post(
    "/reconciliations/{reconciliation_id}/create",
    response_model=ReconciliationRead,
    summary="Create the transaction a line stands for",
)
def create(
    reconciliation_id: str, data: LineCreate, ctx: CtxDep, session: SessionDep
) -> ReconciliationRead:
    return service.create_from_line(session, ctx, reconciliation_id, data)


@router.post(
    "/reconciliations/{reconciliation_id}/clear",
    response_model=ReconciliationRead,
    summary="Clear postings (or set them back to pending)",
)
def clear(
    reconciliation_id: str, data: ClearPostings, ctx: CtxDep, session: SessionDep
) -> ReconciliationRead:
    return service.clear(session, ctx, reconciliation_id, data)


@router.post(
    "/reconciliations/{reconciliation_id}/finish",
    response_model=ReconciliationRead,
    summary="Finish at difference zero: cleared postings become reconciled",
)
def finish(reconciliation_id: str, ctx: CtxDep, session: SessionDep) -> ReconciliationRead:
    return service.finish(session, ctx, reconciliation_id)


@router.delete(
    "/reconciliations/{reconciliation_id}",
    status_code=204,
    summary="Cancel an open reconciliation",
)
def cancel(reconciliation_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.cancel(session, ctx, reconciliation_id)
    return Response(status_code=204)
