"""Row counts and checksums of every table, to prove a restore gave back every row.

A table's checksum is a SHA-256 over its rows in primary-key order (binary collation on
both databases), each row its columns in name order, each value in one canonical text
form. The same data therefore has the same checksum on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Connection, MetaData, String, Table, inspect, select

from homeledger.db.registry import metadata

BATCH = 2000


@dataclass(frozen=True)
class TableDigest:
    rows: int
    checksum: str


def canonical(value: Any) -> Any:
    """One JSON-ready form per value, whichever driver returned it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "base64:" + base64.b64encode(bytes(value)).decode()
    return str(value)


def _order(column: Column[Any], dialect: str) -> Any:
    if dialect == "postgresql" and isinstance(column.type, String):
        return column.collate("C")  # SQLite compares text byte-wise; so does "C"
    return column


def digest_table(conn: Connection, table: Table) -> TableDigest:
    columns = sorted(table.columns, key=lambda c: c.name)
    key = list(table.primary_key.columns) or columns
    query = select(*columns).order_by(*(_order(c, conn.dialect.name) for c in key))
    digest = hashlib.sha256()
    rows = 0
    result = conn.execution_options(yield_per=BATCH).execute(query)
    for row in result:
        line = json.dumps([canonical(v) for v in row], ensure_ascii=False, separators=(",", ":"))
        digest.update(line.encode() + b"\n")
        rows += 1
    return TableDigest(rows, digest.hexdigest())


def table_digests(conn: Connection) -> dict[str, TableDigest]:
    """Every table in the database: the application's (typed by the models) and any other
    (alembic_version, tables of newer releases), read as reflected."""
    known = metadata.tables
    digests: dict[str, TableDigest] = {}
    for name in sorted(inspect(conn).get_table_names()):
        table = known.get(name)
        if table is None:
            table = Table(name, MetaData(), autoload_with=conn)
        digests[name] = digest_table(conn, table)
    return digests


def as_json(digests: dict[str, TableDigest]) -> dict[str, dict[str, Any]]:
    return {name: asdict(digest) for name, digest in digests.items()}


def differences(expected: dict[str, Any], actual: dict[str, TableDigest]) -> list[str]:
    """What differs between a manifest's tables and a database, one line per table."""
    found: list[str] = []
    for name, want in sorted(expected.items()):
        have = actual.get(name)
        if have is None:
            found.append(f"{name}: missing")
        elif (have.rows, have.checksum) != (want["rows"], want["checksum"]):
            found.append(f"{name}: {have.rows} rows (expected {want['rows']}), checksum differs")
    for name in sorted(set(actual) - set(expected)):
        if actual[name].rows:
            found.append(f"{name}: {actual[name].rows} rows not in the archive")
    return found
