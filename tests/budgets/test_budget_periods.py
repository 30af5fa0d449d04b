from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.budgets.periods import (
    CalendarMonth,
    EveryNWeeks,
    MonthFromDay,
    Period,
    PeriodRule,
    TwiceMonthly,
    WeekendShift,
    count_periods,
    next_period,
    period_containing,
    periods_between,
    previous_period,
)


def test_calendar_month_is_first_to_first() -> None:
    assert period_containing(CalendarMonth(), date(2024, 2, 29)) == Period(
        date(2024, 2, 1), date(2024, 3, 1)
    )
    assert period_containing(CalendarMonth(), date(2024, 12, 31)) == Period(
        date(2024, 12, 1), date(2025, 1, 1)
    )


def test_pay_day_month_runs_from_the_25th_to_the_25th() -> None:
    rule = MonthFromDay(25)
    assert rule.containing(date(2024, 3, 24)) == Period(date(2024, 2, 25), date(2024, 3, 25))
    assert rule.containing(date(2024, 3, 25)) == Period(date(2024, 3, 25), date(2024, 4, 25))


def test_pay_day_on_the_31st_is_clamped_in_short_months() -> None:
    rule = MonthFromDay(31)
    feb = rule.containing(date(2023, 3, 1))
    assert feb == Period(date(2023, 2, 28), date(2023, 3, 31))
    assert previous_period(rule, feb) == Period(date(2023, 1, 31), date(2023, 2, 28))
    assert next_period(rule, feb) == Period(date(2023, 3, 31), date(2023, 4, 30))
    assert rule.containing(date(2024, 2, 29)).start == date(2024, 2, 29)


def test_pay_day_on_a_sunday_moves_to_the_friday_before() -> None:
    # 25 August 2024 is a Sunday: the pay arrives on Friday the 23rd.
    rule = MonthFromDay(25, WeekendShift.PREVIOUS_FRIDAY)
    assert rule.containing(date(2024, 8, 23)) == Period(date(2024, 8, 23), date(2024, 9, 25))
    assert rule.containing(date(2024, 8, 22)).end == date(2024, 8, 23)


def test_start_on_a_saturday_can_move_to_the_monday_after() -> None:
    rule = MonthFromDay(1, WeekendShift.NEXT_MONDAY)
    # 1 June 2024 is a Saturday.
    assert rule.containing(date(2024, 6, 2)) == Period(date(2024, 5, 1), date(2024, 6, 3))


def test_every_two_weeks_counts_from_the_anchor_both_ways() -> None:
    rule = EveryNWeeks(anchor=date(2024, 1, 5))
    assert rule.containing(date(2024, 1, 18)) == Period(date(2024, 1, 5), date(2024, 1, 19))
    assert rule.containing(date(2024, 1, 19)) == Period(date(2024, 1, 19), date(2024, 2, 2))
    assert rule.containing(date(2024, 1, 4)) == Period(date(2023, 12, 22), date(2024, 1, 5))


def test_twice_a_month_splits_on_the_1st_and_15th() -> None:
    periods = periods_between(TwiceMonthly(), date(2024, 2, 10), date(2024, 3, 2))
    assert periods == [
        Period(date(2024, 2, 1), date(2024, 2, 15)),
        Period(date(2024, 2, 15), date(2024, 3, 1)),
        Period(date(2024, 3, 1), date(2024, 3, 15)),
    ]


def test_twice_a_month_with_configured_days_clamps_the_second() -> None:
    rule = TwiceMonthly(first_day=15, second_day=31)
    assert rule.containing(date(2023, 2, 28)) == Period(date(2023, 2, 28), date(2023, 3, 15))
    assert rule.containing(date(2023, 4, 20)) == Period(date(2023, 4, 15), date(2023, 4, 30))


@pytest.mark.parametrize(("first", "second"), [(15, 15), (20, 10), (28, 31), (0, 15), (1, 32)])
def test_twice_a_month_refuses_days_that_could_collide(first: int, second: int) -> None:
    with pytest.raises(ValueError, match="day"):
        TwiceMonthly(first, second)


def test_a_period_is_half_open() -> None:
    period = Period(date(2024, 1, 1), date(2024, 2, 1))
    assert date(2024, 1, 1) in period
    assert date(2024, 2, 1) not in period
    assert period.days == 31
    assert period.last_day == date(2024, 1, 31)
    with pytest.raises(ValueError, match="end after"):
        Period(date(2024, 1, 1), date(2024, 1, 1))


def test_periods_between_an_empty_range_is_empty() -> None:
    assert periods_between(CalendarMonth(), date(2024, 1, 1), date(2024, 1, 1)) == []


def test_count_periods_includes_both_ends() -> None:
    january = CalendarMonth().containing(date(2025, 1, 10))
    assert count_periods(CalendarMonth(), january, date(2025, 6, 1)) == 6
    assert count_periods(CalendarMonth(), january, date(2024, 12, 31)) == 0


days = st.dates(min_value=date(1950, 1, 1), max_value=date(2150, 12, 31))
shifts = st.sampled_from(list(WeekendShift))


@st.composite
def twice_monthly(draw: st.DrawFn) -> TwiceMonthly:
    first = draw(st.integers(1, 27))
    second = draw(st.integers(first + 1, 31))
    return TwiceMonthly(first, second, draw(shifts))


rules: st.SearchStrategy[PeriodRule] = st.one_of(
    st.just(CalendarMonth()),
    st.builds(MonthFromDay, st.integers(1, 31), shifts),
    st.builds(EveryNWeeks, days, st.integers(1, 6)),
    twice_monthly(),
)


@settings(max_examples=300)
@given(rules, days)
def test_every_day_lies_in_its_period_and_neighbours_touch(rule: PeriodRule, day: date) -> None:
    period = period_containing(rule, day)
    assert day in period
    following = next_period(rule, period)
    preceding = previous_period(rule, period)
    assert following.start == period.end
    assert preceding.end == period.start
    assert previous_period(rule, following) == period
    assert next_period(rule, preceding) == period


@settings(max_examples=150)
@given(rules, days, st.integers(1, 400))
def test_periods_tile_a_range_without_gaps_or_overlaps(
    rule: PeriodRule, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    periods = periods_between(rule, start, end)
    assert periods[0].start <= start
    assert periods[-1].end >= end
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end == later.start
    # Every day of the range is in exactly one of the periods, the one the rule names.
    for offset in range(0, length, max(1, length // 25)):
        day = start + timedelta(days=offset)
        holders = [p for p in periods if day in p]
        assert holders == [period_containing(rule, day)]


@given(st.builds(MonthFromDay, st.integers(1, 31), shifts), days)
def test_month_rules_give_about_a_month(rule: MonthFromDay, day: date) -> None:
    # Clamping and weekend shifts move a start by a few days, never by weeks.
    assert 25 <= rule.containing(day).days <= 35


def test_a_start_shifted_into_the_next_month_still_tiles() -> None:
    # 31 March 2001 is a Saturday: March's period starts on Monday 2 April, so
    # 1 April still belongs to the period that began on 28 February.
    rule = MonthFromDay(31, WeekendShift.NEXT_MONDAY)
    assert rule.containing(date(2001, 4, 1)) == Period(date(2001, 2, 28), date(2001, 4, 2))
    assert rule.containing(date(2001, 4, 2)) == Period(date(2001, 4, 2), date(2001, 4, 30))
