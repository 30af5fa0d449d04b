"""The file-reading steps of the import pipeline: `detect` (format and CSV profile)
and `parse` (parsed transactions to rows in minor units, a chunk at a time); and the
source of rows when an upload is committed later (`staged_rows`)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, BinaryIO, cast

from homeledger.imports import matching, pipeline
from homeledger.imports.errors import ImportFileError
from homeledger.imports.models import RowOutcome
from homeledger.imports.parsers import (
    CsvParser,
    CsvProfile,
    FileFormat,
    ParsedTransaction,
    Split,
    StatementParser,
    detect_csv_profile,
    detect_format,
    open_parser,
)
from homeledger.imports.parsers.text_decoding import read_head
from homeledger.imports.pipeline import FileSplit, Row, Run, mark_error
from homeledger.kit.errors import InvalidInput
from homeledger.kit.money import to_minor
from homeledger.ledger.schemas import MAX_DATE, MIN_DATE

# Detect: which format, which CSV profile


class HashingReader(io.RawIOBase):
    """Passes a stream through while hashing it (the batch records the file's SHA-256)
    and counting bytes (for progress)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        target = memoryview(buffer).cast("B")
        data = self._stream.read(len(target))
        count = len(data)
        target[:count] = data
        self.sha256.update(data)
        self.size += count
        return count


@dataclass(frozen=True)
class Detected:
    parser: StatementParser
    file_format: str
    profile: CsvProfile | None
    notes: tuple[str, ...]


def _fits(profile: CsvProfile, head: bytes, source_name: str) -> bool:
    """Whether a saved profile reads the start of this file."""
    try:
        next(iter(CsvParser(io.BytesIO(head), source_name, profile)), None)
    except ImportFileError:
        return False
    return True


def detect(
    stream: BinaryIO,
    source_name: str,
    file_format: str = "auto",
    *,
    profile: CsvProfile | None = None,
    saved: Iterable[tuple[str, CsvProfile]] = (),
    qif_day_first: bool | None = None,
) -> Detected:
    """The parser for the file. For CSV: the profile given, else the first saved one
    (this account's, then its bank's) that reads the file, else detection (which
    prefers a shipped profile whose columns all appear)."""
    head, stream = read_head(stream)
    if file_format == "auto":
        file_format = detect_format(head, source_name)
    notes: list[str] = []
    if file_format == "csv" and profile is not None and not _fits(profile, head, source_name):
        # A shipped profile named by hand, for a file with a preamble of another length:
        # detection finds where the table starts.
        try:
            detection = detect_csv_profile(head, source_name)
        except ImportFileError:
            detection = None
        if detection is not None and detection.ready_profile == profile.name:
            profile = detection.profile
    if file_format == "csv" and profile is None:
        for label, candidate in saved:
            if _fits(candidate, head, source_name):
                profile = candidate
                notes.append(f"read with the profile saved for {label}")
                break
        else:
            detection = detect_csv_profile(head, source_name)
            profile = detection.profile
            notes += list(detection.notes)
            if detection.ready_profile:
                notes.append(f"recognised as {detection.ready_profile}")
    parser = open_parser(
        stream,
        source_name,
        cast(FileFormat, file_format),
        profile=profile if file_format == "csv" else None,
        qif_day_first=qif_day_first,
    )
    return Detected(parser, file_format, profile if file_format == "csv" else None, tuple(notes))


# File-level steps


def parse(run: Run, transactions: Iterable[ParsedTransaction]) -> Iterator[list[Row]]:
    """Parsed transactions become rows in minor units, a chunk at a time. A row the
    account cannot take (another currency, more decimals than the currency has) is an
    error row, named in the preview; a file the parser cannot read raised already."""
    iterator = iter(transactions)
    while chunk := list(islice(iterator, pipeline.CHUNK_SIZE)):
        yield [_row(run, t) for t in chunk]


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").replace("\x00", " ").split())[:limit]


def _row(run: Run, t: ParsedTransaction) -> Row:
    currency = run.account.currency or ""
    row = Row(
        line=t.line,
        date=t.date,
        amount_minor=0,
        currency=currency,
        pending=t.status == "pending",
        raw_payee=_text(t.payee, 200),
        memo=_text(t.memo, 500),
        bank_id=_text(t.bank_id, 100) or None,
        category_hint=_text(t.category, 200) or None,
        transfer_hint=_text(t.transfer_account, 200) or None,
    )
    if t.currency and t.currency.upper() != currency:
        return mark_error(row, f"the file says {t.currency.upper()}; the account holds {currency}")
    if not MIN_DATE <= t.date <= MAX_DATE:
        return mark_error(row, f"the date {t.date} is not plausible")
    try:
        row.amount_minor = to_minor(t.amount, currency)
        row.splits = tuple(_split(s, currency) for s in t.splits)
    except InvalidInput as error:
        return mark_error(row, error.detail.removeprefix("amount: "))
    row.fingerprint = matching.fingerprint(
        row.date, row.amount_minor, currency, row.raw_payee, row.memo
    )
    return row


def _split(split: Split, currency: str) -> FileSplit:
    return FileSplit(
        to_minor(split.amount, currency),
        _text(split.category, 200) or None,
        _text(split.memo, 500),
        _text(split.transfer_account, 200) or None,
    )


def staged_rows(run: Run) -> Iterator[list[Row]]:
    """The rows an upload recorded, a chunk at a time, in file order."""
    after = 0
    while records := run.repo.rows_after(run.batch.id, after, pipeline.CHUNK_SIZE):
        after = records[-1]["line"]
        yield [_from_record(r) for r in records]


def _from_record(r: dict[str, Any]) -> Row:
    extra = json.loads(r["extra"]) if r["extra"] else {}
    row = Row(
        line=r["line"],
        date=r["date"],
        amount_minor=r["amount_minor"],
        currency=r["currency"],
        pending=r["pending"],
        raw_payee=r["raw_payee"],
        memo=r["memo"],
        bank_id=r["bank_id"],
        fingerprint=r["fingerprint"],
        occurrence=r["occurrence"],
        category_hint=extra.get("category"),
        transfer_hint=extra.get("transfer"),
        splits=tuple(FileSplit(*s) for s in extra.get("splits", ())),
        row_id=r["id"],
    )
    if r["outcome"] == RowOutcome.ERROR.value:
        mark_error(row, r["reason"])  # a row the account cannot take stays one
    return row
