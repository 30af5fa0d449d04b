"""The `jobs` table: one row per background job, the single source of its state.

Web pages poll it for progress; workers claim a row with a conditional UPDATE, so a
message delivered twice never runs a finished job again."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from homeledger.db.base import Base, created_column, id_column, new_id


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_household_created", "household_id", "created_at"),
        Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),
    )

    id: Mapped[str] = id_column()
    household_id: Mapped[str | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), default=None
    )
    """None for operator jobs that belong to no household."""
    type: Mapped[str] = mapped_column(String(60))
    """The registered name of the task function (`@job("imports.run")`)."""
    payload: Mapped[str] = mapped_column(Text, default="{}")
    """JSON: ids and options only, never ORM objects or secrets."""
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED.value)
    """queued | running | succeeded | failed"""
    progress: Mapped[int] = mapped_column(Integer, default=0)
    """0..100, written in its own short transaction while the job runs."""
    message: Mapped[str] = mapped_column(String(200), default="")
    """What the job is doing now, for the page that shows its progress."""
    result: Mapped[str | None] = mapped_column(Text, default=None)
    """JSON returned by the task, set in the same transaction as the task's writes."""
    error: Mapped[str | None] = mapped_column(Text, default=None)
    """Shown to the household: a domain error's message, never a stack trace."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    """How many times a worker claimed the job; also the fencing token of the current
    claim: a worker whose claim was taken over can no longer write the row."""
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True, default=new_id)
    """Enqueuing twice with one key gives the first job, so the work runs once."""
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    """The request that enqueued the job; bound again in the worker's log lines."""
    created_at: Mapped[datetime] = created_column()
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    """Refreshed while the job runs; a stale heartbeat means its worker died."""
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
