"""Plain data that every parser yields, and the one-pass parser contract.

Parsers know nothing of the database: they turn bytes into these frozen values.
Amounts are signed from the account's point of view (negative = money out) and are
`Decimal`; dates that mean a day are `datetime.date`.
"""

from __future__ import annotations

import datetime as dt
import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import BinaryIO, ClassVar, Literal

from homeledger.imports.errors import ImportFileError

logger = logging.getLogger(__name__)

FileFormat = Literal["csv", "ofx", "qif", "camt", "mt940"]
TransactionStatus = Literal["pending", "booked"]


@dataclass(frozen=True, slots=True)
class Split:
    """One line of a split transaction (QIF `S`/`$`/`E` groups)."""

    amount: Decimal
    category: str | None = None
    memo: str = ""
    transfer_account: str | None = None
    """Set when the split moves money to another account (QIF `S[Savings]`)."""


@dataclass(frozen=True, slots=True)
class ParsedTransaction:
    """One transaction as the file states it, before any matching or rules."""

    line: int
    """1-based line in the file where the transaction starts (CSV row, `<STMTTRN>`,
    QIF record, `<Ntry>`/`<TxDtls>`, MT940 `:61:`)."""
    date: dt.date
    amount: Decimal
    currency: str | None
    payee: str
    memo: str
    bank_id: str | None = None
    """The bank's own id for the transaction (OFX FITID, CAMT AcctSvcrRef or
    EndToEndId, MT940 bank reference, a CSV id column); None when the file has none."""
    status: TransactionStatus = "booked"
    value_date: dt.date | None = None
    category: str | None = None
    transfer_account: str | None = None
    check_number: str | None = None
    counterparty_account: str | None = None
    """IBAN or account number of the other side, when the file names it."""
    splits: tuple[Split, ...] = ()
    statement_index: int = 0
    """Which `ParsedStatement` of the file this belongs to (files may hold several)."""
    raw: Mapping[str, str] = field(default_factory=dict)
    """The source fields as read, so a preview can explain what was parsed."""


@dataclass(frozen=True, slots=True)
class Balance:
    amount: Decimal
    date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    """Statement-level facts: which account, which currency, which balances.

    `transactions` is filled only by `read_statements()`; a streaming parser reports
    statements without them (see `StatementParser.statements`).
    """

    index: int
    line: int
    account_id_hint: str | None = None
    """IBAN, account number or masked card number as the file gives it."""
    institution_hint: str | None = None
    """BIC, bank routing number or OFX FID."""
    currency: str | None = None
    opening_balance: Balance | None = None
    closing_balance: Balance | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    transaction_count: int = 0
    transactions: tuple[ParsedTransaction, ...] = ()


class StatementParser(ABC):
    """One pass over one bank file.

    Iterate it to stream the transactions; after iteration, `statements` holds the
    statement-level facts (balances often come after the transactions in the file).
    Iteration raises `ImportFileError` for anything the file gets wrong, possibly
    after some transactions were yielded: the caller imports all or nothing.
    """

    format_name: ClassVar[FileFormat]

    def __init__(self, stream: BinaryIO, source_name: str) -> None:
        self.source_name = source_name
        self._stream = stream
        self._statements: list[ParsedStatement] = []
        self._started = False
        self._finished = False

    @property
    def statements(self) -> tuple[ParsedStatement, ...]:
        """Statements seen so far; complete once iteration has finished."""
        return tuple(self._statements)

    @property
    def finished(self) -> bool:
        return self._finished

    def __iter__(self) -> Iterator[ParsedTransaction]:
        if self._started:
            raise RuntimeError("a StatementParser reads its stream once; open a new one")
        self._started = True
        return self._guarded()

    def _guarded(self) -> Iterator[ParsedTransaction]:
        try:
            yield from self._parse()
        except ImportFileError:
            raise
        except (RecursionError, MemoryError) as exc:
            raise self.error(None, None, "the file is too deeply nested or too large") from exc
        except Exception as exc:
            # A third-party parser tripping over hostile input must not become a 500:
            # the user still gets a message naming the file. Logged, since it means a
            # check is missing on our side.
            logger.warning("unexpected error parsing %s", self.source_name, exc_info=True)
            message = f"cannot be read as {self.format_name.upper()} ({type(exc).__name__})"
            raise self.error(None, None, message) from exc
        self._finished = True

    def error(self, line: int | None, field_name: str | None, message: str) -> ImportFileError:
        return ImportFileError(self.source_name, line, field_name, message)

    def _add_statement(self, statement: ParsedStatement) -> None:
        self._statements.append(statement)

    def _update_statement(self, index: int, **changes: object) -> None:
        self._statements[index] = replace(self._statements[index], **changes)  # type: ignore[arg-type]

    @abstractmethod
    def _parse(self) -> Iterator[ParsedTransaction]:
        """Yield transactions and record statements; raise ImportFileError on bad input."""
