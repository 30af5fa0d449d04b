"""ASGI middleware: request ids, access logs, metrics and security headers."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeledger.kit import metrics

log = structlog.get_logger("homeledger.access")
REQUEST_ID = re.compile(r"^[\w\-]{8,64}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
]
# The API docs page loads Swagger UI from its CDN and runs an inline bootstrap script.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    b"https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    # Unmatched paths are one label, so scanners cannot blow up the metric's cardinality.
    return str(path) if path else "unmatched"


class RequestContextMiddleware:
    """Request id (taken from X-Request-ID when sane, else new), timing, logs, metrics."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        start = time.perf_counter()
        metrics.HTTP_IN_PROGRESS.inc()
        is_docs = scope["path"] in ("/api/docs", "/api/redoc")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra: list[tuple[bytes, bytes]] = [(b"x-request-id", request_id.encode())]
                for name, value in SECURITY_HEADERS:
                    if name == b"content-security-policy" and is_docs:
                        value = DOCS_CSP
                    extra.append((name, value))
                if self.hsts:
                    extra.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k not in existing
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            metrics.HTTP_IN_PROGRESS.dec()
            route = _route_template(scope)
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, route).observe(elapsed)
            fields: dict[str, Any] = {
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(elapsed * 1000, 2),
            }
            if status >= 500:
                log.error("request", **fields)
            elif route not in ("/health/live", "/metrics"):
                log.info("request", **fields)
            structlog.contextvars.unbind_contextvars("request_id")


class RateLimitMiddleware:
    """Limits per client address: tight on sign-in and sign-up, looser on the API."""

    def __init__(
        self, app: ASGIApp, limiter: Any, auth_per_minute: int, api_per_minute: int
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.auth_limit = auth_per_minute
        self.api_limit = api_per_minute

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        is_auth = scope["path"].startswith("/api/v1/auth/") and scope["method"] == "POST"
        bucket, limit = ("auth", self.auth_limit) if is_auth else ("api", self.api_limit)
        if self.limiter.hit(f"{bucket}:{client}", limit):
            await self.app(scope, receive, send)
            return
        body = (
            b'{"type":"https://homeledger.dev/problems/rate-limited","title":"Too many requests",'
            b'"status":429,"detail":"too many requests; wait a minute and try again"}'
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"retry-after", b"60"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RejectNulMiddleware:
    """A URL with a NUL byte is refused at the door: PostgreSQL cannot compare text with
    NUL, so such an id would otherwise surface as a database error instead of a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (
            "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")
        ):
            body = (
                b'{"type":"https://homeledger.dev/problems/invalid-input","title":"Invalid input",'
                b'"status":400,"detail":"the URL contains a NUL byte"}'
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
