"""`homeledger schedules run --household ID [--today DATE]`: the posting job, for cron."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.table import Table

from homeledger.cli.context import cli_session, console, err_console
from homeledger.kit.errors import DomainError

schedules_app = typer.Typer(help="Recurring transactions and bills.", no_args_is_help=True)


@schedules_app.command("run")
def run(
    household: Annotated[str, typer.Option("--household", help="The household's id.")],
    today: Annotated[
        str | None, typer.Option(help="Run as of this day (YYYY-MM-DD); default: today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Emit JSON.")] = False,
) -> None:
    """Post every auto-post occurrence due, mark matched bills paid, list the rest.
    Safe to run again: nothing is posted twice."""
    from homeledger.schedules.tasks import post_due_job

    try:
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except ValueError:
        err_console.print(f"[red]error:[/red] --today: '{today}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    try:
        with cli_session() as session:
            result = post_due_job(session, household, day)
    except DomainError as error:
        err_console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
        return
    table = Table("status", "date", "schedule", "amount", title=f"schedules on {day}")
    for group in (result.posted, result.paid, result.reminders, result.missed, result.due_bills):
        for item in group:
            table.add_row(
                item.status, item.on.isoformat(), item.name, f"{item.amount} {item.currency}"
            )
    console.print(table)
    for problem in result.problems:
        err_console.print(f"[yellow]not posted:[/yellow] {problem.name}: {problem.detail}")
    console.print(
        f"posted {len(result.posted)}, bills paid {len(result.paid)}, "
        f"missed {len(result.missed)}, upcoming {len(result.upcoming)}"
    )


def register(app: typer.Typer) -> None:
    """Adds `homeledger schedules ...` to the root command."""
    app.add_typer(schedules_app, name="schedules")
