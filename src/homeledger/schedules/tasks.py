"""The background job of schedules: post what is due for a household.

`schedules.post_due` runs `service.post_due` for the job's household as of today (or
``payload["today"]``); it is idempotent, so a retried or duplicated job posts nothing
twice. Nothing enqueues it periodically yet (the job runner has no clock): run
`homeledger schedules run --household ID` from cron, enqueue the job, or call
`POST .../schedules/run`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.schedules import service
from homeledger.schedules.schemas import RunResult
from homeledger.users.repository import HouseholdRepository
from homeledger.worker.registry import JobContext, Payload, job

POST_DUE_JOB = "schedules.post_due"


def job_context(session: Session, household_id: str) -> Ctx:
    """The Ctx a job acts with: the household's first owner (whom the ledger records
    as the creator of what the job posts)."""
    owners = [
        user
        for membership, user in HouseholdRepository(session).members(household_id)
        if membership.role == Role.OWNER
    ]
    if not owners:
        raise NotFound(f"no household {household_id} (or it has no owner)")
    return Ctx(owners[0].id, household_id, Role.OWNER)


def post_due_job(session: Session, household_id: str, today: dt.date | None = None) -> RunResult:
    """`schedules.service.post_due` for one household (idempotent)."""
    ctx = job_context(session, household_id)
    return service.post_due(session, ctx, today or dt.date.today())


@job(POST_DUE_JOB)
def post_due(context: JobContext, payload: Payload) -> Payload:
    household_id = context.household_id or str(payload.get("household_id", ""))
    today = dt.date.fromisoformat(str(payload["today"])) if payload.get("today") else None
    context.progress(10, "posting what is due")
    result = post_due_job(context.session, household_id, today)
    context.progress(100, f"posted {len(result.posted)}, bills paid {len(result.paid)}")
    return {
        "today": result.today.isoformat(),
        "posted": [o.model_dump(mode="json") for o in result.posted],
        "paid": [o.model_dump(mode="json") for o in result.paid],
        "missed": len(result.missed),
        "reminders": len(result.reminders),
        "problems": [p.model_dump(mode="json") for p in result.problems],
    }
