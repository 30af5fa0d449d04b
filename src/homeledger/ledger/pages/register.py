"""The transaction register: filters in the URL, cursor pages, bulk actions."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams
from starlette.responses import Response

from homeledger.kit.errors import DomainError
from homeledger.kit.tenancy import Ctx
from homeledger.ledger import edits, service
from homeledger.ledger.pages import forms
from homeledger.ledger.pages.common import Lookups, lookups
from homeledger.ledger.schemas import TransactionFilter, TransactionPage
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, failed, validate, values
from homeledger.web.htmx import is_htmx, redirect, safe_next, toast_header
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter()

# URL parameter -> TransactionFilter field. Short names keep shared links readable.
FILTERS = {
    "category": "category_id",
    "payee": "payee_id",
    "tag": "tag",
    "from": "date_from",
    "to": "date_to",
    "min": "amount_min",
    "max": "amount_max",
    "q": "q",
    "status": "status",
}
PAGE_SIZE = 50


def parse_filters(params: QueryParams) -> tuple[TransactionFilter | None, dict[str, str], Errors]:
    shown = {name: params.get(name, "").strip() for name in (*FILTERS, "account")}
    raw: dict[str, object] = {f: shown[n] for n, f in FILTERS.items() if shown[n]}
    raw["account_id"] = [a for a in params.getlist("account") if a][:50]
    if params.get("cursor"):
        raw["cursor"] = params.get("cursor")
    raw["limit"] = PAGE_SIZE
    rename = {field: name for name, field in FILTERS.items()}
    rename["account_id"] = "account"
    parsed, errors = validate(TransactionFilter, raw, rename)
    return parsed, shown, errors


def filter_query(shown: dict[str, str], **extra: str) -> str:
    pairs = [(k, v) for k, v in shown.items() if v] + [(k, v) for k, v in extra.items() if v]
    return urlencode(pairs)


def fetch(
    session: Session, ctx: Ctx, filters: TransactionFilter | None, errors: Errors
) -> TransactionPage:
    if filters is None:
        return TransactionPage(items=[], next_cursor=None)
    try:
        return service.list_transactions(session, ctx, filters)
    except DomainError as error:  # an id from an old link, a cursor from another filter
        errors["__all__"] = error.detail[:1].upper() + error.detail[1:] + "."
        return TransactionPage(items=[], next_cursor=None)


def register_context(
    request: Request, page: Page, session: Session, look: Lookups
) -> dict[str, object]:
    filters, shown, errors = parse_filters(request.query_params)
    result = fetch(session, page.ctx, filters, errors)
    query = filter_query(shown)
    more = filter_query(shown, cursor=result.next_cursor or "") if result.next_cursor else ""
    return {
        "rows": look.rows(result.items),
        "filters": shown,
        "filter_errors": errors,
        "active_filters": sum(1 for v in shown.values() if v),
        "query": query,
        "next_url": f"/transactions?{more}" if more else "",
        "reload_url": "/transactions?" + filter_query(shown, partial="register"),
        "look": look,
        "cols": 7,
        "account_id": "",
        "back": "/transactions" + (f"?{query}" if query else ""),
    }


@router.get("/transactions")
def register(request: Request, page: PageDep, session: SessionDep) -> Response:
    look = lookups(session, page.ctx)
    context = register_context(request, page, session, look)
    partial = request.query_params.get("partial")
    if partial == "rows" and is_htmx(request):
        return render(request, "ledger/_rows.html", context, page=page)
    if partial == "register" and is_htmx(request):
        return render(request, "ledger/_register.html", context, page=page)
    first = look.open_accounts[0].id if look.open_accounts else ""
    context.update(
        editor=forms.blank(dt.date.today(), first),
        editor_errors={},
        payee_options=[(p.id, p.name) for p in service.list_payees(session, page.ctx)],
        tag_options=[(t.name, t.name) for t in service.list_tags(session, page.ctx)],
    )
    return render(request, "ledger/register.html", context, page=page)


@router.post("/transactions/bulk")
def bulk(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "action", "category", "tag", "back")
    ids = [str(i) for i in form.getlist("ids")]
    back = safe_next(data["back"], "/transactions")
    look = lookups(session, page.ctx)
    try:
        if data["action"] == "categorise":
            category_id = look.by_path.get(data["category"].casefold())
            if category_id is None:
                raise DomainError(f"no category called '{data['category']}'")
            result = edits.categorise(session, page.ctx, ids, category_id)
            message = f"{result.changed} categorised"
            if result.skipped:
                message += f"; {result.skipped} transfer(s) left as they were"
        elif data["action"] == "tag":
            result = edits.tag(session, page.ctx, ids, data["tag"])
            message = f"{result.changed} tagged '{data['tag'].strip()}'"
        elif data["action"] == "delete":
            result = edits.delete(session, page.ctx, ids)
            message = f"{result.changed} deleted"
        else:
            raise DomainError("pick an action")
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        text = "Nothing changed: " + error.detail.removeprefix("ids: ") + "."
        if is_htmx(request):
            return Response(text, status_code=422, headers=toast_header(text, "error"))
        sessions.set_flash(page.viewer.row, text, "error")
        return redirect(request, back)
    sessions.set_flash(page.viewer.row, message[:1].upper() + message[1:] + ".")
    return redirect(request, back)
