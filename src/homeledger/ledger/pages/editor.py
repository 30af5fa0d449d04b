"""Adding and editing transactions: quick add, splits, transfers, inline edit, delete."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from markupsafe import escape
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from homeledger.accounts import service as accounts
from homeledger.kit.errors import DomainError
from homeledger.kit.tenancy import Role
from homeledger.ledger import edits, service
from homeledger.ledger.pages import forms
from homeledger.ledger.pages.common import Lookups, lookups
from homeledger.ledger.schemas import TransactionRead, TransactionUpdate
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, domain_errors, failed, values
from homeledger.web.htmx import is_htmx, redirect, safe_next, toast_header
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter()
AccountQ = Annotated[str, Query(alias="account", max_length=32)]
# Where a service names a field, which editor field shows it.
FIELDS = {
    "from_account_id": "from_account_id",
    "to_account_id": "to_account_id",
    "amount": "amount",
    "to_amount": "to_amount",
    "date": "date",
    "postings*": "__all__",
}


def _editor(
    request: Request,
    page: Page,
    look: Lookups,
    editor: forms.Values,
    errors: Errors,
    mode: str,
    txn_id: str = "",
    account_id: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The editor as a fragment (htmx) or inside its own page."""
    context: dict[str, Any] = {
        "editor": editor,
        "editor_errors": errors,
        "look": look,
        "mode": mode,
        "txn_id": txn_id,
        "account_id": account_id,
        "back": safe_next(
            request.headers.get("hx-current-url", "").partition(str(request.base_url).rstrip("/"))[
                2
            ]
            or None,
            "/transactions",
        ),
    }
    if is_htmx(request):
        template = "ledger/_edit_row.html" if mode == "inline" else "ledger/_quick_add.html"
    else:
        template = "ledger/edit.html"
    return render(request, template, context, page=page, status_code=status_code, headers=headers)


@router.get("/transactions/new")
def new(
    request: Request,
    page: PageDep,
    session: SessionDep,
    kind: str = "entry",
    account_id: AccountQ = "",
) -> Response:
    look = lookups(session, page.ctx)
    first = account_id or (look.open_accounts[0].id if look.open_accounts else "")
    mode = "quick" if is_htmx(request) else "page"
    return _editor(
        request,
        page,
        look,
        forms.blank(dt.date.today(), first, "transfer" if kind == "transfer" else "entry"),
        {},
        mode,
    )


@router.get("/transactions/line")
def line(request: Request, page: PageDep, session: SessionDep) -> Response:
    return render(
        request,
        "ledger/_line.html",
        {"line": forms.Line(), "index": 0, "uid": secrets.token_hex(4), "errors": {}},
        page=page,
    )


