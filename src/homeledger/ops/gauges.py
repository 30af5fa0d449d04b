"""Gauges a web process publishes about state it does not change itself: the time of the
last successful backup (written by `homeledger backup`, a separate process) and the
database pool in use. Started and stopped with the app (a router lifespan)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from homeledger.kit import metrics
from homeledger.ops.models import BackupRun

log = structlog.get_logger("homeledger.ops")


def last_backup_timestamp(engine: Engine) -> float:
    """Unix time of the newest successful backup; 0 when there has been none."""
    with Session(engine) as session:
        newest = session.scalar(select(func.max(BackupRun.finished_at)))
    if newest is None:
        return 0.0
    if isinstance(newest, str):  # SQLite's max() returns the stored text, not a datetime
        from datetime import UTC, datetime

        newest = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    return float(newest.timestamp())


def refresh_backup_gauge(engine: Engine) -> None:
    try:
        metrics.BACKUP_LAST_SUCCESS.set(last_backup_timestamp(engine))
    except Exception as error:  # a database outage shows in readiness, not here
        log.debug("backup gauge not refreshed", error=type(error).__name__)


def watch_pool(engine: Engine) -> None:
    """Counts checked-out connections as they come and go."""
    size = getattr(engine.pool, "size", None)
    if callable(size):
        metrics.DB_POOL_SIZE.set(size() + getattr(engine.pool, "_max_overflow", 0))

    def checkout(*_: Any) -> None:
        metrics.DB_POOL_IN_USE.inc()

    def checkin(*_: Any) -> None:
        metrics.DB_POOL_IN_USE.dec()

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)


class Refresher:
    def __init__(self, engine: Engine, interval: float) -> None:
        self.engine = engine
        self.interval = max(0.05, interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="gauge-refresher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        refresh_backup_gauge(self.engine)
        while not self._stop.wait(self.interval):
            refresh_backup_gauge(self.engine)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine: Engine = app.state.engine
    watch_pool(engine)
    refresher = Refresher(engine, app.state.settings.metrics_refresh_seconds)
    refresher.start()
    try:
        yield
    finally:
        refresher.stop()


router = APIRouter(lifespan=lifespan)
