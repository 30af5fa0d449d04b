"""HTML pages: schedules and bills (what is due, missed, upcoming; post or skip a
reminder; run the posting job now; create and delete), and the cash-flow forecast."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.accounts.service import labels
from homeledger.kit.errors import DomainError
from homeledger.schedules import calc, forecasting, service
from homeledger.schedules.schemas import OccurrenceAction, ScheduleCreate
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import redirect
from homeledger.web.nav import NavItem, register
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Schedules", "/schedules", "s", 60, prefixes=("/forecast",)))

FREQUENCIES = [
    ("monthly", "Monthly on a day"),
    ("last-business-day", "Monthly on the last business day"),
    ("two-weeks", "Every two weeks"),
    ("weekly", "Every week"),
    ("yearly", "Every year"),
    ("custom", "Custom rule (RFC 5545)"),
]
RULE_FIELDS = {"rule": "frequency", "postings": "amount", "postings*": "amount", "bill": "bill_min"}


def _rule(data: dict[str, str]) -> str:
    frequency = data["frequency"]
    if frequency == "monthly":
        try:
            return calc.monthly_on_day(int(data["day"] or "1"))
        except ValueError:
            return "FREQ=MONTHLY;BYMONTHDAY=" + data["day"]
    return {
        "last-business-day": calc.LAST_BUSINESS_DAY,
        "two-weeks": calc.every_n_weeks(2),
        "weekly": calc.every_n_weeks(1),
        "yearly": "FREQ=YEARLY",
    }.get(frequency, data["rule"])


def _negate(text: str) -> str:
    return text[1:] if text.startswith("-") else "-" + text


def _payload(data: dict[str, str], currencies: dict[str, str]) -> dict[str, Any]:
    """The API's ScheduleCreate from the simple form: an amount out of (or into) an
    account, against a category or another account."""
    amount = data["amount"].strip()
    outgoing = data["direction"] != "in"
    currency = currencies.get(data["account_id"], "EUR")
    payload: dict[str, Any] = {
        "name": data["name"],
        "rule": _rule(data),
        "start_date": data["start_date"],
        "mode": data["mode"] or "auto-post",
        "payee": data["payee"],
        "postings": [
            {
                "account_id": data["account_id"],
                "amount": _negate(amount) if outgoing else amount,
                "currency": currency,
            },
            {
                "account_id": data["counter_id"],
                "amount": amount if outgoing else _negate(amount),
                "currency": currency,
            },
        ],
    }
    for name in ("until", "count"):
        if data[name]:
            payload[name] = data[name]
    if data["bill"]:
        low, high = data["bill_min"] or amount, data["bill_max"] or amount
        if outgoing:
            low, high = _negate(high), _negate(low)
        payload["bill"] = {"min_amount": low, "max_amount": high}
    return payload


def _index(
    request: Request, page: Page, session: Session, form: dict[str, str], errors: Errors
) -> Response:
    today = dt.date.today()
    names = labels(session, page.ctx)
    accounts = [
        (i, name) for i, (name, kind) in names.items() if kind in (Kind.ASSET, Kind.LIABILITY)
    ]
    counters = [(i, name) for i, (name, kind) in names.items() if kind != Kind.EQUITY]
    listed = service.list_schedules(session, page.ctx, today)
    bills = [
        occurrence
        for schedule in listed
        if schedule.bill is not None
        for occurrence in service.occurrences(
            session, page.ctx, schedule.id, today - dt.timedelta(days=45), today, today
        )
    ]
    return render(
        request,
        "schedules/index.html",
        {
            "plan": service.upcoming(session, page.ctx, today),
            "schedules": listed,
            "bills": sorted(bills, key=lambda o: (o.on, o.name), reverse=True),
            "names": {i: name for i, (name, _) in names.items()},
            "accounts": sorted(accounts, key=lambda a: a[1].casefold()),
            "counters": sorted(counters, key=lambda a: a[1].casefold()),
            "frequencies": FREQUENCIES,
            "form": form,
            "errors": errors,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/schedules")
def schedules(request: Request, page: PageDep, session: SessionDep) -> Response:
    form = {"frequency": "monthly", "day": "1", "direction": "out", "mode": "auto-post"}
    form["start_date"] = dt.date.today().isoformat()
    return _index(request, page, session, form, {})


@router.post("/schedules")
def create_schedule(
    request: Request, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(
        form,
        "name", "frequency", "day", "rule", "start_date", "until", "count", "account_id",
        "counter_id", "amount", "direction", "mode", "payee", "bill", "bill_min", "bill_max",
    )  # fmt: skip
    try:
        Decimal(data["amount"] or "x")
    except InvalidOperation:
        return _index(request, page, session, data, {"amount": "Enter an amount such as 12.50."})
    currencies = {
        a.id: a.currency or page.currency for a in accounts.list_accounts(session, page.ctx)
    }
    parsed, errors = validate(ScheduleCreate, _payload(data, currencies), RULE_FIELDS)
    if parsed is None:
        return _index(request, page, session, data, errors)
    try:
        created = service.create(session, page.ctx, parsed, dt.date.today())
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _index(request, page, session, data, domain_errors(error, RULE_FIELDS))
    sessions.set_flash(page.viewer.row, f"Scheduled {created.name}.")
    return redirect(request, "/schedules")


@router.post("/schedules/run")
def run(request: Request, page: PageDep, session: SessionDep) -> Response:
    result = service.post_due(session, page.ctx, dt.date.today())
    sessions.set_flash(
        page.viewer.row, f"Posted {len(result.posted)}; bills found paid: {len(result.paid)}."
    )
    return redirect(request, "/schedules")


@router.post("/schedules/{schedule_id}/occurrences")
def act(
    request: Request, schedule_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    data = values(form, "date", "action")
    parsed, errors = validate(OccurrenceAction, data)
    if parsed is None:
        return _index(request, page, session, {}, errors)
    try:
        done = service.act(session, page.ctx, schedule_id, parsed, dt.date.today())
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _index(request, page, session, {}, domain_errors(error))
    sessions.set_flash(page.viewer.row, f"{done.name} on {done.on}: {done.status}.")
    return redirect(request, "/schedules")


@router.post("/schedules/{schedule_id}/delete")
def delete(request: Request, schedule_id: str, page: PageDep, session: SessionDep) -> Response:
    service.delete(session, page.ctx, schedule_id)
    sessions.set_flash(page.viewer.row, "Deleted the schedule; its transactions stay.")
    return redirect(request, "/schedules")


@router.get("/forecast")
def forecast(
    request: Request,
    page: PageDep,
    session: SessionDep,
    days: Annotated[int, Query(ge=7, le=731)] = 90,
) -> Response:
    result = forecasting.cash_flow_forecast(session, page.ctx, dt.date.today(), days)
    chart = {
        "type": "line",
        "currency": result.currency,
        "locale": page.locale.replace("_", "-"),
        "points": [
            [day.isoformat(), float(Decimal(balance))]
            for day, balance in zip(result.days, result.total.balances, strict=True)
        ],
    }
    return render(
        request,
        "schedules/forecast.html",
        {"forecast": result, "chart": chart, "days": days},
        page=page,
    )
