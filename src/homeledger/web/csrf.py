"""The browser's session cookie and CSRF protection, as ASGI middleware.

Every browser gets an opaque session id in an HttpOnly, SameSite=Lax cookie (Secure and
`__Host-` prefixed in production). Signed-in sessions live in the database under the
id's digest (web/sessions.py); anonymous ones are only the cookie, so sign-in forms are
protected too. The CSRF token is an HMAC of the session id: per session, and checkable
here, before any handler runs, without a database read.

Every non-GET request outside the API must carry the token, in the X-CSRF-Token header
(htmx requests; app.js adds it) or the `csrf_token` form field (plain forms); anything
else answers 403. The JSON API is exempt: it authenticates with bearer tokens only, never
with this cookie, so a forged cross-site request carries no credentials there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from http.cookies import CookieError, SimpleCookie

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIXES = ("/api/", "/health/", "/metrics", "/static/", "/favicon.ico", "/sw.js")
SID_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{40,64}$")
SESSION_DAYS = 30


def cookie_name(secure: bool) -> str:
    # __Host- cookies must be Secure, host-only and Path=/: no subdomain can plant one.
    return "__Host-hl_session" if secure else "hl_session"


def new_sid() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str, sid: str) -> str:
    return hmac.new(secret.encode(), b"csrf|" + sid.encode(), hashlib.sha256).hexdigest()


def cookie_header(sid: str, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{cookie_name(secure)}={sid}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def _read_cookie(headers: list[tuple[bytes, bytes]], name: str) -> str:
    for key, value in headers:
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except CookieError:
                continue
            morsel = jar.get(name)
            if morsel is not None and SID_PATTERN.match(morsel.value):
                return morsel.value
    return ""


async def _buffer(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


FORBIDDEN_HTML = (
    b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Form expired"
    b"</title></head><body><h1>This form has expired</h1><p>Nothing was changed. Go back, "
    b"reload the page and try again.</p><p><a href=/>Home</a></p></body></html>"
)


class BrowserSessionMiddleware:
    def __init__(self, app: ASGIApp, secret: str, secure: bool) -> None:
        self.app = app
        self.secret = secret
        self.secure = secure
        self.name = cookie_name(secure)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers", []))
        sid = _read_cookie(headers, self.name)
        fresh = not sid
        if fresh:
            sid = new_sid()
        expected = csrf_token(self.secret, sid)
        state = scope.setdefault("state", {})
        state["web_sid"] = sid
        state["csrf_token"] = expected
        if scope["method"] not in SAFE_METHODS:
            given = dict(headers).get(CSRF_HEADER, b"").decode("latin-1")
            if not given:
                body = await _buffer(receive)
                receive = _replay(body)
                given = await self._form_token(scope, body)
            if fresh or not hmac.compare_digest(given, expected):
                await self._refuse(scope, send)
                return

        # A new anonymous id goes only with a page the browser navigated to: a favicon,
        # a service worker's fetch or a fragment answered at the same time as a sign-in
        # must not overwrite the signed-in cookie with an anonymous one.
        dest = dict(headers).get(b"sec-fetch-dest", b"document")
        issue = fresh and dest == b"document"

        async def send_with_cookie(message: Message) -> None:
            if issue and message["type"] == "http.response.start":
                response_headers = message.get("headers", [])
                existing = [v for k, v in response_headers if k.lower() == b"set-cookie"]
                is_page = any(
                    k.lower() == b"content-type" and v.startswith(b"text/html")
                    for k, v in response_headers
                )
                if is_page and not any(v.startswith(self.name.encode() + b"=") for v in existing):
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"set-cookie", cookie_header(sid, self.secure).encode("latin-1")),
                    ]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _form_token(self, scope: Scope, body: bytes) -> str:
        content_type = dict(scope.get("headers", [])).get(b"content-type", b"")
        if not content_type.startswith((b"application/x-www-form-urlencoded", b"multipart/")):
            return ""
        request = Request(scope, _replay(body))
        try:
            form = await request.form()
        except Exception:  # a malformed body has no token; the 403 says enough
            return ""
        value = form.get(CSRF_FIELD)
        await form.close()
        return value if isinstance(value, str) else ""

    async def _refuse(self, scope: Scope, send: Send) -> None:
        is_htmx = dict(scope.get("headers", [])).get(b"hx-request") == b"true"
        message = "Your session expired or the form is stale: reload the page and try again."
        if is_htmx:
            body = message.encode()
            trigger = json.dumps({"hl-toast": {"level": "error", "text": message}})
            extra = [(b"hx-trigger", trigger.encode()), (b"content-type", b"text/plain")]
        else:
            body = FORBIDDEN_HTML
            extra = [(b"content-type", b"text/html; charset=utf-8")]
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [*extra, (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
