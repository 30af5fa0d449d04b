"""What commands share: settings, a session scope, and the Ctx of an operator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy.orm import Session

from homeledger.config import get_settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope

console = Console()
err_console = Console(stderr=True)


@contextmanager
def cli_session() -> Iterator[Session]:
    """One database transaction per command: committed on success, rolled back on error."""
    engine = make_engine(get_settings().database_url, pool_size=2)
    try:
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()
