from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.budgets.calc import (
    Alert,
    CategoryActivity,
    CategoryPosting,
    EnvelopeInput,
    EnvelopePeriod,
    Move,
    Rollover,
    TrackingCategory,
    TrackingInput,
    activity_by_category,
    alerts_for_spending,
    cover_overspending,
    crossed_thresholds,
    envelope_period,
    envelope_periods,
    period_alerts,
    reached_thresholds,
    tracking_period,
    tracking_periods,
)
from homeledger.budgets.periods import CalendarMonth, Period, next_period
from homeledger.fx.calc import Rate, RateNotFoundError, RateTable

JAN = Period(date(2025, 1, 1), date(2025, 2, 1))
FEB = Period(date(2025, 2, 1), date(2025, 3, 1))
MAR = Period(date(2025, 3, 1), date(2025, 4, 1))


def test_foreign_spending_is_converted_at_each_transactions_date() -> None:
    rates = RateTable(
        [
            Rate("USD", "EUR", Decimal("0.90"), date(2025, 1, 1)),
            Rate("USD", "EUR", Decimal("0.95"), date(2025, 1, 20)),
        ]
    )
    postings = [
        CategoryPosting("travel", date(2025, 1, 10), -10_000, "USD"),
        CategoryPosting("travel", date(2025, 1, 25), -10_000, "USD"),
        CategoryPosting("travel", date(2025, 1, 25), 1_000, "EUR"),
        CategoryPosting("food", date(2025, 1, 5), -333, "USD"),
    ]
    # -9,000 - 9,500 + 1,000; and -333 * 0.9 = -299.7 -> -300
    assert activity_by_category(postings, "EUR", [rates]) == {"travel": -17_500, "food": -300}
    with pytest.raises(RateNotFoundError):
        activity_by_category([CategoryPosting("x", date(2024, 1, 1), -1, "USD")], "EUR", [rates])


def test_envelope_month_assigned_spent_available() -> None:
    month = envelope_period(
        EnvelopeInput(
            JAN,
            "EUR",
            income_minor=300_000,
            categories=(
                CategoryActivity("groceries", assigned_minor=40_000, activity_minor=-35_050),
                CategoryActivity("rent", assigned_minor=120_000, activity_minor=-120_000),
            ),
        )
    )
    groceries = month.line("groceries")
    assert groceries.spent_minor == 35_050
    assert groceries.available_minor == 4_950
    assert month.line("rent").available_minor == 0
    assert month.assigned_minor == 160_000
    assert month.ready_to_assign_minor == 140_000


def test_leftover_rolls_into_the_next_month() -> None:
    jan, feb = envelope_periods(
        [
            EnvelopeInput(JAN, "EUR", 100_000, (CategoryActivity("fun", 10_000, -4_000),)),
            EnvelopeInput(FEB, "EUR", 0, (CategoryActivity("fun", 5_000, -1_000),)),
        ]
    )
    assert jan.line("fun").available_minor == 6_000
    assert feb.line("fun").carried_in_minor == 6_000
    assert feb.line("fun").available_minor == 10_000
    assert feb.ready_to_assign_carried_in_minor == 90_000
    assert feb.ready_to_assign_minor == 85_000


def test_overspending_rolls_over_as_negative() -> None:
    jan, feb = envelope_periods(
        [
            EnvelopeInput(JAN, "EUR", 50_000, (CategoryActivity("car", 10_000, -13_000),)),
            EnvelopeInput(FEB, "EUR", 0, (CategoryActivity("car", 10_000, 0),)),
        ]
    )
    assert jan.line("car").available_minor == -3_000
    assert jan.overspent == (jan.line("car"),)
    assert feb.line("car").carried_in_minor == -3_000
    assert feb.line("car").available_minor == 7_000


