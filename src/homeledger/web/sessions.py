"""The store of web sessions: create on sign-in, look up per request, switch household,
flash a message, end on sign-out. The browser's id is stored only as a digest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homeledger.db.base import utcnow
from homeledger.kit.security import token_digest
from homeledger.web.models import WebSession

IDLE_LIMIT = timedelta(days=14)
"""A session unused this long ends."""
ABSOLUTE_LIMIT = timedelta(days=30)
"""Every session ends this long after sign-in, used or not."""
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Flash:
    level: str
    text: str


def start(session: Session, sid: str, user_id: str, household_id: str | None) -> WebSession:
    """A signed-in session for the (fresh) id `sid`."""
    now = utcnow()
    row = WebSession(
        token_digest=token_digest(sid),
        user_id=user_id,
        current_household_id=household_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + ABSOLUTE_LIMIT,
    )
    session.add(row)
    session.flush()
    return row


def lookup(session: Session, sid: str) -> WebSession | None:
    """The live session of this id; expired ones are deleted on sight."""
    if not sid:
        return None
    query = select(WebSession).where(WebSession.token_digest == token_digest(sid))
    row = session.scalars(query).one_or_none()
    if row is None:
        return None
    now = utcnow()
    if row.expires_at <= now or now - row.last_seen_at > IDLE_LIMIT:
        session.delete(row)
        session.flush()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:  # not a write on every request
        row.last_seen_at = now
    return row


def end(session: Session, sid: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_digest == token_digest(sid)))


def end_all_for_user(session: Session, user_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def switch_household(row: WebSession, household_id: str | None) -> None:
    row.current_household_id = household_id


def set_flash(row: WebSession, text: str, level: str = "success") -> None:
    row.flash = json.dumps({"level": level, "text": text})


def pop_flash(row: WebSession) -> Flash | None:
    if not row.flash:
        return None
    try:
        data = json.loads(row.flash)
        flash = Flash(str(data["level"]), str(data["text"]))
    except (ValueError, KeyError, TypeError):
        flash = None
    row.flash = ""
    return flash
