"""Web pages benchmark: server time (time to first byte) and full load of the register,
an account's register and the dashboard for a household with 100k transactions.

    python -m bench.web.bench_pages [--n 100000] [--runs 30] [--database-url URL]

The household is seeded through the service layer (`ledger.service.create_batch`, 1000 a
batch), then the app runs under uvicorn (one process, as `homeledger serve`) and a signed
-in client fetches each page `--runs` times after two warm-up requests. Goal: under
200 ms server time."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import BatchCreate, PostingIn, TransactionCreate
from homeledger.ops.migrate import upgrade
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate
from homeledger.web import assets

SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway server
PASSWORD = "correct horse battery staple"  # noqa: S105 - a benchmark user's password
ROOT = Path(__file__).resolve().parents[2]


def seed(url: str, n: int) -> tuple[str, str]:
    """A household with n transactions over the last three years; (email, account id)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    with session_scope(factory) as session:
        user = users.register(session, UserCreate(email=email, password=PASSWORD))
        household = users.create_household(session, user, HouseholdCreate(name="Bench"))
        ctx = Ctx(user.id, household.id, Role.OWNER)
        key = b"k" * 32
        banks = [
            accounts.create_account(
                session,
                ctx,
                AccountCreate(
                    name=f"Account {i}",
                    type="checking",
                    currency="EUR",
                    opening_balance="5000",
                    opening_date=dt.date(2020, 1, 1),
                ),
                key,
            ).id
            for i in range(5)
        ]
        parents = [
            accounts.create_category(
                session, ctx, CategoryCreate(name=f"Group {i}", kind="expense")
            ).id
            for i in range(6)
        ]
        cats = parents + [
            accounts.create_category(
                session,
                ctx,
                CategoryCreate(name=f"Category {i}", kind="expense", parent_id=parents[i % 6]),
            ).id
            for i in range(24)
        ]
        salary = accounts.create_category(
            session, ctx, CategoryCreate(name="Salary", kind="income")
        ).id
    today = dt.date.today()
    started = time.perf_counter()
    for start in range(0, n, 1000):
        batch = []
        for i in range(start, min(n, start + 1000)):
            day = today - dt.timedelta(days=int((n - i) * 1095 / n))
            cents = rng.randint(100, 20_000)
            amount = f"{cents // 100}.{cents % 100:02d}"
            bank = rng.choice(banks)
            if i % 40 == 0:
                other, sign = salary, ""
                amount = "2500.00"
            else:
                other, sign = rng.choice(cats), "-"
            status = PostingStatus.PENDING if i % 500 == 0 else PostingStatus.CLEARED
            batch.append(
                TransactionCreate(
                    date=day,
                    payee=f"Payee {rng.randint(1, 600)}",
                    memo=f"memo {i}",
                    postings=[
                        PostingIn(
                            account_id=bank, amount=f"{sign}{amount}", currency="EUR", status=status
                        ),
                        PostingIn(
                            account_id=other, amount=("" if sign else "-") + amount, currency="EUR"
                        ),
                    ],
                )
            )
        with session_scope(factory) as session:
            ledger.create_batch(session, ctx, BatchCreate(transactions=batch))
    elapsed = time.perf_counter() - started
    print(
        f"seeded {n} transactions through the service layer in {elapsed:.1f} s "
        f"({n / elapsed:.0f}/s)"
    )
    engine.dispose()
    return email, banks[0]


def existing(url: str) -> tuple[str, str]:
    """The bench user and first account of a database seeded by an earlier run."""
    engine = make_engine(url)
    with engine.connect() as conn:
        email = conn.execute(
            text("SELECT email FROM users WHERE email LIKE 'bench-%' ORDER BY created_at DESC")
        ).first()
        account = conn.execute(
            text("SELECT id FROM accounts WHERE name = 'Account 0' ORDER BY created_at DESC")
        ).first()
    engine.dispose()
    assert email is not None, "no earlier bench household here"
    assert account is not None, "no earlier bench household here"
    return str(email[0]), str(account[0])


