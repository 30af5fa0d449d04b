"""`homeledger restore`: verify the whole archive first (authentication of every byte,
the manifest, each member's checksum, the database file itself), and only then restore
into an empty database, restore the files, re-check every table against the manifest and
run the ledger check. A truncated or tampered archive changes nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url

from homeledger.config import Settings
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.kit.storage import check_key, make_storage
from homeledger.ops.archive import DamagedArchive, DecryptingReader
from homeledger.ops.backup import (
    FILES,
    MANIFEST,
    BackupError,
    Say,
    backend,
    backup_key,
    pg_environment,
    pg_tool,
    sqlite_path,
)
from homeledger.ops.check import Finding, run_checks
from homeledger.ops.manifest import differences, table_digests


@dataclass
class VerifiedArchive:
    manifest: dict[str, Any]
    database: Path
    files: dict[str, Path]

    @property
    def rows(self) -> int:
        return sum(int(t["rows"]) for t in self.manifest["tables"].values())


@dataclass
class RestoreResult:
    tables: int
    rows: int
    files: int
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def _member_name(member: tarfile.TarInfo) -> str:
    if not member.isfile():
        raise DamagedArchive(f"unexpected entry {member.name!r} in the archive")
    name = member.name
    if name == MANIFEST or name in ("database.sqlite3", "database.pgdump"):
        return name
    if name.startswith(FILES):
        check_key(name[len(FILES) :])
        return name
    raise DamagedArchive(f"unexpected entry {name!r} in the archive")


def _extract(archive: Path, key: bytes, scratch: Path) -> dict[str, tuple[Path, int, str]]:
    members: dict[str, tuple[Path, int, str]] = {}
    with archive.open("rb") as source:
        reader = DecryptingReader(source, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
                for index, member in enumerate(tar):
                    name = _member_name(member)
                    if name in members:
                        raise DamagedArchive(f"{name} appears twice in the archive")
                    stream = tar.extractfile(member)
                    target = scratch / f"member-{index:06d}"
                    digest, size = hashlib.sha256(), 0
                    with target.open("wb") as out:
                        while chunk := stream.read(1024 * 1024):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                    members[name] = (target, size, digest.hexdigest())
            reader.finish()
        except (tarfile.TarError, ValueError, OSError) as error:
            raise DamagedArchive(f"the archive's contents are damaged ({error})") from None
    return members


def verify_archive(archive: Path, key: bytes, scratch: Path) -> VerifiedArchive:
    """Raises ArchiveError (or BackupError) unless every part of the archive is intact."""
    if not archive.is_file():
        raise BackupError(f"no archive at {archive}")
    members = _extract(archive, key, scratch)
    if MANIFEST not in members:
        raise DamagedArchive("the archive has no manifest")
    try:
        manifest: dict[str, Any] = json.loads(members.pop(MANIFEST)[0].read_bytes())
        database_entry = manifest["database"]
        expected = {database_entry["member"]: database_entry} | {
            FILES + f["key"]: f for f in manifest["files"]
        }
        if not isinstance(manifest["tables"], dict):
            raise TypeError("tables")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DamagedArchive("the archive's manifest is damaged") from None
    if set(members) != set(expected):
        missing = sorted(set(expected) - set(members))
        extra = sorted(set(members) - set(expected))
        raise DamagedArchive(
            f"the archive does not match its manifest (missing {missing}, extra {extra})"
        )
    for name, (_, size, sha) in members.items():
        if (size, sha) != (expected[name]["size"], expected[name]["sha256"]):
            raise DamagedArchive(f"{name} does not match its checksum in the manifest")
    database = members[database_entry["member"]][0]
    _verify_database(manifest, database)
    files = {
        name[len(FILES) :]: path for name, (path, _, _) in members.items() if name.startswith(FILES)
    }
    return VerifiedArchive(manifest, database, files)


def _verify_database(manifest: dict[str, Any], database: Path) -> None:
    if manifest.get("backend") == "sqlite":
        with closing(sqlite3.connect(database)) as conn:
            status = conn.execute("PRAGMA integrity_check").fetchone()
        if status != ("ok",):
            raise DamagedArchive(f"the archived SQLite database is damaged: {status}")
        engine = make_engine(f"sqlite:///{database}", pool_size=1)
        try:
            with engine.connect() as conn:
                wrong = differences(manifest["tables"], table_digests(conn))
        finally:
            engine.dispose()
        if wrong:
            raise DamagedArchive(
                "the archived database differs from its manifest: " + "; ".join(wrong)
            )
    else:
        listing = subprocess.run(  # noqa: S603 - our arguments, no shell
            [pg_tool("pg_restore"), "--list", str(database)],
            capture_output=True,
            text=True,
            check=False,
        )
        if listing.returncode != 0:
            raise DamagedArchive(f"the archived dump is unreadable: {listing.stderr.strip()}")


def populated_tables(url: str) -> dict[str, int]:
    """Tables of the target that hold rows (alembic_version aside)."""
    if backend(url) == "sqlite" and not sqlite_path(url).exists():
        return {}
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            counts = {
                name: int(conn.execute(select(func.count()).select_from(table(name))).scalar_one())
                for name in inspect(conn).get_table_names()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()
    return {name: rows for name, rows in counts.items() if rows}


def _has_tables(url: str) -> bool:
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            return bool(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def _restore_database(url: str, verified: VerifiedArchive) -> None:
    if backend(url) == "sqlite":
        target = sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(verified.database)) as src,
            closing(sqlite3.connect(target, timeout=30)) as dst,
        ):
            src.backup(dst)  # replaces every page of the target in one go
        return
    command = [
        pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--single-transaction",  # all or nothing
        "--exit-on-error",
        f"--dbname={make_url(url).database}",
    ]
    if _has_tables(url):  # a migrated but empty schema: replace it with the archive's
        command += ["--clean", "--if-exists"]
    done = subprocess.run(  # noqa: S603 - our arguments, no shell
        [*command, str(verified.database)],
        env=pg_environment(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {done.stderr.strip()}")


def restore_backup(
    settings: Settings,
    archive: Path,
    *,
    replace: bool = False,
    confirm: Callable[[VerifiedArchive], bool] = lambda _: True,
    say: Say = lambda _: None,
) -> RestoreResult:
    started = time.perf_counter()
    key = backup_key(settings)
    target_backend = backend(settings.database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".restore-") as scratch_dir:
        say(f"verifying {archive}")
        verified = verify_archive(archive, key, Path(scratch_dir))
        made_on = verified.manifest["backend"]
        if made_on != target_backend:
            raise BackupError(
                f"the archive is a {made_on} backup; the target database is {target_backend}"
            )
        populated = populated_tables(settings.database_url)
        if populated and not replace:
            listed = ", ".join(f"{name} ({rows})" for name, rows in sorted(populated.items())[:5])
            raise BackupError(
                "the target database is not empty (rows in " + listed + "); restore into an "
                "empty database, or pass --replace to overwrite it"
            )
        if not confirm(verified):
            raise BackupError("restore cancelled; nothing was changed")
        say("restoring the database")
        _restore_database(settings.database_url, verified)
        say("restoring stored files")
        storage = make_storage(settings)
        for file_key, path in sorted(verified.files.items()):
            with path.open("rb") as stream:
                storage.put(file_key, stream)
        say("checking every table against the manifest")
        engine = make_engine(settings.database_url, pool_size=1)
        try:
            with engine.connect() as conn:
                wrong = differences(verified.manifest["tables"], table_digests(conn))
            if wrong:
                raise BackupError(
                    "the restored database differs from the archive: " + "; ".join(wrong)
                )
            say("running the ledger check")
            with make_session_factory(engine)() as session:
                findings = run_checks(session)
        finally:
            engine.dispose()
    return RestoreResult(
        tables=len(verified.manifest["tables"]),
        rows=verified.rows,
        files=len(verified.files),
        findings=findings,
        seconds=time.perf_counter() - started,
    )
