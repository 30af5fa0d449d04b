"""Reports benchmark: every report over a household with 1,000,000 transactions, on
SQLite and (with --postgres URL) PostgreSQL, side by side with the raw SQL GROUP BY
over the same postings and with beancount/beanquery over the same ledger.

    python -m bench.reports.bench_reports [--postgres URL] [--n 1000000]
                                          [--beancount-n 1000000 | --no-beancount]

The household is seeded with a bulk Core insert of transactions, postings, tags and the
matching account_day_totals (the rows the service would write; `homeledger check`
would find them equal), because a million service calls would take most of an hour.
Times are medians in milliseconds: "service" is the report function (what the route
handler runs), "api" the whole HTTP request through the app (auth, JSON), "raw SQL"
the GROUP BY over the postings table that yields the same figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.app import create_app
from homeledger.budgets import service as budgets
from homeledger.budgets.schemas import AssignmentSet, BudgetCreate
from homeledger.config import Settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger.models import (
    AccountDayTotal,
    Payee,
    Posting,
    Tag,
    Transaction,
    transaction_tags,
)
from homeledger.ops.migrate import upgrade
from homeledger.reports import flows, service
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate

KEY = b"b" * 32
START = dt.date(2016, 1, 1)
DAYS = 3653  # 2016-01-01 .. 2025-12-31
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
FULL = (START, dt.date(2025, 12, 31))
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway user in a scratch database


@dataclass
class Seeded:
    ctx: Ctx
    email: str
    assets: list[str]
    card: str
    expenses: list[str]
    incomes: list[str]
    budget_id: str = ""
    names: dict[str, str] = field(default_factory=dict)
    """account id -> beancount account name"""


def _fresh_url(backend: str, pg_url: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    assert pg_url is not None
    name = f"hl_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def _household(session: Session) -> Seeded:
    email = f"{uuid.uuid4().hex[:12]}@bench.example"
    user = users.register(session, UserCreate(email=email, password=PASSWORD))
    household = users.create_household(session, user, HouseholdCreate(name="Bench"))
    ctx = Ctx(user.id, household.id, Role.OWNER)

    def account(name: str, type_: str) -> str:
        body = AccountCreate(name=name, type=type_, currency="EUR")  # type: ignore[arg-type]
        return accounts.create_account(session, ctx, body, KEY).id

    def category(name: str, kind: str, parent: str | None = None) -> str:
        body = CategoryCreate(name=name, kind=kind, parent_id=parent)  # type: ignore[arg-type]
        return accounts.create_category(session, ctx, body).id

    seeded = Seeded(ctx, email, [], "", [], [])
    for i in range(5):
        seeded.assets.append(account(f"A{i}", "checking"))
        seeded.names[seeded.assets[-1]] = f"Assets:A{i}"
    seeded.card = account("Card", "credit_card")
    seeded.names[seeded.card] = "Liabilities:Card"
    for i in range(10):
        seeded.expenses.append(category(f"C{i}", "expense"))
        seeded.names[seeded.expenses[-1]] = f"Expenses:C{i}"
    for i in range(10, 30):  # two subcategories under each top-level category
        parent = seeded.expenses[i % 10]
        seeded.expenses.append(category(f"C{i}", "expense", parent))
        seeded.names[seeded.expenses[-1]] = f"{seeded.names[parent]}:C{i}"
    for i in range(3):
        seeded.incomes.append(category(f"I{i}", "income"))
        seeded.names[seeded.incomes[-1]] = f"Income:I{i}"
    session.commit()
    return seeded


def _cents(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def seed(engine: Engine, n: int, beancount: TextIO | None, beancount_n: int) -> Seeded:
    """The household with ``n`` transactions; the first ``beancount_n`` of them (in
    date order, the whole ledger when equal) are also written as a beancount file."""
    factory = make_session_factory(engine)
    with factory() as session:
        seeded = _household(session)
    rng = random.Random(7)
    household = seeded.ctx.household_id
    payees = [
        {"id": uuid.uuid4().hex, "household_id": household, "name": f"Payee {i}"}
        for i in range(400)
    ]
    tags = [
        {"id": uuid.uuid4().hex, "household_id": household, "name": f"tag{i}"} for i in range(10)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Payee), payees)
        conn.execute(insert(Tag), tags)
    if beancount is not None:
        beancount.write('option "operating_currency" "EUR"\n')
        for name in seeded.names.values():
            beancount.write(f"2015-01-01 open {name} EUR\n")
    day_totals: dict[tuple[str, dt.date], int] = defaultdict(int)
    chunk = 20_000
    for offset in range(0, n, chunk):
        txns: list[dict[str, Any]] = []
        postings: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for i in range(offset, min(n, offset + chunk)):
            tid = uuid.uuid4().hex
            day = START + dt.timedelta(days=i * DAYS // n)
            roll = rng.random()
            if roll < 0.04:
                amount = rng.randint(50_000, 500_000)
                debit, credit = rng.choice(seeded.assets), rng.choice(seeded.incomes)
            else:
                amount = rng.randint(100, 50_000)
                debit = rng.choice(seeded.expenses)
                credit = seeded.card if roll < 0.10 else rng.choice(seeded.assets)
            payee = rng.choice(payees)
            tagged = rng.sample(tags, 2 if roll > 0.95 else 1) if roll > 0.80 else []
            txns.append(
                {
                    "id": tid,
                    "household_id": household,
                    "date": day,
                    "payee_id": payee["id"],
                    "memo": f"memo {i}",
                    "version": 1,
                }
            )
            for position, (account, value) in enumerate(((debit, amount), (credit, -amount))):
                postings.append(
                    {
                        "id": uuid.uuid4().hex,
                        "transaction_id": tid,
                        "household_id": household,
                        "account_id": account,
                        "date": day,
                        "amount_minor": value,
                        "currency": "EUR",
                        "status": "cleared",
                        "memo": "",
                        "position": position,
                    }
                )
                day_totals[(account, day)] += value
            links += [{"transaction_id": tid, "tag_id": t["id"]} for t in tagged]
            if beancount is not None and i < beancount_n:
                tag_text = "".join(f" #{t['name']}" for t in tagged)
                beancount.write(
                    f'{day} * "{payee["name"]}" "memo {i}"{tag_text}\n'
                    f"  {seeded.names[debit]}  {_cents(amount)} EUR\n"
                    f"  {seeded.names[credit]}  {_cents(-amount)} EUR\n"
                )
        with engine.begin() as conn:
            conn.execute(insert(Transaction), txns)
            conn.execute(insert(Posting), postings)
            if links:
                conn.execute(insert(transaction_tags), links)
    rows = [
        {
            "account_id": a,
            "currency": "EUR",
            "date": d,
            "household_id": household,
            "amount_minor": v,
        }
        for (a, d), v in day_totals.items()
        if v
    ]
    with engine.begin() as conn:
        for start in range(0, len(rows), chunk):
            conn.execute(insert(AccountDayTotal), rows[start : start + chunk])
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    with factory() as session:
        budget = budgets.create_budget(
            session, seeded.ctx, BudgetCreate(name="Bench", starts_on=YEAR[0])
        )
        for month in range(1, 13):
            for category in seeded.expenses:
                budgets.assign(
                    session,
                    seeded.ctx,
                    budget.id,
                    AssignmentSet(
                        category_id=category, date=dt.date(2025, month, 1), amount="500.00"
                    ),
                )
        session.commit()
        seeded.budget_id = budget.id
    return seeded


def _timed(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median in milliseconds (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def reports(seeded: Seeded) -> dict[str, tuple[str, Callable[[Session], object], str]]:
    """name -> (period, report function, API path with query)."""
    ctx = seeded.ctx
    y = "date_from=2025-01-01&date_to=2025-12-31"
    f = "date_from=2016-01-01&date_to=2025-12-31"
    return {
        "spending 1y": (
            "2025",
            lambda s: service.category_report(s, ctx, "expense", *YEAR),
            f"spending?{y}",
        ),
        "spending 10y": (
            "2016-2025",
            lambda s: service.category_report(s, ctx, "expense", *FULL),
            f"spending?{f}",
        ),
        "income-expense 1y": (
            "2025",
            lambda s: service.income_expense(s, ctx, *YEAR),
            f"income-expense?{y}",
        ),
        "income-expense 10y": (
            "2016-2025",
            lambda s: service.income_expense(s, ctx, *FULL),
            f"income-expense?{f}",
        ),
        "cash-flow 1y": ("2025", lambda s: flows.cash_flow(s, ctx, *YEAR), f"cash-flow?{y}"),
        "net-worth 1y": ("2025", lambda s: flows.net_worth(s, ctx, *YEAR), f"net-worth?{y}"),
        "net-worth 10y": ("2016-2025", lambda s: flows.net_worth(s, ctx, *FULL), f"net-worth?{f}"),
        "budget 1y": (
            "2025",
            lambda s: flows.budget_vs_actual(s, ctx, *YEAR, seeded.budget_id),
            f"budget?{y}",
        ),
        "payees 1y": ("2025", lambda s: service.breakdown(s, ctx, "payee", *YEAR), f"payees?{y}"),
        "tags 1y": ("2025", lambda s: service.breakdown(s, ctx, "tag", *YEAR), f"tags?{y}"),
        "year-over-year": (
            "2024-2025",
            lambda s: service.year_over_year(s, ctx, 2025),
            "year-over-year?year=2025",
        ),
    }


def raw_queries(seeded: Seeded, dialect: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The GROUP BY over postings that gives each report's figures."""
    month = "strftime('%Y-%m', date)" if dialect == "sqlite" else "to_char(date, 'YYYY-MM')"

    def ids(values: list[str]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    expense, income = ids(seeded.expenses), ids(seeded.incomes)
    balance_sheet = ids([*seeded.assets, seeded.card])
    h = "household_id = :h"
    y = "date >= '2025-01-01' AND date <= '2025-12-31'"
    yp = "p.date >= '2025-01-01' AND p.date <= '2025-12-31'"
    f = "date >= '2016-01-01' AND date <= '2025-12-31'"
    params = {"h": seeded.ctx.household_id}
    gross = (
        "SUM(CASE WHEN amount_minor > 0 THEN amount_minor ELSE 0 END), "
        "SUM(CASE WHEN amount_minor < 0 THEN -amount_minor ELSE 0 END)"
    )
    two_years = "date >= '2024-01-01' AND date <= '2025-12-31'"

    def q(columns: str, where: str, accounts: str, group: str, source: str = "postings") -> str:
        return f"SELECT {columns} FROM {source} WHERE {where} AND {accounts} GROUP BY {group}"

    queries = {
        "spending 1y": q("account_id, SUM(amount_minor)", f"{h} AND {y}",
                         f"account_id IN ({expense})", "account_id"),
        "spending 10y": q("account_id, SUM(amount_minor)", f"{h} AND {f}",
                          f"account_id IN ({expense})", "account_id"),
        "income-expense 1y": q(f"{month}, account_id IN ({income}), SUM(amount_minor)",
                               f"{h} AND {y}", f"account_id IN ({expense}, {income})", "1, 2"),
        "income-expense 10y": q(f"{month}, account_id IN ({income}), SUM(amount_minor)",
                                f"{h} AND {f}", f"account_id IN ({expense}, {income})", "1, 2"),
        "cash-flow 1y": q(f"account_id, {gross}", f"{h} AND {y}",
                          f"account_id IN ({balance_sheet})", "account_id"),
        "net-worth 1y": q(f"{month}, account_id, SUM(amount_minor)",
                          f"{h} AND date <= '2025-12-31'",
                          f"account_id IN ({balance_sheet})", "1, 2"),
        "net-worth 10y": q(f"{month}, account_id, SUM(amount_minor)",
                           f"{h} AND date <= '2025-12-31'",
                           f"account_id IN ({balance_sheet})", "1, 2"),
        "budget 1y": q(f"{month}, account_id, SUM(amount_minor)", f"{h} AND {y}",
                       f"account_id IN ({expense})", "1, 2"),
        "payees 1y": q("t.payee_id, SUM(p.amount_minor)", f"p.{h} AND {yp}",
                       f"p.account_id IN ({expense})", "t.payee_id",
                       "postings p JOIN transactions t ON t.id = p.transaction_id"),
        "tags 1y": q("tt.tag_id, SUM(p.amount_minor)", f"p.{h} AND {yp}",
                     f"p.account_id IN ({expense})", "tt.tag_id",
                     "postings p JOIN transaction_tags tt ON tt.transaction_id = p.transaction_id"),
        "year-over-year": q(f"{month}, SUM(amount_minor)", f"{h} AND {two_years}",
                            f"account_id IN ({expense})", "1"),
    }  # fmt: skip
    return {name: (sql, params) for name, sql in queries.items()}


def check_spending(session: Session, seeded: Seeded) -> None:
    """The report's figures equal the raw SQL's (a correctness check at scale)."""
    report = service.category_report(session, seeded.ctx, "expense", *YEAR)
    raw = dict(
        session.execute(
            text(
                "SELECT account_id, SUM(amount_minor) FROM postings WHERE household_id = :h "
                "AND date >= '2025-01-01' AND date <= '2025-12-31' GROUP BY account_id"
            ),
            {"h": seeded.ctx.household_id},
        ).all()
    )
    for row in report.rows:
        assert int(row.own.amount.replace(".", "")) == int(raw.get(row.category_id, 0)), row.path


def bench_backend(
    url: str, n: int, beancount: TextIO | None, beancount_n: int
) -> dict[str, dict[str, float]]:
    engine = make_engine(url)
    started = time.perf_counter()
    seeded = seed(engine, n, beancount, beancount_n)
    print(f"seeded {n} transactions in {time.perf_counter() - started:.0f} s", flush=True)
    factory = make_session_factory(engine)
    results: dict[str, dict[str, float]] = defaultdict(dict)
    with factory() as session:
        check_spending(session, seeded)
        for name, (_, fn, _) in reports(seeded).items():
            results[name]["service"] = _timed(lambda fn=fn: fn(session))  # type: ignore[misc]
        for name, (sql, params) in raw_queries(seeded, engine.dialect.name).items():
            results[name]["raw"] = _timed(
                lambda sql=sql, params=params: session.execute(text(sql), params).all()
            )  # type: ignore[misc]
    settings = Settings(
        database_url=url,
        secret_key="s" * 40,
        log_level="WARNING",
        rate_limit_api_per_minute=10**9,
        rate_limit_auth_per_minute=10**9,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", data={"username": seeded.email, "password": PASSWORD}
        ).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        base = f"/api/v1/households/{seeded.ctx.household_id}/reports/"
        for name, (_, _, path) in reports(seeded).items():

            def get(path: str = path) -> None:
                response = client.get(base + path, headers=headers)
                assert response.status_code == 200, response.text

            results[name]["api"] = _timed(get, repeat=5)
    app.state.engine.dispose()
    engine.dispose()
    return results


def bench_beancount(path: Path) -> dict[str, float]:
    """Load once, then time the beanquery equivalent of each report."""
    import beanquery
    from beancount import loader

    started = time.perf_counter()
    entries, errors, options = loader.load_file(str(path))
    load_ms = (time.perf_counter() - started) * 1000
    assert not errors, errors[:3]
    conn = beanquery.connect("beancount:", entries=entries, errors=errors, options=options)
    y = "date >= 2025-01-01 AND date <= 2025-12-31"
    expenses, flows_ = "account ~ '^Expenses'", "account ~ '^(Income|Expenses)'"
    sheet = "account ~ '^(Assets|Liabilities)'"
    per_month = "year, month, root(account, 1) AS kind, sum(number)"
    queries = {
        "spending 1y": f"SELECT account, sum(number) WHERE {expenses} AND {y} GROUP BY account",
        "spending 10y": f"SELECT account, sum(number) WHERE {expenses} GROUP BY account",
        "income-expense 1y": f"SELECT {per_month} WHERE {flows_} AND {y} "
        "GROUP BY year, month, kind",
        "income-expense 10y": f"SELECT {per_month} WHERE {flows_} GROUP BY year, month, kind",
        "cash-flow 1y": f"SELECT account, sum(number) WHERE {sheet} AND number > 0 AND {y} "
        "GROUP BY account",
        "net-worth 10y": f"SELECT year, month, account, sum(number) WHERE {sheet} "
        "GROUP BY year, month, account",
        "budget 1y": f"SELECT month, account, sum(number) WHERE {expenses} AND {y} "
        "GROUP BY month, account",
        "payees 1y": f"SELECT payee, sum(number) WHERE {expenses} AND {y} GROUP BY payee",
        "tags 1y": f"SELECT sum(number) WHERE {expenses} AND 'tag1' IN tags AND {y}",
        "year-over-year": f"SELECT year, month, sum(number) WHERE {expenses} AND year >= 2024 "
        "GROUP BY year, month",
    }
    results = {"load": load_ms}
    for name, query in queries.items():
        results[name] = _timed(lambda query=query: conn.execute(query).fetchall(), repeat=3)  # type: ignore[misc]
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres", help="PostgreSQL URL (a server to create scratch databases on)"
    )
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument(
        "--beancount-n",
        type=int,
        default=None,
        help="Transactions in the beancount file (default: all).",
    )
    parser.add_argument("--no-beancount", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgres"] if args.postgres else [])
    beancount_path = Path(tempfile.mkdtemp()) / "bench.beancount"
    beancount_n = args.beancount_n or args.n
    for index, backend in enumerate(backends):
        url = _fresh_url(backend, args.postgres)
        upgrade(url)
        write = index == 0 and not args.no_beancount
        with beancount_path.open("w") if write else open("/dev/null", "w") as ledger_file:
            results = bench_backend(url, args.n, ledger_file if write else None, beancount_n)
        print(f"## {backend}, {args.n:,} transactions")
        print("| report | service ms | api ms | raw SQL ms | service / raw |")
        print("|---|---:|---:|---:|---:|")
        for name, values in results.items():
            ratio = values["service"] / values["raw"]
            service_ms, api_ms, raw_ms = values["service"], values["api"], values["raw"]
            print(f"| {name} | {service_ms:.1f} | {api_ms:.1f} | {raw_ms:.1f} | {ratio:.2f} |")
    if not args.no_beancount:
        print(f"## beancount/beanquery, {beancount_n:,} transactions")
        for name, value in bench_beancount(beancount_path).items():
            print(f"| {name} | {value:.1f} |")


if __name__ == "__main__":
    main()
