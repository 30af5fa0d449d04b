"""Server-side web sessions: the browser holds an opaque id, the database its digest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[str] = id_column()
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the cookie's session id; the id itself is never stored."""
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    current_household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), default=None
    )
    """The household the pages show; switching households changes it. Not named
    household_id: a session belongs to its user, not to a household's data."""
    flash: Mapped[str] = mapped_column(Text, default="")
    """A message for the next page (JSON: level and text), shown once."""
    created_at: Mapped[datetime] = created_column()
    last_seen_at: Mapped[datetime] = created_column()
    expires_at: Mapped[datetime]
