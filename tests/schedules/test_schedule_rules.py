from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.schedules.calc import (
    LAST_BUSINESS_DAY,
    MONTHLY_ON_FIRST,
    Occurrence,
    Schedule,
    ScheduleMode,
    ScheduleState,
    every_n_weeks,
    mark_done,
    monthly_on_day,
    next_occurrence,
    occurrences,
    pending,
    plan_run,
)


def schedule(
    rule: str,
    start: date,
    *,
    id: str = "s1",
    until: date | None = None,
    count: int | None = None,
    mode: ScheduleMode = ScheduleMode.AUTO_POST,
) -> Schedule:
    return Schedule(
        id=id,
        rule=rule,
        start=start,
        amount_minor=-120_000,
        currency="EUR",
        account="checking",
        until=until,
        count=count,
        mode=mode,
    )


def test_monthly_on_the_first() -> None:
    rent = schedule(MONTHLY_ON_FIRST, date(2024, 1, 10))
    assert occurrences(rent, date(2024, 1, 1), date(2024, 4, 2)) == [
        date(2024, 2, 1),
        date(2024, 3, 1),
        date(2024, 4, 1),
    ]


def test_occurrences_use_a_half_open_range() -> None:
    rent = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1))
    assert occurrences(rent, date(2024, 2, 1), date(2024, 3, 1)) == [date(2024, 2, 1)]
    assert occurrences(rent, date(2024, 3, 1), date(2024, 3, 1)) == []


def test_every_two_weeks_from_the_start_weekday() -> None:
    pay = schedule(every_n_weeks(2), date(2024, 1, 5))
    assert occurrences(pay, date(2024, 1, 1), date(2024, 2, 10)) == [
        date(2024, 1, 5),
        date(2024, 1, 19),
        date(2024, 2, 2),
    ]


def test_last_business_day_of_the_month() -> None:
    salary = schedule(LAST_BUSINESS_DAY, date(2024, 1, 1))
    assert occurrences(salary, date(2024, 1, 1), date(2024, 7, 1)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 29),  # the 31st is a Sunday
        date(2024, 4, 30),
        date(2024, 5, 31),
        date(2024, 6, 28),  # the 30th is a Sunday
    ]


def test_monthly_on_the_31st_falls_on_short_months_last_day() -> None:
    bill = schedule(monthly_on_day(31), date(2023, 1, 1))
    assert occurrences(bill, date(2023, 1, 1), date(2023, 5, 1)) == [
        date(2023, 1, 31),
        date(2023, 2, 28),
        date(2023, 3, 31),
        date(2023, 4, 30),
    ]
    assert monthly_on_day(15) == "FREQ=MONTHLY;BYMONTHDAY=15"


def test_end_date_is_inclusive_and_count_limits() -> None:
    until = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1), until=date(2024, 3, 1))
    assert occurrences(until, date(2024, 1, 1), date(2025, 1, 1))[-1] == date(2024, 3, 1)
    counted = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1), count=2)
    assert occurrences(counted, date(2020, 1, 1), date(2030, 1, 1)) == [
        date(2024, 1, 1),
        date(2024, 2, 1),
    ]
    assert next_occurrence(counted, date(2024, 2, 1)) is None
    in_rule = schedule("RRULE:FREQ=WEEKLY;COUNT=3", date(2024, 1, 1))
    assert len(occurrences(in_rule, date(2024, 1, 1), date(2025, 1, 1))) == 3


@pytest.mark.parametrize(
    ("rule", "fields", "message"),
    [
        ("FREQ=HOURLY", {}, "FREQ=DAILY"),
        ("BYMONTHDAY=1", {}, "FREQ=DAILY"),
        ("FREQ=MONTHLY;COUNT=2", {"until": date(2025, 1, 1)}, "once"),
        ("FREQ=MONTHLY", {"until": date(2025, 1, 1), "count": 3}, "once"),
        ("FREQ=MONTHLY;BOGUS=1", {}, "unknown"),
        ("DTSTART:20240101\nRRULE:FREQ=DAILY", {}, "one RRULE"),
        ("FREQ=MONTHLY", {"count": 0}, "at least 1"),
        ("FREQ=MONTHLY", {"until": date(2023, 1, 1)}, "before it starts"),
    ],
)
def test_bad_rules_are_refused_when_the_schedule_is_made(
    rule: str, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        schedule(rule, date(2024, 1, 1), **fields)


def test_due_items_are_posted_once() -> None:
    rent = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1))
    today = date(2024, 3, 15)
    plan = plan_run([rent], {}, today)
    assert [o.on for o in plan.to_post] == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    state = mark_done(rent, ScheduleState(), [o.on for o in plan.to_post])
    assert state == ScheduleState(last_posted=date(2024, 3, 1))
    assert plan_run([rent], {rent.id: state}, today).to_post == ()
    assert [o.on for o in plan_run([rent], {rent.id: state}, date(2024, 4, 1)).to_post] == [
        date(2024, 4, 1)
    ]


