"""The production topology from real processes on this machine: two app processes behind
nginx on PostgreSQL, Redis and RabbitMQ, and a Celery worker.

A user signs up and writes transactions through nginx; one app process is killed and
requests keep succeeding; the worker is killed in the middle of a job and, once it is
started again, the job completes exactly once. Runs where the three services are
configured (HOMELEDGER_TEST_DATABASE_URL, _REDIS_URL, _BROKER_URL; CI sets them)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from kombu.connection import Connection
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.conftest import PG_URL, TEST_SECRET, fresh_database, make_settings
from tests.ops.conftest import free_port, wait_http

from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.audit import AuditEvent
from homeledger.ops.smoke import Client, Response
from homeledger.worker import enqueue_after_commit
from homeledger.worker.dispatch import attach_runner, make_runner
from homeledger.worker.models import Job
from homeledger.worker.registry import load_tasks

REDIS_URL = os.environ.get("HOMELEDGER_TEST_REDIS_URL")
BROKER_URL = os.environ.get("HOMELEDGER_TEST_BROKER_URL")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HOMELEDGER = [sys.executable, "-m", "homeledger.cli.main"]
PASSWORD = "correct horse battery staple"
OFX_SAMPLE = Path(__file__).resolve().parents[1] / "imports" / "samples" / "checking_sgml_102.ofx"


def until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def nginx_conf(directory: Path, port: int, backends: list[int]) -> Path:
    servers = "\n".join(f"    server 127.0.0.1:{b} max_fails=1 fail_timeout=10s;" for b in backends)
    conf = directory / "nginx.conf"
    conf.write_text(
        f"""worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
  upstream app {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://app;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""
    )
    return conf


def metric(url: str, pattern: str) -> float:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
        body = response.read().decode()
    return sum(float(value) for value in re.findall(pattern, body, re.M))


