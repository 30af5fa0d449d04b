"""Every SQL statement that reads jobs for a household."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from homeledger.kit.tenancy import Ctx
from homeledger.worker.models import Job


class JobRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Job]:
        return select(Job).where(Job.household_id == ctx.household_id)

    def get(self, ctx: Ctx, job_id: str) -> Job | None:
        return self.session.scalars(self.scoped(ctx).where(Job.id == job_id)).one_or_none()

    def recent(self, ctx: Ctx, limit: int) -> list[Job]:
        query = self.scoped(ctx).order_by(Job.created_at.desc(), Job.id).limit(limit)
        return list(self.session.scalars(query))
