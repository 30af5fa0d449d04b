"""Operator commands added to the root `homeledger` command: backup, restore, worker,
smoke, keys rotate. Each prints what it did; stdout carries only the result a script
needs (the archive path of `backup`), messages go to stderr."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from homeledger.cli.context import console, err_console
from homeledger.config import UnsafeSettingsError, check_production, get_settings

keys_app = typer.Typer(help="Manage encryption keys.", no_args_is_help=True)


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


def backup(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Archive path (default: DATA_DIR/backups/NAME)."),
    ] = None,
    upload: Annotated[
        bool | None,
        typer.Option(
            "--upload/--no-upload",
            help="Copy the archive to the file store under backups/ (default: when it is S3).",
        ),
    ] = None,
    keep_daily: Annotated[
        int, typer.Option(min=0, help="Keep the newest archive of this many recent days.")
    ] = 7,
    keep_monthly: Annotated[
        int, typer.Option(min=0, help="Keep the newest archive of this many recent months.")
    ] = 12,
) -> None:
    """Back up the database and stored files into one encrypted archive; prints its path.

    Consistent while the application runs. Uploads to the file store when it is S3 and
    prunes archives beyond the retention."""
    from homeledger.ops.archive import ArchiveError
    from homeledger.ops.backup import BackupError, create_backup

    try:
        result = create_backup(
            get_settings(),
            output,
            upload=upload,
            keep_daily=keep_daily,
            keep_monthly=keep_monthly,
            say=lambda message: err_console.print(f"[dim]{message}[/dim]"),
        )
    except (BackupError, ArchiveError, OSError) as error:
        _fail(str(error))
        return
    err_console.print(
        f"[green]backup done[/green] in {result.seconds:.1f} s: {result.tables} tables, "
        f"{result.rows} rows, {result.files} files, {result.size / 1e6:.1f} MB"
        + (f", uploaded as {result.uploaded_key}" if result.uploaded_key else "")
    )
    for pruned in result.pruned:
        err_console.print(f"[dim]pruned {pruned}[/dim]")
    print(result.path)


def restore(
    archive: Annotated[Path, typer.Argument(help="The archive made by `homeledger backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database that holds data.")
    ] = False,
) -> None:
    """Verify an archive, then restore it into an empty database and check the result.

    A damaged or altered archive is refused before anything changes."""
    from homeledger.ops.archive import ArchiveError
    from homeledger.ops.backup import BackupError
    from homeledger.ops.restore import VerifiedArchive, restore_backup

    settings = get_settings()

    def confirm(verified: VerifiedArchive) -> bool:
        manifest = verified.manifest
        err_console.print(
            f"archive verified: made {manifest['created_at']} by homeledger "
            f"{manifest['app_version']}, {len(manifest['tables'])} tables, {verified.rows} rows, "
            f"{len(verified.files)} files"
        )
        return yes or typer.confirm("Restore it into the configured database?", default=False)

    try:
        result = restore_backup(
            settings,
            archive,
            replace=replace,
            confirm=confirm,
            say=lambda message: err_console.print(f"[dim]{message}[/dim]"),
        )
    except ArchiveError as error:
        _fail(f"archive refused, nothing was changed: {error}")
        return
    except (BackupError, OSError) as error:
        _fail(str(error))
        return
    console.print(
        f"[green]restored[/green] {result.tables} tables, {result.rows} rows and "
        f"{result.files} files in {result.seconds:.1f} s; every table matches the manifest"
    )
    if result.findings:
        for finding in result.findings:
            err_console.print(
                f"[red]check:[/red] {finding.check} {finding.subject}: {finding.detail}"
            )
        _fail(f"the ledger check found {len(result.findings)} difference(s)")
    console.print("[green]ledger check: no differences[/green]")


def worker(
    pool: Annotated[str, typer.Option(help="Celery pool: threads, prefork or solo.")] = "threads",
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at the same time.")] = 4,
    metrics_port: Annotated[
        int | None, typer.Option(help="Port of /metrics (default HOMELEDGER_WORKER_METRICS_PORT).")
    ] = None,
    metrics_host: Annotated[str, typer.Option(help="Address of /metrics.")] = "0.0.0.0",  # noqa: S104
) -> None:
    """Run a Celery worker for background jobs (needs HOMELEDGER_BROKER_URL).

    Serves its Prometheus metrics on port 9100."""
    settings = get_settings()
    try:
        check_production(settings)
    except UnsafeSettingsError as error:
        _fail(str(error))
    if not settings.broker_url:
        _fail(
            "HOMELEDGER_BROKER_URL is not set: without a broker, jobs run inside the web "
            "process and no worker is needed"
        )
    if metrics_port is not None:
        settings = settings.model_copy(update={"worker_metrics_port": metrics_port})
    from homeledger.kit import logging as hl_logging
    from homeledger.worker.celery_app import run_worker

    hl_logging.configure(settings.log_level, settings.log_json)
    run_worker(settings, pool=pool, concurrency=concurrency, metrics_address=metrics_host)


def smoke(
    url: Annotated[str, typer.Argument(help="Base URL of the running instance.")],
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 10.0,
) -> None:
    """Post-deployment smoke test of a running instance; exits 1 on any failure.

    Health, readiness, sign-up and sign-in, a write and a read in a throwaway household,
    then clean-up."""
    from homeledger.ops.smoke import run_smoke

    def report(step: str, ok: bool, detail: str, seconds: float) -> None:
        mark = "[green]ok  [/green]" if ok else "[red]FAIL[/red]"
        console.print(f"{mark} {step:<26} {seconds * 1000:7.0f} ms  {detail}")

    failures = run_smoke(url, report, timeout)
    if failures:
        _fail(f"smoke test failed: {', '.join(failures)}")
    console.print(f"[green]smoke test passed[/green] against {url}")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt encrypted columns from the previous field key to the current one.

    From HOMELEDGER_ENCRYPTION_KEY_PREVIOUS to HOMELEDGER_ENCRYPTION_KEY, in batches;
    safe to run again."""
    from homeledger.db.engine import make_engine
    from homeledger.db.session import make_session_factory
    from homeledger.ops.keys import RotationError, rotate_field_keys

    settings = get_settings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        result = rotate_field_keys(settings, make_session_factory(engine))
    except (RotationError, ValueError) as error:
        _fail(str(error))
        return
    finally:
        engine.dispose()
    console.print(
        f"re-encrypted {result.rotated} value(s); {result.already_current} already used the "
        "current key"
    )
    if result.unreadable:
        _fail(f"{len(result.unreadable)} value(s) open with neither key: {result.unreadable[:10]}")


def register(app: typer.Typer) -> None:
    """Adds the operations commands (backup, restore, worker, smoke, keys) to `app`."""
    app.command()(backup)
    app.command()(restore)
    app.command()(worker)
    app.command()(smoke)
    app.add_typer(keys_app, name="keys")
