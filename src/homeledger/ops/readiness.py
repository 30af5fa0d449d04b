"""The dependencies /health/ready checks, chosen by configuration: the database always,
Redis and the broker when configured, the file store always. Each check gives up within
about two seconds, so a hanging dependency answers 503 before the probe times out."""

from __future__ import annotations

from sqlalchemy import Engine

from homeledger.config import Settings
from homeledger.kit.storage import Storage, make_storage
from homeledger.ops.health import Check, database_check

TIMEOUT_SECONDS = 2.0


def redis_check(url: str) -> Check:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )

    def check() -> None:
        if not client.ping():
            raise ConnectionError("redis did not answer PING")

    return check


def broker_check(url: str) -> Check:
    def check() -> None:
        from kombu.connection import Connection

        # A fresh connection each time: a broken pooled one would hide a recovered broker.
        with Connection(url, connect_timeout=TIMEOUT_SECONDS) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT_SECONDS)

    return check


def storage_check(storage: Storage) -> Check:
    def check() -> None:
        storage.check()

    return check


def readiness_checks(settings: Settings, engine: Engine) -> dict[str, Check]:
    checks: dict[str, Check] = {"database": database_check(engine)}
    if settings.redis_url:
        checks["redis"] = redis_check(settings.redis_url)
    if settings.broker_url:
        checks["broker"] = broker_check(settings.broker_url)
    checks["storage"] = storage_check(make_storage(settings))
    return checks
