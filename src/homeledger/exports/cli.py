"""`homeledger export` and `homeledger restore-household`; they act as the household's first owner
(see imports.cli). Add them to the root command with `register(app)`."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from homeledger.cli.context import console
from homeledger.config import get_settings
from homeledger.exports import service
from homeledger.exports.schemas import ExportFilter, HouseholdDocument
from homeledger.imports.cli import command_session, fail, owner_ctx
from homeledger.kit.errors import DomainError


class ExportFormatOption(StrEnum):
    CSV = "csv"
    JSON = "json"
    BEANCOUNT = "beancount"
    QIF = "qif"


def export_command(
    household: Annotated[str, typer.Option("--household", help="The household's id.")],
    export_format: Annotated[
        ExportFormatOption, typer.Option("--format", help="csv, json, beancount or qif.")
    ] = ExportFormatOption.CSV,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Default: standard output.")
    ] = None,
    account: Annotated[
        list[str] | None, typer.Option("--account", help="Only these accounts (csv, qif).")
    ] = None,
    date_from: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
    ] = None,
    date_to: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
) -> None:
    """Export the household: CSV or QIF of its transactions, Beancount text, or JSON of
    everything (which `homeledger restore-household` rebuilds into an empty household)."""
    filters = ExportFilter(
        account_id=account or [],
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )
    key = get_settings().field_key()
    try:
        with command_session() as session:
            ctx = owner_ctx(session, household)
            if output is None:
                service.export(session, ctx, export_format.value, sys.stdout, key, filters)
            else:
                with output.open("w", encoding="utf-8", newline="") as out:
                    service.export(session, ctx, export_format.value, out, key, filters)
    except DomainError as error:
        fail(error.detail)
        return
    if output is not None:
        console.print(f"wrote {output}", highlight=False)


def restore_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    household: Annotated[str, typer.Option("--household", help="An empty household's id.")],
) -> None:
    """Rebuild a household JSON export into an empty household."""
    try:
        document = HouseholdDocument.model_validate(json.loads(file.read_text("utf-8")))
    except (ValueError, ValidationError) as error:
        fail(f"{file.name} is not a household export: {str(error).splitlines()[0]}")
        return
    try:
        with command_session() as session:
            result = service.restore(
                session, owner_ctx(session, household), document, get_settings().field_key()
            )
    except DomainError as error:
        fail(error.detail)
        return
    console.print(
        f"restored {result.accounts} accounts and {result.transactions} transactions",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Adds `export` and `restore-household` to the root command."""
    app.command("export")(export_command)
    app.command("restore-household")(restore_command)