def test_covering_overspending_moves_money_from_another_category() -> None:
    data = EnvelopeInput(
        JAN,
        "EUR",
        50_000,
        (
            CategoryActivity("car", 10_000, -13_000),
            CategoryActivity("fun", 5_000, -1_000),
        ),
    )
    before = envelope_period(data)
    move = cover_overspending(before, "car", "fun")
    assert move == Move("fun", "car", 3_000)
    after = envelope_period(EnvelopeInput(JAN, "EUR", 50_000, data.categories, (move,)))
    assert after.line("car").available_minor == 0
    assert after.line("fun").available_minor == 1_000
    assert after.ready_to_assign_minor == before.ready_to_assign_minor
    feb = envelope_period(EnvelopeInput(FEB, "EUR"), after)
    assert feb.line("car").carried_in_minor == 0


def test_cover_takes_no_more_than_the_source_has() -> None:
    month = envelope_period(
        EnvelopeInput(
            JAN,
            "EUR",
            0,
            (CategoryActivity("car", 0, -5_000), CategoryActivity("fun", 2_000, 0)),
        )
    )
    assert cover_overspending(month, "car", "fun").amount_minor == 2_000
    with pytest.raises(ValueError, match="not overspent"):
        cover_overspending(month, "fun", "car")
    with pytest.raises(ValueError, match="nothing available"):
        cover_overspending(
            envelope_period(EnvelopeInput(JAN, "EUR", 0, (CategoryActivity("car", 0, -1),))),
            "car",
            "other",
        )


def test_a_category_without_activity_keeps_its_carry() -> None:
    _, feb = envelope_periods(
        [
            EnvelopeInput(JAN, "EUR", 10_000, (CategoryActivity("gifts", 2_500),)),
            EnvelopeInput(FEB, "EUR"),
        ]
    )
    assert feb.line("gifts").available_minor == 2_500
    assert feb.available_minor + feb.ready_to_assign_minor == 10_000


def test_ready_to_assign_goes_negative_when_over_assigned() -> None:
    month = envelope_period(EnvelopeInput(JAN, "EUR", 1_000, (CategoryActivity("a", 1_500),)))
    assert month.ready_to_assign_minor == -500


def test_periods_must_follow_each_other_in_one_currency() -> None:
    jan = envelope_period(EnvelopeInput(JAN, "EUR"))
    with pytest.raises(ValueError, match="does not follow"):
        envelope_period(EnvelopeInput(MAR, "EUR"), jan)
    with pytest.raises(ValueError, match="carry EUR"):
        envelope_period(EnvelopeInput(FEB, "USD"), jan)


def test_inputs_refuse_a_category_twice_and_empty_moves() -> None:
    with pytest.raises(ValueError, match="twice"):
        EnvelopeInput(JAN, "EUR", 0, (CategoryActivity("a"), CategoryActivity("a")))
    with pytest.raises(ValueError, match="positive"):
        Move("a", "b", 0)
    with pytest.raises(ValueError, match="different"):
        Move("a", "a", 5)


def test_tracking_limits_without_rollover() -> None:
    jan, feb = tracking_periods(
        [
            TrackingInput(JAN, "EUR", (TrackingCategory("dining", 20_000, 15_000),)),
            TrackingInput(FEB, "EUR", (TrackingCategory("dining", 20_000, 25_000),)),
        ]
    )
    assert jan.line("dining").remaining_minor == 5_000
    assert feb.line("dining").carried_in_minor == 0
    assert feb.line("dining").remaining_minor == -5_000


def test_tracking_rollover_when_asked() -> None:
    surplus = [
        TrackingInput(JAN, "EUR", (TrackingCategory("d", 100, 140, Rollover.SURPLUS),)),
        TrackingInput(FEB, "EUR", (TrackingCategory("d", 100, 50, Rollover.SURPLUS),)),
        TrackingInput(MAR, "EUR", (TrackingCategory("d", 100, 0, Rollover.SURPLUS),)),
    ]
    jan, feb, mar = tracking_periods(surplus)
    assert (jan.line("d").remaining_minor, feb.line("d").carried_in_minor) == (-40, 0)
    assert mar.line("d").carried_in_minor == 50
    assert mar.line("d").allowance_minor == 150
    everything = [
        TrackingInput(period, "EUR", (TrackingCategory("d", 100, spent, Rollover.ALL),))
        for period, spent in zip((JAN, FEB, MAR), (140, 50, 0), strict=True)
    ]
    assert tracking_periods(everything)[-1].line("d").remaining_minor == 300 - 190


