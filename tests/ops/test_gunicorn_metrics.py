"""`homeledger serve --workers 2` runs gunicorn in prometheus multiprocess mode: /metrics
adds up every worker's samples whichever worker answers, samples of an earlier run are
not counted again, and a killed worker's counts survive while its live gauges go."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import TEST_SECRET, fresh_database
from tests.ops.conftest import free_port, wait_http


def live_count(base: str) -> float:
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:  # noqa: S310
        body = response.read().decode()
    match = re.search(
        r'^homeledger_http_requests_total\{method="GET",route="/health/live",status="200"\} (\S+)$',
        body,
        re.M,
    )
    return float(match.group(1)) if match else 0.0


def settled_count(base: str) -> float:
    """The count once it stops moving: a request is counted just after its response."""
    previous = -1.0
    while (value := live_count(base)) != previous:
        previous = value
        time.sleep(0.3)
    return value


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def test_metrics_add_up_across_gunicorn_workers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    database = next(fresh_database("sqlite", request, tmp_path))
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_999999.db").write_bytes(b"left by an earlier run")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HOMELEDGER_DATABASE_URL": database,
        "HOMELEDGER_DATA_DIR": str(tmp_path / "data"),
        "HOMELEDGER_SECRET_KEY": TEST_SECRET,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "homeledger.cli.main",
            "serve",
            "--workers",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(base + "/health/live", expect=200)
        deadline = time.monotonic() + 60
        while len(workers_of(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        start = settled_count(base)
        for _ in range(40):  # a new connection each: gunicorn hands them to either worker
            wait_http(base + "/health/live", expect=200)
        assert not (multiproc / "counter_999999.db").exists()
        writers = {p.name.rsplit("_", 1)[1] for p in multiproc.glob("counter_*.db")}
        assert len(writers) >= 2, "both workers served requests"
        assert settled_count(base) == start + 40
        # Whichever worker answers the scrape, it reports both workers' requests.
        assert [live_count(base) for _ in range(6)] == [start + 40] * 6

        victim = workers_of(server.pid)[0]
        os.kill(victim, signal.SIGKILL)
        while victim in workers_of(server.pid) or len(workers_of(server.pid)) < 2:
            assert time.monotonic() < deadline + 30, "gunicorn did not replace the worker"
            time.sleep(0.1)
        wait_http(base + "/health/live", expect=200)
        assert settled_count(base) == start + 41  # the dead worker's counts are kept
        assert not list(multiproc.glob(f"gauge_livesum_{victim}.db"))  # its live gauges go
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
