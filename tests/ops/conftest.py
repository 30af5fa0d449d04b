"""Real services for the operations tests: an S3 API (moto in server mode on loopback),
free ports, and waiting for a process to answer."""

from __future__ import annotations

import logging
import os
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_http(url: str, timeout: float = 90.0, expect: int | None = None) -> int:
    """Polls until `url` answers (any status, or `expect`); returns the status. The long
    default allows for a loaded CI machine importing the app in a fresh process."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                status = int(response.status)
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            last = error
            time.sleep(0.05)
            continue
        if expect is None or status == expect:
            return status
        last = status
        time.sleep(0.05)
    raise AssertionError(f"{url} did not answer in {timeout} s (last: {last})")


@dataclass(frozen=True)
class S3:
    endpoint_url: str
    bucket: str

    @property
    def storage_url(self) -> str:
        return f"s3://{self.bucket}"

    def client(self) -> object:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name="us-east-1")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(moto_endpoint: str) -> S3:
    """A new, empty bucket on the local S3 API."""
    bucket = S3(moto_endpoint, f"hl-{uuid.uuid4().hex[:12]}")
    bucket.client().create_bucket(Bucket=bucket.bucket)  # type: ignore[attr-defined]
    return bucket
