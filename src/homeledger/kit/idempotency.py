"""Idempotency-Key for POSTs: a repeat of the same request returns the first response and
creates nothing; the same key with a different body is a client error."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from homeledger.db.base import Base, created_column, id_column
from homeledger.kit.errors import DomainError


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[str] = id_column()
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_column()


class IdempotencyKeyReused(DomainError):
    status_code = 422
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused for a different request"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def lookup(session: Session, user_id: str, key: str, request_fp: str) -> StoredResponse | None:
    row = session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.request_fingerprint != request_fp:
        raise IdempotencyKeyReused(
            f"the Idempotency-Key '{key}' was first used for a different request"
        )
    return StoredResponse(row.status_code, row.response_body)


def remember(
    session: Session, user_id: str, key: str, request_fp: str, response: StoredResponse
) -> None:
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_fingerprint=request_fp,
            status_code=response.status_code,
            response_body=response.body,
        )
    )
    session.flush()
