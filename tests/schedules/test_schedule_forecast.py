from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.budgets.periods import Period
from homeledger.schedules.calc import LAST_BUSINESS_DAY, MONTHLY_ON_FIRST, Schedule
from homeledger.schedules.forecast import (
    TOTAL,
    BudgetOutflow,
    CashFlow,
    LowPoint,
    OpeningBalance,
    forecast,
    schedule_flows,
    spread_budget,
)

START = date(2024, 1, 25)
END = date(2024, 3, 1)
RENT = Schedule("rent", MONTHLY_ON_FIRST, date(2023, 1, 1), -120_000, "EUR", "checking")
SALARY = Schedule("salary", LAST_BUSINESS_DAY, date(2023, 1, 1), 300_000, "EUR", "checking")
SAVE = Schedule(
    "save",
    "FREQ=MONTHLY;BYMONTHDAY=2",
    date(2023, 1, 1),
    -50_000,
    "EUR",
    "checking",
    counter_account="savings",
)
OPENINGS = [
    OpeningBalance("checking", "EUR", 40_000),
    OpeningBalance("savings", "EUR", 1_000_000),
]


def test_balances_follow_the_schedules_day_by_day() -> None:
    result = forecast(OPENINGS, START, END, schedules=[RENT, SALARY, SAVE])
    checking = result.account("checking")
    assert result.balance_on("checking", date(2024, 1, 30)) == 40_000
    assert result.balance_on("checking", date(2024, 1, 31)) == 340_000
    assert result.balance_on("checking", date(2024, 2, 1)) == 220_000
    assert result.balance_on("checking", date(2024, 2, 2)) == 170_000
    assert result.balance_on("savings", date(2024, 2, 2)) == 1_050_000
    assert result.balance_on("checking", date(2024, 2, 29)) == 470_000
    assert checking.lowest == LowPoint(40_000, START)
    assert checking.first_negative is None
    assert result.total.balances[-1] == 470_000 + 1_050_000
    assert len(result.days) == 36


def test_the_lowest_point_is_flagged_with_its_first_date() -> None:
    result = forecast(
        [OpeningBalance("checking", "EUR", 100_000)],
        date(2024, 2, 1),
        date(2024, 2, 10),
        flows=[
            CashFlow("checking", date(2024, 2, 3), -150_000, "car repair"),
            CashFlow("checking", date(2024, 2, 5), 50_000, "refund"),
            CashFlow("checking", date(2024, 2, 7), -50_000, "insurance"),
        ],
    )
    checking = result.account("checking")
    assert checking.lowest == LowPoint(-50_000, date(2024, 2, 3))
    assert checking.first_negative == date(2024, 2, 3)
    assert result.total.lowest == checking.lowest


def test_budget_outflows_are_spread_over_what_is_left_of_the_period() -> None:
    february = Period(date(2024, 2, 1), date(2024, 3, 1))
    groceries = BudgetOutflow("checking", february, 29_002, "groceries")
    flows = spread_budget(groceries, date(2024, 2, 1), date(2024, 3, 1))
    assert len(flows) == 29
    assert sum(f.amount_minor for f in flows) == -29_002
    assert [f.amount_minor for f in flows[:3]] == [-1_001, -1_001, -1_000]
    # From the 20th only the rest of February is left: 10 days.
    late = spread_budget(BudgetOutflow("checking", february, 5_000), date(2024, 2, 20), END)
    assert late[0].on == date(2024, 2, 20)
    assert len(late) == 10
    assert {f.amount_minor for f in late} == {-500}
    # A forecast ending mid-period sees only its days.
    cut = spread_budget(groceries, date(2024, 2, 1), date(2024, 2, 3))
    assert [f.amount_minor for f in cut] == [-1_001, -1_001]


def test_budget_outflows_lower_the_forecast() -> None:
    february = Period(date(2024, 2, 1), date(2024, 3, 1))
    result = forecast(
        [OpeningBalance("checking", "EUR", 100_000)],
        date(2024, 2, 1),
        date(2024, 3, 1),
        budget_outflows=[BudgetOutflow("checking", february, 29_000)],
    )
    assert result.account("checking").balances[-1] == 71_000
    assert result.account("checking").lowest == LowPoint(71_000, date(2024, 2, 29))


