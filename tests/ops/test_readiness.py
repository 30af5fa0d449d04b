"""/health/ready reports each dependency and answers 503 while any is down: a real
Redis server is stopped and started again, the file store is broken and an S3 store is
checked, while the database stays up."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.ops.conftest import S3, free_port

from homeledger.app import create_app

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


class PrivateRedis:
    """A redis-server of this test only, on its own port (never the machine's 6379)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--save", "",
                "--appendonly", "no",
                "--dir", str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


def test_stopping_redis_makes_the_app_unready_until_it_is_back(
    private_redis: PrivateRedis, database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, redis_url=private_redis.url)
    app = create_app(settings)
    with TestClient(app) as client:
        up = client.get("/health/ready")
        assert up.status_code == 200
        assert up.json() == {
            "status": "ok",
            "components": {"database": "ok", "redis": "ok", "storage": "ok"},
        }

        private_redis.kill()
        down = client.get("/health/ready")
        assert down.status_code == 503
        assert down.json()["components"]["redis"].startswith("down")
        assert down.json()["components"]["database"] == "ok"
        assert 'homeledger_readiness{component="redis"} 0.0' in client.get("/metrics").text

        private_redis.start()  # same port: the app reconnects by itself
        again = client.get("/health/ready")
        assert again.status_code == 200, again.text
        assert 'homeledger_readiness{component="redis"} 1.0' in client.get("/metrics").text
    app.state.engine.dispose()


def test_an_unwritable_file_store_makes_the_app_unready(database_url: str, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the store's directory should be")
    settings = make_settings(database_url, tmp_path, storage_url=f"file://{blocker}/files")
    app = create_app(settings)
    with TestClient(app) as client:
        response = client.get("/health/ready")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.json()["components"]["storage"].startswith("down")


def test_s3_store_is_checked_by_its_bucket(s3: S3, database_url: str, tmp_path: Path) -> None:
    good = make_settings(
        database_url, tmp_path, storage_url=s3.storage_url, s3_endpoint_url=s3.endpoint_url
    )
    missing = good.model_copy(update={"storage_url": "s3://no-such-bucket-at-all"})
    results = []
    for settings in (good, missing):
        app = create_app(settings)
        with TestClient(app) as client:
            response = client.get("/health/ready")
            results.append((response.status_code, response.json()["components"]["storage"]))
        app.state.engine.dispose()
    assert results[0] == (200, "ok")
    assert results[1][0] == 503
    assert results[1][1].startswith("down")
