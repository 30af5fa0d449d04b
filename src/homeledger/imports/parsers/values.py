"""Strict readers for amounts and dates as banks write them.

Strict on purpose: '12,3x' is an error naming the line, never 123 or 12.3. Each
reader raises `InvalidValueError` with a message for the user; the parser adds the file,
line and field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Money never goes through float: these are the only ways text becomes an amount.
_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(?:\.\d+)?")
_CURRENCY_AFFIX = re.compile(r"^(?:[A-Z]{3}|[$€£¥₹₽₩₺]|CHF|Fr\.)\s*|\s*(?:[A-Z]{3}|[$€£¥₹₽₩₺])$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS_SIGNS = "-\u2212\u2013"
MAX_AMOUNT_DIGITS = 20
"""More digits than any real balance; rejects hostile or misread numbers early."""


class InvalidValueError(ValueError):
    """A field value that is not what its column says it is."""


def parse_amount(
    text: str,
    *,
    decimal_separator: str = ".",
    thousands_separator: str = "",
) -> Decimal:
    """Read a signed amount: '-1.234,56', '(42.00)', '$1,200.00', '12,34-', '+5'.

    `thousands_separator` "" means no grouping is allowed. Spaces and non-breaking
    spaces inside the number are always dropped (French and Swiss grouping).
    """
    cleaned = text.strip()
    if _PLAIN_DECIMAL.fullmatch(cleaned) and decimal_separator == ".":
        # The common case (a million rows of it), kept off the slow path.
        return _checked(Decimal(cleaned), text)
    negative = signed = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, signed, cleaned = True, True, cleaned[1:-1].strip()
    if cleaned[:1] and cleaned[:1] in _MINUS_SIGNS + "+":
        negative, signed = cleaned[:1] != "+", True
        cleaned = cleaned[1:].lstrip()
    without_symbol = _CURRENCY_AFFIX.sub("", cleaned)
    if without_symbol != cleaned and not signed and without_symbol[:1] in _MINUS_SIGNS:
        # '$-12.00' and '€ -5' put the sign after the symbol.
        negative, signed, without_symbol = True, True, without_symbol[1:]
    cleaned = without_symbol
    if not signed and cleaned[-1:] and cleaned[-1:] in _MINUS_SIGNS:
        # SAP-style trailing minus: '12,34-'.
        negative, cleaned = True, cleaned[:-1]
    cleaned = _SPACES.sub("", cleaned)
    number = _number_pattern(decimal_separator, thousands_separator).fullmatch(cleaned)
    if number is None:
        raise InvalidValueError(f"{text.strip()!r} is not an amount")
    digits = cleaned.replace(thousands_separator, "") if thousands_separator else cleaned
    digits = digits.replace(decimal_separator, ".")
    if digits.startswith("."):
        digits = "0" + digits
    value = Decimal(digits)
    return _checked(-value if negative else value, text)


def _checked(value: Decimal, text: str) -> Decimal:
    if not value.is_finite() or len(value.as_tuple().digits) > MAX_AMOUNT_DIGITS:
        raise InvalidValueError(f"{text.strip()!r} is not an amount")
    return value


@lru_cache(maxsize=32)
def _number_pattern(decimal_separator: str, thousands_separator: str) -> re.Pattern[str]:
    dec = re.escape(decimal_separator)
    fraction = rf"(?:{dec}\d+)?"
    if thousands_separator and thousands_separator.strip():
        group = re.escape(thousands_separator)
        integer = rf"(?:\d{{1,3}}(?:{group}\d{{3}})+|\d+)"
    else:
        integer = r"\d+"
    return re.compile(rf"(?:{integer}{fraction}|{dec}\d+)")


def parse_decimal_strict(text: str) -> Decimal:
    """A machine-written decimal (XML, OFX): digits, one '.', optional sign.

    OFX allows ',' as the decimal mark, so it is accepted as one.
    """
    cleaned = text.strip().replace(",", ".")
    if not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", cleaned):
        raise InvalidValueError(f"{text.strip()!r} is not an amount")
    try:
        return _checked(Decimal(cleaned), text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise InvalidValueError(f"{text.strip()!r} is not an amount") from exc


# --- dates -----------------------------------------------------------------------

_DIRECTIVES = {"%d": r"(?P<d>\d{1,2})", "%m": r"(?P<m>\d{1,2})", "%Y": r"(?P<Y>\d{4})"}
_DIRECTIVES["%y"] = r"(?P<y>\d{2})"
_HUMAN = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%b": "Mon", "%B": "Month"}
_HUMAN |= {"%H": "hh", "%M": "mm", "%S": "ss", "%j": "DDD", "%a": "Day", "%z": "+hhmm"}


def human_date_format(date_format: str) -> str:
    """'%d.%m.%Y' -> 'DD.MM.YYYY', for messages a user can act on."""
    result = date_format
    for directive, human in _HUMAN.items():
        result = result.replace(directive, human)
    return result


@lru_cache(maxsize=64)
def _fast_date_pattern(date_format: str) -> re.Pattern[str] | None:
    """A regex for formats made of %d %m %Y %y and separators, else None.

    strptime costs microseconds a call; a million-row file deserves better.
    """
    parts = re.split(r"(%[a-zA-Z])", date_format)
    pattern = ""
    seen: set[str] = set()
    for part in parts:
        if part.startswith("%"):
            if part not in _DIRECTIVES or part in seen:
                return None
            seen.add(part)
            pattern += _DIRECTIVES[part]
        else:
            pattern += re.escape(part)
    if not ({"%d", "%m"} <= seen and seen & {"%Y", "%y"}):
        return None
    return re.compile(pattern)


def parse_date(text: str, date_format: str) -> date:
    """Read a day in the given strftime format ('%d.%m.%Y'); a time part is dropped."""
    cleaned = text.strip()
    fast = _fast_date_pattern(date_format)
    try:
        if fast is not None:
            match = fast.fullmatch(cleaned)
            if match is None:
                raise ValueError(cleaned)
            parts = match.groupdict()
            year = int(parts["Y"]) if parts.get("Y") else _pivot_year(int(parts["y"]))
            return date(year, int(parts["m"]), int(parts["d"]))
        # A day, not an instant: no time zone is wanted here.
        return datetime.strptime(cleaned, date_format).date()
    except (ValueError, OverflowError) as exc:
        expected = human_date_format(date_format)
        raise InvalidValueError(f"{cleaned!r} is not a date in the form {expected}") from exc


def _pivot_year(two_digits: int) -> int:
    # Bank exports with two-digit years are all from this century; strptime's
    # 1969 pivot would turn '69' into 1969, which no bank file means.
    return 2000 + two_digits


def parse_iso_date(text: str) -> date:
    """'2025-12-31' or '2025-12-31T10:00:00+01:00' -> the day as written."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?", cleaned)
    if match is None:
        raise InvalidValueError(f"{cleaned!r} is not a date in the form YYYY-MM-DD")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise InvalidValueError(f"{cleaned!r} is not a valid date") from exc
