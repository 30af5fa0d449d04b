"""Celery on RabbitMQ (or Redis): the production runner of the same task functions.

Messages carry only a job id. Delivery is at least once (acks_late: a message is
acknowledged after the job ran, and given to another worker when a worker dies); the
claim on the job row (runtime.claim) makes the effect exactly once."""

from __future__ import annotations

import os
import socket
import threading
from typing import Any

import structlog
from celery import Celery, Task
from celery.signals import worker_ready
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy.exc import OperationalError

from homeledger.config import Settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.worker.runtime import Claim, JobEnvironment, execute_job, recoverable_job_ids

RUN_JOB = "homeledger.run_job"
log = structlog.get_logger("homeledger.worker")


def make_celery(settings: Settings) -> Celery:
    app = Celery("homeledger", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.job_queue,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=4,
        # A job cut off from the broker is redelivered elsewhere; stop it here, the claim
        # fences its writes anyway.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        # Redis as broker: a message unacknowledged this long is delivered again.
        broker_transport_options={"visibility_timeout": 3600},
    )
    lock = threading.Lock()
    state: dict[str, JobEnvironment] = {}

    def environment() -> JobEnvironment:
        """The worker process's database, made on first use (after any fork)."""
        with lock:
            if "env" not in state:
                from homeledger.worker.dispatch import CeleryRunner, attach_runner

                factory = make_session_factory(make_engine(settings.database_url, pool_size=4))
                attach_runner(factory, CeleryRunner(app, settings.job_queue))
                state["env"] = JobEnvironment(settings, factory)
            return state["env"]

    @app.task(  # type: ignore[untyped-decorator]
        name=RUN_JOB,
        shared=False,  # each app (and its settings) keeps its own task
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        max_retries=None,
        ignore_result=True,
    )
    def run_job(task: Task, job_id: str) -> str:
        try:
            outcome = execute_job(environment(), job_id)
        except OperationalError as error:  # the database is unreachable: try again soon
            log.warning("job deferred: database unavailable", job_id=job_id, error=str(error))
            raise task.retry(countdown=5) from error
        if outcome.claim is Claim.BUSY:
            # Another worker holds it; if that worker died, its heartbeat goes stale and
            # this delivery takes the job over.
            raise task.retry(countdown=outcome.retry_after)
        return outcome.claim.value

    app.homeledger_environment = environment
    return app


def start_metrics_server(port: int, address: str = "0.0.0.0") -> None:  # noqa: S104 - scraped from other pods
    """/metrics of the worker (the deploy files scrape port 9100)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        start_http_server(port, addr=address, registry=registry)
    else:
        start_http_server(port, addr=address)


def run_worker(
    settings: Settings,
    *,
    pool: str = "threads",
    concurrency: int = 4,
    metrics_address: str = "0.0.0.0",  # noqa: S104 - scraped from other pods
    loglevel: str = "WARNING",
) -> None:
    """Runs a Celery worker on the settings' queue until it is stopped (blocks)."""
    from homeledger.worker.dispatch import CeleryRunner, initialise_job_metrics
    from homeledger.worker.registry import load_tasks

    types = load_tasks()
    initialise_job_metrics()
    start_metrics_server(settings.worker_metrics_port, metrics_address)
    app = make_celery(settings)

    def recover(**_: Any) -> None:
        """Re-sends jobs left queued (a dispatch lost after commit) or held by a dead
        worker; a job already done ignores the extra message."""

        def work() -> None:
            try:
                env: JobEnvironment = app.homeledger_environment()
                runner = CeleryRunner(app, settings.job_queue)
                ids = recoverable_job_ids(env, queued_for_seconds=30)
                for job_id in ids:
                    runner.dispatch(job_id)
                if ids:
                    log.info("jobs re-dispatched", count=len(ids))
            except Exception:
                log.exception("job recovery failed")

        threading.Thread(target=work, name="job-recovery", daemon=True).start()

    worker_ready.connect(recover, weak=False)
    log.info("worker starting", queue=settings.job_queue, pool=pool, job_types=types)
    app.worker_main(
        [
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            f"--queues={settings.job_queue}",
            f"--hostname=homeledger-{os.getpid()}@{socket.gethostname()}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
