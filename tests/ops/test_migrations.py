"""The migrations build exactly the models' schema, and every revision goes both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from homeledger.db.registry import metadata
from homeledger.ops.migrate import MIGRATIONS_DIR, alembic_config, downgrade, upgrade


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_there_is_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()
    assert MIGRATIONS_DIR.is_dir()


def test_every_revision_downgrades_and_upgrades_again(database_url: str, engine: Engine) -> None:
    script = ScriptDirectory.from_config(alembic_config(database_url))
    revisions = [r.revision for r in script.walk_revisions()]  # newest first
    for revision in revisions:
        previous = script.get_revision(revision).down_revision
        downgrade(database_url, str(previous) if previous else "base")
    engine.dispose()
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(database_url)
    engine.dispose()
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
