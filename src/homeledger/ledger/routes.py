"""JSON API: transactions, payees, tags, balances and category totals."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from homeledger.ledger import service
from homeledger.ledger.schemas import (
    BalanceRead,
    BatchCreate,
    CategoryTotalRead,
    PayeeCreate,
    PayeeMerge,
    PayeeRead,
    TagCreate,
    TagRead,
    TransactionCreate,
    TransactionFilter,
    TransactionPage,
    TransactionRead,
    TransactionUpdate,
    TransferCreate,
)
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["ledger"])


@router.get("/transactions", response_model=TransactionPage, summary="List and filter transactions")
def list_transactions(
    ctx: CtxDep, session: SessionDep, filters: Annotated[TransactionFilter, Query()]
) -> TransactionPage:
    """Newest first. Page with `cursor` (from `next_cursor`). `category_id` includes its
    subcategories; `amount_min`/`amount_max` match any posting's absolute amount."""
    return service.list_transactions(session, ctx, filters)


@router.post(
    "/transactions", response_model=TransactionRead, status_code=201, summary="Create a transaction"
)
def create_transaction(
    data: TransactionCreate, ctx: CtxDep, session: SessionDep
) -> TransactionRead:
    """Postings must sum to zero per currency; splits are more postings."""
    return service.create(session, ctx, data)


@router.post(
    "/transactions/batch",
    response_model=list[TransactionRead],
    status_code=201,
    summary="Create many, all or nothing",
)
def create_batch(data: BatchCreate, ctx: CtxDep, session: SessionDep) -> list[TransactionRead]:
    return service.create_batch(session, ctx, data)


@router.post(
    "/transactions/transfer",
    response_model=TransactionRead,
    status_code=201,
    summary="Transfer between own accounts",
)
def create_transfer(data: TransferCreate, ctx: CtxDep, session: SessionDep) -> TransactionRead:
    """Across currencies, give `to_amount`; the difference balances through the
    household's Currency exchange account."""
    return service.transfer(session, ctx, data)


@router.get(
    "/transactions/{transaction_id}", response_model=TransactionRead, summary="One transaction"
)
def get_transaction(transaction_id: str, ctx: CtxDep, session: SessionDep) -> TransactionRead:
    return service.get(session, ctx, transaction_id)


@router.put(
    "/transactions/{transaction_id}",
    response_model=TransactionRead,
    summary="Replace a transaction",
)
def update_transaction(
    transaction_id: str, data: TransactionUpdate, ctx: CtxDep, session: SessionDep
) -> TransactionRead:
    """`version` must be the one you read; otherwise 409 and nothing changes."""
    return service.update(session, ctx, transaction_id, data)


@router.delete("/transactions/{transaction_id}", status_code=204, summary="Delete a transaction")
def delete_transaction(
    transaction_id: str,
    ctx: CtxDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, description="Refuse if it changed since.")] = None,
) -> Response:
    service.delete(session, ctx, transaction_id, version)
    return Response(status_code=204)


@router.post(
    "/transactions/{transaction_id}/unreconcile",
    response_model=TransactionRead,
    summary="Un-reconcile (audited)",
)
def unreconcile(transaction_id: str, ctx: CtxDep, session: SessionDep) -> TransactionRead:
    return service.unreconcile(session, ctx, transaction_id)


@router.get("/balances", response_model=list[BalanceRead], summary="Account balances at a date")
def balances(
    ctx: CtxDep,
    session: SessionDep,
    date: Annotated[
        dt.date | None, Query(description="End of this day; default: everything.")
    ] = None,
    include_categories: bool = False,
) -> list[BalanceRead]:
    return service.balances(session, ctx, date, include_categories)


@router.get(
    "/category-totals",
    response_model=list[CategoryTotalRead],
    summary="Totals per category for a period",
)
def category_totals(
    ctx: CtxDep,
    session: SessionDep,
    date_from: Annotated[dt.date, Query(description="First day, inclusive.")],
    date_to: Annotated[dt.date, Query(description="Last day, inclusive.")],
) -> list[CategoryTotalRead]:
    return service.category_totals(session, ctx, date_from, date_to)


@router.get("/payees", response_model=list[PayeeRead], summary="Payees")
def list_payees(ctx: CtxDep, session: SessionDep) -> list[PayeeRead]:
    return [PayeeRead.model_validate(p) for p in service.list_payees(session, ctx)]


@router.post("/payees", response_model=PayeeRead, status_code=201, summary="Create a payee")
def create_payee(data: PayeeCreate, ctx: CtxDep, session: SessionDep) -> PayeeRead:
    return PayeeRead.model_validate(service.create_payee(session, ctx, data.name))


@router.patch("/payees/{payee_id}", response_model=PayeeRead, summary="Rename a payee")
def rename_payee(payee_id: str, data: PayeeCreate, ctx: CtxDep, session: SessionDep) -> PayeeRead:
    return PayeeRead.model_validate(service.rename_payee(session, ctx, payee_id, data.name))


@router.post(
    "/payees/{payee_id}/merge", response_model=PayeeRead, summary="Merge into another payee"
)
def merge_payee(payee_id: str, data: PayeeMerge, ctx: CtxDep, session: SessionDep) -> PayeeRead:
    return PayeeRead.model_validate(service.merge_payee(session, ctx, payee_id, data.into_id))


@router.delete("/payees/{payee_id}", status_code=204, summary="Delete a payee")
def delete_payee(payee_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_payee(session, ctx, payee_id)
    return Response(status_code=204)


@router.get("/tags", response_model=list[TagRead], summary="Tags")
def list_tags(ctx: CtxDep, session: SessionDep) -> list[TagRead]:
    return [TagRead.model_validate(t) for t in service.list_tags(session, ctx)]


@router.post("/tags", response_model=TagRead, status_code=201, summary="Create a tag")
def create_tag(data: TagCreate, ctx: CtxDep, session: SessionDep) -> TagRead:
    return TagRead.model_validate(service.create_tag(session, ctx, data.name))


@router.delete("/tags/{tag_id}", status_code=204, summary="Delete a tag")
def delete_tag(tag_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_tag(session, ctx, tag_id)
    return Response(status_code=204)
