"""One way of rendering errors: problem+json (RFC 9457) for the API."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError as DBAPIDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from homeledger.kit.errors import DomainError

PROBLEM = "application/problem+json"
log = structlog.get_logger("homeledger.web")


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for part in parts:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "request"


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return problem_response(exc.status_code, exc.problem(), headers)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field(tuple(e.get("loc", ()))), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    body = {
        "type": "https://homeledger.dev/problems/invalid-input",
        "title": "Invalid input",
        "status": 422,
        "detail": detail,
        "errors": errors,
    }
    return problem_response(422, body)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    body = {
        "type": f"https://homeledger.dev/problems/http-{exc.status_code}",
        "title": str(exc.detail),
        "status": exc.status_code,
        "detail": str(exc.detail),
    }
    return problem_response(exc.status_code, body, dict(exc.headers or {}))


async def database_data_error(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL refuses NUL bytes in text; one that slipped past the schemas (a form
    field, a header) is the client's input error, not a server fault."""
    if "NUL" in str(exc):
        body = {
            "type": "https://homeledger.dev/problems/invalid-input",
            "title": "Invalid input",
            "status": 422,
            "detail": "a value contains a NUL byte",
        }
        return problem_response(422, body)
    return await unexpected_error(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path)
    body = {
        "type": "https://homeledger.dev/problems/internal",
        "title": "Internal error",
        "status": 500,
        "detail": "something went wrong on our side; nothing was changed",
    }
    return problem_response(500, body)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DBAPIDataError, database_data_error)
    app.add_exception_handler(Exception, unexpected_error)
