"""Operations state kept in the database, readable by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, id_column


class BackupRun(Base):
    """One row per successful backup. The web processes publish the newest finish time
    as homeledger_backup_last_success_timestamp_seconds (the backup-age alert)."""

    __tablename__ = "backup_runs"

    id: Mapped[str] = id_column()
    finished_at: Mapped[datetime] = mapped_column(index=True)
    archive: Mapped[str] = mapped_column(String(255))
    """The archive's file name."""
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    """Of the encrypted archive file, to match a copy found elsewhere."""
    locations: Mapped[str] = mapped_column(Text, default="")
    """Where the archive went: the local path and, when uploaded, the store's key."""
