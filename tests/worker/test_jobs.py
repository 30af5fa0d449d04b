"""Background jobs on the in-process runner: dispatched only after commit, run exactly
once whatever the deliveries, progress and results visible through the API."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from tests.factories.api import Api

from homeledger.config import Settings
from homeledger.db.base import utcnow
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.audit import AuditEvent
from homeledger.kit.errors import DomainError
from homeledger.worker import JobContext, enqueue_after_commit, job
from homeledger.worker.dispatch import attach_runner
from homeledger.worker.models import Job
from homeledger.worker.registry import UnknownJobType, load_tasks
from homeledger.worker.runtime import Claim, JobEnvironment, LostClaim, claim, execute_job


class BadStatement(DomainError):
    status_code = 422
    type = "bad-statement"


@job("tests.domain_failure")
def _domain_failure(context: JobContext, payload: dict[str, Any]) -> None:
    context.session.add(AuditEvent(action="tests.half_written", user_id=None))
    context.session.flush()
    raise BadStatement("line 3: the amount 'abc' is not a number")


@job("tests.bug")
def _bug(context: JobContext, payload: dict[str, Any]) -> None:
    raise RuntimeError("internal detail: connection string postgres://u:hunter2@db")


class RecordingRunner:
    def __init__(self) -> None:
        self.dispatched: list[str] = []

    def dispatch(self, job_id: str) -> None:
        self.dispatched.append(job_id)

    def close(self) -> None:
        pass


def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")


def enqueue(client: TestClient, type_: str, payload: dict[str, Any], household: str) -> str:
    factory: sessionmaker[Session] = client.app.state.session_factory  # type: ignore[attr-defined]
    with session_scope(factory) as session:
        return enqueue_after_commit(session, type_, payload, household).id


def finished(api: Api, job_id: str) -> dict[str, Any] | None:
    body: dict[str, Any] = api.get(api.url(f"/jobs/{job_id}")).json()
    return body if body["status"] in ("succeeded", "failed") else None


def audit_count(engine: Engine, target: str) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).where(AuditEvent.target == target)) or 0)


@pytest.fixture
def logs(api: Api) -> Iterator[io.StringIO]:
    """The JSON log lines written while the test runs (after the app configured logging)."""
    previous = structlog.get_config()
    buffer = io.StringIO()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(buffer))
    yield buffer
    structlog.configure(**previous)


@pytest.fixture
def env(settings: Settings, engine: Engine) -> JobEnvironment:
    load_tasks()
    return JobEnvironment(
        settings.model_copy(update={"job_stale_seconds": 1.0}), make_session_factory(engine)
    )


def test_job_runs_after_the_request_and_reports_progress_and_result(api: Api) -> None:
    job_id = enqueue(api.client, "ops.sleep", {"steps": 3, "seconds": 0.05}, api.household_id)
    done = wait_for(lambda: finished(api, job_id))
    assert done["status"] == "succeeded"
    assert done["progress"] == 100
    assert done["result"] == {"steps": 3, "attempt": 1}
    assert done["started_at"] is not None
    assert done["finished_at"] is not None
    listed = api.get(api.url("/jobs")).json()
    assert [j["id"] for j in listed] == [job_id]


def test_job_is_dispatched_only_after_commit_and_never_after_rollback(
    engine: Engine, env: JobEnvironment
) -> None:
    factory = make_session_factory(engine)
    runner = RecordingRunner()
    attach_runner(factory, runner)
    with session_scope(factory) as session:
        kept = enqueue_after_commit(session, "ops.sleep", {"steps": 0})
        assert runner.dispatched == []  # not yet: the row is not visible to a worker
    assert runner.dispatched == [kept.id]

    dropped: list[Job] = []

    def failing_request() -> None:
        with session_scope(factory) as session:
            dropped.append(enqueue_after_commit(session, "ops.sleep", {"steps": 0}))
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        failing_request()
    assert runner.dispatched == [kept.id]
    with Session(engine) as session:
        assert session.get(Job, dropped[0].id) is None
        assert session.get(Job, kept.id) is not None


def test_unknown_job_type_is_refused_when_enqueued(session: Session) -> None:
    with pytest.raises(UnknownJobType, match="no-such-type"):
        enqueue_after_commit(session, "no-such-type", {})


def test_same_idempotency_key_gives_the_first_job(engine: Engine, env: JobEnvironment) -> None:
    factory = make_session_factory(engine)
    runner = RecordingRunner()
    attach_runner(factory, runner)
    with session_scope(factory) as session:
        first = enqueue_after_commit(session, "ops.sleep", {}, idempotency_key="file-sha-1")
    with session_scope(factory) as session:
        again = enqueue_after_commit(session, "ops.sleep", {}, idempotency_key="file-sha-1")
    assert again.id == first.id
    assert runner.dispatched == [first.id]


def test_a_second_delivery_never_runs_a_succeeded_job_again(
    engine: Engine, env: JobEnvironment
) -> None:
    with session_scope(env.session_factory) as session:
        job_id = enqueue_after_commit(session, "ops.sleep", {"steps": 1, "seconds": 0}).id
    assert execute_job(env, job_id).claim is Claim.CLAIMED
    assert execute_job(env, job_id).claim is Claim.FINISHED
    assert execute_job(env, "0" * 32).claim is Claim.MISSING
    assert audit_count(engine, job_id) == 1
    with Session(engine) as session:
        assert session.get(Job, job_id).attempts == 1  # type: ignore[union-attr]


def test_job_of_a_dead_worker_is_taken_over_and_the_dead_run_is_fenced(
    engine: Engine, env: JobEnvironment
) -> None:
    with session_scope(env.session_factory) as session:
        job_id = enqueue_after_commit(session, "ops.sleep", {"steps": 2, "seconds": 0}).id
    outcome, _ = claim(env, job_id)  # worker A claims it, then stops beating
    assert outcome.claim is Claim.CLAIMED
    busy = execute_job(env, job_id)  # a redelivery while A still looks alive
    assert busy.claim is Claim.BUSY
    assert 0 < busy.retry_after <= env.settings.job_stale_seconds + 0.5

    with session_scope(env.session_factory) as session:  # A's heartbeat goes stale
        session.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow().replace(year=2000))
        )
    assert execute_job(env, job_id).status == "succeeded"  # worker B takes over
    with Session(engine) as session:
        row = session.get(Job, job_id)
        assert row is not None
        assert (row.status, row.attempts) == ("succeeded", 2)

    from homeledger.worker.runtime import _Heartbeat

    zombie = _Heartbeat(env, job_id, attempt=1)  # A wakes up and reports progress
    with pytest.raises(LostClaim):
        zombie.report(50, "still going")
    assert audit_count(engine, job_id) == 1


def test_failed_job_keeps_none_of_its_writes_and_tells_the_household_why(
    api: Api, engine: Engine
) -> None:
    job_id = enqueue(api.client, "tests.domain_failure", {}, api.household_id)
    done = wait_for(lambda: finished(api, job_id))
    assert done["status"] == "failed"
    assert done["error"] == "line 3: the amount 'abc' is not a number"
    assert done["result"] is None
    with Session(engine) as session:
        half = select(func.count()).where(AuditEvent.action == "tests.half_written")
        assert session.scalar(half) == 0


def test_unexpected_failure_shows_no_internals_and_counts_as_failure(
    api: Api, logs: io.StringIO
) -> None:
    def failures() -> float:
        text = api.client.get("/metrics").text
        match = re.search(
            r'homeledger_jobs_total\{outcome="failure",type="tests.bug"\} (\S+)', text
        )
        assert match, "failure counter of a registered type is exposed from the start"
        return float(match.group(1))

    before = failures()
    job_id = enqueue(api.client, "tests.bug", {}, api.household_id)
    done = wait_for(lambda: finished(api, job_id))
    assert done["status"] == "failed"
    assert "hunter2" not in done["error"]
    assert "postgres://" not in done["error"]
    assert failures() == before + 1
    failure = [line for line in logs.getvalue().splitlines() if '"event": "job failed"' in line]
    assert len(failure) == 1
    assert job_id in failure[0]
    assert "RuntimeError" in failure[0]


def test_every_registered_type_exposes_zero_counters_before_any_run(client: TestClient) -> None:
    text = client.get("/metrics").text
    for outcome in ("success", "failure"):
        assert f'homeledger_jobs_total{{outcome="{outcome}",type="ops.sleep"}}' in text


def test_request_id_of_the_enqueuing_request_is_in_the_job_and_its_logs(
    api: Api, engine: Engine, logs: io.StringIO
) -> None:
    with structlog.contextvars.bound_contextvars(request_id="req-0123456789abcdef"):
        job_id = enqueue(api.client, "ops.sleep", {"steps": 1, "seconds": 0}, api.household_id)
    wait_for(lambda: finished(api, job_id))
    with Session(engine) as session:
        assert session.get(Job, job_id).request_id == "req-0123456789abcdef"  # type: ignore[union-attr]
    job_lines = [line for line in logs.getvalue().splitlines() if job_id in line]
    assert any('"event": "job succeeded"' in line for line in job_lines)
    assert all("req-0123456789abcdef" in line for line in job_lines)


def test_jobs_left_queued_by_a_stopped_process_run_at_the_next_start(
    settings: Settings, engine: Engine
) -> None:
    factory = make_session_factory(engine)  # no runner: as if the process died at commit
    load_tasks()
    with session_scope(factory) as session:
        job_id = enqueue_after_commit(session, "ops.sleep", {"steps": 0}).id
    from homeledger.app import create_app

    with TestClient(create_app(settings)):
        wait_for(lambda: audit_count(engine, job_id) == 1)
    with Session(engine) as session:
        assert session.get(Job, job_id).status == "succeeded"  # type: ignore[union-attr]
