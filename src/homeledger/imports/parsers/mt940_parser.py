"""SWIFT MT940 statements, one statement block at a time, through the mt-940 library.

mt-940 (5.1.1) reads the tags, the German structured `:86:` sub-fields (`?20` purpose,
`?32` name, `?31` IBAN) and the SEPA keywords (EREF+, SVWZ+). Around it:

* Files are split into statements at each `:20:` and every block is parsed on its
  own, so memory stays flat and each statement keeps its balances (`mt940.parse`
  on a multi-statement file keeps only the last statement's balances).
* Every `:61:` and balance line is checked first: mt-940 silently drops a `:61:`
  whose amount it cannot read ('25x0,00') and reads '34x50,00' as 34. A line it
  would drop is an error naming the line and field here; the number of
  transactions mt-940 returns must equal the number of `:61:` lines.
* `Options.all()` switches on the fixes its next major release makes default
  (reversal marks signed, BOM stripped, `?31` IBAN kept apart from the name).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import mt940
from mt940.options import Options

from homeledger.imports.parsers.base import (
    Balance,
    ParsedStatement,
    ParsedTransaction,
    StatementParser,
)
from homeledger.imports.parsers.text_decoding import iter_lines, read_head, sniff_encoding

_TAG = re.compile(r":(\d{2}[A-Z]?):")
_STATEMENT_LINE = re.compile(
    r":61:(?P<date>\d{6})(?P<entry>\d{4})?(?P<mark>R?[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>[^N]*?)(?P<type>[NFS][A-Z0-9]{3})(?P<rest>.*)"
)
_AMOUNT = re.compile(r"\d{1,15},\d{0,2}")
_BALANCE_LINE = re.compile(
    r":(?:60[FM]|62[FM]|64|65):(?P<mark>[CD])(?P<date>\d{6})(?P<currency>[A-Z]{3})"
    r"(?P<amount>.*)"
)
_ENVELOPE = re.compile(r"^(?:\{\d:.*|-\}?|\}|\$)$")
_ERRORS = (ValueError, KeyError, IndexError, TypeError, AttributeError, RuntimeError)


@dataclass
class _Block:
    line: int
    lines: list[str] = field(default_factory=list)
    transaction_lines: list[int] = field(default_factory=list)


class Mt940Parser(StatementParser):
    format_name = "mt940"

    def _parse(self) -> Iterator[ParsedTransaction]:
        head, stream = read_head(self._stream)
        if not head.strip():
            raise self.error(None, None, "the file is empty")
        encoding = sniff_encoding(head, self.source_name)
        lines = iter_lines(stream, encoding, self.source_name)
        for block in self._blocks(lines):
            yield from self._statement(block)
        if not self._statements:
            raise self.error(None, None, "not an MT940 file: no ':20:' statement found")

    def _blocks(self, lines: Iterator[str]) -> Iterator[_Block]:
        block: _Block | None = None
        for number, text in enumerate(lines, start=1):
            line = text.rstrip("\r\n")
            if line.startswith(":20:"):
                if block is not None:
                    yield block
                block = _Block(number)
            elif block is None:
                if line.strip() and not _ENVELOPE.match(line.strip()):
                    raise self.error(number, None, "not an MT940 file: expected ':20:' first")
                continue
            self._check_line(line, number, block)
            block.lines.append(line)
        if block is not None:
            yield block

    def _check_line(self, line: str, number: int, block: _Block) -> None:
        if line.startswith(":61:"):
            match = _STATEMENT_LINE.match(line)
            if match is None:
                raise self.error(number, "61", "the statement line is not in MT940 form")
            self._check_date(match["date"], number, "61 value date")
            if not _AMOUNT.fullmatch(match["amount"]):
                raise self.error(number, "61 amount", f"{match['amount']!r} is not an amount")
            block.transaction_lines.append(number)
        elif _TAG.match(line) and line[1:3] in ("60", "62", "64", "65"):
            match = _BALANCE_LINE.fullmatch(line.rstrip())
            if match is None:
                raise self.error(number, line[1:4].rstrip(":"), "the balance is not in MT940 form")
            self._check_date(match["date"], number, "balance date")
            if not _AMOUNT.fullmatch(match["amount"]):
                raise self.error(number, "balance", f"{match['amount']!r} is not an amount")

    def _check_date(self, text: str, line: int, field_name: str) -> None:
        month, day = int(text[2:4]), int(text[4:6])
        # Day 30 of February is legal here: some banks book interest on it.
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise self.error(line, field_name, f"{text!r} is not a date in the form YYMMDD")

    def _statement(self, block: _Block) -> Iterator[ParsedTransaction]:
        try:
            parsed = mt940.parse("\n".join(block.lines) + "\n", options=Options.all())
            transactions = list(parsed)
        except _ERRORS as exc:
            raise self.error(block.line, None, f"the statement is not valid MT940 ({exc})") from exc
        if len(transactions) != len(block.transaction_lines):
            raise self.error(
                block.line,
                None,
                f"{len(block.transaction_lines)} ':61:' lines but "
                f"{len(transactions)} transactions could be read",
            )
        data: dict[str, Any] = parsed.data
        index = len(self._statements)
        opening = _balance(data.get("final_opening_balance"))
        closing = _balance(data.get("final_closing_balance"))
        currency = _balance_currency(data.get("final_opening_balance"))
        self._add_statement(
            ParsedStatement(
                index=index,
                line=block.line,
                account_id_hint=_text(data.get("account_identification")),
                currency=currency,
                opening_balance=opening,
                closing_balance=closing,
                transaction_count=len(transactions),
            )
        )
        for transaction, line in zip(transactions, block.transaction_lines, strict=True):
            yield _transaction(transaction.data, line, index, currency)


def _transaction(
    data: dict[str, Any], line: int, index: int, currency: str | None
) -> ParsedTransaction:
    amount = data["amount"]
    value_date = _date(data.get("date"))
    booking_date = _date(data.get("entry_date")) or value_date
    if booking_date is None:  # pragma: no cover - :61: always carries a value date
        raise ValueError("no date")
    purpose = _text(data.get("purpose")) or _text(data.get("transaction_details")) or ""
    customer_reference = _text(data.get("customer_reference"))
    if customer_reference and customer_reference.upper() == "NONREF":
        customer_reference = None
    raw = {key: str(value) for key, value in data.items() if value not in (None, "")}
    return ParsedTransaction(
        line=line,
        date=booking_date,
        amount=Decimal(amount.amount),
        currency=_text(data.get("currency")) or currency,
        payee=" ".join((_text(data.get("applicant_name")) or "").split()),
        memo=" ".join(purpose.split()),
        bank_id=_text(data.get("bank_reference")) or customer_reference,
        value_date=value_date,
        counterparty_account=_text(data.get("applicant_iban")),
        statement_index=index,
        raw=raw,
    )


def _balance(balance: Any) -> Balance | None:
    if balance is None:
        return None
    return Balance(Decimal(balance.amount.amount), _date(balance.date))


def _balance_currency(balance: Any) -> str | None:
    if balance is None:
        return None
    return _text(balance.amount.currency)


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return dt.date(value.year, value.month, value.day)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
