"""Backups and the restore drill, on SQLite and on PostgreSQL.

A demo household and stored files are backed up; the database is dropped; the archive is
restored into an empty database; every table's checksum equals the original's and the
ledger check finds nothing. Damaged archives and non-empty targets are refused with
nothing changed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from tests.conftest import BACKENDS, PG_URL, _admin_dsn, fresh_database, make_settings
from tests.ops.conftest import S3

from homeledger.app import create_app
from homeledger.config import Settings
from homeledger.db.engine import make_engine
from homeledger.db.registry import metadata
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.storage import make_storage
from homeledger.ops.archive import DamagedArchive, WrongKey
from homeledger.ops.backup import BACKUP_PREFIX, BackupError, create_backup, prune
from homeledger.ops.demo import build_demo
from homeledger.ops.manifest import TableDigest, table_digests
from homeledger.ops.restore import restore_backup
from homeledger.ops.retention import archive_name, to_delete
from homeledger.users import service as users
from homeledger.users.schemas import UserCreate

RECEIPT = b"\xff\xd8\xff receipt image bytes"


def digests(url: str) -> dict[str, TableDigest]:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return table_digests(conn)
    finally:
        engine.dispose()


def seed(settings: Settings, email: str = "owner@example.com", demo: bool = True) -> None:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            owner = users.register(
                session, UserCreate(email=email, password="correct horse battery staple")
            )
            if demo:
                build_demo(session, owner, settings.field_key())
    finally:
        engine.dispose()
    storage = make_storage(settings)
    storage.put("receipts/h1/r1.jpg", RECEIPT)
    storage.put("exports/h1/2025.csv", b"date,amount\n")


def empty_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: what `createdb` gives the operator."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'empty-{uuid.uuid4().hex[:6]}.db'}"
        return
    assert PG_URL is not None
    name = f"hl_r_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin_dsn(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_dsn(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    assert PG_URL is not None
    with psycopg.connect(_admin_dsn(PG_URL), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')


@dataclass
class Backed:
    backend: str
    settings: Settings
    archive: Path
    before: dict[str, TableDigest]


@pytest.fixture(scope="module", params=BACKENDS)
def backed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backed]:
    """A seeded database and its archive, made once per backend."""
    tmp = tmp_path_factory.mktemp(f"backed-{request.param}")
    database = fresh_database(request.param, request, tmp)
    url = next(database)
    settings = make_settings(url, tmp, storage_url=f"file://{tmp}/files")
    seed(settings)
    before = digests(url)
    result = create_backup(settings)
    yield Backed(request.param, settings, result.path, before)
    for _ in database:  # drops the database (when the drill has not)
        pass


def target_settings(backed: Backed, url: str, tmp_path: Path) -> Settings:
    """The same keys as the backed-up installation, another database and file store."""
    return backed.settings.model_copy(
        update={
            "database_url": url,
            "storage_url": f"file://{tmp_path}/restored-files",
            "data_dir": tmp_path,
        }
    )


def test_restore_drill_gives_back_every_table_and_file(backed: Backed, tmp_path: Path) -> None:
    assert backed.before["transactions"].rows > 300  # a year of demo data
    assert backed.archive.stat().st_mode & 0o077 == 0  # not readable by others
    drop(backed.settings.database_url)
    for url in empty_database(backed.backend, tmp_path):
        target = target_settings(backed, url, tmp_path)
        result = restore_backup(target, backed.archive)
        assert result.findings == []  # the ledger check after the restore
        assert digests(url) == backed.before  # every table, row for row
        assert result.rows == sum(d.rows for d in backed.before.values())
        restored = make_storage(target)
        assert restored.get("receipts/h1/r1.jpg") == RECEIPT
        assert [o.key for o in restored.list()] == ["exports/h1/2025.csv", "receipts/h1/r1.jpg"]

        with pytest.raises(BackupError, match="not empty"):  # a second restore over it
            restore_backup(target, backed.archive)
        assert digests(url) == backed.before


def test_restore_into_a_freshly_migrated_empty_database(
    backed: Backed, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    for url in fresh_database(backed.backend, request, tmp_path):
        result = restore_backup(target_settings(backed, url, tmp_path), backed.archive)
        assert result.findings == []
        assert digests(url) == backed.before


@pytest.mark.parametrize("damage", ["tampered", "truncated", "wrong key"])
def test_damaged_archive_is_refused_and_nothing_changes(
    backed: Backed, tmp_path: Path, request: pytest.FixtureRequest, damage: str
) -> None:
    data = bytearray(backed.archive.read_bytes())
    target_archive = tmp_path / "damaged.hlbackup"
    expected: type[Exception] = DamagedArchive
    settings_update: dict[str, object] = {}
    if damage == "tampered":
        data[len(data) // 2] ^= 0x20
    elif damage == "truncated":
        data = data[: len(data) * 2 // 3]
    else:
        expected = WrongKey
        settings_update = {"backup_key": "A" * 43 + "="}
    target_archive.write_bytes(bytes(data))
    for url in fresh_database(backed.backend, request, tmp_path):
        target = target_settings(backed, url, tmp_path).model_copy(update=settings_update)
        untouched = digests(url)
        with pytest.raises(expected):
            restore_backup(target, target_archive)
        assert digests(url) == untouched
        assert not (tmp_path / "restored-files").exists()
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".restore-")] == []


def test_archive_of_another_backend_is_refused(backed: Backed, tmp_path: Path) -> None:
    other = (
        "postgresql+psycopg://nobody@127.0.0.1:1/none"
        if backed.backend == "sqlite"
        else f"sqlite:///{tmp_path}/x.db"
    )
    with pytest.raises(BackupError, match="backup; the target database is"):
        restore_backup(target_settings(backed, other, tmp_path), backed.archive)


def test_backup_age_metric_starts_at_zero_and_follows_backups(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(database_url, tmp_path, metrics_refresh_seconds=0.05)
    app = create_app(settings)

    def gauge() -> float:
        body = client.get("/metrics").text
        match = re.search(r"^homeledger_backup_last_success_timestamp_seconds (\S+)$", body, re.M)
        assert match, "the gauge is exposed"
        return float(match.group(1))

    with TestClient(app) as client:
        deadline = time.monotonic() + 5
        while gauge() != 0.0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gauge() == 0.0  # no backup yet: the alert's "about 56 years"
        before = time.time()
        create_backup(settings)
        while gauge() == 0.0 and time.monotonic() < deadline + 5:
            time.sleep(0.02)
        assert before - 1 <= gauge() <= time.time()
    app.state.engine.dispose()


def test_retention_keeps_recent_days_and_month_ends() -> None:
    start = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)
    archives = [
        (archive_name(start + timedelta(days=d)), start + timedelta(days=d)) for d in range(69)
    ]
    late = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)  # a second backup on the last day
    archives.append((archive_name(late), late))
    doomed = set(to_delete(archives, keep_daily=7, keep_monthly=3))
    kept = sorted(name for name, _ in archives if name not in doomed)
    assert kept == sorted(
        [archive_name(late)]
        + [archive_name(datetime(2025, 3, day, 2, 0, tzinfo=UTC)) for day in range(4, 10)]
        + [archive_name(datetime(2025, 2, 28, 2, 0, tzinfo=UTC))]
        + [archive_name(datetime(2025, 1, 31, 2, 0, tzinfo=UTC))]
    )
    assert to_delete(archives[:1], keep_daily=0, keep_monthly=0) == []  # newest always stays


def test_prune_touches_only_archives_by_name(tmp_path: Path) -> None:
    old = datetime(2024, 5, 1, tzinfo=UTC)
    for days in range(5):
        (tmp_path / archive_name(old + timedelta(days=days))).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "homeledger-2024-05-01.backup").write_bytes(b"an operator's own copy")
    newest = archive_name(old + timedelta(days=4))
    pruned = prune(tmp_path, None, keep_daily=2, keep_monthly=0, keep=newest)
    assert len(pruned) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.txt", "homeledger-2024-05-01.backup", newest, archive_name(old + timedelta(days=3))]
    )


def test_s3_store_backup_uploads_prunes_and_restores_files(
    s3: S3, database_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = make_settings(
        database_url, tmp_path, storage_url=s3.storage_url, s3_endpoint_url=s3.endpoint_url
    )
    storage = make_storage(settings)
    storage.put("receipts/h/1.jpg", RECEIPT)
    stale = archive_name(datetime(2020, 1, 1, tzinfo=UTC))
    storage.put(BACKUP_PREFIX + stale, b"an archive from long ago")
    result = create_backup(settings, keep_daily=1, keep_monthly=0)  # upload: the store is S3
    assert result.uploaded_key == BACKUP_PREFIX + result.path.name
    assert result.pruned == [BACKUP_PREFIX + stale]
    assert [o.key for o in storage.list(BACKUP_PREFIX)] == [result.uploaded_key]
    assert result.files == 1  # the receipt; archives are never inside archives

    other_bucket = S3(s3.endpoint_url, f"hl-restore-{uuid.uuid4().hex[:8]}")
    other_bucket.client().create_bucket(Bucket=other_bucket.bucket)  # type: ignore[attr-defined]
    downloaded = tmp_path / "downloaded.hlbackup"
    downloaded.write_bytes(storage.get(result.uploaded_key))
    for url in fresh_database(
        make_url(database_url).get_backend_name().replace("postgresql", "postgres"),
        request,
        tmp_path,
    ):
        target = settings.model_copy(
            update={"database_url": url, "storage_url": other_bucket.storage_url}
        )
        restore_backup(target, downloaded)
        assert make_storage(target).get("receipts/h/1.jpg") == RECEIPT


def test_commands_back_up_print_the_path_and_restore(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    (tmp_path / "src").mkdir()
    source = next(fresh_database("sqlite", request, tmp_path / "src"))
    env = {
        **os.environ,
        "HOMELEDGER_DATABASE_URL": source,
        "HOMELEDGER_DATA_DIR": str(tmp_path / "data"),
        "HOMELEDGER_SECRET_KEY": "command-test-secret-0123456789-0123456789",
    }
    seed(
        make_settings(source, tmp_path / "data", secret_key=env["HOMELEDGER_SECRET_KEY"]),
        demo=False,
    )
    homeledger = [sys.executable, "-m", "homeledger.cli.main"]
    output = tmp_path / "nightly.hlbackup"
    made = subprocess.run(
        [*homeledger, "backup", "-o", str(output)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(output)

    env["HOMELEDGER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = subprocess.run(
        [*homeledger, "restore", str(output), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert restored.returncode == 0, restored.stderr
    assert "ledger check: no differences" in restored.stdout
    assert digests(env["HOMELEDGER_DATABASE_URL"]) == {
        name: digest for name, digest in digests(source).items() if name != "backup_runs"
    } | {"backup_runs": digests(env["HOMELEDGER_DATABASE_URL"])["backup_runs"]}

    output.write_bytes(output.read_bytes()[:-10])
    env["HOMELEDGER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'second.db'}"
    refused = subprocess.run(
        [*homeledger, "restore", str(output), "--yes"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert "archive refused, nothing was changed" in refused.stderr
    assert not (tmp_path / "second.db").exists()


if PG_URL:

    def test_checksums_are_identical_on_sqlite_and_postgresql(
        request: pytest.FixtureRequest, tmp_path: Path
    ) -> None:
        """The same rows give the same manifest on both databases."""
        lite = next(fresh_database("sqlite", request, tmp_path))
        seed(make_settings(lite, tmp_path, storage_url=f"file://{tmp_path}/f"))
        pg = next(fresh_database("postgres", request, tmp_path))
        source, target = make_engine(lite, pool_size=1), make_engine(pg, pool_size=1)
        with source.connect() as read, target.begin() as write:
            write.execute(text("SET session_replication_role = replica"))  # rows in any order
            for table in metadata.sorted_tables:
                rows = [dict(row._mapping) for row in read.execute(table.select())]
                if rows:
                    write.execute(table.insert(), rows)
        source.dispose()
        target.dispose()
        on_sqlite, on_postgres = digests(lite), digests(pg)
        assert on_sqlite["postings"].rows > 500
        assert on_sqlite == on_postgres
        assert json.dumps(sorted(on_sqlite)) == json.dumps(sorted(on_postgres))
