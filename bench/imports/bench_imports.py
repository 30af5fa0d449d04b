"""Import benchmark: bank files end to end (detect, parse, dedupe, rules, insert) on
SQLite and PostgreSQL, side by side with the raw insert limit of the same rows
(SQLite executemany, PostgreSQL COPY), a 1,000-row monthly file into a household that
already holds the big import, and beancount's loader over the same transactions.

    python -m bench.imports.bench_imports [--postgres URL] [--rows 100000]
        [--big-rows 1000000] [--ofx-rows 100000] [--data DIR]

Every measurement runs in its own process, so `peak_mb` (max RSS) is that run's alone:
flat memory shows as the same peak for 100k and 1M rows. Results print as JSON lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from bench.imports import gen_csv
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.db.base import utcnow
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.exports import service as exports
from homeledger.imports import service as imports
from homeledger.imports.parsers import open_parser
from homeledger.kit.money import to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ops.migrate import upgrade
from homeledger.rules import service as rules
from homeledger.rules.schemas import RuleCreate
from homeledger.users import service as users
from homeledger.users.models import User
from homeledger.users.schemas import HouseholdCreate

KEY = b"b" * 32


# Files


def write_csv(path: Path, rows: int, seed: int = 2025) -> Path:
    """Rows spread over ten years: a million rows stay within the dates a ledger takes."""
    if not path.exists():
        with path.open("w", encoding="utf-8", newline="") as out:
            gen_csv.write(out, rows, "plain", seed, years=10)
    return path


def write_ofx(path: Path, rows: int) -> Path:
    """An OFX 2 (XML) statement with `rows` transactions, each with its FITID."""
    if path.exists():
        return path
    rng = random.Random(7)
    day = dt.date(2015, 1, 1)
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="220" '
            'SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n<OFX><SIGNONMSGSRSV1><SONRS>'
            "<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><DTSERVER>20260101</DTSERVER>"
            "<LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1><BANKMSGSRSV1><STMTTRNRS><TRNUID>1"
            "</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS><STMTRS>"
            "<CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>123</BANKID><ACCTID>999</ACCTID>"
            "<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM><BANKTRANLIST><DTSTART>20150101</DTSTART>"
            "<DTEND>20260101</DTEND>\n"
        )
        for number in range(rows):
            if rng.random() < 0.3:
                day += dt.timedelta(days=1)
            payee, memo, (low, high) = rng.choice(gen_csv.PAYEES)
            cents = rng.randint(low * 100, high * 100)
            kind = "CREDIT" if cents > 0 else "DEBIT"
            out.write(
                f"<STMTTRN><TRNTYPE>{kind}</TRNTYPE><DTPOSTED>{day:%Y%m%d}</DTPOSTED>"
                f"<TRNAMT>{Decimal(cents) / 100}</TRNAMT><FITID>F{number:09d}</FITID>"
                f"<NAME>{payee}</NAME><MEMO>{memo} {number % 9973}</MEMO></STMTTRN>\n"
            )
        out.write(
            "</BANKTRANLIST><LEDGERBAL><BALAMT>0.00</BALAMT><DTASOF>20260101</DTASOF></LEDGERBAL>"
            "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
        )
    return path


def monthly_file(path: Path, rows: int = 1000) -> Path:
    """A month of new rows after everything the big file holds."""
    rng = random.Random(11)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Date,Payee,Memo,Amount,Transaction ID\n")
        for number in range(rows):
            day = dt.date(2031, 1, 1) + dt.timedelta(days=number * 30 // rows)
            payee, memo, (low, high) = rng.choice(gen_csv.PAYEES)
            amount = Decimal(rng.randint(low * 100, high * 100)) / 100
            out.write(f"{day.isoformat()},{payee},{memo},{amount},M{number:06d}\n")
    return path


# Databases


def fresh_url(backend: str, pg_url: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='hlbench')) / 'bench.db'}"
    assert pg_url is not None
    name = f"hl_bench_imports_{uuid.uuid4().hex[:8]}"
    admin = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def household(session: Session) -> tuple[Ctx, str]:
    user = User(email=f"{uuid.uuid4().hex}@bench.example", password_hash="-")  # noqa: S106
    session.add(user)
    session.flush()
    home = users.create_household(session, user, HouseholdCreate(name="Bench"))
    ctx = Ctx(user.id, home.id, Role.OWNER)
    checking = accounts.create_account(
        session, ctx, AccountCreate(name="Checking", type="checking", currency="EUR"), KEY
    ).id
    groceries = accounts.create_category(
        session, ctx, CategoryCreate(name="Groceries", kind="expense")
    ).id
    for needle in ("rewe", "amazon", "netflix"):  # rules run on every row
        rules.create_rule(
            session,
            ctx,
            RuleCreate(
                name=needle,
                conditions=[{"field": "payee", "op": "contains", "value": needle}],
                actions=[{"kind": "set_category", "value": groceries}],
            ),
        )
    session.commit()
    return ctx, checking


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# Measurements (each in its own process)


def run_import(url: str, file: Path, monthly: Path | None) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url, pool_size=2)
    factory = make_session_factory(engine)
    with factory() as session:
        ctx, checking = household(session)
        start = time.perf_counter()
        with file.open("rb") as stream:
            batch = imports.import_file(session, ctx, checking, stream, file.name)
        session.commit()
        seconds = time.perf_counter() - start
        result: dict[str, Any] = {
            "rows": batch.counts.parsed,
            "new": batch.counts.new,
            "seconds": round(seconds, 2),
            "rows_per_s": round(batch.counts.parsed / seconds),
        }
        if monthly is not None:
            start = time.perf_counter()
            with monthly.open("rb") as stream:
                month = imports.import_file(session, ctx, checking, stream, monthly.name)
            session.commit()
            result["monthly_seconds"] = round(time.perf_counter() - start, 3)
            result["monthly_new"] = month.counts.new
            start = time.perf_counter()
            with monthly.open("rb") as stream:
                again = imports.import_file(session, ctx, checking, stream, monthly.name)
            session.commit()
            result["monthly_again_seconds"] = round(time.perf_counter() - start, 3)
            result["monthly_again_duplicates"] = again.counts.duplicate
    result["peak_mb"] = peak_mb()
    engine.dispose()
    return result


def _raw_rows(
    file: Path, household_id: str, account: str, category: str
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    transactions, postings = [], []
    now = utcnow()
    with file.open("rb") as stream:
        for t in open_parser(stream, file.name):
            txn = uuid.uuid4().hex
            amount = to_minor(t.amount, "EUR")
            transactions.append((txn, household_id, t.date, None, t.memo[:500], 1, None, now, now))
            postings.append(
                (
                    uuid.uuid4().hex,
                    txn,
                    household_id,
                    account,
                    t.date,
                    amount,
                    "EUR",
                    "cleared",
                    "",
                    0,
                )
            )
            postings.append(
                (
                    uuid.uuid4().hex,
                    txn,
                    household_id,
                    category,
                    t.date,
                    -amount,
                    "EUR",
                    "cleared",
                    "",
                    1,
                )
            )
    return transactions, postings


TXN_COLUMNS = "id, household_id, date, payee_id, memo, version, created_by, created_at, updated_at"
POSTING_COLUMNS = (
    "id, transaction_id, household_id, account_id, date, amount_minor, currency, status, memo, "
    "position"
)


def run_raw(url: str, file: Path) -> dict[str, Any]:
    """The same rows (a transaction and two postings per bank row) written the fastest
    way the driver knows, parsing excluded: the floor an import could reach."""
    upgrade(url)
    engine: Engine = make_engine(url, pool_size=2)
    factory = make_session_factory(engine)
    with factory() as session:
        ctx, checking = household(session)
        category = accounts.uncategorised_category(session, ctx, Kind.EXPENSE)
        session.commit()
    transactions, postings = _raw_rows(file, ctx.household_id, checking, category)
    raw = engine.raw_connection()
    cursor = raw.cursor()
    start = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with cursor.copy(f"COPY transactions ({TXN_COLUMNS}) FROM STDIN") as copy:
            for row in transactions:
                copy.write_row(row)
        with cursor.copy(f"COPY postings ({POSTING_COLUMNS}) FROM STDIN") as copy:
            for row in postings:
                copy.write_row(row)
    else:

        def sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(
                v.isoformat()
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime)
                else v.strftime("%Y-%m-%d %H:%M:%S.%f")
                if isinstance(v, dt.datetime)
                else v
                for v in row
            )

        cursor.executemany(
            f"INSERT INTO transactions ({TXN_COLUMNS}) VALUES ({', '.join('?' * 9)})",
            [sqlite_row(r) for r in transactions],
        )
        cursor.executemany(
            f"INSERT INTO postings ({POSTING_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            [sqlite_row(r) for r in postings],
        )
    raw.commit()
    seconds = time.perf_counter() - start
    raw.close()
    engine.dispose()
    return {
        "rows": len(transactions),
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(transactions) / seconds),
    }


def run_beancount(url: str, file: Path) -> dict[str, Any]:
    """Our import, then our Beancount export of it, then beancount's loader on that."""
    from beancount import loader

    upgrade(url)
    engine = make_engine(url, pool_size=2)
    factory = make_session_factory(engine)
    with factory() as session:
        ctx, checking = household(session)
        with file.open("rb") as stream:
            imports.import_file(session, ctx, checking, stream, file.name)
        session.commit()
        out = io.StringIO()
        start = time.perf_counter()
        exports.export(session, ctx, "beancount", out, KEY)
        export_seconds = time.perf_counter() - start
    text = out.getvalue()
    start = time.perf_counter()
    entries, errors, _ = loader.load_string(text)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {
        "entries": len(entries),
        "errors": len(errors),
        "export_seconds": round(export_seconds, 2),
        "loader_seconds": round(seconds, 2),
        "peak_mb": peak_mb(),
    }


