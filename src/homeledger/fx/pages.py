"""HTML page: the exchange rates the household entered (they override the ECB's for
their days), add or correct one, delete one, and try a conversion."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.fx import service
from homeledger.fx.schemas import RateCreate
from homeledger.kit.errors import DomainError
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import redirect
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = {"base": "base", "quote": "quote", "rate": "rate", "as_of": "as_of"}


def _page(
    request: Request, page: Page, session: Session, form: dict[str, str], errors: Errors
) -> Response:
    return render(
        request,
        "fx/rates.html",
        {"rates": service.list_rates(session, page.ctx), "form": form, "errors": errors},
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/exchange-rates")
def rates(request: Request, page: PageDep, session: SessionDep) -> Response:
    form = {"base": "USD", "quote": page.currency, "as_of": dt.date.today().isoformat()}
    return _page(request, page, session, form, {})


@router.post("/exchange-rates")
def add_rate(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "base", "quote", "as_of", "rate", "note")
    data["base"], data["quote"] = data["base"].upper(), data["quote"].upper()
    parsed, errors = validate(RateCreate, data)
    if parsed is None:
        return _page(request, page, session, data, errors)
    try:
        added = service.add_rate(session, page.ctx, parsed)
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _page(request, page, session, data, domain_errors(error, FIELDS))
    sessions.set_flash(
        page.viewer.row, f"1 {added.base} = {added.rate} {added.quote} from {added.as_of}."
    )
    return redirect(request, "/exchange-rates")


@router.post("/exchange-rates/{rate_id}/delete")
def delete_rate(request: Request, rate_id: str, page: PageDep, session: SessionDep) -> Response:
    service.delete_rate(session, page.ctx, rate_id)
    sessions.set_flash(page.viewer.row, "Deleted the rate.")
    return redirect(request, "/exchange-rates")
