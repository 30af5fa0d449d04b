"""HTML pages: budgets (list, create), the period view (assign, cover overspending, fill
from templates, alerts) with a chart of budgeted against spent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.accounts.models import Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.budgets import service, suggestions
from homeledger.budgets.closing import budget_rule
from homeledger.budgets.models import TemplateKind
from homeledger.budgets.schemas import (
    ApplyTemplates,
    AssignmentSet,
    BudgetCreate,
    CoverCreate,
    TemplateIn,
)
from homeledger.kit.errors import DomainError
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import redirect
from homeledger.web.nav import NavItem, register
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Budget", "/budgets", "b", 50))

PERIODS = [
    ("calendar-month", "Calendar month"),
    ("month-from-day", "Month from a day (pay day)"),
    ("every-n-weeks", "Every two weeks"),
    ("twice-monthly", "Twice a month (1st and 15th)"),
]
MODES = [("envelope", "Envelopes (zero-based)"), ("tracking", "Limits (tracking)")]
DayParam = Annotated[dt.date | None, Query(alias="date")]


def _index(
    request: Request, page: Page, session: Session, form: dict[str, str], errors: Errors
) -> Response:
    return render(
        request,
        "budgets/index.html",
        {
            "budgets": service.list_budgets(session, page.ctx),
            "form": form,
            "errors": errors,
            "periods": PERIODS,
            "modes": MODES,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/budgets")
def budgets(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _index(request, page, session, {"mode": "envelope", "period": "calendar-month"}, {})


@router.post("/budgets")
def create_budget(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "name", "mode", "period", "day", "anchor", "starts_on")
    period: dict[str, Any] = {"kind": data["period"] or "calendar-month"}
    if data["day"]:
        period["day"] = data["day"]
    if data["anchor"]:
        period["anchor"] = data["anchor"]
    payload: dict[str, Any] = {"name": data["name"], "mode": data["mode"], "period": period}
    if data["starts_on"]:
        payload["starts_on"] = data["starts_on"]
    parsed, errors = validate(
        BudgetCreate, payload, {"period.day": "day", "period.anchor": "anchor"}
    )
    if parsed is None:
        return _index(request, page, session, data, errors)
    try:
        created = service.create_budget(session, page.ctx, parsed)
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        rename = {"name": "name", "period": "day"}
        return _index(request, page, session, data, domain_errors(error, rename))
    sessions.set_flash(page.viewer.row, f"Created the budget {created.name}.")
    return redirect(request, f"/budgets/{created.id}")


def _chart(view: Any, currency: str, locale: str) -> dict[str, Any]:
    rows = [r for r in view.lines if Decimal(r.budgeted) or Decimal(r.spent)][:20]
    return {
        "type": "bar",
        "currency": currency,
        "locale": locale.replace("_", "-"),
        "labels": [r.path for r in rows],
        "series": [
            {"name": "Budgeted", "values": [float(Decimal(r.budgeted)) for r in rows]},
            {"name": "Spent", "values": [float(Decimal(r.spent)) for r in rows]},
        ],
    }


def _period_page(
    request: Request,
    page: Page,
    session: Session,
    budget_id: str,
    day: dt.date,
    errors: Errors | None = None,
) -> Response:
    view = service.period_view(session, page.ctx, budget_id, day)
    budget = service.get_budget(session, page.ctx, budget_id)
    rule = budget_rule(service.get_budget_model(session, page.ctx, budget_id))
    start = view.period.start
    previous = rule.containing(start - dt.timedelta(days=1)).start
    categories = AccountRepository(session).of_kinds(page.ctx, {Kind.EXPENSE}, False)
    return render(
        request,
        "budgets/budget.html",
        {
            "budget": budget,
            "view": view,
            "previous": previous,
            "next": view.period.end,
            "chart": _chart(view, view.currency, page.locale),
            "sources": [(line.category_id, line.path) for line in view.lines if not line.overspent],
            "categories": categories,
            "errors": errors or {},
            "register": {
                line.category_id: f"/transactions?category={line.category_id}"
                f"&from={start}&to={view.period.last_day}"
                for line in view.lines
            },
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/budgets/{budget_id}")
def budget(
    request: Request, budget_id: str, page: PageDep, session: SessionDep, day: DayParam = None
) -> Response:
    return _period_page(request, page, session, budget_id, day or dt.date.today())


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return dt.date.today()


def _back(request: Request, page: Page, budget_id: str, day: dt.date, message: str) -> Response:
    sessions.set_flash(page.viewer.row, message)
    return redirect(request, f"/budgets/{budget_id}?date={day.isoformat()}")


@router.post("/budgets/{budget_id}/assign")
def assign(
    request: Request, budget_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form, "category_id", "date", "amount")
    day = _day(data["date"])
    parsed, errors = validate(AssignmentSet, {**data, "amount": data["amount"] or "0"})
    if parsed is None:
        return _period_page(request, page, session, budget_id, day, errors)
    try:
        result = service.assign(session, page.ctx, budget_id, parsed)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _period_page(request, page, session, budget_id, day, domain_errors(error))
    return _back(request, page, budget_id, day, f"Assigned {result.amount}.")


@router.post("/budgets/{budget_id}/cover")
def cover(
    request: Request, budget_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form, "date", "overspent_category_id", "source_category_id")
    day = _day(data["date"])
    parsed, errors = validate(CoverCreate, data)
    if parsed is None:
        return _period_page(request, page, session, budget_id, day, errors)
    try:
        move = service.cover(session, page.ctx, budget_id, parsed)
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _period_page(request, page, session, budget_id, day, domain_errors(error))
    return _back(request, page, budget_id, day, f"Moved {move.amount} to cover the overspending.")


@router.post("/budgets/{budget_id}/templates")
def apply_templates(
    request: Request, budget_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    """`kind=copy-last` copies the previous period's assignments; otherwise each
    category's own template fills the period."""
    data = values(form, "date", "kind")
    day = _day(data["date"])
    template = TemplateIn(kind=TemplateKind.COPY_LAST) if data["kind"] == "copy-last" else None
    try:
        suggestions.apply_templates(
            session, page.ctx, budget_id, ApplyTemplates(date=day, template=template)
        )
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _period_page(request, page, session, budget_id, day, domain_errors(error))
    return _back(request, page, budget_id, day, "Filled the period from the templates.")
