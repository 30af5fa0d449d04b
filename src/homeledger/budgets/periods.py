"""Budget periods: how the timeline is cut into budgeting windows.

A `Period` is a half-open interval of days, ``[start, end)``: ``start`` belongs to
it, ``end`` is the first day of the next period. A `PeriodRule` cuts the whole
timeline into consecutive periods with no gap and no overlap, so every day belongs
to exactly one period, and ``next_period(rule, p).start == p.end``.

Rules
-----
`CalendarMonth`
    The 1st of each month to the 1st of the next.
`MonthFromDay`
    A month that starts on a given day, e.g. pay day on the 25th: [25 Jan, 25 Feb).
    When the month is too short the start is clamped to its last day (a month
    starting on the 31st starts on 28/29 February and 30 April).
`EveryNWeeks`
    Blocks of ``weeks`` weeks (2 by default: every other Friday) counted from an
    anchor date, forwards and backwards.
`TwiceMonthly`
    Two periods a month, from ``first_day`` to ``second_day`` and from
    ``second_day`` to the next month's ``first_day`` (1st and 15th by default),
    clamped for short months like `MonthFromDay`.

The month-based rules can move a start that falls on a weekend to the Friday
before or the Monday after (``shift``), as pay days are. Weekends only: public
holidays differ per country and are not modelled here.
"""

from __future__ import annotations

import calendar
import enum
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """The days ``start <= day < end``."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a period must end after it starts: [{self.start}, {self.end})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        """The last day inside the period (``end`` is outside)."""
        return self.end - _ONE_DAY

    def dates(self) -> Iterator[date]:
        day = self.start
        while day < self.end:
            yield day
            day += _ONE_DAY

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end


class PeriodRule(Protocol):
    """Cuts the timeline into periods; ``containing`` must be consistent (tiling)."""

    def containing(self, day: date) -> Period:
        """The one period that ``day`` belongs to."""
        ...


class WeekendShift(enum.Enum):
    """Where a period start that falls on Saturday or Sunday moves."""

    NONE = "none"
    PREVIOUS_FRIDAY = "previous-friday"
    NEXT_MONDAY = "next-monday"

    def apply(self, day: date) -> date:
        weekday = day.weekday()
        if weekday < calendar.SATURDAY or self is WeekendShift.NONE:
            return day
        if self is WeekendShift.PREVIOUS_FRIDAY:
            return day - timedelta(days=weekday - calendar.FRIDAY)
        return day + timedelta(days=7 - weekday)


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_based_containing(day: date, month_days: tuple[int, ...], shift: WeekendShift) -> Period:
    """Period containing ``day`` for rules that start periods on fixed days of month.

    Starts are gathered from two months before to two months after, because a weekend
    shift can move a start across a month boundary (the 1st moved to Friday the 30th,
    Saturday the 31st moved to Monday the 2nd).
    """
    shifted: set[date] = set()
    for offset in (-2, -1, 0, 1, 2):
        year, month = _add_months(day.year, day.month, offset)
        shifted.update(shift.apply(_clamped(year, month, d)) for d in month_days)
    # Two starts a day apart can shift onto the same Friday: they merge into one.
    starts = sorted(shifted)
    for start, end in itertools.pairwise(starts):
        if start <= day < end:
            return Period(start, end)
    raise AssertionError(f"no period found for {day}")  # pragma: no cover


def _check_day_of_month(day: int, name: str) -> None:
    if not 1 <= day <= 31:
        raise ValueError(f"{name} must be between 1 and 31, not {day}")


@dataclass(frozen=True, slots=True)
class CalendarMonth:
    """The 1st of a month to the 1st of the next."""

    def containing(self, day: date) -> Period:
        start = day.replace(day=1)
        year, month = _add_months(day.year, day.month, 1)
        return Period(start, date(year, month, 1))


@dataclass(frozen=True, slots=True)
class MonthFromDay:
    """A month starting on ``day`` (clamped to the month's end), e.g. pay day."""

    day: int
    shift: WeekendShift = WeekendShift.NONE

    def __post_init__(self) -> None:
        _check_day_of_month(self.day, "day")

    def containing(self, day: date) -> Period:
        return _month_based_containing(day, (self.day,), self.shift)


@dataclass(frozen=True, slots=True)
class EveryNWeeks:
    """Consecutive blocks of ``weeks`` weeks, one of which starts on ``anchor``."""

    anchor: date
    weeks: int = 2

    def __post_init__(self) -> None:
        if self.weeks < 1:
            raise ValueError(f"weeks must be at least 1, not {self.weeks}")

    def containing(self, day: date) -> Period:
        length = 7 * self.weeks
        # Floor division keeps days before the anchor in whole blocks as well.
        blocks = (day - self.anchor).days // length
        start = self.anchor + timedelta(days=blocks * length)
        return Period(start, start + timedelta(days=length))


@dataclass(frozen=True, slots=True)
class TwiceMonthly:
    """Two periods a month, starting on ``first_day`` and ``second_day``."""

    first_day: int = 1
    second_day: int = 15
    shift: WeekendShift = WeekendShift.NONE

    def __post_init__(self) -> None:
        _check_day_of_month(self.first_day, "first_day")
        _check_day_of_month(self.second_day, "second_day")
        # Both clamp to the 28th in a short February; they must still differ there.
        if not self.first_day < min(self.second_day, 28):
            raise ValueError(
                "first_day must come before second_day, and before the 28th "
                f"(got {self.first_day} and {self.second_day})"
            )

    def containing(self, day: date) -> Period:
        return _month_based_containing(day, (self.first_day, self.second_day), self.shift)


def period_containing(rule: PeriodRule, day: date) -> Period:
    return rule.containing(day)


def next_period(rule: PeriodRule, period: Period) -> Period:
    return rule.containing(period.end)


def previous_period(rule: PeriodRule, period: Period) -> Period:
    return rule.containing(period.start - _ONE_DAY)


def iter_periods(rule: PeriodRule, start: date) -> Iterator[Period]:
    """Periods from the one containing ``start`` onwards, without end."""
    period = rule.containing(start)
    while True:
        yield period
        period = next_period(rule, period)


def periods_between(rule: PeriodRule, start: date, end: date) -> list[Period]:
    """Every period that overlaps the half-open range ``[start, end)``, in order.

    The first may begin before ``start`` and the last may end after ``end``; an empty
    range gives an empty list.
    """
    if end <= start:
        return []
    periods: list[Period] = []
    for period in iter_periods(rule, start):
        if period.start >= end:
            break
        periods.append(period)
    return periods


def count_periods(rule: PeriodRule, first: Period, last_day: date) -> int:
    """How many periods from ``first`` up to and including the one holding ``last_day``.

    0 when ``last_day`` is before ``first``.
    """
    if last_day < first.start:
        return 0
    return len(periods_between(rule, first.start, last_day + _ONE_DAY))