def pages(account: str) -> list[tuple[str, str]]:
    return [
        ("register /transactions", "/transactions"),
        ("register, filtered (q=Payee 12)", "/transactions?q=Payee+12"),
        ("account register + chart", f"/accounts/{account}"),
        ("dashboard /", "/"),
        ("dashboard: needs attention (htmx)", "/dashboard/attention"),
        ("accounts /accounts", "/accounts"),
    ]


def cpu_per_request(url: str, email: str, account: str, runs: int) -> None:
    """The same pages in process: CPU time per request hardly depends on what else the
    machine runs, so it estimates server time on an idle machine."""
    from fastapi.testclient import TestClient

    from homeledger.app import create_app
    from homeledger.config import Settings

    app = create_app(Settings(database_url=url, secret_key=SECRET, log_level="WARNING"))
    with TestClient(app) as client:
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/signin").text)
        assert token is not None
        client.post(
            "/signin",
            data={"csrf_token": token.group(1), "email": email, "password": PASSWORD, "next": "/"},
        )
        print(f"\n{'page (in process)':40} {'CPU median':>12} {'p95':>8}")
        for label, path in pages(account):
            client.get(path)
            times = []
            for _ in range(runs):
                start = time.process_time()
                assert client.get(path).status_code == 200, path
                times.append((time.process_time() - start) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"{label:40} {statistics.median(times):10.1f} ms {p95:6.1f} ms")
    app.state.engine.dispose()


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def measure(client: httpx.Client, path: str, runs: int) -> tuple[list[float], list[float], int]:
    ttfb, total = [], []
    size = 0
    for i in range(runs + 2):
        start = time.perf_counter()
        with client.stream("GET", path) as response:
            first = time.perf_counter()
            body = response.read()
            done = time.perf_counter()
            assert response.status_code == 200, (path, response.status_code)
        if i >= 2:  # warm-up
            ttfb.append((first - start) * 1000)
            total.append((done - start) * 1000)
            size = len(body)
    return ttfb, total, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true", help="measure an earlier run's data")
    args = parser.parse_args()
    url = (
        args.database_url
        or f"sqlite:///{Path(tempfile.mkdtemp(prefix='hl-web-bench-')) / 'bench.db'}"
    )
    upgrade(url)
    if not (assets.DIST / "manifest.json").exists():
        assets.build(ROOT / "node_modules")
    email, account = existing(url) if args.reuse else seed(url, args.n)
    port = _port()
    env = {
        **os.environ,
        "HOMELEDGER_DATABASE_URL": url,
        "HOMELEDGER_SECRET_KEY": SECRET,
        "HOMELEDGER_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "uvicorn", "homeledger.asgi:app", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--no-access-log", "--log-level", "warning"], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/health/live").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        client = httpx.Client(base_url=base, timeout=30)
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/signin").text)
        assert token is not None
        signed = client.post(
            "/signin",
            data={"csrf_token": token.group(1), "email": email, "password": PASSWORD, "next": "/"},
        )
        assert signed.status_code in (200, 303), signed.status_code
        print(f"\n{args.runs} runs per page, {url.split(':')[0]}, over HTTP (uvicorn, 1 process)")
        print(f"{'page':40} {'TTFB median':>12} {'p95':>8} {'full median':>12} {'KiB':>6}")
        for label, path in pages(account):
            ttfb, total, size = measure(client, path, args.runs)
            p95 = statistics.quantiles(ttfb, n=20)[-1]
            print(
                f"{label:40} {statistics.median(ttfb):10.1f} ms {p95:6.1f} ms "
                f"{statistics.median(total):10.1f} ms {size / 1024:6.1f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    cpu_per_request(url, email, account, args.runs)


if __name__ == "__main__":
    main()
