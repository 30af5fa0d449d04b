"""The `homeledger` command, run as an operator would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from homeledger.cli.main import app
from homeledger.config import get_settings
from homeledger.db.engine import make_engine
from homeledger.ledger.models import Posting

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HOMELEDGER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_demo_builds_a_household_whose_books_check_clean(cli_env: str) -> None:
    result = runner.invoke(app, ["demo", "--household", "Demo"])
    assert result.exit_code == 0, result.output
    household_id = result.stdout.strip().splitlines()[-1]
    assert len(household_id) == 32
    checked = runner.invoke(app, ["check", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout) == {"ok": True, "findings": []}
    listed = runner.invoke(app, ["household", "list"])
    assert "Demo" in listed.stdout


def test_check_exits_1_and_names_an_unbalanced_transaction(cli_env: str) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    engine = make_engine(cli_env)
    with engine.begin() as conn:
        victim = conn.execute(Posting.__table__.select().limit(1)).first()
        assert victim is not None
        conn.execute(
            update(Posting)
            .where(Posting.id == victim.id)
            .values(amount_minor=victim.amount_minor + 1)
        )
    engine.dispose()
    result = runner.invoke(app, ["check", "--json"])
    assert result.exit_code == 1
    findings = {f["check"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings["balanced"]["subject"] == victim.transaction_id
    assert "sum to" in findings["balanced"]["detail"]
    # The materialised day total no longer matches the altered posting either.
    assert findings["day-totals"]["subject"] == victim.account_id


def test_check_finds_a_day_total_that_drifted_from_its_postings(cli_env: str) -> None:
    from homeledger.ledger.models import AccountDayTotal

    assert runner.invoke(app, ["demo"]).exit_code == 0
    engine = make_engine(cli_env)
    with engine.begin() as conn:
        row = conn.execute(AccountDayTotal.__table__.select().limit(1)).first()
        assert row is not None
        conn.execute(
            update(AccountDayTotal)
            .where(AccountDayTotal.account_id == row.account_id, AccountDayTotal.date == row.date)
            .values(amount_minor=row.amount_minor + 100)
        )
    engine.dispose()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "day-totals" in result.stdout


def test_config_check_names_each_unsafe_production_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOMELEDGER_ENV", "production")
    monkeypatch.setenv("HOMELEDGER_SECRET_KEY", "short")
    get_settings.cache_clear()
    result = runner.invoke(app, ["config", "check"])
    get_settings.cache_clear()
    assert result.exit_code == 1
    for setting in (
        "HOMELEDGER_SECRET_KEY",
        "HOMELEDGER_DATABASE_URL",
        "HOMELEDGER_ENCRYPTION_KEY",
    ):
        assert setting in result.output


def test_production_app_refuses_to_start_with_unsafe_settings() -> None:
    from homeledger.app import create_app
    from homeledger.config import Settings, UnsafeSettingsError

    with pytest.raises(UnsafeSettingsError, match="HOMELEDGER_SECRET_KEY"):
        create_app(Settings(env="production"))


def test_user_and_household_admin(cli_env: str) -> None:
    created = runner.invoke(
        app, ["user", "create", "ops@example.com"], input="a long password\na long password\n"
    )
    assert created.exit_code == 0, created.output
    household = runner.invoke(
        app, ["household", "create", "Ops", "--owner", "ops@example.com", "--currency", "CHF"]
    )
    assert household.exit_code == 0, household.output
    household_id = household.stdout.strip()
    other = runner.invoke(
        app, ["user", "create", "viewer@example.com"], input="a long password\na long password\n"
    )
    assert other.exit_code == 0
    added = runner.invoke(
        app, ["household", "add-member", household_id, "viewer@example.com", "--role", "viewer"]
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["user", "list"])
    assert "Ops (viewer)" in listed.stdout
    duplicate = runner.invoke(
        app, ["user", "create", "ops@example.com"], input="a long password\na long password\n"
    )
    assert duplicate.exit_code == 1
    assert "already registered" in duplicate.output
