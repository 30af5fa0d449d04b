"""The server-rendered web UI: mounted by create_app.

Adds the browser session cookie and CSRF middleware, the built static files, the page
routers of every domain, and error handlers that answer pages in HTML (a full error
page, or a toast for htmx) while the API keeps its problem+json.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from homeledger.config import Settings
from homeledger.kit.errors import DomainError
from homeledger.kit.ratelimit import make_limiter
from homeledger.web import problems
from homeledger.web.csrf import BrowserSessionMiddleware
from homeledger.web.htmx import is_htmx, redirect, toast_header
from homeledger.web.pagectx import HouseholdRequired, SignInRequired, sign_in_url
from homeledger.web.static_files import router as static_router
from homeledger.web.static_files import static_app
from homeledger.web.templating import render

Handler = Callable[[Request, Exception], Awaitable[Response]]
API_PREFIXES = ("/api/", "/health/", "/metrics")


def _is_page(request: Request) -> bool:
    return not request.url.path.startswith(API_PREFIXES)


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    if is_htmx(request):
        return Response(detail, status_code=status, headers=toast_header(detail, "error"))
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "detail": detail},
        status_code=status,
    )


def _negotiated(api: Handler, page: Handler) -> Handler:
    async def handler(request: Request, exc: Exception) -> Response:
        return await (page if _is_page(request) else api)(request, exc)

    return handler


async def _page_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_page(request, exc.status_code, exc.title, exc.detail)


async def _page_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "Not found", "There is no page at this address.")
    return error_page(request, exc.status_code, str(exc.detail), str(exc.detail))


async def _page_validation_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 422, "Invalid input", "The request was not understood.")


async def _page_unexpected(request: Request, exc: Exception) -> Response:
    await problems.unexpected_error(request, exc)  # logs it
    return error_page(
        request, 500, "Something went wrong", "Something went wrong on our side; nothing changed."
    )


async def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    return redirect(request, sign_in_url(exc.next_url))


async def _household_required(request: Request, exc: Exception) -> Response:
    return redirect(request, "/households")


def install_ui(app: FastAPI, settings: Settings) -> None:
    """Adds the HTML pages, static assets and web sessions to the app."""
    from homeledger.accounts.pages import router as accounts_pages
    from homeledger.ledger.pages import router as ledger_pages
    from homeledger.users.pages import router as users_pages

    app.add_middleware(
        BrowserSessionMiddleware, secret=settings.secret_key, secure=settings.is_production
    )
    # Sign-in and sign-up forms are limited like the API's auth routes (per address).
    app.state.web_auth_limiter = make_limiter(settings.redis_url)
    app.mount("/static", static_app(), name="static")
    for router in (static_router, users_pages, accounts_pages, ledger_pages):
        app.include_router(router)
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(HouseholdRequired, _household_required)
    app.add_exception_handler(DomainError, _negotiated(problems.domain_error, _page_domain_error))
    app.add_exception_handler(
        RequestValidationError, _negotiated(problems.validation_error, _page_validation_error)
    )
    app.add_exception_handler(
        StarletteHTTPException, _negotiated(problems.http_error, _page_http_error)
    )
    app.add_exception_handler(Exception, _negotiated(problems.unexpected_error, _page_unexpected))
