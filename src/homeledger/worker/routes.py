"""JSON API of background jobs, and the lifespan that starts this process's job runner."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from starlette.concurrency import run_in_threadpool

from homeledger.web.deps import CtxDep, SessionDep
from homeledger.worker import service
from homeledger.worker.dispatch import (
    ThreadRunner,
    attach_runner,
    initialise_job_metrics,
    make_runner,
)
from homeledger.worker.registry import load_tasks
from homeledger.worker.schemas import JobRead


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Jobs enqueued by this process go to the runner the settings choose: the in-process
    thread pool (embedded default) or Celery (HOMELEDGER_BROKER_URL)."""
    load_tasks()
    initialise_job_metrics()
    runner = make_runner(app.state.settings, app.state.session_factory)
    attach_runner(app.state.session_factory, runner)
    app.state.job_runner = runner
    if isinstance(runner, ThreadRunner):
        await run_in_threadpool(runner.recover)
    try:
        yield
    finally:
        await run_in_threadpool(runner.close)


router = APIRouter(
    prefix="/api/v1/households/{household_id}/jobs", tags=["jobs"], lifespan=lifespan
)


@router.get("", response_model=list[JobRead], summary="The household's recent jobs")
def list_jobs(
    ctx: CtxDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[JobRead]:
    return [JobRead.from_job(job) for job in service.recent_jobs(session, ctx, limit)]


@router.get("/{job_id}", response_model=JobRead, summary="A job's status, progress and result")
def get_job(job_id: str, ctx: CtxDep, session: SessionDep) -> JobRead:
    """Poll this while a job runs: `progress` goes from 0 to 100, `result` appears when
    `status` is `succeeded`, `error` says why when it is `failed`."""
    return JobRead.from_job(service.get_job(session, ctx, job_id))
