"""The dependencies /health/ready checks, chosen by configuration."""

from __future__ import annotations

from sqlalchemy import Engine

from homeledger.config import Settings
from homeledger.ops.health import Check, database_check


def readiness_checks(settings: Settings, engine: Engine) -> dict[str, Check]:
    del settings  # Redis, broker and storage checks join when those are configured
    return {"database": database_check(engine)}
