"""Bank-file parsers: bytes in, plain transactions out; no database, no web.

Typical use::

    parser = open_parser(stream, "statement.csv")           # format detected
    for transaction in parser:                               # streams
        ...
    parser.statements                                        # balances, account

Every problem with a file raises `ImportFileError` naming the file, line and field.
"""

from __future__ import annotations

from dataclasses import replace
from typing import BinaryIO, Literal

from homeledger.imports.errors import ImportFileError, InvalidProfileError
from homeledger.imports.parsers.base import (
    Balance,
    FileFormat,
    ParsedStatement,
    ParsedTransaction,
    Split,
    StatementParser,
    TransactionStatus,
)
from homeledger.imports.parsers.camt import CamtParser
from homeledger.imports.parsers.csv_parser import CsvParser
from homeledger.imports.parsers.detect import detect_format
from homeledger.imports.parsers.mt940_parser import Mt940Parser
from homeledger.imports.parsers.ofx import OfxParser
from homeledger.imports.parsers.profile_detect import ProfileDetection, detect_csv_profile
from homeledger.imports.parsers.profiles import ColumnRef, CsvProfile, ReadyProfile, ready_profiles
from homeledger.imports.parsers.qif import QifParser
from homeledger.imports.parsers.text_decoding import read_head

__all__ = [
    "Balance",
    "CamtParser",
    "ColumnRef",
    "CsvParser",
    "CsvProfile",
    "FileFormat",
    "ImportFileError",
    "InvalidProfileError",
    "Mt940Parser",
    "OfxParser",
    "ParsedStatement",
    "ParsedTransaction",
    "ProfileDetection",
    "QifParser",
    "ReadyProfile",
    "Split",
    "StatementParser",
    "TransactionStatus",
    "detect_csv_profile",
    "detect_format",
    "open_parser",
    "read_statements",
    "ready_profiles",
]


def open_parser(
    stream: BinaryIO,
    source_name: str,
    file_format: FileFormat | Literal["auto"] = "auto",
    *,
    profile: CsvProfile | None = None,
    qif_day_first: bool | None = None,
) -> StatementParser:
    """A one-pass parser for the file; nothing is read past the first 64 KiB yet.

    `profile` applies to CSV (None: detect one, see `CsvParser.profile`);
    `qif_day_first` None lets the QIF dates decide.
    """
    if file_format == "auto":
        head, stream = read_head(stream)
        file_format = detect_format(head, source_name)
    if file_format == "csv":
        return CsvParser(stream, source_name, profile)
    if file_format == "ofx":
        return OfxParser(stream, source_name)
    if file_format == "qif":
        return QifParser(stream, source_name, day_first=qif_day_first)
    if file_format == "camt":
        return CamtParser(stream, source_name)
    if file_format == "mt940":
        return Mt940Parser(stream, source_name)
    raise ValueError(f"unknown file format {file_format!r}")


def read_statements(
    stream: BinaryIO,
    source_name: str,
    file_format: FileFormat | Literal["auto"] = "auto",
    *,
    profile: CsvProfile | None = None,
    qif_day_first: bool | None = None,
) -> tuple[ParsedStatement, ...]:
    """The whole file in memory, transactions grouped under their statements.

    For previews and small files; imports of big files iterate `open_parser()`.
    """
    parser = open_parser(
        stream, source_name, file_format, profile=profile, qif_day_first=qif_day_first
    )
    transactions = list(parser)
    return tuple(
        replace(
            statement,
            transactions=tuple(t for t in transactions if t.statement_index == statement.index),
        )
        for statement in parser.statements
    )
