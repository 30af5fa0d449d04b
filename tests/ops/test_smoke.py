"""`homeledger smoke URL` against a real server (uvicorn in a subprocess): passes on a
healthy instance and leaves nothing behind; fails, naming the step, when the instance is
not ready or not there."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.conftest import TEST_SECRET
from tests.ops.conftest import free_port, wait_http

from homeledger.db.engine import make_engine
from homeledger.ops.smoke import run_smoke
from homeledger.users.models import Household, User

HOMELEDGER = [sys.executable, "-m", "homeledger.cli.main"]


def serve(database_url: str, tmp_path: Path, **extra: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "HOMELEDGER_DATABASE_URL": database_url,
        "HOMELEDGER_DATA_DIR": str(tmp_path / "data"),
        "HOMELEDGER_SECRET_KEY": TEST_SECRET,
        **extra,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "homeledger.asgi:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/health/live", expect=200)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def smoke(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HOMELEDGER, "smoke", url, "--timeout", "5"], capture_output=True, text=True, check=False
    )


def count(database_url: str, model: type[User] | type[Household]) -> int:
    engine = make_engine(database_url, pool_size=1)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        engine.dispose()


@pytest.fixture
def migrated_sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    from tests.conftest import fresh_database

    yield from fresh_database("sqlite", request, tmp_path)


def test_smoke_passes_against_a_healthy_instance_and_cleans_up(
    migrated_sqlite: str, tmp_path: Path
) -> None:
    for url in serve(migrated_sqlite, tmp_path):
        result = smoke(url)
        assert result.returncode == 0, result.stdout + result.stderr
        for step in (
            "live",
            "ready",
            "sign up and sign in",
            "create household",
            "write",
            "read back",
            "clean up",
        ):
            assert f"ok   {step}" in result.stdout, result.stdout
        assert "smoke test passed" in result.stdout
    assert count(migrated_sqlite, User) == 0
    assert count(migrated_sqlite, Household) == 0


def run_in_process(url: str) -> tuple[list[str], list[str]]:
    lines: list[str] = []

    def report(step: str, ok: bool, detail: str, seconds: float) -> None:
        lines.append(f"{'ok' if ok else 'FAIL'} {step}: {detail}")

    return run_smoke(url, report, timeout=5), lines


def test_smoke_fails_when_a_dependency_is_down(migrated_sqlite: str, tmp_path: Path) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    for url in serve(migrated_sqlite, tmp_path, HOMELEDGER_REDIS_URL=dead_redis):
        failures, lines = run_in_process(url)
    assert failures[0] == "ready"  # (the API's rate limits live in Redis: sign-up fails too)
    assert any(line.startswith("FAIL ready") and "redis down" in line for line in lines), lines


def test_smoke_fails_when_nothing_answers() -> None:
    failures, _ = run_in_process(f"http://127.0.0.1:{free_port()}")
    assert failures[:2] == ["live", "ready"]
