"""`homeledger import`, `imports list|revert`, as an operator runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from tests.imports.household import csv_text, make_home
from typer.testing import CliRunner

from homeledger.config import get_settings
from homeledger.db.session import make_session_factory
from homeledger.imports.cli import register

runner = CliRunner()
SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def household(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, str]]:
    monkeypatch.setenv("HOMELEDGER_DATABASE_URL", database_url)
    get_settings.cache_clear()
    with make_session_factory(engine)() as session:
        home = make_home(session)
        checking = home.account("Checking")
        session.commit()
    yield home.ctx.household_id, checking
    get_settings.cache_clear()


def _import(
    cli: typer.Typer, file: Path, household: tuple[str, str], *extra: str
) -> dict[str, object]:
    result = runner.invoke(
        cli,
        [
            "import",
            str(file),
            "--household",
            household[0],
            "--account",
            household[1],
            "--json",
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    counts: dict[str, object] = json.loads(result.stdout)
    return counts


def test_import_prints_counts_and_the_same_file_twice_adds_nothing(
    cli: typer.Typer, household: tuple[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "march.csv"
    file.write_text(csv_text(("2025-03-01", "Coffee", "-3.20"), ("2025-03-01", "Coffee", "-3.20")))
    dry = _import(cli, file, household, "--dry-run")
    assert (dry["parsed"], dry["new"], dry["dry_run"], dry["batch_id"]) == (2, 2, True, None)
    first = _import(cli, file, household)
    assert (first["new"], first["duplicate"], first["transfer"], first["errors"]) == (2, 0, 0, 0)
    again = _import(cli, file, household)
    assert (again["new"], again["duplicate"]) == (0, 2)
    listed = runner.invoke(cli, ["imports", "list", "--household", household[0], "--json"])
    assert [b["counts"]["new"] for b in json.loads(listed.stdout)] == [0, 2]
    reverted = runner.invoke(
        cli, ["imports", "revert", str(first["batch_id"]), "--household", household[0]]
    )
    assert reverted.exit_code == 0, reverted.output
    assert _import(cli, file, household)["new"] == 2


def test_a_bad_file_exits_1_naming_the_line_and_imports_nothing(
    cli: typer.Typer, household: tuple[str, str], tmp_path: Path
) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("Date,Payee,Amount\n2025-03-01,A,-1.00\n2025-03-02,B,abc\n")
    result = runner.invoke(
        cli, ["import", str(file), "--household", household[0], "--account", household[1]]
    )
    assert result.exit_code == 1
    assert "bad.csv line 3, field 'Amount': 'abc' is not an amount" in result.stderr
    ok = tmp_path / "ok.csv"
    ok.write_text("Date,Payee,Amount\n2025-03-01,A,-1.00\n")
    assert _import(cli, ok, household)["new"] == 1, "the failed file left nothing behind"


def test_import_of_a_sample_with_a_shipped_profile_and_human_output(
    cli: typer.Typer, household: tuple[str, str]
) -> None:
    result = runner.invoke(
        cli,
        [
            "import",
            str(SAMPLES / "de_dkb_preamble.csv"),
            "--household",
            household[0],
            "--account",
            household[1],
            "--profile",
            "de-dkb-giro-2023",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "de_dkb_preamble.csv: parsed 4, new 4, duplicate 0, transfer 0, errors 0" in result.stdout
    )
    unknown = runner.invoke(
        cli,
        [
            "import",
            str(SAMPLES / "us_checking.csv"),
            "--household",
            household[0],
            "--account",
            household[1],
            "--profile",
            "nope",
        ],
    )
    assert unknown.exit_code == 1
    assert "no profile named 'nope'" in unknown.stderr


def test_an_unknown_household_is_an_error_not_a_crash(
    cli: typer.Typer, household: tuple[str, str]
) -> None:
    result = runner.invoke(
        cli,
        [
            "import",
            str(SAMPLES / "us_checking.csv"),
            "--household",
            "0" * 32,
            "--account",
            household[1],
        ],
    )
    assert result.exit_code == 1
    assert "no household" in result.stderr