SCENARIOS: dict[str, Callable[[str, Path], dict[str, Any]]] = {
    "raw": run_raw,
    "beancount": run_beancount,
}


def child(args: argparse.Namespace) -> None:
    url = fresh_url(args.backend, args.postgres)
    try:
        if args.scenario == "import":
            result = run_import(url, Path(args.file), Path(args.monthly) if args.monthly else None)
        else:
            result = SCENARIOS[args.scenario](url, Path(args.file))
    finally:
        drop(url)
    print(json.dumps(result))


def measure(
    scenario: str, backend: str, file: Path, args: argparse.Namespace, monthly: Path | None = None
) -> None:
    command = [
        sys.executable,
        "-m",
        "bench.imports.bench_imports",
        "--child",
        scenario,
        "--backend",
        backend,
        "--file",
        str(file),
    ]
    if args.postgres:
        command += ["--postgres", args.postgres]
    if monthly is not None:
        command += ["--monthly", str(monthly)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(
            json.dumps(
                {
                    "scenario": scenario,
                    "backend": backend,
                    "file": file.name,
                    "error": done.stderr[-2000:],
                }
            ),
            flush=True,
        )
        return
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        json.dumps({"scenario": scenario, "backend": backend, "file": file.name, **result}),
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL to create bench databases beside")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--ofx-rows", type=int, default=100_000)
    parser.add_argument("--data", default=str(Path(tempfile.gettempdir()) / "hl-bench-imports"))
    parser.add_argument("--only", default="", help="comma-separated scenario names to run")
    parser.add_argument("--child", dest="scenario", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="sqlite", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--monthly", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scenario:
        child(args)
        return 0
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    small = write_csv(data / f"plain-{args.rows}.csv", args.rows)
    big = write_csv(data / f"plain-{args.big_rows}.csv", args.big_rows)
    ofx = write_ofx(data / f"statement-{args.ofx_rows}.ofx", args.ofx_rows)
    month = monthly_file(data / "monthly-1000.csv")
    backends = ["sqlite", "postgres"] if args.postgres else ["sqlite"]
    only = set(filter(None, args.only.split(",")))
    plan: list[tuple[str, Callable[[str], None]]] = [
        ("csv-small", lambda b: measure("import", b, small, args)),
        ("csv-small-raw", lambda b: measure("raw", b, small, args)),
        ("ofx", lambda b: measure("import", b, ofx, args)),
        ("ofx-raw", lambda b: measure("raw", b, ofx, args)),
        ("beancount", lambda b: measure("beancount", b, small, args)),
        ("csv-big", lambda b: measure("import", b, big, args, month)),
        ("csv-big-raw", lambda b: measure("raw", b, big, args)),
    ]
    for name, run in plan:
        if only and name not in only:
            continue
        for backend in backends:
            run(backend)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
