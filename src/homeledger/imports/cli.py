"""`homeledger import FILE ...` and `homeledger imports list|revert`.

The commands act as the household's owner: the Ctx is the household's first owner (the
earliest owner membership), as an operator on the machine may do anything an owner may.
Add them to the root command with `register(app)`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from homeledger.cli.context import console, err_console
from homeledger.config import get_settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.imports import profiles, service
from homeledger.imports.schemas import ImportBatchRead
from homeledger.kit.errors import DomainError, NotFound
from homeledger.kit.tenancy import Ctx, Role
from homeledger.users.models import Membership

imports_app = typer.Typer(help="Bank-file imports of a household.", no_args_is_help=True)


class FileFormatOption(StrEnum):
    AUTO = "auto"
    CSV = "csv"
    OFX = "ofx"
    QIF = "qif"
    CAMT = "camt"
    MT940 = "mt940"


HouseholdOption = Annotated[str, typer.Option("--household", help="The household's id.")]


def owner_ctx(session: Session, household_id: str) -> Ctx:
    """The Ctx of the household's first owner: what the CLI acts as."""
    query = (
        select(Membership.user_id)
        .where(Membership.household_id == household_id, Membership.role == Role.OWNER.value)
        .order_by(Membership.created_at, Membership.id)
        .limit(1)
    )
    user_id = session.scalars(query).first()
    if user_id is None:
        raise NotFound(f"no household {household_id} (or it has no owner)")
    return Ctx(user_id, household_id, Role.OWNER)


@contextmanager
def command_session(keep: bool = True) -> Iterator[Session]:
    """One database transaction for the command: committed when `keep` and nothing
    failed, rolled back otherwise (a dry run keeps nothing)."""
    engine = make_engine(get_settings().database_url, pool_size=2)
    session = make_session_factory(engine)()
    try:
        yield session
        if keep:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        engine.dispose()


def fail(message: str, as_json: bool = False, **extra: object) -> None:
    if as_json:
        print(json.dumps({"error": message, **extra}))
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def _counts(batch: ImportBatchRead, dry_run: bool) -> dict[str, object]:
    c = batch.counts
    return {
        "parsed": c.parsed,
        "new": c.new,
        "duplicate": c.duplicate,
        "transfer": c.transfer,
        "errors": c.errors,
        "skipped": c.skipped,
        "batch_id": None if dry_run else batch.id,
        "dry_run": dry_run,
        "format": batch.format,
        "profile": batch.profile_name or None,
        "notes": batch.notes,
    }


def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="The bank file.")
    ],
    household: HouseholdOption,
    account: Annotated[str, typer.Option("--account", help="The account the file is of.")],
    file_format: Annotated[
        FileFormatOption, typer.Option("--format", help="Default: detected.")
    ] = FileFormatOption.AUTO,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="A saved or shipped CSV profile, by name."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the counts; keep nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Emit the counts as JSON.")] = False,
    skip_errors: Annotated[
        bool, typer.Option("--skip-errors", help="Import the rows that can be imported.")
    ] = False,
) -> None:
    """Import a bank file (CSV, OFX/QFX, QIF, CAMT.053, MT940) into an account.

    Prints the counts: parsed, new, duplicate, transfer, errors. A file that cannot be
    read exits 1 naming the line, and nothing is imported. Acts as the household's
    first owner."""
    size = file.stat().st_size
    show = not as_json and err_console.is_terminal
    progress = Progress(
        TextColumn("importing {task.fields[name]}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not show,
    )
    task = progress.add_task("import", total=size, name=file.name, rows=0)
    try:
        with command_session(keep=not dry_run) as session, progress, file.open("rb") as stream:
            ctx = owner_ctx(session, household)
            chosen = (
                profiles.choose(session, ctx, account, profile_name=profile) if profile else None
            )
            batch = service.import_file(
                session,
                ctx,
                account,
                stream,
                file.name,
                file_format=file_format.value,
                profile=chosen,
                skip_errors=skip_errors,
                progress=lambda rows, read: progress.update(task, completed=read, rows=rows),
            )
    except DomainError as error:
        fail(error.detail, as_json, **{k: v for k, v in error.extra.items() if k != "rows"})
        return
    counts = _counts(batch, dry_run)
    if as_json:
        print(json.dumps(counts))
        return
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{file.name}: parsed {batch.counts.parsed}, new {batch.counts.new}, "
        f"duplicate {batch.counts.duplicate}, transfer {batch.counts.transfer}, "
        f"errors {batch.counts.errors}  ({verb}; {'nothing kept' if dry_run else batch.id})",
        highlight=False,
        soft_wrap=True,
    )
    for note in batch.notes:
        console.print(f"  note: {note}", highlight=False, soft_wrap=True)
    for line in batch.errors:
        console.print(f"  skipped {line}", highlight=False, soft_wrap=True)


@imports_app.command("list")
def list_command(
    household: HouseholdOption,
    account: Annotated[str | None, typer.Option("--account")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The household's imports, newest first."""
    try:
        with command_session() as session:
            batches = service.list_batches(session, owner_ctx(session, household), account, 200)
    except DomainError as error:
        fail(error.detail, as_json)
        return
    if as_json:
        print(json.dumps([b.model_dump(mode="json") for b in batches]))
        return
    table = Table("id", "file", "when", "status", "new", "duplicate", "transfer", "errors")
    for b in batches:
        table.add_row(
            b.id,
            b.file_name,
            f"{b.created_at:%Y-%m-%d %H:%M}",
            b.status,
            str(b.counts.new),
            str(b.counts.duplicate),
            str(b.counts.transfer),
            str(b.counts.errors),
        )
    console.print(table)


@imports_app.command("revert")
def revert_command(batch_id: str, household: HouseholdOption) -> None:
    """Take an import out of the ledger as a whole (refused for reconciled postings)."""
    try:
        with command_session() as session:
            batch = service.revert(session, owner_ctx(session, household), batch_id)
    except DomainError as error:
        fail(error.detail)
        return
    console.print(f"reverted {batch.file_name} ({batch.counts.new} transactions)")


def register(app: typer.Typer) -> None:
    """Adds `import` and `imports list|revert` to the root command."""
    app.command("import")(import_command)
    app.add_typer(imports_app, name="imports")
