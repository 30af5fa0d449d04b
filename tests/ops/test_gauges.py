"""Gauges the web process keeps about its database: pool size and connections in use."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient


def gauge(client: TestClient, name: str) -> float:
    match = re.search(rf"^{name} (\S+)$", client.get("/metrics").text, re.M)
    assert match, f"{name} is exposed"
    return float(match.group(1))


def test_pool_gauges_follow_connections_checked_out(client: TestClient) -> None:
    assert gauge(client, "homeledger_db_pool_size") >= 5
    time.sleep(0.2)  # let the start-up refresh give its connection back
    idle = gauge(client, "homeledger_db_pool_connections_in_use")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect(), engine.connect():
        assert gauge(client, "homeledger_db_pool_connections_in_use") == idle + 2
    assert gauge(client, "homeledger_db_pool_connections_in_use") == idle
