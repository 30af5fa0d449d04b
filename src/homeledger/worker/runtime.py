"""Running one job exactly once: claim the row, run the task in `task_session()`,
record the outcome in the same transaction as the task's writes.

A claim is a conditional UPDATE (queued -> running, or running with a stale heartbeat ->
running again when the worker that held it died). The claim's attempt number fences the
row: a worker whose claim was taken over can write neither progress nor a result, so
the task's effects are committed once even when a message is delivered twice."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import structlog
from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from homeledger.config import Settings
from homeledger.db.base import utcnow
from homeledger.db.session import session_scope
from homeledger.kit import metrics
from homeledger.kit.errors import DomainError
from homeledger.worker.models import FINISHED, Job, JobStatus
from homeledger.worker.registry import JobContext, Payload, UnknownJobType, task_for

log = structlog.get_logger("homeledger.jobs")


class Claim(StrEnum):
    CLAIMED = "claimed"
    BUSY = "busy"
    """Another worker holds the job and its heartbeat is fresh."""
    FINISHED = "finished"
    MISSING = "missing"
    """No such row: the enqueuing transaction never committed."""
    LOST = "lost"
    """This run was taken over by another worker; its work was rolled back."""


class LostClaim(RuntimeError):
    """Another worker took the job over; this run's work must not be committed."""


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status: str | None = None
    retry_after: float = 0.0
    """For BUSY: seconds until the holder's heartbeat is stale."""


@dataclass(frozen=True)
class JobEnvironment:
    """What a process needs to run jobs: its settings and its database."""

    settings: Settings
    session_factory: sessionmaker[Session]


@contextmanager
def task_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The job's unit of work: committed on success, rolled back on any failure."""
    with session_scope(factory) as session:
        yield session


@contextmanager
def _short_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction for a progress or heartbeat write. On SQLite, where one writer
    excludes all others, it gives up after a moment instead of waiting for the job's own
    open write transaction (which would never end while this waits)."""
    with session_scope(factory) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            session.execute(text("PRAGMA busy_timeout = 100"))
        try:
            yield session
        finally:
            if sqlite:
                session.execute(text("PRAGMA busy_timeout = 10000"))


def claim(env: JobEnvironment, job_id: str) -> tuple[Outcome, Job | None]:
    now = utcnow()
    stale = now - timedelta(seconds=env.settings.job_stale_seconds)
    with session_scope(env.session_factory) as session:
        claimed = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                or_(
                    Job.status == JobStatus.QUEUED.value,
                    and_(Job.status == JobStatus.RUNNING.value, Job.heartbeat_at < stale),
                ),
            )
            .values(
                status=JobStatus.RUNNING.value,
                attempts=Job.attempts + 1,
                started_at=now,
                heartbeat_at=now,
                progress=0,
                message="",
            )
            .execution_options(synchronize_session=False)
        )
        job = session.get(Job, job_id)
        if job is None:
            return Outcome(Claim.MISSING), None
        session.expunge(job)
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return Outcome(Claim.CLAIMED, job.status), job
    if job.status in FINISHED:
        return Outcome(Claim.FINISHED, job.status), job
    beat = job.heartbeat_at or now
    wait = env.settings.job_stale_seconds - (now - beat).total_seconds()
    return Outcome(Claim.BUSY, job.status, retry_after=max(0.5, wait + 0.5)), job


def _fenced(job_id: str, attempt: int) -> list[object]:
    return [Job.id == job_id, Job.attempts == attempt, Job.status == JobStatus.RUNNING.value]


class _Heartbeat:
    """Keeps the claim fresh while the task runs, and publishes progress."""

    def __init__(self, env: JobEnvironment, job_id: str, attempt: int) -> None:
        self.env, self.job_id, self.attempt = env, job_id, attempt
        self.lost = False
        self._pending: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _write(self, values: dict[str, object]) -> bool:
        """False when the write could not happen now (SQLite busy); True otherwise."""
        try:
            with _short_transaction(self.env.session_factory) as session:
                done = session.execute(
                    update(Job)
                    .where(*_fenced(self.job_id, self.attempt))  # type: ignore[arg-type]
                    .values(heartbeat_at=utcnow(), **values)
                    .execution_options(synchronize_session=False)
                )
                if done.rowcount == 0:  # type: ignore[attr-defined]
                    self.lost = True
            return True
        except Exception as error:  # a busy database must not fail the job itself
            log.debug("job heartbeat deferred", error=type(error).__name__)
            return False

    def report(self, percent: int, message: str = "") -> None:
        with self._lock:
            self._pending = (percent, message)
        self._flush()
        if self.lost:
            raise LostClaim(f"job {self.job_id} was taken over by another worker")

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return
        if not self._write({"progress": pending[0], "message": pending[1]}):
            with self._lock:
                self._pending = self._pending or pending

    def _run(self) -> None:
        interval = max(0.2, self.env.settings.job_stale_seconds / 4)
        while not self._stop.wait(interval):
            if self._pending is not None:
                self._flush()
            else:
                self._write({})


def _safe_error(error: BaseException) -> str:
    """What the household sees: a domain error's message, never internals."""
    if isinstance(error, DomainError):
        return error.detail[:1000]
    if isinstance(error, UnknownJobType):
        return str(error)
    return "the job failed unexpectedly; the operator's logs have the details"


