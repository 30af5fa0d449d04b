"""The dashboard: net worth, the month's income and spending, spending by category,
balances, recent transactions, and what needs attention."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from homeledger.kit.money import to_decimal
from homeledger.ledger import overview, service
from homeledger.ledger.pages.common import TYPE_LABELS, lookups
from homeledger.ledger.schemas import TransactionFilter
from homeledger.web.deps import SessionDep
from homeledger.web.pagectx import PageDep
from homeledger.web.templating import render

router = APIRouter()
SLICES = 7


@router.get("/")
def dashboard(request: Request, page: PageDep, session: SessionDep) -> Response:
    ctx, currency = page.ctx, page.currency
    look = lookups(session, ctx)
    balances = service.balances(session, ctx)
    month = overview.month_summary(session, ctx, currency)
    recent = service.list_transactions(session, ctx, TransactionFilter(limit=8))
    slices = month.by_category[:SLICES]
    rest = sum(s.total_minor for s in month.by_category[SLICES:])
    labels = [s.name for s in slices] + (["Other"] if rest else [])
    amounts = [s.total_minor for s in slices] + ([rest] if rest else [])
    chart = {
        "type": "pie",
        "currency": currency,
        "locale": page.locale.replace("_", "-"),
        "labels": labels,
        "values": [float(to_decimal(v, currency)) for v in amounts],
    }
    by_type: dict[str, list[tuple[str, str, str]]] = {}
    for row in balances:
        account = look.accounts.get(row.account_id)
        if account is None or account.is_archived:
            continue
        by_type.setdefault(TYPE_LABELS.get(account.type, account.type), []).append(
            (row.account_id, row.name, row.balance)
        )
    return render(
        request,
        "ledger/dashboard.html",
        {
            "net_worth": overview.net_worth(session, ctx, balances),
            "month": month,
            "chart": chart,
            "slices": list(zip(labels, amounts, strict=True)),
            "balances": by_type,
            "currencies": {r.account_id: r.currency for r in balances},
            "recent": look.rows(recent.items),
            "has_accounts": bool(look.open_accounts),
        },
        page=page,
    )


@router.get("/dashboard/attention")
def attention(request: Request, page: PageDep, session: SessionDep) -> Response:
    """Loaded by the dashboard after it shows: finding pending transactions reads every
    posting's status, which should not hold up the rest of the page."""
    return render(
        request,
        "ledger/_attention.html",
        {"attention": overview.needs_attention(session, page.ctx)},
        page=page,
    )
