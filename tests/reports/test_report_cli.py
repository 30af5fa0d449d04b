"""`homeledger report ...` and `homeledger schedules run ...`, as an operator runs them
(registered on a root command the way cli/main.py will)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.config import get_settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.schemas import PostingIn, TransactionCreate
from homeledger.reports import cli as reports_cli
from homeledger.schedules import cli as schedules_cli
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate

runner = CliRunner()


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[typer.Typer]:
    monkeypatch.setenv("HOMELEDGER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    root = typer.Typer()
    root.command("noop")(lambda: None)
    reports_cli.register(root)
    schedules_cli.register(root)
    yield root
    get_settings.cache_clear()


def _household(database_url: str) -> tuple[str, Ctx]:
    """A household with an account, two categories and a few months of transactions."""
    engine = make_engine(database_url)
    with session_scope(make_session_factory(engine)) as session:
        user = users.register(session, UserCreate(email="cli@example.com", password="x" * 12))
        household = users.create_household(session, user, HouseholdCreate(name="Home"))
        ctx = Ctx(user.id, household.id, Role.OWNER)
        key = b"k" * 32
        checking = accounts.create_account(
            session, ctx, AccountCreate(name="Checking", type="checking", currency="EUR"), key
        ).id
        food = accounts.create_category(session, ctx, CategoryCreate(name="Food", kind="expense"))
        pay = accounts.create_category(session, ctx, CategoryCreate(name="Pay", kind="income"))
        today = dt.date.today()
        for months_ago, amount in ((0, "12.34"), (1, "1234.50"), (2, "99.99")):
            day = today - dt.timedelta(days=30 * months_ago)
            for target, value in ((food.id, amount), (pay.id, "-3000.00")):
                flipped = value[1:] if value.startswith("-") else f"-{value}"
                ledger.create(
                    session,
                    ctx,
                    TransactionCreate(
                        date=day,
                        postings=[
                            PostingIn(account_id=checking, amount=flipped, currency="EUR"),
                            PostingIn(account_id=target, amount=value, currency="EUR"),
                        ],
                    ),
                )
    engine.dispose()
    return household.id, ctx


def test_report_command_prints_json_and_writes_csv_and_pdf(
    cli: typer.Typer, database_url: str, tmp_path: Path
) -> None:
    household, ctx = _household(database_url)
    shown = runner.invoke(cli, ["report", "spending", "--household", household])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    start = dt.date.fromisoformat(report["date_from"])
    end = dt.date.fromisoformat(report["date_to"])
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        totals = ledger.category_totals(session, ctx, start, end)
    engine.dispose()
    spent = sum(Decimal(t.own) for t in totals if t.kind == "expense")
    assert Decimal(report["total"]["amount"]) == spent

    pdf = tmp_path / "spending.pdf"
    written = runner.invoke(
        cli, ["report", "spending", "--household", household, "--format", "pdf", "-o", str(pdf)]
    )
    assert written.exit_code == 0, written.output
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"{Decimal(report['total']['amount']):,}" in text

    monthly = runner.invoke(
        cli,
        ["report", "income-expense", "--household", household, "--from", str(start),
         "--to", str(end), "--format", "csv"],
    )  # fmt: skip
    assert monthly.exit_code == 0, monthly.output
    assert monthly.stdout.splitlines()[0] == "Income and expense per month"
    assert "1234.50" in monthly.stdout

    bad = runner.invoke(cli, ["report", "spending", "--household", household, "--from", "May"])
    assert bad.exit_code == 2
    unknown = runner.invoke(cli, ["report", "budget", "--household", household])
    assert unknown.exit_code == 1
    assert "no budget" in unknown.output

    run = runner.invoke(cli, ["schedules", "run", "--household", household, "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["posted"] == []
