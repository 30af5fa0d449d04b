"""Jinja2 for the pages: one environment, the money and date filters, asset URLs, and
`render`, which gives every page the same context (user, household, CSRF, nav, flash)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from homeledger.kit.money import to_decimal
from homeledger.web import assets
from homeledger.web.nav import nav_for

if TYPE_CHECKING:
    from homeledger.web.pagectx import Page, Viewer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DEFAULT_LOCALE = "en_US"


def as_decimal(value: int | str | Decimal | None, currency: str) -> Decimal:
    """Minor units (int) or a decimal string/Decimal, as a Decimal amount."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise TypeError("not an amount")
    if isinstance(value, int):
        return to_decimal(value, currency)
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal(0)


def money(value: int | str | Decimal | None, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """'€1,234.50' / '1.234,50 €' in the household's locale. Ints are minor units."""
    amount = as_decimal(value, currency)
    try:
        return str(format_currency(amount, currency, locale=locale))
    except (ValueError, LookupError):
        return str(format_currency(amount, currency, locale=DEFAULT_LOCALE))


def sign_class(value: int | str | Decimal | None, currency: str = "EUR") -> str:
    amount = as_decimal(value, currency)
    return "neg" if amount < 0 else ("zero" if amount == 0 else "pos")


def number(value: int | str | Decimal, locale: str = DEFAULT_LOCALE) -> str:
    return str(format_decimal(value, locale=locale))


def date(value: dt.date | None, locale: str = DEFAULT_LOCALE, fmt: str = "medium") -> str:
    """A day in the household's format; fmt 'auto' drops the year of this year's days
    ('Nov 22', but 'Nov 22, 2025'), for compact registers."""
    if value is None:
        return ""
    if fmt == "auto":
        skeleton = "MMMd" if value.year == dt.date.today().year else "yMMMd"
        try:
            return str(format_skeleton(skeleton, value, locale=locale))
        except (ValueError, LookupError):
            return str(format_skeleton(skeleton, value, locale=DEFAULT_LOCALE))
    try:
        return str(format_date(value, format=fmt, locale=locale))
    except (ValueError, LookupError):
        return str(format_date(value, format=fmt, locale=DEFAULT_LOCALE))


def to_json(value: Any) -> str:
    """JSON for a <script type="application/json"> data block: '<' is escaped, so the
    data can never close the element."""
    return (
        json.dumps(value, default=str, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        money=money, sign_class=sign_class, date=date, number=number, tojson_safe=to_json
    )
    env.globals.update(asset=assets.url)
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    page: Page | None = None,
    viewer: Viewer | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A full page or a fragment. Full pages (not htmx requests) take the flash."""
    is_htmx = request.headers.get("hx-request") == "true"
    viewer = viewer or (page.viewer if page else None)
    flash = None
    if viewer is not None and not is_htmx:
        from homeledger.web.sessions import pop_flash

        flash = pop_flash(viewer.row)
    values: dict[str, Any] = {
        "request": request,
        "path": request.url.path,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "viewer": viewer,
        "user": viewer.user if viewer else None,
        "page": page,
        "household": page.household if page else None,
        "can_edit": bool(page and page.can_edit),
        "is_owner": bool(page and page.is_owner),
        "locale": page.household.locale if page else DEFAULT_LOCALE,
        "currency": page.household.base_currency if page else "EUR",
        "nav": nav_for(page.ctx.role if page else None, request.url.path),
        "flash": flash,
        "today": dt.date.today(),
    }
    values.update(context or {})
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code, headers=headers)