def test_tracking_category_dropped_from_limits_keeps_its_carry() -> None:
    jan = tracking_period(
        TrackingInput(JAN, "EUR", (TrackingCategory("books", 3_000, 1_000, Rollover.SURPLUS),))
    )
    feb = tracking_period(TrackingInput(FEB, "EUR"), jan)
    assert feb.line("books").limit_minor == 0
    assert feb.line("books").remaining_minor == 2_000


def test_alerts_at_80_and_100_percent() -> None:
    assert reached_thresholds(10_000, 7_999) == ()
    assert reached_thresholds(10_000, 8_000) == (80,)
    assert reached_thresholds(10_000, 10_000) == (80, 100)
    assert crossed_thresholds("food", 10_000, 7_000, 9_000, on=date(2025, 1, 9)) == [
        Alert("food", 80, 10_000, 9_000, date(2025, 1, 9))
    ]
    assert crossed_thresholds("food", 10_000, 9_000, 9_500) == []


def test_spending_with_no_budget_passes_every_threshold() -> None:
    assert reached_thresholds(0, 1) == (80, 100)
    assert reached_thresholds(-500, 1) == (80, 100)
    assert reached_thresholds(0, 0) == ()


def test_alerts_from_daily_spending_name_the_day_of_crossing() -> None:
    spending = [(date(2025, 1, 3), 5_000), (date(2025, 1, 12), 3_500), (date(2025, 1, 20), 2_000)]
    assert alerts_for_spending("food", 10_000, spending) == [
        Alert("food", 80, 10_000, 8_500, date(2025, 1, 12)),
        Alert("food", 100, 10_000, 10_500, date(2025, 1, 20)),
    ]


def test_period_alerts_use_envelope_funding_and_tracking_allowance() -> None:
    envelope = envelope_period(EnvelopeInput(JAN, "EUR", 0, (CategoryActivity("a", 1_000, -900),)))
    assert [a.threshold_percent for a in period_alerts(envelope)] == [80]
    tracking = tracking_period(TrackingInput(JAN, "EUR", (TrackingCategory("a", 1_000, 1_000),)))
    assert [a.threshold_percent for a in period_alerts(tracking)] == [80, 100]


# --- properties ---------------------------------------------------------------------

CATEGORIES = ("rent", "food", "fun", "car")
amounts = st.integers(-500_000, 500_000)


@st.composite
def envelope_inputs(draw: st.DrawFn) -> list[EnvelopeInput]:
    count = draw(st.integers(1, 8))
    period = CalendarMonth().containing(draw(st.dates(date(2000, 1, 1), date(2090, 1, 1))))
    inputs: list[EnvelopeInput] = []
    for _ in range(count):
        names = draw(st.lists(st.sampled_from(CATEGORIES), unique=True))
        categories = tuple(
            CategoryActivity(name, draw(amounts), draw(st.integers(-500_000, 50_000)))
            for name in names
        )
        moves = tuple(
            draw(
                st.lists(
                    st.builds(
                        Move,
                        st.sampled_from(CATEGORIES[:2]),
                        st.sampled_from(CATEGORIES[2:]),
                        st.integers(1, 100_000),
                    ),
                    max_size=3,
                )
            )
        )
        inputs.append(
            EnvelopeInput(period, "EUR", draw(st.integers(0, 900_000)), categories, moves)
        )
        period = next_period(CalendarMonth(), period)
    return inputs


