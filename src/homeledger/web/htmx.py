"""Responses that behave for both plain browser requests and htmx requests."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def toast_header(text: str, level: str = "success") -> dict[str, str]:
    """HX-Trigger that makes app.js show a toast (ASCII-safe JSON)."""
    return {"HX-Trigger": json.dumps({"hl-toast": {"level": level, "text": text}})}


def redirect(request: Request, url: str) -> Response:
    """303 See Other for forms; for htmx, HX-Redirect so the whole page changes."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: a sign-in link cannot send anyone to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
