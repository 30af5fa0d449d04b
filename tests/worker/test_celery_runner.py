"""The production runner: jobs go through a real broker (RabbitMQ, or Redis as broker)
to a Celery worker and run exactly once. Each test uses its own queue name, so nothing
collides with other users of the machine's broker."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from fastapi.testclient import TestClient
from kombu.connection import Connection
from tests.conftest import make_settings
from tests.factories.api import Api

from homeledger.app import create_app
from homeledger.config import Settings
from homeledger.db.session import session_scope
from homeledger.worker import enqueue_after_commit
from homeledger.worker.celery_app import make_celery
from homeledger.worker.registry import load_tasks

BROKERS = [
    url
    for url in (
        os.environ.get("HOMELEDGER_TEST_BROKER_URL"),
        os.environ.get("HOMELEDGER_TEST_REDIS_URL"),
    )
    if url
]


def _delete_queue(broker_url: str, queue: str) -> None:
    with Connection(broker_url) as connection:  # type: ignore[no-untyped-call]
        channel = connection.channel()
        channel.queue_delete(queue)


# Defined only where a broker is configured (CI sets both variables), never skipped.
if BROKERS:

    @pytest.fixture(params=BROKERS)
    def broker_settings(
        request: pytest.FixtureRequest, database_url: str, tmp_path: Path
    ) -> Iterator[Settings]:
        queue = f"homeledger-test-{uuid.uuid4().hex[:10]}"
        yield make_settings(database_url, tmp_path, broker_url=request.param, job_queue=queue)
        _delete_queue(request.param, queue)

    def _wait_status(api: Api, job_id: str, timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        body: dict[str, Any] = {}
        while time.monotonic() < deadline:
            body = api.get(api.url(f"/jobs/{job_id}")).json()
            if body["status"] in ("succeeded", "failed"):
                return body
            time.sleep(0.05)
        raise AssertionError(f"job still {body.get('status')} after {timeout} s")

    def test_job_runs_on_a_celery_worker_through_the_broker(broker_settings: Settings) -> None:
        load_tasks()
        worker_app = make_celery(broker_settings)
        # Without AMQP heartbeat timers the in-thread test worker stops at once (else ~10 s).
        worker_app.conf.broker_heartbeat = 0
        import celery.contrib.testing.tasks  # noqa: F401 - registers celery.ping for start_worker

        app = create_app(broker_settings)
        with TestClient(app, raise_server_exceptions=False) as client:
            api = Api.signed_up(client, "celery@example.com")
            ready = client.get("/health/ready").json()["components"]
            assert ready["broker"] == "ok"
            with session_scope(app.state.session_factory) as session:
                job_id = enqueue_after_commit(
                    session, "ops.sleep", {"steps": 2, "seconds": 0.05}, api.household_id
                ).id
            with start_worker(worker_app, pool="solo", perform_ping_check=False):
                done = _wait_status(api, job_id)
                # The same id delivered again (a redelivery) finds the job done: no second run.
                app.state.job_runner.dispatch(job_id)
                time.sleep(0.5)
            again = api.get(api.url(f"/jobs/{job_id}")).json()
        app.state.engine.dispose()
        assert done["status"] == "succeeded"
        assert done["result"] == {"steps": 2, "attempt": 1}
        assert again["finished_at"] == done["finished_at"]
        assert again["result"] == done["result"]


def test_unreachable_broker_makes_the_app_unready(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, broker_url="amqp://guest:guest@127.0.0.1:9//")
    app = create_app(settings)
    with TestClient(app) as client:
        response = client.get("/health/ready")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.json()["components"]["broker"].startswith("down")
    assert response.json()["components"]["database"] == "ok"
