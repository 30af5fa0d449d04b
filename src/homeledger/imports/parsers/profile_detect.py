"""Guess a CSV profile from the first 64 KiB of a file.

Order of questions: which encoding, which delimiter, where the table starts (bank
preambles), which row is the header, then which column is what and how dates and
amounts are written. A shipped profile whose columns all appear in the header wins
over guessing. Doubts go into `notes` so the preview can ask the user.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from homeledger.imports.errors import ImportFileError
from homeledger.imports.parsers.profiles import ColumnRef, CsvProfile, ready_profiles
from homeledger.imports.parsers.text_decoding import HEAD_SIZE, sniff_encoding
from homeledger.imports.parsers.values import InvalidValueError, parse_amount, parse_date

DELIMITERS = (";", ",", "\t", "|")
# Preference order matters where a value fits several: ISO first, then day-first
# European forms, then US month-first ones; ambiguity is settled by `_date_format`.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%Y%m%d",
)
_DAY_FIRST_TWINS = {"%d/%m/%Y": "%m/%d/%Y", "%d/%m/%y": "%m/%d/%y", "%d-%m-%Y": "%m-%d-%Y"}

# Header texts per role, normalised (lower case, single spaces, no '(EUR)' suffix).
# Earlier entries win when a file has several candidates for one role.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "transaction date",
        "trans date",
        "booking date",
        "posting date",
        "posted date",
        "buchungstag",
        "buchungsdatum",
        "buchung",
        "datum",
        "started date",
        "completed date",
        "date de l'opération",
        "fecha",
    ),
    "value_date": ("value date", "valuta", "valutadatum", "wertstellung", "wertstellungsdatum"),
    "amount": (
        "amount",
        "betrag",
        "umsatz",
        "transaction amount",
        "montant",
        "importe",
        "bedrag",
    ),
    "debit": (
        "debit",
        "debit amount",
        "debits",
        "withdrawal",
        "withdrawals",
        "money out",
        "paid out",
        "soll",
        "ausgang",
        "belastung",
        "outflow",
    ),
    "credit": (
        "credit",
        "credit amount",
        "credits",
        "deposit",
        "deposits",
        "money in",
        "paid in",
        "haben",
        "eingang",
        "gutschrift",
        "inflow",
    ),
    "payee": (
        "payee",
        "payee name",
        "name",
        "merchant",
        "counterparty",
        "beneficiary",
        "beguenstigter/zahlungspflichtiger",
        "begünstigter/zahlungspflichtiger",
        "auftraggeber/empfänger",
        "empfänger",
        "zahlungsempfänger",
        "auftraggeber",
        "description",
    ),
    "memo": (
        "memo",
        "verwendungszweck",
        "reference",
        "details",
        "notes",
        "purpose",
        "narrative",
        "transaction details",
        "description",
        "buchungstext",
        "text",
    ),
    "currency": ("currency", "währung", "waehrung", "ccy", "devise"),
    "bank_id": ("transaction id", "reference number", "transaction reference", "fitid", "id"),
    "category": ("category", "kategorie"),
    "check_number": ("check number", "check or slip #", "check #", "cheque number", "check no"),
    "counterparty_account": (
        "iban",
        "kontonummer/iban",
        "counterparty iban",
        "counterparty account",
    ),
}
# Second chance for headers no synonym matched exactly ('Empfänger/Auftraggeber').
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "date": ("datum", "date", "buchungstag"),
    "amount": ("betrag", "amount"),
    "payee": ("empfänger", "auftraggeber", "begünstigter", "beguenstigter", "payee", "merchant"),
    "memo": ("verwendungszweck", "memo", "description", "reference"),
}
_SYMBOL_CURRENCIES = {
    "€": "EUR",
    "£": "GBP",
    "EUR": "EUR",
    "USD": "USD",
    "GBP": "GBP",
    "CHF": "CHF",
}


@dataclass(frozen=True, slots=True)
class ProfileDetection:
    profile: CsvProfile
    ready_profile: str | None
    """Name of the shipped profile that matched, or None when guessed."""
    notes: tuple[str, ...]
    """What detection was unsure about, in words for the user."""


@dataclass(frozen=True, slots=True)
class _Row:
    line_index: int
    """0-based physical line where the row starts."""
    cells: tuple[str, ...]


def detect_csv_profile(head: bytes, source_name: str) -> ProfileDetection:
    """The profile that best explains the sample, or ImportFileError if none does."""
    if not head.strip():
        raise ImportFileError(source_name, None, None, "the file is empty")
    encoding = sniff_encoding(head, source_name)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text.removeprefix("\ufeff"))
    if len(head) >= HEAD_SIZE and len(lines) > 1:
        lines = lines[:-1]  # the sample cut the last line short
    delimiter, rows = _choose_delimiter(lines)
    first_data = next((i for i, row in enumerate(rows) if _is_data_row(row.cells)), None)
    if first_data is None:
        raise ImportFileError(
            source_name, None, None, "no row with a date and an amount: this is not a bank CSV"
        )
    header_row = _header_above(rows, first_data)
    data_rows = [row.cells for row in rows[first_data:] if len(row.cells) > 1]
    notes: list[str] = []
    header = tuple(cell.strip() for cell in header_row.cells) if header_row else ()
    skip_rows = (header_row or rows[first_data]).line_index
    ascii_only = head.isascii()

    ready = _match_ready_profile(header, delimiter, data_rows)
    if ready is not None:
        keep_encoding = ascii_only and encoding == "utf-8"
        profile = ready.replace(
            skip_rows=skip_rows, encoding=ready.encoding if keep_encoding else encoding
        )
        return ProfileDetection(profile, ready.name, ())

    roles = _roles_from_header(header) if header else {}
    width = max(len(header), *(len(cells) for cells in data_rows))
    refs_by_index: list[ColumnRef] = [
        header[i] if i < len(header) and header[i] and header.count(header[i]) == 1 else i
        for i in range(width)
    ]

    def values(index: int) -> list[str]:
        return [cells[index] for cells in data_rows if index < len(cells) and cells[index].strip()]

    date_index = roles.get("date")
    if date_index is None:
        date_index = _first_column(width, values, _all_dates, source_name, "date")
    amount_index = roles.get("amount")
    if amount_index is None and "debit" not in roles and "credit" not in roles:
        amount_index = _first_column(
            width, values, _all_amounts, source_name, "amount", exclude={date_index}
        )
    date_format = _date_format(values(date_index), delimiter, notes, source_name)
    amount_indexes = [
        i for i in (amount_index, roles.get("debit"), roles.get("credit")) if i is not None
    ]
    decimal_separator = _decimal_separator(
        [v for i in amount_indexes for v in values(i)], delimiter
    )
    thousands = "." if decimal_separator == "," else ","
    currency = _currency(header, amount_indexes, [v for i in amount_indexes for v in values(i)])
    if currency is None and "currency" not in roles:
        notes.append("the file names no currency; the account's currency will be used")

    def ref(role: str) -> ColumnRef | None:
        index = roles.get(role)
        return None if index is None else refs_by_index[index]

    memo_index = roles.get("memo")
    profile = CsvProfile(
        name="detected",
        encoding=encoding,
        delimiter=delimiter,
        skip_rows=skip_rows,
        has_header=bool(header),
        date_column=refs_by_index[date_index],
        date_format=date_format,
        value_date_column=ref("value_date"),
        amount_column=None if amount_index is None else refs_by_index[amount_index],
        debit_column=None if amount_index is not None else ref("debit"),
        credit_column=None if amount_index is not None else ref("credit"),
        decimal_separator=decimal_separator,
        thousands_separator=thousands,
        payee_columns=tuple(r for r in (ref("payee"),) if r is not None),
        memo_columns=() if memo_index is None else (refs_by_index[memo_index],),
        currency_column=ref("currency"),
        currency=currency,
        bank_id_column=ref("bank_id"),
        category_column=ref("category"),
        check_number_column=ref("check_number"),
        counterparty_account_column=ref("counterparty_account"),
    )
    if not header:
        notes.append("the file has no header row; columns were recognised by their values")
    return ProfileDetection(profile, None, tuple(notes))


def _choose_delimiter(lines: Sequence[str]) -> tuple[str, list[_Row]]:
    best: tuple[int, int, str, list[_Row]] | None = None
    for delimiter in DELIMITERS:
        rows = _split_rows(lines, delimiter)
        data_widths = Counter(len(row.cells) for row in rows if _is_data_row(row.cells))
        if not data_widths:
            continue
        width, count = data_widths.most_common(1)[0]
        score = (count, width)
        if best is None or score > best[:2]:
            best = (count, width, delimiter, rows)
    if best is None:
        return ",", _split_rows(lines, ",")
    return best[2], best[3]


def _split_rows(lines: Sequence[str], delimiter: str) -> list[_Row]:
    counter = _CountingLines(lines)
    reader = csv.reader(counter, delimiter=delimiter)
    rows: list[_Row] = []
    while True:
        start = counter.position
        try:
            cells = next(reader)
        except StopIteration:
            return rows
        except csv.Error:
            continue
        rows.append(_Row(start, tuple(cells)))


class _CountingLines:
    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines
        self.position = 0

    def __iter__(self) -> _CountingLines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self._lines):
            raise StopIteration
        self.position += 1
        return self._lines[self.position - 1]


def _is_date(text: str) -> bool:
    text = text.strip()
    if not 6 <= len(text) <= 20 or not text[:1].isalnum():
        return False
    for date_format in DATE_FORMATS:
        try:
            parse_date(text, date_format)
        except InvalidValueError:
            continue
        return True
    return False


def _is_amount(text: str) -> bool:
    text = text.strip()
    if not text or not any(ch.isdigit() for ch in text) or len(text) > 30:
        return False
    for style in ((".", ","), (",", "."), (".", ""), (",", ""), (".", " "), (",", " ")):
        try:
            parse_amount(text, decimal_separator=style[0], thousands_separator=style[1])
        except InvalidValueError:
            continue
        return True
    return False


def _is_data_row(cells: Sequence[str]) -> bool:
    if len(cells) < 2:
        return False
    date_at = next((i for i, cell in enumerate(cells) if _is_date(cell)), None)
    return date_at is not None and any(
        _is_amount(cell) for i, cell in enumerate(cells) if i != date_at and cell.strip()
    )


def _header_above(rows: Sequence[_Row], first_data: int) -> _Row | None:
    width = len(rows[first_data].cells)
    for row in reversed(rows[:first_data]):
        cells = [cell for cell in row.cells if cell.strip()]
        if not cells:
            continue
        looks_like_header = abs(len(row.cells) - width) <= 1 and not any(
            _is_date(cell) or _is_amount(cell) for cell in cells
        )
        return row if looks_like_header else None
    return None


def normalise_header(text: str) -> str:
    text = re.sub(r"\s*\((?:[A-Z]{3}|[€$£])\)\s*$", "", text.strip(), flags=re.IGNORECASE)
    return " ".join(text.lower().split())


def _roles_from_header(header: Sequence[str]) -> dict[str, int]:
    normalised = [normalise_header(cell) for cell in header]
    roles: dict[str, int] = {}
    taken: set[int] = set()
    for role, names in SYNONYMS.items():
        for name in names:
            if name in normalised and normalised.index(name) not in taken:
                roles[role] = normalised.index(name)
                taken.add(roles[role])
                break
    for role, keywords in _KEYWORDS.items():
        if role in roles:
            continue
        for index, name in enumerate(normalised):
            if index not in taken and any(keyword in name for keyword in keywords):
                roles[role] = index
                taken.add(index)
                break
    return roles


def _first_column(
    width: int,
    values: Callable[[int], list[str]],
    test: Callable[[Sequence[str]], bool],
    source_name: str,
    what: str,
    exclude: set[int | None] | None = None,
) -> int:
    for index in range(width):
        if exclude and index in exclude:
            continue
        column = values(index)
        if column and test(column):
            return index
    raise ImportFileError(source_name, None, None, f"no column looks like the {what}")


def _all_dates(column: Sequence[str]) -> bool:
    return all(_is_date(value) for value in column)


def _all_amounts(column: Sequence[str]) -> bool:
    return all(_is_amount(value) for value in column) and any(
        re.search(r"[.,]\d{1,2}\b", value) for value in column
    )


def _date_format(values: Sequence[str], delimiter: str, notes: list[str], source_name: str) -> str:
    # The format most dates fit: one bad date must reach the parser, which names its line.
    scores = {f: sum(_parses(value, f) for value in values) for f in DATE_FORMATS}
    best = max(scores.values(), default=0)
    fitting = [f for f in DATE_FORMATS if scores[f] == best and best > 0]
    if not fitting:
        sample = next(iter(values), "")
        raise ImportFileError(
            source_name, None, "date", f"dates like {sample!r} are in no known date format"
        )
    chosen = fitting[0]
    day_first = next((f for f in fitting if f in _DAY_FIRST_TWINS), None)
    if day_first is not None and _DAY_FIRST_TWINS[day_first] in fitting:
        # Every date fits both orders: European separators and decimal commas
        # suggest day first; otherwise follow the US habit of the '/' form.
        chosen = day_first if delimiter == ";" else _DAY_FIRST_TWINS[day_first]
        notes.append(
            f"dates such as {values[0]!r} could be day-first or month-first; "
            f"assumed {'day' if chosen == day_first else 'month'} first"
        )
    return chosen


def _parses(value: str, date_format: str) -> bool:
    try:
        parse_date(value, date_format)
    except InvalidValueError:
        return False
    return True


def _decimal_separator(values: Sequence[str], delimiter: str) -> str:
    comma = dot = 0
    for value in values:
        digits = re.sub(r"[^\d.,]", "", value)
        if re.search(r",\d{1,2}$", digits) or re.search(r"\.\d{3},\d", digits):
            comma += 1
        elif re.search(r"\.\d{1,2}$", digits) or re.search(r",\d{3}\.\d", digits):
            dot += 1
    if comma == dot:
        return "," if delimiter == ";" else "."
    return "," if comma > dot else "."


def _currency(header: Sequence[str], indexes: Sequence[int], values: Sequence[str]) -> str | None:
    for index in indexes:
        if index < len(header):
            match = re.search(r"\(([A-Z]{3}|[€£])\)\s*$", header[index])
            if match:
                return _SYMBOL_CURRENCIES.get(match.group(1), match.group(1))
    found = {
        code for value in values for symbol, code in _SYMBOL_CURRENCIES.items() if symbol in value
    }
    return found.pop() if len(found) == 1 else None


def _match_ready_profile(
    header: Sequence[str], delimiter: str, data_rows: Sequence[Sequence[str]]
) -> CsvProfile | None:
    if not header:
        return None
    wanted = [normalise_header(cell) for cell in header]
    while wanted and not wanted[-1]:
        wanted.pop()  # exports that end each row with a delimiter
    for ready in ready_profiles().values():
        profile = ready.profile
        if profile.delimiter != delimiter:
            continue
        if [normalise_header(cell) for cell in ready.header] != wanted:
            continue
        if _rows_fit(profile, header, data_rows):
            return profile
    return None


def _rows_fit(profile: CsvProfile, header: Sequence[str], rows: Sequence[Sequence[str]]) -> bool:
    def position(ref: ColumnRef) -> int:
        return ref if isinstance(ref, int) else list(header).index(ref)

    date_at = position(profile.date_column)
    amount_refs = [
        r
        for r in (profile.amount_column, profile.debit_column, profile.credit_column)
        if r is not None
    ]
    checked = failed = 0
    for cells in rows:
        if date_at >= len(cells) or not cells[date_at].strip():
            continue
        checked += 1
        if not _parses(cells[date_at], profile.date_format) or not all(
            _amount_fits(profile, cells, position(ref)) for ref in amount_refs
        ):
            failed += 1
    # A stray bad row must not hide the bank's layout; the parser reports that row.
    return checked > 0 and failed * 5 <= checked


def _amount_fits(profile: CsvProfile, cells: Sequence[str], at: int) -> bool:
    if at >= len(cells) or not cells[at].strip():
        return True
    try:
        parse_amount(
            cells[at],
            decimal_separator=profile.decimal_separator,
            thousands_separator=profile.thousands_separator,
        )
    except InvalidValueError:
        return False
    return True