@settings(max_examples=200)
@given(envelope_inputs())
def test_available_plus_ready_to_assign_is_income_minus_spending(
    inputs: list[EnvelopeInput],
) -> None:
    income = 0
    activity = 0
    previous: EnvelopePeriod | None = None
    for data, closed in zip(inputs, envelope_periods(inputs), strict=True):
        income += data.income_minor
        activity += sum(c.activity_minor for c in data.categories)
        assert closed.available_minor + closed.ready_to_assign_minor == income + activity
        if previous is not None:
            # Rollover conserves money: what left one period is what entered the next.
            assert sum(line.carried_in_minor for line in closed.lines) == previous.available_minor
            assert closed.ready_to_assign_carried_in_minor == previous.ready_to_assign_minor
        assert sum(line.moved_minor for line in closed.lines) == 0
        previous = closed


@given(
    st.integers(1, 10**7),
    st.integers(1, 10**7),
    st.integers(0, 10**7),
    st.one_of(st.none(), st.integers(1, 10**7)),
)
def test_covering_overspending_changes_no_total(
    deficit: int, source_available: int, income: int, limit: int | None
) -> None:
    data = EnvelopeInput(
        JAN,
        "EUR",
        income,
        (CategoryActivity("car", 0, -deficit), CategoryActivity("fun", source_available, 0)),
    )
    month = envelope_period(data)
    move = cover_overspending(month, "car", "fun", amount_minor=limit)
    assert move.amount_minor == min(deficit, source_available, limit or deficit)
    covered = envelope_period(
        EnvelopeInput(JAN, "EUR", income, data.categories, (move,)),
    )
    assert covered.available_minor == month.available_minor
    assert covered.ready_to_assign_minor == month.ready_to_assign_minor
    assert covered.line("fun").available_minor >= 0
    assert -deficit <= covered.line("car").available_minor <= 0


@given(
    st.lists(
        st.tuples(st.integers(0, 100_000), st.integers(-50_000, 150_000)), min_size=1, max_size=8
    ),
    st.sampled_from(list(Rollover)),
)
def test_tracking_rollover_carries_exactly_what_the_setting_says(
    figures: list[tuple[int, int]], rollover: Rollover
) -> None:
    period = JAN
    inputs = []
    for limit, spent in figures:
        inputs.append(
            TrackingInput(period, "EUR", (TrackingCategory("x", limit, spent, rollover),))
        )
        period = next_period(CalendarMonth(), period)
    closed = tracking_periods(inputs)
    for before, after in itertools.pairwise(closed):
        left = before.line("x").remaining_minor
        carried = after.line("x").carried_in_minor
        if rollover is Rollover.NONE:
            assert carried == 0
        elif rollover is Rollover.SURPLUS:
            assert carried == max(0, left)
        else:
            assert carried == left
    if rollover is Rollover.ALL:
        total_limit = sum(limit for limit, _ in figures)
        total_spent = sum(spent for _, spent in figures)
        assert closed[-1].line("x").remaining_minor == total_limit - total_spent


@given(
    st.integers(-1_000, 100_000),
    st.lists(st.tuples(st.dates(date(2025, 1, 1), date(2025, 1, 31)), st.integers(0, 30_000))),
)
def test_rising_spending_alerts_each_reached_threshold_once(
    budget: int, spending: list[tuple[date, int]]
) -> None:
    alerts = alerts_for_spending("x", budget, spending)
    thresholds = [a.threshold_percent for a in alerts]
    assert thresholds == sorted(set(thresholds))
    total = sum(amount for _, amount in spending)
    assert tuple(thresholds) == reached_thresholds(budget, total)
    for alert in alerts:
        assert alert.spent_minor * 100 >= alert.threshold_percent * budget


@given(st.integers(-10_000, 10_000), st.integers(-10_000, 10_000))
def test_a_threshold_is_never_crossed_twice_by_the_same_figure(budget: int, spent: int) -> None:
    assert crossed_thresholds("x", budget, spent, spent) == []
