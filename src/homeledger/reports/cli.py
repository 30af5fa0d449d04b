"""`homeledger report NAME --household ID [--from DATE --to DATE] [--format json|csv|pdf]
[-o FILE]`: a report for the operator or the power user, as the household's owner."""

from __future__ import annotations

import datetime as dt
import enum
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from homeledger.cli.context import cli_session, err_console
from homeledger.kit.errors import DomainError, NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.reports import flows, service
from homeledger.reports.schemas import ReportMeta
from homeledger.users.repository import HouseholdRepository


class ReportName(enum.StrEnum):
    SPENDING = "spending"
    INCOME_EXPENSE = "income-expense"
    CASH_FLOW = "cash-flow"
    NET_WORTH = "net-worth"
    BUDGET = "budget"


class OutputFormat(enum.StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


def owner_context(session: Session, household_id: str) -> Ctx:
    """The operator reads as the household's first owner."""
    for membership, user in HouseholdRepository(session).members(household_id):
        if membership.role == Role.OWNER:
            return Ctx(user.id, household_id, Role.OWNER, read_only=True)
    raise NotFound(f"no household {household_id}")


def build(
    session: Session,
    ctx: Ctx,
    name: ReportName,
    start: dt.date,
    end: dt.date,
    budget_id: str | None = None,
) -> ReportMeta:
    if name is ReportName.SPENDING:
        return service.category_report(session, ctx, "expense", start, end)
    if name is ReportName.INCOME_EXPENSE:
        return service.income_expense(session, ctx, start, end)
    if name is ReportName.CASH_FLOW:
        return flows.cash_flow(session, ctx, start, end)
    if name is ReportName.NET_WORTH:
        return flows.net_worth(session, ctx, start, end)
    return flows.budget_vs_actual(session, ctx, start, end, budget_id)


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err_console.print(f"[red]error:[/red] {option}: '{text}' is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def report(
    name: Annotated[ReportName, typer.Argument(help="Which report.")],
    household: Annotated[str, typer.Option("--household", help="The household's id.")],
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day (YYYY-MM-DD); default: 11 months ago.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day, inclusive; default: today.")
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="json, csv or pdf.")
    ] = OutputFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of stdout.")
    ] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="budget: the budget's id (default: first).")
    ] = None,
) -> None:
    """Print or save a report in the household's base currency."""
    from homeledger.reports.pdf import render_pdf
    from homeledger.reports.tables import to_csv

    end = _date(date_to, "--to") or dt.date.today()
    start = _date(date_from, "--from")
    if start is None:
        months = end.year * 12 + end.month - 1 - 11
        start = dt.date(months // 12, months % 12 + 1, 1)
    try:
        with cli_session() as session:
            result = build(session, owner_context(session, household), name, start, end, budget)
    except DomainError as error:
        err_console.print(f"[red]error:[/red] {error.detail}")
        raise typer.Exit(1) from None
    if output_format is OutputFormat.PDF:
        content = render_pdf(result)
    elif output_format is OutputFormat.CSV:
        content = to_csv(result).encode()
    else:
        content = (result.model_dump_json(indent=2) + "\n").encode()
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)
        err_console.print(f"wrote {output} ({len(content)} bytes)")


def register(app: typer.Typer) -> None:
    """Adds the top-level `report` command to `app` (the `homeledger` root)."""
    app.command("report")(report)
