"""Payees and tags: list, create, rename, merge, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.kit.errors import DomainError
from homeledger.ledger import service
from homeledger.ledger.schemas import PayeeCreate, TagCreate
from homeledger.web import sessions
from homeledger.web.deps import SessionDep
from homeledger.web.forms import Errors, domain_errors, failed, validate, values
from homeledger.web.htmx import redirect
from homeledger.web.pagectx import FormDep, Page, PageDep
from homeledger.web.templating import render

router = APIRouter()


def _payees(
    request: Request,
    page: Page,
    session: Session,
    form: dict[str, str],
    errors: Errors,
    target: str = "",
) -> Response:
    return render(
        request,
        "ledger/payees.html",
        {
            "payees": service.list_payees(session, page.ctx),
            "form": form,
            "errors": errors,
            "target": target,
        },
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/payees")
def payees(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _payees(request, page, session, {}, {})


@router.post("/payees")
def create_payee(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "name")
    parsed, errors = validate(PayeeCreate, data)
    if parsed is None:
        return _payees(request, page, session, data, errors)
    try:
        service.create_payee(session, page.ctx, parsed.name)
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _payees(request, page, session, data, domain_errors(error, {"name": "name"}))
    sessions.set_flash(page.viewer.row, f"Added {parsed.name}.")
    return redirect(request, "/payees")


@router.post("/payees/{payee_id}")
def change_payee(
    request: Request, payee_id: str, page: PageDep, session: SessionDep, form: FormDep
) -> Response:
    """Rename (field `name`) or merge into another payee (field `into_id`)."""
    data = values(form, "name", "into_id")
    try:
        if data["into_id"]:
            target = service.merge_payee(session, page.ctx, payee_id, data["into_id"])
            message = f"Merged into {target.name}."
        else:
            parsed, errors = validate(PayeeCreate, {"name": data["name"]})
            if parsed is None:
                return _payees(request, page, session, data, errors, payee_id)
            service.rename_payee(session, page.ctx, payee_id, parsed.name)
            message = "Payee renamed."
    except DomainError as error:
        if error.status_code in (403, 404):
            raise
        failed(session, error)
        return _payees(
            request,
            page,
            session,
            data,
            domain_errors(error, {"name": "name", "into_id": "into_id"}),
            payee_id,
        )
    sessions.set_flash(page.viewer.row, message)
    return redirect(request, "/payees")


@router.post("/payees/{payee_id}/delete")
def delete_payee(request: Request, payee_id: str, page: PageDep, session: SessionDep) -> Response:
    service.delete_payee(session, page.ctx, payee_id)
    sessions.set_flash(page.viewer.row, "Payee deleted; its transactions keep their amounts.")
    return redirect(request, "/payees")


def _tags(
    request: Request, page: Page, session: Session, form: dict[str, str], errors: Errors
) -> Response:
    return render(
        request,
        "ledger/tags.html",
        {"tags": service.list_tags(session, page.ctx), "form": form, "errors": errors},
        page=page,
        status_code=422 if errors else 200,
    )


@router.get("/tags")
def tags(request: Request, page: PageDep, session: SessionDep) -> Response:
    return _tags(request, page, session, {}, {})


@router.post("/tags")
def create_tag(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    data = values(form, "name")
    parsed, errors = validate(TagCreate, data)
    if parsed is None:
        return _tags(request, page, session, data, errors)
    try:
        service.create_tag(session, page.ctx, parsed.name)
    except DomainError as error:
        if error.status_code == 403:
            raise
        failed(session, error)
        return _tags(request, page, session, data, domain_errors(error, {"name": "name"}))
    sessions.set_flash(page.viewer.row, f"Added tag {parsed.name}.")
    return redirect(request, "/tags")


@router.post("/tags/{tag_id}/delete")
def delete_tag(request: Request, tag_id: str, page: PageDep, session: SessionDep) -> Response:
    service.delete_tag(session, page.ctx, tag_id)
    sessions.set_flash(page.viewer.row, "Tag deleted.")
    return redirect(request, "/tags")