def test_transfers_move_money_between_accounts() -> None:
    flows = schedule_flows([SAVE], date(2024, 2, 1), date(2024, 3, 1))
    assert [(f.account, f.amount_minor) for f in flows] == [
        ("checking", -50_000),
        ("savings", 50_000),
    ]


def test_total_in_one_currency_converts_other_accounts() -> None:
    result = forecast(
        [OpeningBalance("eur", "EUR", 10_000), OpeningBalance("usd", "USD", 10_001)],
        date(2024, 1, 1),
        date(2024, 1, 3),
        flows=[CashFlow("usd", date(2024, 1, 2), -20_000)],
        total_currency="EUR",
        rates={"USD": Decimal("0.5")},
    )
    assert result.total.currency == "EUR"
    # 100.01 USD * 0.5 = 50.005 EUR -> 50.00 (half-even)
    assert result.total.balances == (15_000, 10_000 - 5_000)
    assert result.total.lowest == LowPoint(5_000, date(2024, 1, 2))
    assert result.balance_on(TOTAL, date(2024, 1, 1)) == 15_000


def test_mistakes_are_refused() -> None:
    with pytest.raises(ValueError, match="no USD->EUR rate"):
        forecast(
            [OpeningBalance("a", "EUR", 0), OpeningBalance("b", "USD", 0)],
            START,
            END,
        )
    with pytest.raises(ValueError, match="no opening balance"):
        forecast(OPENINGS, START, END, flows=[CashFlow("other", START, 5)])
    with pytest.raises(ValueError, match="at least one day"):
        forecast(OPENINGS, START, START)
    with pytest.raises(ValueError, match="two opening"):
        forecast([*OPENINGS, OPENINGS[0]], START, END)


accounts = st.sampled_from(["checking", "savings", "card"])
days = st.dates(date(2024, 1, 1), date(2024, 4, 30))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=3, max_size=3),
    st.lists(st.builds(CashFlow, accounts, days, st.integers(-(10**7), 10**7)), max_size=40),
    st.lists(
        st.builds(
            BudgetOutflow,
            accounts,
            st.builds(
                lambda start, length: Period(start, start + timedelta(days=length)),
                days,
                st.integers(1, 40),
            ),
            st.integers(0, 10**6),
        ),
        max_size=4,
    ),
    days,
    st.integers(1, 90),
)
def test_lowest_point_is_at_most_every_day_and_money_adds_up(
    balances: list[int],
    flows: list[CashFlow],
    outflows: list[BudgetOutflow],
    start: date,
    length: int,
) -> None:
    end = start + timedelta(days=length)
    openings = [
        OpeningBalance(name, "EUR", balance)
        for name, balance in zip(["checking", "savings", "card"], balances, strict=True)
    ]
    result = forecast(openings, start, end, flows=flows, budget_outflows=outflows)
    for line in (*result.accounts, result.total):
        assert len(line.balances) == length
        assert all(line.lowest.balance_minor <= balance for balance in line.balances)
        assert line.balances[(line.lowest.on - start).days] == line.lowest.balance_minor
        assert min(line.balances) == line.lowest.balance_minor
    in_range = sum(f.amount_minor for f in flows if start <= f.on < end)
    spread = sum(f.amount_minor for outflow in outflows for f in spread_budget(outflow, start, end))
    assert result.total.balances[-1] == sum(balances) + in_range + spread
    for day_index in range(length):
        assert result.total.balances[day_index] == sum(
            line.balances[day_index] for line in result.accounts
        )


@given(
    st.integers(0, 10**9),
    days,
    st.integers(1, 62),
    days,
)
def test_a_spread_budget_sums_to_the_amount_when_wholly_inside(
    amount: int, period_start: date, length: int, start: date
) -> None:
    period = Period(period_start, period_start + timedelta(days=length))
    flows = spread_budget(BudgetOutflow("a", period, amount), start, period.end)
    if start <= period.start:
        assert -sum(f.amount_minor for f in flows) == amount
    amounts = [-f.amount_minor for f in flows]
    assert all(a >= 0 for a in amounts)
    if amounts:
        assert max(amounts) - min(amounts) <= 1
