"""CSV mapping profiles: how one bank's CSV export maps to transactions.

A profile is a frozen value that round-trips through a JSON object, so it can be
stored per account or per bank and the next file imports with no questions. Columns
are named by header text, or by 0-based position (an int) for files without a header
or with repeated header names (ING Germany has two 'Währung' columns).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from homeledger.imports.errors import InvalidProfileError
from homeledger.imports.parsers.values import InvalidValueError, parse_date

ColumnRef = str | int
"""A header name, or a 0-based column position."""

DECIMAL_SEPARATORS = (".", ",")
THOUSANDS_SEPARATORS = ("", ",", ".", " ", "'", "\u00a0")


@dataclass(frozen=True, slots=True)
class CsvProfile:
    """Everything needed to read one CSV layout without asking the user again."""

    name: str = "custom"
    encoding: str = "utf-8"
    delimiter: str = ","
    quotechar: str = '"'
    skip_rows: int = 0
    """Physical lines before the header (bank preambles: account, period, balance)."""
    has_header: bool = True
    date_column: ColumnRef = "Date"
    date_format: str = "%Y-%m-%d"
    value_date_column: ColumnRef | None = None
    amount_column: ColumnRef | None = "Amount"
    debit_column: ColumnRef | None = None
    """Money out, in its own column; its sign is ignored (banks write both 12.00
    and -12.00 there)."""
    credit_column: ColumnRef | None = None
    direction_column: ColumnRef | None = None
    """A column saying debit or credit ('S'/'H', 'DR'/'CR') for unsigned amounts."""
    debit_markers: tuple[str, ...] = ()
    negate_amounts: bool = False
    """For exports that show money out as positive (many credit-card files)."""
    decimal_separator: str = "."
    thousands_separator: str = ""
    payee_columns: tuple[ColumnRef, ...] = ()
    """The first non-empty one is the payee."""
    payee_out_column: ColumnRef | None = None
    """Payee for money out, when the file names the recipient and the payer apart."""
    payee_in_column: ColumnRef | None = None
    memo_columns: tuple[ColumnRef, ...] = ()
    """Joined with spaces."""
    currency_column: ColumnRef | None = None
    currency: str | None = None
    """Fixed currency when no column gives it."""
    bank_id_column: ColumnRef | None = None
    category_column: ColumnRef | None = None
    check_number_column: ColumnRef | None = None
    counterparty_account_column: ColumnRef | None = None
    status_column: ColumnRef | None = None
    pending_markers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _validate(self)

    def referenced_columns(self) -> tuple[ColumnRef, ...]:
        """Every column the profile reads, in declaration order."""
        refs: list[ColumnRef] = []
        for item in fields(self):
            if not (item.name.endswith("_column") or item.name.endswith("_columns")):
                continue
            value = getattr(self, item.name)
            for ref in value if isinstance(value, tuple) else (value,):
                if ref is not None and ref not in refs:
                    refs.append(ref)
        return tuple(refs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return {
            item.name: list(value) if isinstance(value, tuple) else value
            for item in fields(self)
            for value in [getattr(self, item.name)]
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CsvProfile:
        """Rebuild a profile from `to_dict()` output; unknown keys are an error."""
        known = {item.name: item for item in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise InvalidProfileError(f"unknown profile settings: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            default = known[key].default
            if isinstance(default, tuple):
                if not isinstance(value, list | tuple):
                    raise InvalidProfileError(f"profile setting {key!r} must be a list")
                value = tuple(value)
            values[key] = value
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CsvProfile:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidProfileError(f"profile is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidProfileError("profile JSON must be an object")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> CsvProfile:
        return dataclasses.replace(self, **changes)


def _validate(profile: CsvProfile) -> None:
    for item in fields(profile):
        value = getattr(profile, item.name)
        if item.name.endswith("_column") and not _is_ref(value, optional=True):
            raise InvalidProfileError(f"{item.name} must be a column name or position")
        if item.name.endswith("_columns") and not (
            isinstance(value, tuple) and all(_is_ref(ref, optional=False) for ref in value)
        ):
            raise InvalidProfileError(f"{item.name} must be a list of column names or positions")
    if not isinstance(profile.name, str) or not profile.name:
        raise InvalidProfileError("a profile needs a name")
    if not (isinstance(profile.delimiter, str) and len(profile.delimiter) == 1):
        raise InvalidProfileError("the delimiter must be one character")
    if not (isinstance(profile.quotechar, str) and len(profile.quotechar) == 1):
        raise InvalidProfileError("the quote character must be one character")
    if profile.delimiter in "\r\n" or profile.delimiter == profile.quotechar:
        raise InvalidProfileError("the delimiter cannot be a line break or the quote")
    if profile.date_column is None:
        raise InvalidProfileError("a profile needs a date column")
    if (
        profile.amount_column is None
        and profile.debit_column is None
        and (profile.credit_column is None)
    ):
        raise InvalidProfileError("a profile needs an amount column or debit/credit columns")
    if profile.decimal_separator not in DECIMAL_SEPARATORS:
        raise InvalidProfileError("the decimal separator must be '.' or ','")
    if profile.thousands_separator not in THOUSANDS_SEPARATORS or (
        profile.thousands_separator == profile.decimal_separator
    ):
        raise InvalidProfileError("the thousands separator clashes or is not supported")
    if not isinstance(profile.skip_rows, int) or not 0 <= profile.skip_rows <= 1000:
        raise InvalidProfileError("skip_rows must be between 0 and 1000")
    if not isinstance(profile.encoding, str) or not profile.encoding:
        raise InvalidProfileError("a profile needs an encoding")
    for name in ("has_header", "negate_amounts"):
        if not isinstance(getattr(profile, name), bool):
            raise InvalidProfileError(f"{name} must be true or false")
    for name in ("debit_markers", "pending_markers"):
        markers = getattr(profile, name)
        if not (isinstance(markers, tuple) and all(isinstance(m, str) for m in markers)):
            raise InvalidProfileError(f"{name} must be a list of texts")
    if not profile.has_header and any(isinstance(ref, str) for ref in profile.referenced_columns()):
        raise InvalidProfileError("without a header row, columns must be positions")
    _validate_date_format(profile.date_format)


def _is_ref(value: object, *, optional: bool) -> bool:
    if value is None:
        return optional
    if isinstance(value, bool):
        return False
    return (isinstance(value, str) and value != "") or (isinstance(value, int) and value >= 0)


def _validate_date_format(date_format: object) -> None:
    if not isinstance(date_format, str):
        raise InvalidProfileError("the date format must be a text such as '%d.%m.%Y'")
    names_month = "%m" in date_format or "%b" in date_format or "%B" in date_format
    if not ("%d" in date_format and names_month) and "%j" not in date_format:
        raise InvalidProfileError("the date format must name the day and the month (%d, %m)")
    sample = date(2025, 12, 31)
    try:
        round_trip = parse_date(sample.strftime(date_format), date_format)
    except (InvalidValueError, ValueError) as exc:
        raise InvalidProfileError(f"the date format {date_format!r} is not usable") from exc
    if round_trip != sample:
        raise InvalidProfileError(f"the date format {date_format!r} does not round-trip")


@dataclass(frozen=True, slots=True)
class ReadyProfile:
    """A shipped profile and the exact header row that identifies its bank export."""

    header: tuple[str, ...]
    profile: CsvProfile


@cache
def ready_profiles() -> dict[str, ReadyProfile]:
    """The shipped profiles for common bank exports, by profile name.

    Layouts as the banks exported them when written; a bank that changes its
    export needs a new entry, and detection falls back to guessing meanwhile.
    """
    package = resources.files("homeledger.imports.parsers")
    data = json.loads((package / "ready_profiles.json").read_text(encoding="utf-8"))
    ready = (
        ReadyProfile(tuple(entry["header"]), CsvProfile.from_dict(entry["profile"]))
        for entry in data["profiles"]
    )
    return {entry.profile.name: entry for entry in ready}
