"""JSON API: accounts and categories."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from homeledger.accounts import service
from homeledger.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    CategoryCreate,
    CategoryMerge,
    CategoryRead,
    CategoryUpdate,
)
from homeledger.web.deps import CtxDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/households/{household_id}", tags=["accounts"])


class AccountNumber(BaseModel):
    account_number: str


@router.get("/accounts", response_model=list[AccountRead], summary="Asset and liability accounts")
def list_accounts(
    ctx: CtxDep, session: SessionDep, include_archived: bool = False
) -> list[AccountRead]:
    return service.list_accounts(session, ctx, include_archived)


@router.post("/accounts", response_model=AccountRead, status_code=201, summary="Open an account")
def create_account(
    data: AccountCreate, ctx: CtxDep, session: SessionDep, settings: SettingsDep
) -> AccountRead:
    """A non-zero opening balance is posted against the Opening balances equity account."""
    return service.create_account(session, ctx, data, settings.field_key())


@router.get("/accounts/{account_id}", response_model=AccountRead, summary="One account")
def get_account(account_id: str, ctx: CtxDep, session: SessionDep) -> AccountRead:
    return service.get_account(session, ctx, account_id)


@router.patch(
    "/accounts/{account_id}", response_model=AccountRead, summary="Edit, archive or unarchive"
)
def update_account(
    account_id: str, data: AccountUpdate, ctx: CtxDep, session: SessionDep, settings: SettingsDep
) -> AccountRead:
    return service.update_account(session, ctx, account_id, data, settings.field_key())


@router.delete("/accounts/{account_id}", status_code=204, summary="Delete an unused account")
def delete_account(account_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_account(session, ctx, account_id)
    return Response(status_code=204)


@router.post(
    "/accounts/{account_id}/reveal-number",
    response_model=AccountNumber,
    summary="Show the full account number (audited)",
)
def reveal_number(
    account_id: str, ctx: CtxDep, session: SessionDep, settings: SettingsDep
) -> AccountNumber:
    return AccountNumber(
        account_number=service.reveal_account_number(session, ctx, account_id, settings.field_key())
    )


@router.get(
    "/categories", response_model=list[CategoryRead], summary="Income and expense categories"
)
def list_categories(ctx: CtxDep, session: SessionDep) -> list[CategoryRead]:
    return service.list_categories(session, ctx)


@router.post(
    "/categories", response_model=CategoryRead, status_code=201, summary="Create a category"
)
def create_category(data: CategoryCreate, ctx: CtxDep, session: SessionDep) -> CategoryRead:
    return service.create_category(session, ctx, data)


@router.get("/categories/{category_id}", response_model=CategoryRead, summary="One category")
def get_category(category_id: str, ctx: CtxDep, session: SessionDep) -> CategoryRead:
    return service.get_category(session, ctx, category_id)


@router.patch("/categories/{category_id}", response_model=CategoryRead, summary="Rename or move")
def update_category(
    category_id: str, data: CategoryUpdate, ctx: CtxDep, session: SessionDep
) -> CategoryRead:
    return service.update_category(session, ctx, category_id, data)


@router.post(
    "/categories/{category_id}/merge", response_model=CategoryRead, summary="Merge into another"
)
def merge_category(
    category_id: str, data: CategoryMerge, ctx: CtxDep, session: SessionDep
) -> CategoryRead:
    """Re-points every posting and subcategory, then deletes this category."""
    return service.merge_category(session, ctx, category_id, data.into_id)


@router.delete("/categories/{category_id}", status_code=204, summary="Delete an unused category")
def delete_category(category_id: str, ctx: CtxDep, session: SessionDep) -> Response:
    service.delete_category(session, ctx, category_id)
    return Response(status_code=204)
