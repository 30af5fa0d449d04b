"""Ledger benchmark: create transactions through the service layer and the API, list a
filtered page, compute balances; on SQLite and (with --postgres URL) PostgreSQL.

    python -m bench.ledger.bench_ledger [--postgres URL] [--service-n 100000] [--api-n 10000]
                                        [--big-n 1000000]

The 1M-row listing is seeded with a bulk Core insert (the same rows the service would
write), because a million service calls would take most of an hour and measure nothing
the 100k run does not."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.app import create_app
from homeledger.config import Settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.models import Posting, Transaction
from homeledger.ledger.schemas import BatchCreate, PostingIn, TransactionCreate, TransactionFilter
from homeledger.ops.migrate import upgrade
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate

KEY = b"b" * 32
START = dt.date(2015, 1, 1)


def _fresh_url(backend: str, pg_url: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    assert pg_url is not None
    name = f"hl_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def _household(session: Session) -> tuple[Ctx, list[str], list[str]]:
    user = users.register(
        session, UserCreate(email=f"{uuid.uuid4().hex}@b.example", password="x" * 12)
    )
    household = users.create_household(session, user, HouseholdCreate(name="Bench"))
    ctx = Ctx(user.id, household.id, Role.OWNER)
    assets = [
        accounts.create_account(
            session, ctx, AccountCreate(name=f"A{i}", type="checking", currency="EUR"), KEY
        ).id
        for i in range(5)
    ]
    cats = [
        accounts.create_category(session, ctx, CategoryCreate(name=f"C{i}", kind="expense")).id
        for i in range(30)
    ]
    session.commit()
    return ctx, assets, cats


def _body(rng: random.Random, i: int, assets: list[str], cats: list[str]) -> TransactionCreate:
    cents = rng.randint(100, 50_000)
    amount = f"{cents // 100}.{cents % 100:02d}"
    return TransactionCreate(
        date=START + dt.timedelta(days=i % 3650),
        payee=f"Payee {rng.randint(1, 400)}",
        memo=f"memo {i}",
        postings=[
            PostingIn(account_id=rng.choice(assets), amount=f"-{amount}", currency="EUR"),
            PostingIn(account_id=rng.choice(cats), amount=amount, currency="EUR"),
        ],
    )


def _timed(fn: Callable[[], object], repeat: int = 20) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def bench_service(engine: Engine, n: int) -> dict[str, float]:
    factory = make_session_factory(engine)
    rng = random.Random(1)
    with factory() as session:
        ctx, assets, cats = _household(session)
        start = time.perf_counter()
        batch = 1000
        for offset in range(0, n, batch):
            items = [_body(rng, offset + i, assets, cats) for i in range(min(batch, n - offset))]
            ledger.create_batch(session, ctx, BatchCreate(transactions=items))
            session.commit()
        created = time.perf_counter() - start
        page = TransactionFilter(
            account_id=[assets[0]],
            date_from=START,
            date_to=START + dt.timedelta(days=3000),
            limit=50,
        )
        list_ms = _timed(lambda: ledger.list_transactions(session, ctx, page))
        balances_ms = _timed(lambda: ledger.balances(session, ctx), repeat=5)
    return {
        "create_per_s": n / created,
        "list_median_ms": list_ms[0],
        "list_p95_ms": list_ms[1],
        "balances_median_ms": balances_ms[0],
    }


def bench_api(url: str, n: int) -> dict[str, float]:
    settings = Settings(
        database_url=url,
        secret_key="s" * 40,
        log_level="WARNING",
        rate_limit_api_per_minute=10**9,
        rate_limit_auth_per_minute=10**9,
    )
    app = create_app(settings)
    rng = random.Random(2)
    with TestClient(app) as client:
        client.post("/api/v1/auth/register", json={"email": "api@b.example", "password": "x" * 12})
        token = client.post(
            "/api/v1/auth/token", data={"username": "api@b.example", "password": "x" * 12}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        household = client.post("/api/v1/households", json={"name": "API"}, headers=headers).json()[
            "id"
        ]
        base = f"/api/v1/households/{household}"
        assets = [
            client.post(
                f"{base}/accounts",
                json={"name": f"A{i}", "type": "checking", "currency": "EUR"},
                headers=headers,
            ).json()["id"]
            for i in range(5)
        ]
        cats = [
            client.post(
                f"{base}/categories", json={"name": f"C{i}", "kind": "expense"}, headers=headers
            ).json()["id"]
            for i in range(30)
        ]
        start = time.perf_counter()
        for i in range(n):
            response = client.post(
                f"{base}/transactions",
                content=_body(rng, i, assets, cats).model_dump_json(),
                headers={**headers, "content-type": "application/json"},
            )
            assert response.status_code == 201
        created = time.perf_counter() - start
        list_ms = _timed(
            lambda: client.get(
                f"{base}/transactions",
                params={"account_id": assets[0], "limit": 50},
                headers=headers,
            )
        )
    app.state.engine.dispose()
    return {
        "api_create_per_s": n / created,
        "api_list_median_ms": list_ms[0],
        "api_list_p95_ms": list_ms[1],
    }


def bench_big_listing(engine: Engine, n: int) -> dict[str, float]:
    """List a filtered page of 50 from `n` transactions (service layer)."""
    factory = make_session_factory(engine)
    rng = random.Random(3)
    with factory() as session:
        ctx, assets, cats = _household(session)
    chunk = 20_000
    with engine.begin() as conn:
        for offset in range(0, n, chunk):
            txns, postings = [], []
            for i in range(offset, min(n, offset + chunk)):
                tid = uuid.uuid4().hex
                day = START + dt.timedelta(days=i % 3650)
                amount = rng.randint(100, 50_000)
                txns.append(
                    {
                        "id": tid,
                        "household_id": ctx.household_id,
                        "date": day,
                        "memo": f"memo {i}",
                        "version": 1,
                    }
                )
                postings.append(
                    {
                        "id": uuid.uuid4().hex,
                        "transaction_id": tid,
                        "household_id": ctx.household_id,
                        "account_id": rng.choice(assets),
                        "date": day,
                        "amount_minor": -amount,
                        "currency": "EUR",
                        "status": "cleared",
                        "memo": "",
                        "position": 0,
                    }
                )
                postings.append(
                    {
                        "id": uuid.uuid4().hex,
                        "transaction_id": tid,
                        "household_id": ctx.household_id,
                        "account_id": rng.choice(cats),
                        "date": day,
                        "amount_minor": amount,
                        "currency": "EUR",
                        "status": "cleared",
                        "memo": "",
                        "position": 1,
                    }
                )
            conn.execute(insert(Transaction), txns)
            conn.execute(insert(Posting), postings)
    with engine.begin() as conn:
        # The day totals the ledger keeps on every write, built in one statement here.
        conn.exec_driver_sql(
            "INSERT INTO account_day_totals "
            "(account_id, currency, date, household_id, amount_minor) "
            "SELECT account_id, currency, date, household_id, SUM(amount_minor) FROM postings "
            "GROUP BY account_id, currency, date, household_id"
        )
        conn.exec_driver_sql("ANALYZE")
    with factory() as session:
        filters = {
            "account": TransactionFilter(account_id=[assets[0]], limit=50),
            "account+dates": TransactionFilter(
                account_id=[assets[1]],
                date_from=dt.date(2018, 1, 1),
                date_to=dt.date(2019, 12, 31),
                limit=50,
            ),
            "category": TransactionFilter(category_id=cats[3], limit=50),
            "text": TransactionFilter(q="memo 99999", limit=50),
        }
        result = {}
        for name, f in filters.items():
            result[f"big_list_{name}_median_ms"] = _timed(
                lambda f=f: ledger.list_transactions(session, ctx, f)
            )[0]  # type: ignore[misc]
        result["big_balances_ms"] = _timed(lambda: ledger.balances(session, ctx), repeat=3)[0]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL (a server to create scratch databases on)"
    )
    parser.add_argument("--service-n", type=int, default=100_000)
    parser.add_argument("--api-n", type=int, default=10_000)
    parser.add_argument("--big-n", type=int, default=1_000_000)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgres"] if args.postgres else [])
    for backend in backends:
        url = _fresh_url(backend, args.postgres)
        upgrade(url)
        engine = make_engine(url)
        results = bench_service(engine, args.service_n)
        results.update(bench_api(url, args.api_n))
        big_url = _fresh_url(backend, args.postgres)
        upgrade(big_url)
        big_engine = make_engine(big_url)
        results.update(bench_big_listing(big_engine, args.big_n))
        engine.dispose()
        big_engine.dispose()
        print(f"## {backend}")
        for name, value in results.items():
            print(f"{name:40s} {value:12.1f}")


if __name__ == "__main__":
    main()
