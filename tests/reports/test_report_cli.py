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

from homeledger.cli.main import app as main_app
from homeledger.config import get_settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.reports import cli as reports_cli
from homeledger.schedules import cli as schedules_cli
from homeledger.users.repository import HouseholdRepository

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


def test_report_command_prints_json_and_writes_csv_and_pdf(
    cli: typer.Typer, database_url: str, tmp_path: Path
) -> None:
    demo = runner.invoke(main_app, ["demo", "--household", "Demo"])
    assert demo.exit_code == 0, demo.output
    household = demo.stdout.strip().splitlines()[-1]

    shown = runner.invoke(cli, ["report", "spending", "--household", household])
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    start = dt.date.fromisoformat(report["date_from"])
    end = dt.date.fromisoformat(report["date_to"])
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        owner = next(u for m, u in HouseholdRepository(session).members(household))
        totals = ledger.category_totals(session, Ctx(owner.id, household, Role.OWNER), start, end)
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

    bad = runner.invoke(cli, ["report", "spending", "--household", household, "--from", "May"])
    assert bad.exit_code == 2
    unknown = runner.invoke(cli, ["report", "budget", "--household", household])
    assert unknown.exit_code == 1
    assert "no budget" in unknown.output

    run = runner.invoke(cli, ["schedules", "run", "--household", household, "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["posted"] == []
