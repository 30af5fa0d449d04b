"""`homeledger`: serve, migrate, demo, check, users and households, configuration."""

from __future__ import annotations

import json
import os
import secrets
import sys
from typing import Annotated

import typer
from rich.table import Table

from homeledger.cli.context import cli_session, console, err_console
from homeledger.config import get_settings
from homeledger.exports.cli import register as register_export_command
from homeledger.imports.cli import register as register_import_command
from homeledger.insights import cli as insights_cli
from homeledger.kit.errors import DomainError
from homeledger.kit.tenancy import Role
from homeledger.ops.cli import register as register_ops_commands
from homeledger.planning.cli import app as planning_app
from homeledger.reports.cli import register as register_report_command
from homeledger.schedules.cli import register as register_schedules_commands
from homeledger.web.cli import app as assets_app

app = typer.Typer(help="homeledger: self-hosted double-entry finance.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
household_app = typer.Typer(help="Manage households and members.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the configuration.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(household_app, name="household")
app.add_typer(config_app, name="config")
register_ops_commands(app)
register_report_command(app)
register_schedules_commands(app)
register_import_command(app)
register_export_command(app)
app.add_typer(planning_app)  # unnamed: its `simulate` becomes a top-level command
app.add_typer(assets_app, name="assets")
app.add_typer(insights_cli.app, name="insights")


def _fail(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def migrate() -> None:
    """Upgrade the database schema to the newest revision (safe to run concurrently)."""
    from homeledger.config import UnsafeSettingsError, check_production
    from homeledger.ops.migrate import upgrade

    settings = get_settings()
    try:
        check_production(settings)
    except UnsafeSettingsError as error:
        _fail(str(error))
    upgrade(settings.database_url)
    console.print("[green]database is up to date[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Processes; above 1 runs gunicorn.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Serve the web app and the API."""
    from homeledger.config import UnsafeSettingsError, check_production

    try:
        check_production(get_settings())
    except UnsafeSettingsError as error:
        _fail(str(error))
    if workers > 1:
        os.execvp(  # noqa: S606 - replaces this process with gunicorn, arguments are ours
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "homeledger.asgi:app",
                "-c",
                "python:homeledger.ops.gunicorn_conf",
                "-k",
                "uvicorn.workers.UvicornWorker",
                "-w",
                str(workers),
                "-b",
                f"{host}:{port}",
                "--forwarded-allow-ips",
                "*",
            ],
        )
    import uvicorn

    uvicorn.run(
        "homeledger.asgi:app",
        host=host,
        port=port,
        reload=reload,
        proxy_headers=True,
        log_level="warning",
    )


@app.command()
def demo(
    household: Annotated[
        str, typer.Option("--household", help="Name of the demo household.")
    ] = "Demo household",
    email: Annotated[
        str, typer.Option(help="Owner of the demo household (created if new).")
    ] = "demo@example.com",
) -> None:
    """Load a demo household with a year of transactions; prints its id."""
    from homeledger.ops.demo import build_demo
    from homeledger.users import service as users
    from homeledger.users.repository import UserRepository
    from homeledger.users.schemas import UserCreate

    with cli_session() as session:
        owner = UserRepository(session).by_email(email)
        if owner is None:
            password = secrets.token_urlsafe(12)
            owner = users.register(session, UserCreate(email=email, password=password))
            err_console.print(f"created user {email} with password [bold]{password}[/bold]")
        household_id = build_demo(session, owner, get_settings().field_key(), household)
    print(household_id)


@app.command()
def check(as_json: Annotated[bool, typer.Option("--json", help="Emit JSON.")] = False) -> None:
    """Recompute every ledger invariant; exit 1 when anything differs."""
    from homeledger.ops.check import run_checks

    with cli_session() as session:
        findings = run_checks(session)
    if as_json:
        print(
            json.dumps({"ok": not findings, "findings": [f.__dict__ for f in findings]}, indent=2)
        )
    elif findings:
        table = Table("check", "subject", "difference", title="ledger check: differences")
        for f in findings:
            table.add_row(f.check, f.subject, f.detail)
        console.print(table)
    else:
        console.print("[green]ledger check: no differences[/green]")
    if findings:
        raise typer.Exit(1)


@user_app.command("create")
def user_create(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Register a user."""
    from homeledger.users import service as users
    from homeledger.users.schemas import UserCreate

    try:
        with cli_session() as session:
            user = users.register(session, UserCreate(email=email, password=password))
            print(user.id)
    except DomainError as error:
        _fail(error.detail)
    except ValueError as error:
        _fail(str(error).splitlines()[0])


@user_app.command("list")
def user_list() -> None:
    """List users and their households."""
    from sqlalchemy import select

    from homeledger.users import service as users
    from homeledger.users.models import User

    table = Table("id", "email", "households")
    with cli_session() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            names = ", ".join(
                f"{h.name} ({r.value})" for h, r in users.households_of(session, user.id)
            )
            table.add_row(user.id, user.email, names)
    console.print(table)


@household_app.command("list")
def household_list() -> None:
    """List every household with its members."""
    from sqlalchemy import select

    from homeledger.users.models import Household
    from homeledger.users.repository import HouseholdRepository

    table = Table("id", "name", "currency", "members")
    with cli_session() as session:
        for h in session.scalars(select(Household).order_by(Household.name)):
            members = ", ".join(
                f"{u.email} ({m.role})" for m, u in HouseholdRepository(session).members(h.id)
            )
            table.add_row(h.id, h.name, h.base_currency, members)
    console.print(table)


@household_app.command("create")
def household_create(
    name: str,
    owner: Annotated[str, typer.Option(help="Email of the owner.")],
    currency: Annotated[str, typer.Option(help="Base currency.")] = "EUR",
) -> None:
    """Create a household owned by an existing user; prints its id."""
    from homeledger.users import service as users
    from homeledger.users.repository import UserRepository
    from homeledger.users.schemas import HouseholdCreate

    try:
        with cli_session() as session:
            user = UserRepository(session).by_email(owner)
            if user is None:
                _fail(f"no user {owner}")
                return
            print(
                users.create_household(
                    session, user, HouseholdCreate(name=name, base_currency=currency)
                ).id
            )
    except DomainError as error:
        _fail(error.detail)


@household_app.command("add-member")
def household_add_member(
    household_id: str,
    email: str,
    role: Annotated[Role, typer.Option(help="owner, editor or viewer.")] = Role.VIEWER,
) -> None:
    """Add an existing user to a household (operator action, audited)."""
    from homeledger.kit import audit
    from homeledger.users.models import Membership
    from homeledger.users.repository import HouseholdRepository, UserRepository

    with cli_session() as session:
        user = UserRepository(session).by_email(email)
        repo = HouseholdRepository(session)
        if user is None or repo.get(household_id) is None:
            _fail("no such user or household")
            return
        if repo.membership(household_id, user.id) is not None:
            _fail(f"{email} is already a member")
        repo.add_membership(Membership(household_id=household_id, user_id=user.id, role=role.value))
        audit.record(
            session,
            "member.added_by_operator",
            user_id=None,
            household_id=household_id,
            target=user.id,
            role=role.value,
        )
    console.print(f"added {email} as {role.value}")


@config_app.command("check")
def config_check() -> None:
    """Report unsafe settings for production without starting anything."""
    problems = get_settings().unsafe_settings()
    for problem in problems:
        err_console.print(f"[red]unsafe:[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]configuration is fine for {get_settings().env.value}[/green]")


if __name__ == "__main__":
    app()