@router.get("/payees/suggest")
def suggest_payees(
    page: PageDep, session: SessionDep, payee: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    needle = payee.strip().casefold()
    names = [p.name for p in service.list_payees(session, page.ctx)]
    hits = [n for n in names if n.casefold().startswith(needle)]
    hits += [n for n in names if needle in n.casefold() and n not in hits]
    html = "".join(f'<option value="{escape(n)}"></option>' for n in hits[:12])
    return HTMLResponse(html)


def _save(
    session: Session, page: Page, look: Lookups, form: Any, txn_id: str = "", version: int = 0
) -> tuple[TransactionRead | None, forms.Values, Errors]:
    """Parses the editor and creates or updates; errors come back beside their fields."""
    if values(form, "kind")["kind"] == "transfer":
        data, shown, errors = forms.parse_transfer(form, look.accounts, page.locale)
        if data is None:
            return None, shown, errors
        try:
            if txn_id:
                return edits.update_transfer(session, page.ctx, txn_id, data, version), shown, {}
            return service.transfer(session, page.ctx, data), shown, {}
        except DomainError as error:
            if error.status_code in (403, 404):
                raise
            failed(session, error)
            return None, shown, domain_errors(error, FIELDS)
    entry = forms.parse_entry(form, look.accounts, look.by_path, page.locale)
    if entry.errors:
        return None, entry.values, entry.errors
    try:
        unsorted = None
        if any(category is None for category, _, _ in entry.lines):
            unsorted = accounts.uncategorised_category(session, page.ctx, entry.unsorted_kind)
        entry_data = forms.build_entry(
            entry, unsorted, str(entry.values["payee"]), str(entry.values["memo"])
        )
        if txn_id:
            update = TransactionUpdate(**entry_data.model_dump(), version=version)
            return service.update(session, page.ctx, txn_id, update), entry.values, {}
        return service.create(session, page.ctx, entry_data), entry.values, {}
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return None, entry.values, domain_errors(error, {**FIELDS, "amount": "lines.0.amount"})


@router.post("/transactions")
def create(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    page.ctx.require(Role.EDITOR)
    look = lookups(session, page.ctx)
    created, shown, errors = _save(session, page, look, form)
    mode = "quick" if is_htmx(request) else "page"
    if created is None:
        return _editor(request, page, look, shown, errors, mode, status_code=422)
    message = "Transaction added." if shown.get("kind") == "entry" else "Transfer added."
    if not is_htmx(request):
        sessions.set_flash(page.viewer.row, message)
        return redirect(request, safe_next(values(form, "back")["back"], "/transactions"))
    fresh = forms.blank(
        created.date,
        str(shown.get("account_id") or shown.get("from_account_id") or ""),
        str(shown.get("kind", "entry")),
    )
    headers = _changed(message)
    return _editor(request, page, look, fresh, {}, mode, headers=headers)


def _changed(message: str) -> dict[str, str]:
    return {
        "HX-Trigger": json.dumps(
            {"hl-toast": {"level": "success", "text": message}, "ledger-changed": True}
        )
    }


def _transaction_or_404(session: Session, page: Page, txn_id: str) -> TransactionRead:
    return service.get(session, page.ctx, txn_id)


@router.get("/transactions/{txn_id}/edit")
def edit(
    request: Request, txn_id: str, page: PageDep, session: SessionDep, account_id: AccountQ = ""
) -> Response:
    page.ctx.require(Role.EDITOR)
    txn = _transaction_or_404(session, page, txn_id)
    look = lookups(session, page.ctx)
    shown = forms.from_transaction(txn, look.labels, look.line_names)
    if shown is None:
        text = "This transaction has more parts than the web editor shows; edit it via the API."
        if is_htmx(request):
            return Response(text, status_code=409, headers=toast_header(text, "error"))
        shown = {"kind": "complex"}
    mode = "inline" if is_htmx(request) else "page"
    return _editor(request, page, look, shown, {}, mode, txn_id=txn.id, account_id=account_id)


@router.get("/transactions/{txn_id}/row")
def row(
    request: Request, txn_id: str, page: PageDep, session: SessionDep, account_id: AccountQ = ""
) -> Response:
    txn = _transaction_or_404(session, page, txn_id)
    look = lookups(session, page.ctx)
    return render(
        request,
        "ledger/_row.html",
        {"row": look.rows([txn])[0], "look": look, "account_id": account_id},
        page=page,
    )


@router.post("/transactions/{txn_id}")
def update(
    request: Request, txn_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    page.ctx.require(Role.EDITOR)
    look = lookups(session, page.ctx)
    account_id = values(form, "account_context")["account_context"]
    try:
        version = int(values(form, "version")["version"])
    except ValueError:
        version = 0
    saved, shown, errors = _save(session, page, look, form, txn_id, version)
    mode = "inline" if is_htmx(request) else "page"
    if saved is None:
        shown["version"] = version
        return _editor(
            request,
            page,
            look,
            shown,
            errors,
            mode,
            txn_id=txn_id,
            account_id=account_id,
            status_code=422,
        )
    if not is_htmx(request):
        sessions.set_flash(page.viewer.row, "Transaction saved.")
        return redirect(request, safe_next(values(form, "back")["back"], "/transactions"))
    if account_id:  # running balances below it changed: the register reloads
        return Response(status_code=204, headers=_changed("Transaction saved."))
    return render(
        request,
        "ledger/_row.html",
        {"row": look.rows([saved])[0], "look": look, "account_id": ""},
        page=page,
        headers=toast_header("Transaction saved."),
    )


@router.post("/transactions/{txn_id}/delete")
def delete(
    request: Request, txn_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    service.delete(session, page.ctx, txn_id)
    if is_htmx(request):
        return Response(status_code=200, headers=_changed("Transaction deleted."))
    sessions.set_flash(page.viewer.row, "Transaction deleted.")
    return redirect(request, safe_next(values(form, "back")["back"], "/transactions"))
