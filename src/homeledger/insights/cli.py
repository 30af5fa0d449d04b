"""`homeledger insights ...`: train the categoriser, run the retrain sweep, list
subscriptions and unusual spending of a household from the command line.

Mounted by the root CLI as ``app.add_typer(insights_cli.app, name="insights")``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from homeledger.cli.context import cli_session, console, err_console
from homeledger.config import get_settings
from homeledger.insights import service
from homeledger.insights.repository import InsightsRepository
from homeledger.kit.errors import DomainError

app = typer.Typer(
    help="Learned categorisation, subscriptions, unusual spending.", no_args_is_help=True
)
Household = Annotated[str, typer.Option("--household", help="The household's id.")]
AsJson = Annotated[bool, typer.Option("--json", help="Emit JSON.")]


def _key() -> bytes:
    return service.categoriser_key(get_settings().secret_key)


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def train(household: Household, as_json: AsJson = False) -> None:
    """Train the household's categoriser now and report its held-out accuracy."""
    try:
        with cli_session() as session:
            ctx = service.household_ctx(session, household)
            status = service.train(session, ctx, _key())
    except DomainError as error:
        _fail(error.detail)
        return
    if as_json:
        print(status.model_dump_json())
        return
    accuracy = "n/a" if status.accuracy is None else f"{status.accuracy:.1%}"
    console.print(
        f"[green]trained[/green] on {status.training_size} categorised transactions in "
        f"{status.category_count} categories; held-out accuracy {accuracy} "
        f"({status.holdout_size} latest transactions)"
    )


@app.command("retrain-due")
def retrain_due(
    household: Annotated[
        str | None, typer.Option("--household", help="Only this household.")
    ] = None,
) -> None:
    """Count corrections and retrain every categoriser that is due (for cron)."""
    with cli_session() as session:
        ids = [household] if household else InsightsRepository(session).household_ids()
    table = Table("household", "retrained", "corrections", "reason")
    for household_id in ids:
        try:
            with cli_session() as session:
                ctx = service.household_ctx(session, household_id)
                result = service.retrain_if_due(session, ctx, _key())
        except DomainError as error:
            table.add_row(household_id, "error", "", error.detail)
            continue
        table.add_row(
            household_id,
            "yes" if result.retrained else "no",
            str(result.corrections),
            result.reason,
        )
    console.print(table)


@app.command()
def subscriptions(household: Household, as_json: AsJson = False) -> None:
    """List the household's subscriptions and recurring charges."""
    try:
        with cli_session() as session:
            items = service.subscriptions(session, service.household_ctx(session, household))
    except DomainError as error:
        _fail(error.detail)
        return
    if as_json:
        print(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
        return
    table = Table("payee", "cadence", "amount", "per year", "next", "why")
    for item in items:
        table.add_row(
            item.payee,
            item.cadence,
            f"{item.amount} {item.currency}",
            item.yearly_cost,
            str(item.next_expected or "ended"),
            item.why,
        )
    console.print(table)


@app.command()
def anomalies(household: Household, as_json: AsJson = False) -> None:
    """List unusual transactions and months of this month and the two before."""
    try:
        with cli_session() as session:
            items = service.anomalies(session, service.household_ctx(session, household))
    except DomainError as error:
        _fail(error.detail)
        return
    if as_json:
        print(json.dumps([i.model_dump(mode="json") for i in items], indent=2))
        return
    table = Table("date", "kind", "what", "why")
    for item in items:
        table.add_row(str(item.date), item.kind, item.title, item.why)
    console.print(table)
