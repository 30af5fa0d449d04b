"""`homeledger backup`: a consistent, encrypted archive of the database and the stored
files, with a manifest of every table's row count and checksum.

Consistency while the app runs: on PostgreSQL, pg_dump reads a snapshot exported by a
REPEATABLE READ transaction, and the manifest is computed in that same transaction; on
SQLite, the online backup API copies the database and the manifest is computed on the
copy. Files are added as they are listed (they are written once and never changed)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from homeledger import __version__
from homeledger.config import Settings
from homeledger.db.base import utcnow
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory, session_scope
from homeledger.kit.storage import S3Storage, Storage, make_storage
from homeledger.ops.archive import EncryptingWriter
from homeledger.ops.manifest import as_json, table_digests
from homeledger.ops.models import BackupRun
from homeledger.ops.retention import archive_name, archive_time, to_delete

BACKUP_PREFIX = "backups/"
"""Where archives live in the file store; never part of an archive themselves."""
MANIFEST = "manifest.json"
FILES = "files/"

Say = Callable[[str], None]


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message tells the operator why."""


def backup_key(settings: Settings) -> bytes:
    if settings.backup_key:
        try:
            key = base64.b64decode(settings.backup_key, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise BackupError("HOMELEDGER_BACKUP_KEY must be base64 of 32 bytes")
        return key
    if settings.is_production:
        raise BackupError("HOMELEDGER_BACKUP_KEY is not set; production backups need it")
    # Development convenience, like the field key: derived from the secret key.
    return hashlib.sha256(b"homeledger-backup-key:" + settings.secret_key.encode()).digest()


def backend(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def pg_environment(url: str) -> dict[str, str]:
    """libpq settings for pg_dump/pg_restore; the password never appears in argv."""
    parsed = make_url(url)
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", str(parsed.port) if parsed.port else None),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
        ("PGSSLMODE", parsed.query.get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client tools (postgresql-client)"
        )
    return path


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


class _Hashing:
    """Reads through to a stream, hashing and counting what passes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        self.size += len(data)
        return data


def _add_stream(tar: tarfile.TarFile, name: str, size: int, stream: IO[bytes]) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    hashing = _Hashing(stream)
    tar.addfile(info, hashing)
    return {"size": hashing.size, "sha256": hashing.sha.hexdigest()}


@dataclass
class DatabaseDump:
    path: Path
    member: str
    tables: dict[str, Any]
    revision: str | None


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return None


def dump_postgres(url: str, scratch: Path) -> DatabaseDump:
    target = scratch / "database.pgdump"
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as raw:
            conn = raw.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                done = subprocess.run(  # noqa: S603 - our arguments, no shell
                    [
                        pg_tool("pg_dump"),
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        f"--file={target}",
                        f"--dbname={make_url(url).database}",
                    ],
                    env=pg_environment(url),
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode != 0:
                    raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
                # The same snapshot as the dump: the manifest describes exactly its rows.
                tables = as_json(table_digests(conn))
                revision = _revision(conn)
    finally:
        engine.dispose()
    return DatabaseDump(target, "database.pgdump", tables, revision)


def dump_sqlite(url: str, scratch: Path) -> DatabaseDump:
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    target = scratch / "database.sqlite3"
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)  # the online backup API: a consistent copy while writers write
    engine = make_engine(f"sqlite:///{target}", pool_size=1)
    try:
        with engine.connect() as conn:
            tables = as_json(table_digests(conn))
            revision = _revision(conn)
    finally:
        engine.dispose()
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    return DatabaseDump(target, "database.sqlite3", tables, revision)


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    seconds: float
    tables: int
    rows: int
    files: int
    uploaded_key: str | None = None
    pruned: list[str] = field(default_factory=list)


def create_backup(
    settings: Settings,
    output: Path | None = None,
    *,
    upload: bool | None = None,
    keep_daily: int = 7,
    keep_monthly: int = 12,
    say: Say = lambda _: None,
) -> BackupResult:
    """Writes the archive, uploads it (default: when the store is S3), prunes old
    archives, and records the success for the backup-age metric."""
    started = time.perf_counter()
    key = backup_key(settings)
    kind = backend(settings.database_url)
    storage = make_storage(settings)
    created = utcnow()
    path = (output or settings.data_dir / "backups" / archive_name(created)).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Scratch space on the data volume, not /tmp (small tmpfs in the containers).
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".backup-") as scratch_dir:
        scratch = Path(scratch_dir)
        say("dumping the database")
        dump = (
            dump_postgres(settings.database_url, scratch)
            if kind == "postgresql"
            else dump_sqlite(settings.database_url, scratch)
        )
        try:
            # Readable by the operator only, like any file holding the household's data.
            with os.fdopen(
                os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb"
            ) as out:
                writer = EncryptingWriter(
                    out,
                    key,
                    {
                        "created_at": created.isoformat(),
                        "backend": kind,
                        "app_version": __version__,
                    },
                )
                with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                    with dump.path.open("rb") as stream:
                        database = _add_stream(tar, dump.member, dump.path.stat().st_size, stream)
                    dump.path.unlink()
                    say("adding stored files")
                    files = _add_files(tar, storage)
                    manifest = {
                        "format": 1,
                        "created_at": created.isoformat(),
                        "app_version": __version__,
                        "backend": kind,
                        "alembic_revision": dump.revision,
                        "database": {"member": dump.member, **database},
                        "tables": dump.tables,
                        "files": files,
                    }
                    body = json.dumps(manifest, indent=1, sort_keys=True).encode()
                    _add_stream(tar, MANIFEST, len(body), _bytes_stream(body))
                writer.close()
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    result = BackupResult(
        path=path,
        size=path.stat().st_size,
        sha256=sha256_of(path),
        seconds=0.0,
        tables=len(dump.tables),
        rows=sum(int(t["rows"]) for t in dump.tables.values()),
        files=len(files),
    )
    if upload if upload is not None else isinstance(storage, S3Storage):
        result.uploaded_key = BACKUP_PREFIX + path.name
        say(f"uploading to {storage.describe()}")
        with path.open("rb") as stream:
            storage.put(result.uploaded_key, stream)
    result.pruned = prune(
        path.parent,
        storage if result.uploaded_key else None,
        keep_daily,
        keep_monthly,
        keep=path.name,
    )
    result.seconds = time.perf_counter() - started
    record_success(settings, result)
    return result


def _bytes_stream(body: bytes) -> IO[bytes]:
    import io

    return io.BytesIO(body)


def _add_files(tar: tarfile.TarFile, storage: Storage) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    for item in storage.list():
        if item.key.startswith(BACKUP_PREFIX):
            continue
        try:
            with storage.open(item.key) as stream:
                entry = _add_stream(tar, FILES + item.key, item.size, stream)
        except FileNotFoundError:  # deleted between the listing and the read
            continue
        files.append({"key": item.key, **entry})
    return files


def prune(
    directory: Path, storage: Storage | None, keep_daily: int, keep_monthly: int, keep: str
) -> list[str]:
    """Deletes archives beyond the retention, locally and in the store; returns them."""
    deleted: list[str] = []
    local = [(p.name, t) for p in directory.iterdir() if (t := archive_time(p.name)) is not None]
    for name in to_delete(local, keep_daily, keep_monthly):
        if name != keep:
            (directory / name).unlink(missing_ok=True)
            deleted.append(str(directory / name))
    if storage is not None:
        remote: list[tuple[str, datetime]] = [
            (item.key, t)
            for item in storage.list(BACKUP_PREFIX)
            if (t := archive_time(item.key)) is not None
        ]
        for object_key in to_delete(remote, keep_daily, keep_monthly):
            if not object_key.endswith(keep):
                storage.delete(object_key)
                deleted.append(object_key)
    return deleted


def record_success(settings: Settings, result: BackupResult) -> None:
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        with session_scope(make_session_factory(engine)) as session:
            session.add(
                BackupRun(
                    finished_at=utcnow(),
                    archive=result.path.name,
                    size_bytes=result.size,
                    sha256=result.sha256,
                    locations="\n".join(filter(None, [str(result.path), result.uploaded_key])),
                )
            )
    finally:
        engine.dispose()
