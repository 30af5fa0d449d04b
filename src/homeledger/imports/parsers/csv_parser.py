"""CSV bank exports, read row by row through a `CsvProfile`.

Streams: memory stays flat however many rows the file has. Without a profile the
parser detects one from the first 64 KiB (see `profile_detect`), and `profile`
shows what it used so the preview can offer it for saving.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import BinaryIO

from homeledger.imports.parsers.base import ParsedStatement, ParsedTransaction, StatementParser
from homeledger.imports.parsers.profile_detect import detect_csv_profile
from homeledger.imports.parsers.profiles import ColumnRef, CsvProfile
from homeledger.imports.parsers.text_decoding import check_encoding, iter_lines, read_head
from homeledger.imports.parsers.values import InvalidValueError, parse_amount, parse_date

# Bank CSVs put whole remittance texts in one field; the stdlib's 128 KiB default is
# enough, but a lone unbalanced quote can swallow the rest of a file, so keep a cap.
csv.field_size_limit(min(sys.maxsize, 1 << 20))

_CellGetter = Callable[[ColumnRef | None], str]
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?)\b")


class CsvParser(StatementParser):
    format_name = "csv"

    def __init__(
        self, stream: BinaryIO, source_name: str, profile: CsvProfile | None = None
    ) -> None:
        if profile is None:
            head, stream = read_head(stream)
            profile = detect_csv_profile(head, source_name).profile
        super().__init__(stream, source_name)
        self.profile = profile

    def _parse(self) -> Iterator[ParsedTransaction]:
        profile = self.profile
        encoding = check_encoding(profile.encoding, self.source_name)
        lines = iter_lines(self._stream, encoding, self.source_name)
        preamble = list(islice(lines, profile.skip_rows))
        line_counter = _LineCounter(lines, first_line=len(preamble) + 1)
        reader = csv.reader(line_counter, delimiter=profile.delimiter, quotechar=profile.quotechar)
        header: list[str] = []
        if profile.has_header:
            header = self._read_header(reader, line_counter)
        columns = _ColumnIndex(self, header, profile)
        self._add_statement(
            ParsedStatement(
                index=0,
                line=1,
                account_id_hint=_account_from_preamble(preamble),
                currency=profile.currency,
            )
        )
        count = 0
        while True:
            start = line_counter.next_line
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise self.error(start, None, f"the row is not valid CSV ({exc})") from exc
            if not any(cell.strip() for cell in row):
                continue
            transaction = self._transaction(row, start, columns, header)
            if transaction is not None:
                count += 1
                yield transaction
        if count == 0 and not header:
            raise self.error(None, None, "the file is empty")
        self._update_statement(0, transaction_count=count)

    def _read_header(self, reader: Iterator[list[str]], counter: _LineCounter) -> list[str]:
        while True:
            start = counter.next_line
            try:
                row = next(reader)
            except StopIteration:
                raise self.error(None, None, "the file is empty") from None
            except csv.Error as exc:
                raise self.error(start, None, f"the header is not valid CSV ({exc})") from exc
            if any(cell.strip() for cell in row):
                return [cell.strip() for cell in row]

    def _transaction(
        self, row: Sequence[str], line: int, columns: _ColumnIndex, header: Sequence[str]
    ) -> ParsedTransaction | None:
        profile = self.profile
        cell = columns.cell_getter(row, line)
        date_text = cell(profile.date_column)
        amount_texts = [cell(ref) for ref in columns.amount_refs]
        if not date_text.strip():
            if not any(text.strip() for text in amount_texts):
                return None  # a totals or spacer row: nothing to import
            raise self.error(line, columns.name(profile.date_column), "the date is missing")
        try:
            day = parse_date(date_text, profile.date_format)
        except InvalidValueError as exc:
            raise self.error(line, columns.name(profile.date_column), str(exc)) from None
        amount = self._amount(cell, line, columns)
        value_date = None
        if profile.value_date_column is not None and cell(profile.value_date_column).strip():
            try:
                value_date = parse_date(cell(profile.value_date_column), profile.date_format)
            except InvalidValueError as exc:
                field_name = columns.name(profile.value_date_column)
                raise self.error(line, field_name, str(exc)) from None
        payee_refs: tuple[ColumnRef, ...] = profile.payee_columns
        directed = profile.payee_out_column if amount < 0 else profile.payee_in_column
        if directed is not None:
            payee_refs = (directed, *payee_refs)
        payee = next((text for ref in payee_refs if (text := _clean(cell(ref)))), "")
        memo = " ".join(text for ref in profile.memo_columns if (text := _clean(cell(ref))))
        status_text = cell(profile.status_column).strip() if profile.status_column else ""
        currency = profile.currency
        if profile.currency_column is not None:
            currency = cell(profile.currency_column).strip().upper() or currency
        return ParsedTransaction(
            line=line,
            date=day,
            amount=amount,
            currency=currency,
            payee=payee,
            memo=memo,
            bank_id=_optional(cell, profile.bank_id_column),
            status="pending" if status_text in profile.pending_markers else "booked",
            value_date=value_date,
            category=_optional(cell, profile.category_column),
            check_number=_optional(cell, profile.check_number_column),
            counterparty_account=_optional(cell, profile.counterparty_account_column),
            raw=_raw(header, row),
        )

    def _amount(self, cell: _CellGetter, line: int, columns: _ColumnIndex) -> Decimal:
        profile = self.profile
        style = {
            "decimal_separator": profile.decimal_separator,
            "thousands_separator": profile.thousands_separator,
        }

        def read(ref: ColumnRef) -> Decimal | None:
            text = cell(ref)
            if not text.strip():
                return None
            try:
                return parse_amount(text, **style)
            except InvalidValueError as exc:
                raise self.error(line, columns.name(ref), str(exc)) from None

        if profile.amount_column is not None:
            amount = read(profile.amount_column)
            if amount is None:
                raise self.error(line, columns.name(profile.amount_column), "the amount is missing")
        else:
            debit = read(profile.debit_column) if profile.debit_column is not None else None
            credit = read(profile.credit_column) if profile.credit_column is not None else None
            if debit is None and credit is None:
                refs = [r for r in (profile.debit_column, profile.credit_column) if r is not None]
                field_name = "/".join(columns.name(ref) for ref in refs)
                raise self.error(line, field_name, "neither a debit nor a credit amount")
            amount = (abs(credit) if credit is not None else Decimal(0)) - (
                abs(debit) if debit is not None else Decimal(0)
            )
        if profile.direction_column is not None:
            marker = cell(profile.direction_column).strip()
            amount = -abs(amount) if marker in profile.debit_markers else abs(amount)
        return -amount if profile.negate_amounts else amount


class _LineCounter:
    """Feeds lines to csv.reader and knows the line number of the next row."""

    def __init__(self, lines: Iterator[str], first_line: int) -> None:
        self._lines = lines
        self.next_line = first_line

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.next_line += 1
        return line


class _ColumnIndex:
    """Resolves a profile's column names to positions in this file's header."""

    def __init__(self, parser: CsvParser, header: Sequence[str], profile: CsvProfile) -> None:
        self._header = header
        self._positions: dict[ColumnRef, int] = {}
        missing = []
        for ref in profile.referenced_columns():
            if isinstance(ref, int):
                self._positions[ref] = ref
            elif ref in header:
                self._positions[ref] = header.index(ref)
            else:
                missing.append(ref)
        if missing:
            names = ", ".join(repr(name) for name in missing)
            raise parser.error(
                profile.skip_rows + 1,
                None,
                f"the header has no column {names} (profile {profile.name!r})",
            )
        self.amount_refs = [
            ref
            for ref in (profile.amount_column, profile.debit_column, profile.credit_column)
            if ref is not None
        ]
        self._needed = max(
            (self._positions[ref] for ref in (profile.date_column, *self.amount_refs)), default=0
        )
        self._parser = parser

    def name(self, ref: ColumnRef) -> str:
        position = self._positions[ref]
        if position < len(self._header):
            return self._header[position]
        return f"column {position + 1}"

    def cell_getter(self, row: Sequence[str], line: int) -> _CellGetter:
        if len(row) <= self._needed:
            raise self._parser.error(
                line, None, f"the row has {len(row)} fields, expected at least {self._needed + 1}"
            )
        positions = self._positions

        def cell(ref: ColumnRef | None) -> str:
            if ref is None:
                return ""
            position = positions[ref]
            return row[position] if position < len(row) else ""

        return cell


def _clean(text: str) -> str:
    """Line breaks and runs of spaces inside a quoted field become one space."""
    return " ".join(text.split())


def _optional(cell: _CellGetter, ref: ColumnRef | None) -> str | None:
    if ref is None:
        return None
    return cell(ref).strip() or None


def _raw(header: Sequence[str], row: Sequence[str]) -> dict[str, str]:
    if not header:
        return {f"column {i + 1}": value for i, value in enumerate(row)}
    raw: dict[str, str] = {}
    for i, value in enumerate(row):
        key = header[i] if i < len(header) and header[i] else f"column {i + 1}"
        raw[key if key not in raw else f"{key} ({i + 1})"] = value
    return raw


def _account_from_preamble(preamble: Sequence[str]) -> str | None:
    for line in preamble:
        match = _IBAN.search(line.upper())
        if match:
            return match.group(1).replace(" ", "")
    return None