class Processes:
    """Starts and always stops the processes of one test."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=log)
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.kill()
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=3)  # no test waits for a worker's warm shutdown
            except subprocess.TimeoutExpired:
                process.kill()


if PG_URL and REDIS_URL and BROKER_URL:

    @pytest.fixture
    def topology_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        yield from fresh_database("postgres", request, tmp_path)

    def test_production_topology_survives_losing_an_app_and_a_worker(
        topology_database: str, tmp_path: Path
    ) -> None:
        assert BROKER_URL is not None
        assert REDIS_URL is not None
        timings: dict[str, float] = {}
        started = time.monotonic()
        queue = f"homeledger-topology-{uuid.uuid4().hex[:10]}"
        app_ports, lb_port, worker_port = [free_port(), free_port()], free_port(), free_port()
        env = {
            **os.environ,
            "HOMELEDGER_DATABASE_URL": topology_database,
            "HOMELEDGER_REDIS_URL": REDIS_URL,
            "HOMELEDGER_BROKER_URL": BROKER_URL,
            "HOMELEDGER_JOB_QUEUE": queue,
            "HOMELEDGER_JOB_STALE_SECONDS": "2",
            "HOMELEDGER_STORAGE_URL": f"file://{tmp_path}/files",
            "HOMELEDGER_DATA_DIR": str(tmp_path / "data"),
            "HOMELEDGER_SECRET_KEY": TEST_SECRET,
            "HOMELEDGER_RATE_LIMIT_AUTH_PER_MINUTE": "100000",
            "HOMELEDGER_RATE_LIMIT_API_PER_MINUTE": "1000000",
        }
        procs = Processes(env, tmp_path)
        with ExitStack() as cleanup:
            cleanup.callback(_delete_queue, BROKER_URL, queue)
            cleanup.callback(procs.stop_all)
            apps = [
                procs.start(f"app{i}", *HOMELEDGER, "serve", "--port", str(port))
                for i, port in enumerate(app_ports)
            ]
            worker_command = [
                *HOMELEDGER, "worker", "--pool", "solo", "--concurrency", "1",
                "--metrics-port", str(worker_port), "--metrics-host", "127.0.0.1",
            ]  # fmt: skip
            worker = procs.start("worker", *worker_command)
            conf = nginx_conf(tmp_path, lb_port, app_ports)
            subprocess.run([NGINX, "-c", str(conf)], check=True)
            cleanup.callback(
                lambda: os.kill(int((tmp_path / "nginx.pid").read_text()), signal.SIGQUIT)
            )
            for port in app_ports:
                wait_http(f"http://127.0.0.1:{port}/health/ready", expect=200)
            wait_http(f"http://127.0.0.1:{worker_port}/metrics", expect=200)
            timings["start"] = time.monotonic() - started

            # A user signs up and writes through nginx.
            lb = Client(f"http://127.0.0.1:{lb_port}")
            ready = lb.request("GET", "/health/ready")
            assert ready.status == 200
            assert set(ready.body["components"]) == {"database", "redis", "broker", "storage"}
            email = "topology@example.com"
            assert (
                lb.request(
                    "POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD}
                ).status
                == 201
            )
            tokens = lb.request(
                "POST", "/api/v1/auth/token", form={"username": email, "password": PASSWORD}
            )
            lb.token = tokens.body["access_token"]
            household = lb.request(
                "POST", "/api/v1/households", {"name": "Home", "base_currency": "EUR"}
            ).body["id"]
            base = f"/api/v1/households/{household}"
            account = {
                "name": "Checking",
                "type": "checking",
                "currency": "EUR",
                "opening_balance": "100.00",
            }
            checking = lb.request("POST", base + "/accounts", account).body["id"]
            food = lb.request(
                "POST", base + "/categories", {"name": "Food", "kind": "expense"}
            ).body["id"]

            def spend(amount: str) -> int:
                body = {
                    "date": "2025-03-01",
                    "payee": "Shop",
                    "postings": [
                        {"account_id": checking, "amount": f"-{amount}", "currency": "EUR"},
                        {"account_id": food, "amount": amount, "currency": "EUR"},
                    ],
                }
                return lb.request("POST", base + "/transactions", body).status

            assert [spend("1.00") for _ in range(6)] == [201] * 6
            served = [
                metric(
                    f"http://127.0.0.1:{p}/metrics",
                    r"^homeledger_http_requests_total\{[^}]*\} (\S+)$",
                )
                for p in app_ports
            ]
            assert all(count > 0 for count in served), f"nginx spread the requests: {served}"

            # One app process dies; requests keep succeeding through the other.
            procs.kill(apps[0])
            statuses = [spend("2.00") for _ in range(5)]
            statuses += [lb.request("GET", base + "/transactions").status for _ in range(5)]
            assert statuses == [201] * 5 + [200] * 5
            listed = lb.request("GET", base + "/transactions?limit=50").body["items"]
            assert len(listed) == 12  # 11 spends and the opening balance
            timings["app killed"] = time.monotonic() - started

            # A bank file imported through nginx: read and committed by the worker.
            usd = {"name": "US checking", "type": "checking", "currency": "USD"}
            us_account = lb.request("POST", base + "/accounts", usd).body["id"]
            accepted = upload(lb, base + "/imports?background=true", us_account, OFX_SAMPLE)
            assert accepted.status == 202, accepted.body
            preview = wait_job(lb, base, accepted.body["job_id"])
            batch = preview["result"]["batch_id"]
            commit = lb.request("POST", f"{base}/imports/{batch}/commit?background=true", {})
            assert commit.status == 202, commit.body
            wait_job(lb, base, commit.body["job_id"])
            assert lb.request("GET", f"{base}/imports/{batch}").body["status"] == "committed"
            imported = lb.request("GET", f"{base}/transactions?account_id={us_account}").body
            assert len(imported["items"]) == 5
            timings["import"] = time.monotonic() - started

            # The worker dies in the middle of a job; after a restart it completes once.
            load_tasks()
            settings = make_settings(
                topology_database, tmp_path, broker_url=BROKER_URL, job_queue=queue
            )
            engine = make_engine(topology_database, pool_size=2)
            cleanup.callback(engine.dispose)
            factory = make_session_factory(engine)
            runner = make_runner(settings, factory)
            cleanup.callback(runner.close)
            attach_runner(factory, runner)
            with session_scope(factory) as session:
                job_id = enqueue_after_commit(
                    session, "ops.sleep", {"steps": 10, "seconds": 0.3}, household
                ).id

            def job() -> Job:
                with Session(engine) as session:
                    row = session.get(Job, job_id)
                    assert row is not None
                    return row

            until(lambda: job().progress >= 20, 30, "the job to be under way")
            procs.kill(worker)
            mid = job()
            assert (mid.status, mid.attempts) == ("running", 1)
            assert 20 <= mid.progress < 100
            worker = procs.start("worker2", *worker_command)
            done = until(
                lambda: (
                    (body := lb.request("GET", f"{base}/jobs/{job_id}").body)["status"] != "running"
                    and body
                ),
                60,
                "the job to finish after the worker restart",
            )
            assert done["status"] == "succeeded", done
            assert done["result"] == {"steps": 10, "attempt": 2}
            timings["job"] = time.monotonic() - started

            runner.dispatch(job_id)  # one more delivery of the finished job: ignored
            time.sleep(1.5)
            with Session(engine) as session:
                completions = session.scalar(
                    select(func.count()).where(AuditEvent.target == job_id)
                )
            assert completions == 1
            assert job().attempts == 2
            successes = metric(
                f"http://127.0.0.1:{worker_port}/metrics",
                r'^homeledger_jobs_total\{outcome="success",type="ops.sleep"\} (\S+)$',
            )
            assert successes == 1.0
            timings["total"] = time.monotonic() - started
        print("topology timings (s):", {k: round(v, 1) for k, v in timings.items()})


def upload(client: Client, path: str, account_id: str, file: Path) -> Response:
    """A multipart form post, as a browser or `curl -F` sends a bank file."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="account_id"\r\n\r\n'.encode(),
            account_id.encode() + b"\r\n",
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode(),
            file.read_bytes() + b"\r\n",
            f"--{boundary}--\r\n".encode(),
        ]
    )
    request = urllib.request.Request(  # noqa: S310 - loopback
        client.base + path,
        data=body,
        method="POST",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Authorization": f"Bearer {client.token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            return Response(int(answer.status), json.loads(answer.read()))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read().decode())


def wait_job(client: Client, base: str, job_id: str) -> dict[str, Any]:
    body: dict[str, Any] = until(
        lambda: (
            (b := client.request("GET", f"{base}/jobs/{job_id}").body)["status"]
            in ("succeeded", "failed")
            and b
        ),
        30,
        f"job {job_id}",
    )
    assert body["status"] == "succeeded", body
    return body


def _delete_queue(broker_url: str, queue: str) -> None:
    with Connection(broker_url) as connection:  # type: ignore[no-untyped-call]
        connection.channel().queue_delete(queue)
