"""`homeledger insights ...`, run as an operator or a power user would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from homeledger.config import get_settings
from homeledger.insights.cli import app
from tests.conftest import TEST_SECRET
from tests.factories.api import Api
from tests.insights.household import build

runner = CliRunner()


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("HOMELEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("HOMELEDGER_SECRET_KEY", TEST_SECRET)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def test_train_reports_size_and_held_out_accuracy(cli_env: str, api: Api) -> None:
    home = build(api)
    result = runner.invoke(app, ["train", "--household", api.household_id, "--json"])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.stdout)
    assert trained["training_size"] == len(home.transactions)
    assert trained["accuracy"] >= 0.9
    # The API sees the model the command stored (same secret, same household).
    assert api.get(api.url("/insights/categoriser")).json()["trained_at"] is not None
    swept = runner.invoke(app, ["retrain-due", "--household", api.household_id])
    assert swept.exit_code == 0, swept.output
    assert "not due" in swept.stdout


def test_subscriptions_and_anomalies_print_their_reasons(cli_env: str, api: Api) -> None:
    build(api)
    listed = runner.invoke(app, ["subscriptions", "--household", api.household_id, "--json"])
    assert listed.exit_code == 0, listed.output
    payees = {s["payee"]: s for s in json.loads(listed.stdout)}
    assert payees["SEPA-LASTSCHRIFT NETFLIX.COM"]["yearly_cost"] == "167.88"
    unusual = runner.invoke(app, ["anomalies", "--household", api.household_id, "--json"])
    assert unusual.exit_code == 0, unusual.output
    assert any("Stadtwerke 212.40" in a["title"] for a in json.loads(unusual.stdout))


def test_an_unknown_household_is_an_error_not_a_traceback(cli_env: str) -> None:
    result = runner.invoke(app, ["train", "--household", "nope"])
    assert result.exit_code == 1
    assert "no household nope" in result.output
