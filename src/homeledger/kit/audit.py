"""The audit log: sign-ins, permission changes, imports, deletions, reconciliations,
exports. Written in the same database transaction as the change it records."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from homeledger.db.base import Base, created_column, id_column


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_household_created", "household_id", "created_at"),)

    id: Mapped[str] = id_column()
    household_id: Mapped[str | None] = mapped_column(String(32))
    """Not a foreign key: the record of a deleted household outlives it."""
    user_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(100), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = created_column()


def record(
    session: Session,
    action: str,
    *,
    user_id: str | None,
    household_id: str | None = None,
    target: str = "",
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            household_id=household_id,
            user_id=user_id,
            action=action,
            target=target,
            details=json.dumps(details, default=str, sort_keys=True),
        )
    )


def events_for_household(session: Session, household_id: str, limit: int = 100) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.household_id == household_id)
        .order_by(AuditEvent.created_at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