def test_a_job_that_died_halfway_posts_only_the_rest() -> None:
    rent = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1))
    # The January posting was committed, then the job crashed before moving the mark.
    state = ScheduleState(done=frozenset({date(2024, 1, 1)}))
    plan = plan_run([rent], {rent.id: state}, date(2024, 2, 10))
    assert [o.on for o in plan.to_post] == [date(2024, 2, 1)]


def test_reminders_missed_and_upcoming() -> None:
    water = schedule("FREQ=WEEKLY;BYDAY=MO", date(2024, 1, 1), id="water", mode=ScheduleMode.REMIND)
    rent = schedule(MONTHLY_ON_FIRST, date(2024, 1, 1), id="rent")
    today = date(2024, 1, 15)  # a Monday
    state = mark_done(water, ScheduleState(), [date(2024, 1, 1)])
    plan = plan_run([water, rent], {"water": state}, today, horizon_days=21)
    assert [o.on for o in plan.reminders] == [today]
    assert [o.on for o in plan.missed] == [date(2024, 1, 8)]
    assert [(o.schedule_id, o.on) for o in plan.upcoming] == [
        ("water", date(2024, 1, 22)),
        ("water", date(2024, 1, 29)),
        ("rent", date(2024, 2, 1)),
        ("water", date(2024, 2, 5)),
    ]
    assert [o.on for o in plan.to_post] == [date(2024, 1, 1)]


def test_the_mark_stays_below_an_unhandled_reminder() -> None:
    water = schedule("FREQ=WEEKLY;BYDAY=MO", date(2024, 1, 1), mode=ScheduleMode.REMIND)
    state = mark_done(water, ScheduleState(), [date(2024, 1, 1), date(2024, 1, 15)])
    assert state.last_posted == date(2024, 1, 1)
    assert state.done == frozenset({date(2024, 1, 15)})
    assert [o.on for o in pending(water, state, date(2024, 1, 16))] == [date(2024, 1, 8)]
    caught_up = mark_done(water, state, [date(2024, 1, 8)])
    assert caught_up == ScheduleState(last_posted=date(2024, 1, 15))


def test_an_occurrence_is_identified_by_schedule_and_date() -> None:
    occurrence = Occurrence(date(2024, 1, 1), "rent", -100, "EUR")
    assert occurrence.key == ("rent", date(2024, 1, 1))


RULES = [
    MONTHLY_ON_FIRST,
    every_n_weeks(2),
    LAST_BUSINESS_DAY,
    monthly_on_day(31),
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=WEEKLY;BYDAY=MO,TH",
]
days = st.dates(date(2015, 1, 1), date(2030, 12, 31))


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(RULES),
    days,
    st.lists(st.integers(0, 400), min_size=1, max_size=6),
    st.one_of(st.none(), st.integers(1, 30)),
)
def test_running_the_job_again_posts_nothing_new(
    rule: str, start: date, steps: list[int], count: int | None
) -> None:
    # Runs on arbitrary later days, each posting what it plans; every occurrence up
    # to the last run is posted exactly once, and a repeat run plans nothing.
    item = schedule(rule, start, count=count)
    state = ScheduleState()
    posted: list[date] = []
    today = start
    for step in steps:
        today += timedelta(days=step)
        plan = plan_run([item], {item.id: state}, today, horizon_days=0)
        posted.extend(o.on for o in plan.to_post)
        state = mark_done(item, state, [o.on for o in plan.to_post])
        assert plan_run([item], {item.id: state}, today).to_post == ()
        assert mark_done(item, state, [o.on for o in plan.to_post]) == state
    assert posted == occurrences(item, start, today + timedelta(days=1))
    assert len(posted) == len(set(posted))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RULES), days, days, st.integers(1, 200))
def test_occurrences_of_adjacent_ranges_join_up(
    rule: str, start: date, middle: date, length: int
) -> None:
    item = schedule(rule, start)
    end = middle + timedelta(days=length)
    whole = occurrences(item, start, end)
    assert whole == occurrences(item, start, middle) + occurrences(item, middle, end)
    assert all(start <= day < end for day in whole)
    assert whole == sorted(set(whole))
