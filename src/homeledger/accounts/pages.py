"""HTML pages: accounts (grouped, with balances), an account's register and balance
chart, edit and archive; categories (nest, move, rename, merge, delete)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.accounts import service
from homeledger.accounts.schemas import (
    AccountCreate,
    AccountRead,
    AccountUpdate,
    CategoryCreate,
    CategoryUpdate,
)
from homeledger.kit.errors import DomainError
from homeledger.kit.money import to_decimal, to_minor
from homeledger.kit.tenancy import Role
from homeledger.ledger import overview
from homeledger.ledger import service as ledger
from homeledger.ledger.pages.common import TYPE_LABELS, lookups
from homeledger.users.pages import CURRENCIES
from homeledger.web import sessions
from homeledger.web.deps import SessionDep, SettingsDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import is_htmx, redirect
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)
TYPES = [(k, v.removesuffix("s") if k != "cash" else v) for k, v in TYPE_LABELS.items()]
Cursor = Annotated[str | None, Query(max_length=200)]


@router.get("/accounts")
def accounts(request: Request, page: PageDep, session: SessionDep) -> Response:
    balances = {b.account_id: b for b in ledger.balances(session, page.ctx)}
    groups: dict[str, list[tuple[AccountRead, str]]] = {}
    archived: list[tuple[AccountRead, str]] = []
    totals: dict[str, dict[str, int]] = {}
    for account in service.list_accounts(session, page.ctx, include_archived=True):
        row = balances.get(account.id)
        balance = row.balance if row else "0"
        if account.is_archived:
            archived.append((account, balance))
            continue
        label = TYPE_LABELS.get(account.type, account.type)
        groups.setdefault(label, []).append((account, balance))
        if row:
            bucket = totals.setdefault(label, {})
            bucket[row.currency] = bucket.get(row.currency, 0) + to_minor(
                Decimal(row.balance), row.currency
            )
    ordered = {label: groups[label] for label in TYPE_LABELS.values() if label in groups}
    return render(
        request,
        "accounts/index.html",
        {"groups": ordered, "archived": archived, "totals": totals},
        page=page,
    )


def _account_form(
    request: Request, page: Page, form: dict[str, str], errors: Errors, account_id: str = ""
) -> Response:
    return render(
        request,
        "accounts/form.html",
        {
            "form": form,
            "errors": errors,
            "types": TYPES,
            "currencies": CURRENCIES,
            "account_id": account_id,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/accounts/new")
def new_account(request: Request, page: PageDep) -> Response:
    page.ctx.require(Role.EDITOR)
    return _account_form(
        request, page, {"type": "checking", "currency": page.currency, "opening_balance": ""}, {}
    )


@router.post("/accounts")
def create_account(
    request: Request, page: PageDep, session: SessionDep, settings: SettingsDep, form: FormDep
) -> Response:
    data = values(
        form,
        "name",
        "type",
        "kind",
        "currency",
        "opening_balance",
        "opening_date",
        "institution",
        "account_number",
        "note",
    )
    payload = {k: v for k, v in data.items() if v}
    payload["currency"] = data["currency"].upper()
    payload.setdefault("opening_balance", "0")
    parsed, errors = validate(AccountCreate, payload)
    if parsed is None:
        return _account_form(request, page, data, errors)
    try:
        created = service.create_account(session, page.ctx, parsed, settings.field_key())
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _account_form(
            request,
            page,
            data,
            domain_errors(
                error,
                {
                    "name": "name",
                    "currency": "currency",
                    "kind": "kind",
                    "opening_balance": "opening_balance",
                },
            ),
        )
    sessions.set_flash(page.viewer.row, f"Opened {created.name}.")
    return redirect(request, f"/accounts/{created.id}")


def _register_context(
    session: Session, page: Page, account_id: str, cursor: str | None
) -> dict[str, object]:
    look = lookups(session, page.ctx)
    reg = overview.account_register(session, page.ctx, account_id, cursor)
    rows = look.rows(
        [r.transaction for r in reg.rows], account_id, [r.balance_minor for r in reg.rows]
    )
    more = f"/accounts/{account_id}?cursor={reg.next_cursor}" if reg.next_cursor else ""
    return {
        "rows": rows,
        "look": look,
        "account_id": account_id,
        "next_url": more,
        "reload_url": f"/accounts/{account_id}?partial=register",
        "filter_errors": {},
        "active_filters": 0,
        "back": f"/accounts/{account_id}",
    }


@router.get("/accounts/{account_id}")
def account(
    request: Request, account_id: str, page: PageDep, session: SessionDep, cursor: Cursor = None
) -> Response:
    partial = request.query_params.get("partial")
    context = _register_context(session, page, account_id, cursor)
    if partial == "rows" and is_htmx(request):
        return render(request, "ledger/_rows.html", context, page=page)
    if partial == "register" and is_htmx(request):
        return render(request, "ledger/_register.html", context, page=page)
    info = service.get_account(session, page.ctx, account_id)
    currency = info.currency or page.currency
    history = overview.balance_history(session, page.ctx, account_id)
    chart = {
        "type": "line",
        "currency": currency,
        "locale": page.locale.replace("_", "-"),
        "points": [[d.isoformat(), float(to_decimal(v, currency))] for d, v in history],
    }
    context.update(
        account=info,
        type_label=TYPE_LABELS.get(info.type, info.type),
        balance=history[-1][1] if history else 0,
        chart=chart,
    )
    return render(request, "accounts/account.html", context, page=page)


@router.get("/accounts/{account_id}/edit")
def edit_account(request: Request, account_id: str, page: PageDep, session: SessionDep) -> Response:
    page.ctx.require(Role.EDITOR)
    info = service.get_account(session, page.ctx, account_id)
    form = {
        "name": info.name,
        "institution": info.institution,
        "note": info.note,
        "account_number": "",
        "masked": info.account_number_masked,
    }
    return _account_form(request, page, form, {}, account_id)


@router.post("/accounts/{account_id}/edit")
def update_account(
    request: Request,
    account_id: str,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    data = values(form, "name", "institution", "note", "account_number", "clear_number")
    payload: dict[str, object] = {
        "name": data["name"],
        "institution": data["institution"],
        "note": data["note"],
    }
    if data["account_number"] or data["clear_number"]:
        payload["account_number"] = data["account_number"] or None
    parsed, errors = validate(AccountUpdate, payload)
    if parsed is None:
        return _account_form(request, page, data, errors, account_id)
    try:
        service.update_account(session, page.ctx, account_id, parsed, settings.field_key())
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _account_form(
            request, page, data, domain_errors(error, {"name": "name"}), account_id
        )
    sessions.set_flash(page.viewer.row, "Account saved.")
    return redirect(request, f"/accounts/{account_id}")


@router.post("/accounts/{account_id}/archive")
def archive_account(
    request: Request,
    account_id: str,
    page: PageDep,
    session: SessionDep,
    settings: SettingsDep,
    form: FormDep,
) -> Response:
    archive = values(form, "archive")["archive"] == "1"
    updated = service.update_account(
        session, page.ctx, account_id, AccountUpdate(is_archived=archive), settings.field_key()
    )
    verb = "archived: it is hidden from pickers and totals" if archive else "back in use"
    sessions.set_flash(page.viewer.row, f"{updated.name} {verb}.")
    return redirect(request, f"/accounts/{account_id}")


# Categories


def _categories(
    request: Request,
    page: Page,
    session: Session,
    form: dict[str, str],
    errors: Errors,
    target: str = "",
) -> Response:
    categories = service.list_categories(session, page.ctx)
    return render(
        request,
        "accounts/categories.html",
        {
            "categories": categories,
            "form": form,
            "errors": errors,
            "target": target,
            "depth": {c.id: c.path.count(":") for c in categories},
            "parent_options": [(c.id, c.path) for c in categories],
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/categories")
def categories(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _categories(request, page, session, {"kind": "expense"}, {})


@router.post("/categories")
def create_category(
    request: Request, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form, "name", "kind", "parent_id")
    parsed, errors = validate(CategoryCreate, {**data, "parent_id": data["parent_id"] or None})
    if parsed is None:
        return _categories(request, page, session, data, errors)
    try:
        created = service.create_category(session, page.ctx, parsed)
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _categories(
            request,
            page,
            session,
            data,
            domain_errors(error, {"name": "name", "parent_id": "parent_id"}),
        )
    sessions.set_flash(page.viewer.row, f"Added {created.path}.")
    return redirect(request, "/categories")


@router.post("/categories/{category_id}")
def change_category(
    request: Request, category_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    """Rename and move (fields `name`, `parent_id`: '' keeps, 'top' moves to the top)."""
    data = values(form, "name", "parent_id")
    payload: dict[str, object] = {"name": data["name"]}
    if data["parent_id"] == "top":
        payload["move_to_top"] = True
    elif data["parent_id"]:
        payload["parent_id"] = data["parent_id"]
    parsed, errors = validate(CategoryUpdate, payload)
    if parsed is None:
        return _categories(request, page, session, data, errors, category_id)
    try:
        service.update_category(session, page.ctx, category_id, parsed)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _categories(
            request,
            page,
            session,
            data,
            domain_errors(error, {"name": "name", "parent_id": "parent_id"}),
            category_id,
        )
    sessions.set_flash(page.viewer.row, "Category saved.")
    return redirect(request, "/categories")


@router.post("/categories/{category_id}/merge")
def merge_category(
    request: Request, category_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    into = values(form, "into_id")["into_id"]
    try:
        merged = service.merge_category(session, page.ctx, category_id, into)
    except DomainError as error:
        if error.status_code in (403,):
            raise
        failed(session, error)
        return _categories(
            request, page, session, {}, {"into_id": domain_errors(error).popitem()[1]}, category_id
        )
    sessions.set_flash(page.viewer.row, f"Merged into {merged.path}.")
    return redirect(request, "/categories")


@router.post("/categories/{category_id}/delete")
def delete_category(
    request: Request, category_id: str, page: PageDep, session: SessionDep
) -> Response:
    try:
        service.delete_category(session, page.ctx, category_id)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _categories(
            request, page, session, {}, {"__all__": domain_errors(error).popitem()[1]}, category_id
        )
    sessions.set_flash(page.viewer.row, "Category deleted.")
    return redirect(request, "/categories")