def execute_job(env: JobEnvironment, job_id: str) -> Outcome:
    """Claims and runs one job; safe to call for any id any number of times."""
    outcome, job = claim(env, job_id)
    if outcome.claim is not Claim.CLAIMED or job is None:
        log.info("job not claimed", job_id=job_id, claim=outcome.claim.value)
        return outcome
    attempt = job.attempts
    with structlog.contextvars.bound_contextvars(
        request_id=job.request_id, job_id=job.id, job_type=job.type, attempt=attempt
    ):
        return _run_claimed(env, job, attempt)


def _run_claimed(env: JobEnvironment, job: Job, attempt: int) -> Outcome:
    started = time.perf_counter()
    log.info("job started")
    try:
        task = task_for(job.type)
        payload: Payload = json.loads(job.payload or "{}")
        heartbeat = _Heartbeat(env, job.id, attempt)
        with task_session(env.session_factory) as session:
            context = JobContext(
                job_id=job.id,
                type=job.type,
                household_id=job.household_id,
                attempt=attempt,
                session=session,
                settings=env.settings,
                report=heartbeat.report,
            )
            with heartbeat:
                result = task(context, payload)
            # The heartbeat has stopped: nothing races the final, fenced write.
            finished = session.execute(
                update(Job)
                .where(*_fenced(job.id, attempt))  # type: ignore[arg-type]
                .values(
                    status=JobStatus.SUCCEEDED.value,
                    progress=100,
                    message="",
                    result=json.dumps(result if result is not None else {}, default=str),
                    error=None,
                    finished_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            if finished.rowcount != 1:  # type: ignore[attr-defined]
                raise LostClaim(f"job {job.id} was taken over by another worker")
    except LostClaim:
        log.warning("job taken over by another worker; this run's work was rolled back")
        return Outcome(Claim.LOST, JobStatus.RUNNING.value)
    except Exception as error:
        elapsed = time.perf_counter() - started
        metrics.JOBS.labels(job.type, "failure").inc()
        metrics.JOB_DURATION.labels(job.type).observe(elapsed)
        log.error("job failed", error=type(error).__name__, exc_info=True)
        _record_failure(env, job.id, attempt, _safe_error(error))
        return Outcome(Claim.CLAIMED, JobStatus.FAILED.value)
    elapsed = time.perf_counter() - started
    metrics.JOBS.labels(job.type, "success").inc()
    metrics.JOB_DURATION.labels(job.type).observe(elapsed)
    log.info("job succeeded", duration_ms=round(elapsed * 1000, 1))
    return Outcome(Claim.CLAIMED, JobStatus.SUCCEEDED.value)


def _record_failure(env: JobEnvironment, job_id: str, attempt: int, error: str) -> None:
    with session_scope(env.session_factory) as session:
        session.execute(
            update(Job)
            .where(*_fenced(job_id, attempt))  # type: ignore[arg-type]
            .values(status=JobStatus.FAILED.value, error=error, message="", finished_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def recoverable_job_ids(env: JobEnvironment, queued_for_seconds: float = 0.0) -> list[str]:
    """Jobs to dispatch again: queued ones (their dispatch may have been lost) and running
    ones whose worker stopped beating."""
    now = utcnow()
    stale = now - timedelta(seconds=env.settings.job_stale_seconds)
    queued_before = now - timedelta(seconds=queued_for_seconds)
    with session_scope(env.session_factory) as session:
        return list(
            session.scalars(
                select(Job.id)
                .where(
                    or_(
                        and_(Job.status == JobStatus.QUEUED.value, Job.created_at <= queued_before),
                        and_(Job.status == JobStatus.RUNNING.value, Job.heartbeat_at < stale),
                    )
                )
                .order_by(Job.created_at)
                .limit(1000)
            )
        )
