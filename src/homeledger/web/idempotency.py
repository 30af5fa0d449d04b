"""Idempotency-Key on API POSTs, as ASGI middleware.

The first request with a key reserves it (a committed row), runs, and stores its
response; a repeat gets that response back and creates nothing. A repeat that arrives
while the first is still running gets 409. Server errors are not remembered, so a
retry after a 5xx runs again.
"""

from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homeledger.config import Settings
from homeledger.kit import idempotency
from homeledger.kit.errors import DomainError
from homeledger.kit.idempotency import IdempotencyRecord, StoredResponse
from homeledger.web.deps import authenticate

IN_PROGRESS = 0


class IdempotencyMiddleware:
    def __init__(
        self, app: ASGIApp, session_factory: sessionmaker[Session], settings: Settings
    ) -> None:
        self.app = app
        self.factory = session_factory
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(b"idempotency-key", b"").decode("latin-1").strip()
        if not key or scope.get("method") != "POST" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        if len(key) > 200:
            await _send_json(
                send, 422, _problem(422, "Idempotency-Key is longer than 200 characters")
            )
            return
        body = await _read_body(receive)
        replay = _replaying(body)
        auth = headers.get(b"authorization", b"").decode("latin-1")
        token = auth[7:] if auth.lower().startswith("bearer ") else None
        fp = idempotency.fingerprint("POST", scope["path"], body)
        with self.factory() as session:
            try:
                user_id = authenticate(session, self.settings, token).user.id
                session.commit()
            except DomainError:
                await self.app(scope, replay, send)  # the app answers 401 itself
                return
            try:
                stored = idempotency.lookup(session, user_id, key, fp)
            except DomainError as error:
                await _send_json(send, error.status_code, error.problem())
                return
            if stored is not None:
                if stored.status_code == IN_PROGRESS:
                    await _send_json(
                        send,
                        409,
                        _problem(409, "a request with this Idempotency-Key is still running"),
                    )
                else:
                    await _send_raw(send, stored.status_code, stored.body.encode(), replayed=True)
                return
            try:
                idempotency.remember(session, user_id, key, fp, StoredResponse(IN_PROGRESS, ""))
                session.commit()
            except IntegrityError:
                session.rollback()
                await _send_json(
                    send, 409, _problem(409, "a request with this Idempotency-Key is still running")
                )
                return

        status = 500
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            with self.factory() as session:
                row = session.scalars(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
                    )
                ).one_or_none()
                if row is not None and status < 500:
                    row.status_code, row.response_body = status, b"".join(chunks).decode()
                elif row is not None:
                    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == row.id))
                session.commit()


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if not message.get("more_body"):
            return body


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _problem(status: int, detail: str) -> dict[str, object]:
    return {
        "type": "https://homeledger.dev/problems/idempotency",
        "title": "Idempotency-Key",
        "status": status,
        "detail": detail,
    }


async def _send_json(send: Send, status: int, body: dict[str, object]) -> None:
    await _send_raw(send, status, json.dumps(body).encode(), media=b"application/problem+json")


async def _send_raw(
    send: Send, status: int, body: bytes, replayed: bool = False, media: bytes = b"application/json"
) -> None:
    headers = [(b"content-type", media), (b"content-length", str(len(body)).encode())]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
