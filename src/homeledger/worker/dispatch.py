"""Enqueue after commit, and the two runners that execute jobs.

`enqueue_after_commit` adds the job row to the caller's transaction and hands the id to
the process's runner only once that transaction has committed: a failed request leaves
no job behind, and a worker never looks for a row that is not there yet.

Why a SQLAlchemy `after_commit` session event: the edges that own transactions (the web
request, `task_session()`, the CLI's `session_scope()`) stay as they are, and no caller
can forget to flush the queue. It is infrastructure, not business logic: it only passes
ids to the runner. The runner travels in `session.info`, put there by whoever built the
session factory (the web app's lifespan, the Celery worker)."""

from __future__ import annotations

import contextlib
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from homeledger.config import Settings
from homeledger.kit import metrics
from homeledger.worker.models import Job, JobStatus
from homeledger.worker.registry import registered_types, task_for
from homeledger.worker.runtime import JobEnvironment, execute_job, recoverable_job_ids

if TYPE_CHECKING:
    from celery import Celery

log = structlog.get_logger("homeledger.jobs")

RUNNER_KEY = "homeledger.job_runner"
_PENDING_KEY = "homeledger.jobs_after_commit"


class Runner(Protocol):
    def dispatch(self, job_id: str) -> None: ...

    def close(self) -> None: ...


def enqueue_after_commit(
    session: Session,
    type_: str,
    payload: dict[str, Any],
    household_id: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> Job:
    """Records a job in the caller's transaction; it is dispatched after the commit.

    With an `idempotency_key` already used, returns that job and queues nothing."""
    task_for(type_)  # an unknown type fails here, in the request, not later in a worker
    if idempotency_key is not None:
        existing = session.scalars(
            select(Job).where(Job.idempotency_key == idempotency_key)
        ).one_or_none()
        if existing is not None:
            return existing
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    job = Job(
        household_id=household_id,
        type=type_,
        payload=json.dumps(payload, sort_keys=True),
        status=JobStatus.QUEUED.value,
        request_id=str(request_id)[:64] if request_id else None,
    )
    if idempotency_key is not None:
        job.idempotency_key = idempotency_key
    session.add(job)
    session.flush()
    pending: list[str] | None = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = []
        event.listen(session, "after_commit", _dispatch_pending)
        event.listen(session, "after_rollback", _forget_pending)
    pending.append(job.id)
    return job


def _forget_pending(session: Session) -> None:
    session.info.get(_PENDING_KEY, []).clear()


def _dispatch_pending(session: Session) -> None:
    """Runs inside commit(), after the database committed: it must not raise, or the
    caller would see an error for work that was saved. A job whose dispatch is lost stays
    queued; the runner's recovery sends it at the next start."""
    pending: list[str] = session.info.get(_PENDING_KEY, [])
    if not pending:
        return
    ids, pending[:] = list(pending), []
    runner: Runner | None = session.info.get(RUNNER_KEY)
    for job_id in ids:
        try:
            if runner is None:
                log.warning("no job runner in this process; the job stays queued", job_id=job_id)
            else:
                runner.dispatch(job_id)
        except Exception:
            with contextlib.suppress(Exception):  # a broken log stream: nothing to tell
                log.exception("job dispatch failed; it stays queued", job_id=job_id)


def initialise_job_metrics() -> None:
    """Every registered type shows success and failure counters from the start, so a
    rate() over them works before the first failure."""
    for type_ in registered_types():
        metrics.JOBS.labels(type_, "success")
        metrics.JOBS.labels(type_, "failure")
        metrics.JOB_DURATION.labels(type_)


class ThreadRunner:
    """The embedded default: jobs run in this process on a small thread pool."""

    def __init__(self, env: JobEnvironment, threads: int) -> None:
        self.env = env
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="homeledger-job")
        self._closed = threading.Event()

    def dispatch(self, job_id: str) -> None:
        if self._closed.is_set():
            log.warning("job runner closed; the job stays queued", job_id=job_id)
            return
        self._pool.submit(self._run, job_id)

    def _run(self, job_id: str) -> None:
        try:
            execute_job(self.env, job_id)
        except Exception:  # execute_job records task failures; this is a database outage
            log.exception("job could not be run", job_id=job_id)

    def recover(self) -> int:
        """Dispatches what a stopped process left queued or running."""
        ids = recoverable_job_ids(self.env)
        for job_id in ids:
            self.dispatch(job_id)
        return len(ids)

    def close(self) -> None:
        """Lets running jobs finish; jobs not started yet stay queued for the next start."""
        self._closed.set()
        self._pool.shutdown(wait=True, cancel_futures=True)


class CeleryRunner:
    """Production: jobs go to the broker and run in `homeledger worker` processes."""

    def __init__(self, celery_app: Celery, queue: str) -> None:
        self.celery_app = celery_app
        self.queue = queue

    def dispatch(self, job_id: str) -> None:
        from homeledger.worker.celery_app import RUN_JOB

        self.celery_app.send_task(RUN_JOB, args=[job_id], queue=self.queue)

    def close(self) -> None:
        self.celery_app.close()


def make_runner(settings: Settings, factory: sessionmaker[Session]) -> Runner:
    """The runner the settings choose: Celery when a broker is configured."""
    if settings.broker_url:
        from homeledger.worker.celery_app import make_celery

        return CeleryRunner(make_celery(settings), settings.job_queue)
    return ThreadRunner(JobEnvironment(settings, factory), settings.job_threads)


def attach_runner(factory: sessionmaker[Session], runner: Runner) -> None:
    """Sessions made by `factory` dispatch their jobs to `runner` after commit."""
    info = dict(factory.kw.get("info") or {})
    info[RUNNER_KEY] = runner
    factory.configure(info=info)
