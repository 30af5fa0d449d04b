"""QIF (Quicken Interchange Format) with splits, categories, classes and transfers.

quiffen reads each record's fields (splits `S`/`$`/`E`, categories `Parent:Child`,
classes `Cat/Class`, transfers `[Account]`): we call its `Transaction.from_list()`
record by record. We do the reading around it ourselves because (checked with
quiffen 4.0.1):

* `Qif.parse()` reads the whole file into one string; records stream here.
* its amount reader drops every character that is not a digit, '.' or '-', so
  '12,3x' becomes 123 and the German '1.234,56' becomes 1.23456. Amounts are checked
  here first and handed over in plain form.
* its dates go through dateutil with one file-wide day-first flag. QIF writers mix
  styles ('12/31/2025', '1/ 5'25', '2025-12-31'); dates are read here (Quicken's
  apostrophe means a year after 2000) and handed over as ISO dates. Day-first or
  month-first is decided from the first date that can only be one of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from quiffen.core.transaction import Transaction as QuiffenTransaction

from homeledger.imports.parsers.base import (
    ParsedStatement,
    ParsedTransaction,
    Split,
    StatementParser,
)
from homeledger.imports.parsers.text_decoding import iter_lines, read_head, sniff_encoding
from homeledger.imports.parsers.values import InvalidValueError, parse_amount

_TRANSACTION_TYPES = {"bank", "cash", "ccard", "oth a", "oth l", "invoice"}
_SKIPPED_TYPES = {"cat", "class", "memorized", "prices", "security", "template"}
_DATE = re.compile(r"(\d{1,4})\s*([/.\-'])\s*(\d{1,2})\s*([/.\-'])\s*(\d{2,4})")
_AMOUNT_CODES = {"T", "U", "$"}


@dataclass
class _Record:
    line: int
    lines: list[str] = field(default_factory=list)
    line_numbers: list[int] = field(default_factory=list)


class QifParser(StatementParser):
    format_name = "qif"

    def __init__(self, stream: BinaryIO, source_name: str, day_first: bool | None = None) -> None:
        super().__init__(stream, source_name)
        self.day_first = day_first
        self._type: str | None = None
        self._in_account_list = False
        self._counts: dict[int, int] = {}

    def _parse(self) -> Iterator[ParsedTransaction]:
        head, stream = read_head(self._stream)
        if not head.strip():
            raise self.error(None, None, "the file is empty")
        encoding = sniff_encoding(head, self.source_name)
        waiting: list[_Record] = []
        count = 0
        for record in self._records(iter_lines(stream, encoding, self.source_name)):
            if self._in_account_list:
                self._account(record)
                continue
            if self._type is None:
                raise self.error(record.line, None, "not a QIF file: no '!Type:' header first")
            if self._type in _SKIPPED_TYPES:
                continue
            if self._type == "invst":
                raise self.error(record.line, None, "investment QIF files are not supported")
            if self._type not in _TRANSACTION_TYPES:
                raise self.error(record.line, None, f"unknown QIF section '!Type:{self._type}'")
            if not self._statements:
                self._add_statement(ParsedStatement(0, record.line))
            waiting.append(record)
            if self.day_first is None:
                self.day_first = self._date_order(record)
                if self.day_first is None:
                    continue  # keep records until a date tells day from month
            for ready in waiting:
                count += 1
                yield self._transaction(ready)
            waiting.clear()
        if waiting:
            self.day_first = False  # Quicken's own order when no date settles it
            for ready in waiting:
                count += 1
                yield self._transaction(ready)
        if count == 0 and not self._statements:
            raise self.error(None, None, "the QIF file holds no transactions")
        for statement in self._statements:
            self._update_statement(
                statement.index, transaction_count=self._counts.get(statement.index, 0)
            )

    def _records(self, lines: Iterator[str]) -> Iterator[_Record]:
        record: _Record | None = None
        for number, text in enumerate(lines, start=1):
            line = text.rstrip("\r\n")
            if not line.strip():
                continue
            if line.startswith("!"):
                if record and record.lines:
                    yield record
                record = None
                self._header(line.strip(), number)
                continue
            if line.strip() == "^":
                if record and record.lines:
                    yield record
                record = None
                continue
            if record is None:
                record = _Record(number)
            record.lines.append(line)
            record.line_numbers.append(number)
        if record and record.lines:
            raise self.error(record.line, None, "the last record has no closing '^' (truncated?)")

    def _header(self, line: str, number: int) -> None:
        lowered = line.lower()
        if lowered.startswith(("!option:", "!clear:")):
            return
        if lowered == "!account":
            self._in_account_list = True
            return
        if lowered.startswith("!type:"):
            self._in_account_list = False
            self._type = lowered[6:].strip()
            return
        raise self.error(number, None, f"unknown QIF header {line!r}")

    def _account(self, record: _Record) -> None:
        name = next((line[1:].strip() for line in record.lines if line.startswith("N")), None)
        index = len(self._statements)
        self._add_statement(ParsedStatement(index, record.line, account_id_hint=name))

    def _date_order(self, record: _Record) -> bool | None:
        for line in record.lines:
            if not line.startswith("D"):
                continue
            match = _DATE.fullmatch(line[1:].strip())
            if match is None or len(match[1]) == 4:
                return None
            if match[2] == ".":
                return True
            first, second = int(match[1]), int(match[3])
            if first > 12 >= second:
                return True
            if second > 12 >= first:
                return False
        return None

    def _date(self, text: str, line: int) -> dt.date:
        cleaned = text.strip()
        match = _DATE.fullmatch(cleaned)
        try:
            if match is None:
                raise ValueError(cleaned)
            a, sep_a, b, sep_b, c = match.groups()
            if len(a) == 4:
                return dt.date(int(a), int(b), int(c))
            day, month = (int(a), int(b)) if self.day_first or sep_a == "." else (int(b), int(a))
            year = int(c)
            if len(c) == 2:
                # Quicken writes 1/5'25 for 2025 and 1/5/99 for 1999.
                year += 2000 if sep_b == "'" or year < 70 else 1900
            elif len(c) != 4:
                raise ValueError(cleaned)
            return dt.date(year, month, day)
        except ValueError:
            order = "DD/MM/YYYY" if self.day_first else "MM/DD/YYYY"
            raise self.error(line, "D", f"{cleaned!r} is not a date in the form {order}") from None

    def _transaction(self, record: _Record) -> ParsedTransaction:
        normalised: list[str] = []
        day: dt.date | None = None
        raw: dict[str, str] = {}
        for line, number in zip(record.lines, record.line_numbers, strict=True):
            code, value = line[:1], line[1:]
            raw[code] = f"{raw[code]} | {value}" if code in raw else value
            if code == "D":
                parsed = self._date(value, number)
                day = day or parsed
                normalised.append("D" + parsed.isoformat())
            elif code in _AMOUNT_CODES:
                normalised.append(code + str(self._amount(value, number, code)))
            else:
                normalised.append(line)
        if day is None:
            raise self.error(record.line, "D", "the transaction has no date")
        try:
            parsed_record, _classes = QuiffenTransaction.from_list(
                normalised, line_number=record.line
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise self.error(record.line, None, f"the record is not valid QIF ({message})") from exc
        if parsed_record.amount is None and "T" not in raw and "U" not in raw:
            raise self.error(record.line, "T", "the transaction has no amount")
        index = len(self._statements) - 1
        self._counts[index] = self._counts.get(index, 0) + 1
        return ParsedTransaction(
            line=record.line,
            date=day,
            amount=Decimal(parsed_record.amount),
            currency=None,
            payee=" ".join((parsed_record.payee or "").split()),
            memo=" ".join((parsed_record.memo or "").split()),
            category=_category(parsed_record.category),
            transfer_account=parsed_record.to_account,
            check_number=_text_or_none(parsed_record.check_number),
            splits=tuple(_split(item) for item in parsed_record.splits or ()),
            statement_index=index,
            raw=raw,
        )

    def _amount(self, text: str, line: int, code: str) -> Decimal:
        # US writers group with ',', European ones write '1.234,56'; either is read
        # strictly, and '1,234' keeps its US meaning.
        for decimal_separator, thousands in ((".", ","), (",", ".")):
            try:
                return parse_amount(
                    text, decimal_separator=decimal_separator, thousands_separator=thousands
                )
            except InvalidValueError:
                continue
        raise self.error(line, code, f"{text.strip()!r} is not an amount")


def _category(category: Any) -> str | None:
    if category is None:
        return None
    names = [str(node.name) for node in reversed(category.traverse_up())]
    return ":".join(names)


def _split(item: Any) -> Split:
    return Split(
        amount=Decimal(item.amount if item.amount is not None else 0),
        category=_category(item.category),
        memo=" ".join((item.memo or "").split()),
        transfer_account=item.to_account,
    )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
