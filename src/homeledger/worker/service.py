"""Reading a household's jobs: any member may see them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.worker.models import Job
from homeledger.worker.repository import JobRepository


def get_job(session: Session, ctx: Ctx, job_id: str) -> Job:
    ctx.require(Role.VIEWER)
    job = JobRepository(session).get(ctx, job_id)
    if job is None:
        raise NotFound("no such job in this household")
    return job


def recent_jobs(session: Session, ctx: Ctx, limit: int = 50) -> list[Job]:
    ctx.require(Role.VIEWER)
    return JobRepository(session).recent(ctx, limit)
