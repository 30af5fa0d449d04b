"""HTML pages of the ledger: dashboard, register, transaction editor, payees and tags."""

from fastapi import APIRouter

from homeledger.ledger.pages import dashboard, editor, manage, register

router = APIRouter(include_in_schema=False)
for _module in (dashboard, register, editor, manage):
    router.include_router(_module.router)
