from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.budgets.periods import (
    CalendarMonth,
    EveryNWeeks,
    Period,
    PeriodRule,
    count_periods,
)
from homeledger.budgets.templates import (
    AverageOfLast,
    Basis,
    CategoryHistory,
    CopyLast,
    Fixed,
    SavingsGoal,
    Suggestion,
    savings_goal_amount,
    savings_plan,
    suggest,
    suggest_all,
)

MONTH = CalendarMonth()
JAN = MONTH.containing(date(2025, 1, 1))
HISTORY = CategoryHistory(
    assigned_minor=(10_000, 12_000, 15_000), spent_minor=(9_000, 13_000, 11_001)
)


def test_copy_last_assigned_or_spent() -> None:
    assert suggest(CopyLast(), HISTORY, JAN, MONTH) == 15_000
    assert suggest(CopyLast(Basis.SPENT), HISTORY, JAN, MONTH) == 11_001


def test_average_of_the_last_n_rounds_up_to_the_minor_unit() -> None:
    # (13_000 + 11_001) / 2 = 12_000.5 -> 12_001
    assert suggest(AverageOfLast(2), HISTORY, JAN, MONTH) == 12_001
    # A young category averages over the periods it has.
    assert suggest(AverageOfLast(12), HISTORY, JAN, MONTH) == 11_001
    assert suggest(AverageOfLast(3), CategoryHistory(), JAN, MONTH) == 0


def test_suggestions_are_never_negative() -> None:
    refunds = CategoryHistory(assigned_minor=(-500,), spent_minor=(-200, -100))
    assert suggest(CopyLast(), refunds, JAN, MONTH) == 0
    assert suggest(AverageOfLast(), refunds, JAN, MONTH) == 0


def test_fixed_amount() -> None:
    assert suggest(Fixed(7_500), CategoryHistory(), JAN, MONTH) == 7_500
    with pytest.raises(ValueError, match="negative"):
        Fixed(-1)


def test_three_thousand_euros_by_june_is_five_hundred_a_month() -> None:
    goal = SavingsGoal(300_000, date(2025, 6, 30))
    assert suggest(goal, CategoryHistory(), JAN, MONTH) == 50_000
    # "By June" written as 1 June counts June as well.
    assert savings_goal_amount(300_000, 0, date(2025, 6, 1), JAN, MONTH) == 50_000
    # Already 600 saved: 2,400 over six months.
    assert suggest(goal, CategoryHistory(saved_minor=60_000), JAN, MONTH) == 40_000


def test_savings_goal_rounds_up_then_the_last_period_is_exact() -> None:
    plan = savings_plan(100, 0, date(2025, 3, 31), JAN, MONTH)
    assert [amount for _, amount in plan] == [34, 33, 33]
    assert [period.start.month for period, _ in plan] == [1, 2, 3]


def test_savings_goal_past_due_asks_for_the_rest_now_and_reached_asks_nothing() -> None:
    assert savings_goal_amount(50_000, 20_000, date(2024, 12, 1), JAN, MONTH) == 30_000
    assert savings_goal_amount(50_000, 50_000, date(2025, 12, 1), JAN, MONTH) == 0
    assert savings_plan(50_000, 60_000, date(2025, 12, 1), JAN, MONTH) == []


def test_suggest_all_is_sorted_by_category() -> None:
    suggestions = suggest_all(
        {"rent": Fixed(90_000), "food": CopyLast()}, {"food": HISTORY}, JAN, MONTH
    )
    assert suggestions == (
        Suggestion("food", 15_000, CopyLast()),
        Suggestion("rent", 90_000, Fixed(90_000)),
    )


rules: st.SearchStrategy[PeriodRule] = st.one_of(
    st.just(MONTH), st.builds(EveryNWeeks, st.just(date(2025, 1, 3)), st.integers(1, 4))
)


@settings(max_examples=150)
@given(
    rules,
    st.integers(1, 10_000_000),
    st.integers(-100_000, 10_000_000),
    st.dates(date(2025, 1, 1), date(2025, 12, 31)),
    st.integers(0, 900),
)
def test_following_the_savings_plan_reaches_the_target_exactly(
    rule: PeriodRule, target: int, saved: int, today: date, days_to_target: int
) -> None:
    period: Period = rule.containing(today)
    target_date = today + timedelta(days=days_to_target)
    plan = savings_plan(target, saved, target_date, period, rule)
    if saved >= target:
        assert plan == []
        return
    amounts = [amount for _, amount in plan]
    assert saved + sum(amounts) == target
    assert all(later <= earlier for earlier, later in itertools.pairwise(amounts))
    assert all(amount > 0 for amount in amounts)
    # The money is all in by the period that holds the target date.
    assert plan[-1][0].start <= max(target_date, period.start)
    # The first suggestion is the smallest whole amount that, repeated, gets there.
    periods_left = max(1, count_periods(rule, period, target_date))
    missing = target - saved
    assert amounts[0] * periods_left >= missing
    assert (amounts[0] - 1) * periods_left < missing
