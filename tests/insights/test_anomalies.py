"""Unusual transactions and months, raised only when clearly unusual, and explained."""

from __future__ import annotations

import datetime as dt
import random

from homeledger.insights.anomalies import (
    Spend,
    robust_score,
    unusual_months,
    unusual_transactions,
    yardstick,
)

NAMES = {"electricity": "Electricity", "groceries": "Groceries", "rent": "Rent", "travel": "Travel"}


def _bills(
    amounts: list[int], payee: str = "Stadtwerke", category: str = "electricity"
) -> list[Spend]:
    return [
        Spend(f"{payee}-{i}", dt.date(2025, 1 + i, 3), payee, category, amount, "EUR")
        for i, amount in enumerate(amounts)
    ]


def test_an_electricity_bill_far_above_the_usual_is_explained() -> None:
    spends = _bills([7500, 7200, 7800, 7500, 7400, 7600, 7500, 21240])
    [found] = unusual_transactions(spends, NAMES, dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    assert found.title == "Stadtwerke 212.40 is 2.8x the usual 75.00"
    assert found.transaction_id == "Stadtwerke-7"
    assert found.basis == "payee"
    assert "median of the 7 payments to Stadtwerke" in found.why
    assert "at least 2x the usual" in found.why


def test_an_ordinary_bill_and_a_modest_rise_are_not_raised() -> None:
    ordinary = _bills([7500, 7200, 7800, 7500, 7400, 7600, 7500, 8100])
    assert unusual_transactions(ordinary, NAMES, dt.date(2025, 8, 1), dt.date(2025, 8, 31)) == []
    modest = _bills([7500, 7200, 7800, 7500, 7400, 7600, 7500, 13500])  # 1.8x: below 2x
    assert unusual_transactions(modest, NAMES, dt.date(2025, 8, 1), dt.date(2025, 8, 31)) == []


def test_too_little_history_says_nothing() -> None:
    spends = _bills([7500, 7600, 30000])
    assert unusual_transactions(spends, NAMES, dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == []


def test_a_new_payee_is_judged_against_its_category() -> None:
    spends = _bills([7500, 7200, 7800, 7500, 7400, 7600, 7500, 7700])
    spends.append(Spend("new", dt.date(2025, 9, 10), "Vattenfall", "electricity", 30000, "EUR"))
    [found] = unusual_transactions(spends, NAMES, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert found.basis == "category"
    assert found.title.startswith("Electricity 300.00 is 4.0x the usual")


def test_a_fixed_amount_that_doubles_is_raised_though_it_never_varied() -> None:
    rent = _bills([115000] * 8 + [230000], payee="Hausverwaltung", category="rent")
    [found] = unusual_transactions(rent, NAMES, dt.date(2025, 9, 1), dt.date(2025, 9, 30))
    assert found.score == float("inf")
    assert "never varied before" in found.why


def _groceries(months: int, spike_month: int, factor: float) -> list[Spend]:
    rng = random.Random(1)
    spends = []
    for month in range(months):
        first = dt.date(2025 + month // 12, month % 12 + 1, 1)
        for week in range(4):
            amount = rng.randint(8000, 10000)
            if month == spike_month:
                amount = int(amount * factor)
            spends.append(
                Spend(
                    f"g{month}-{week}",
                    first + dt.timedelta(days=7 * week),
                    "Rewe",
                    "groceries",
                    amount,
                    "EUR",
                )
            )
    return spends


def test_a_month_of_groceries_at_three_times_the_usual_is_raised_in_words() -> None:
    spends = _groceries(13, 12, 3.4)
    found = unusual_months(spends, NAMES, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    [month] = [a for a in found if a.kind == "unusual-month"]
    assert month.date == dt.date(2026, 1, 1)
    assert month.title == "Groceries in 2026-01: 3.4x your usual groceries spend"
    assert "the median of the 12 months before" in month.why
    assert month.ratio >= 3


def test_a_slightly_dearer_month_and_a_usually_empty_category_are_not_raised() -> None:
    assert (
        unusual_months(_groceries(13, 12, 1.2), NAMES, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        == []
    )
    trips = [
        Spend("t1", dt.date(2025, 2, 1), "Lufthansa", "travel", 40000, "EUR"),
        Spend("t2", dt.date(2025, 12, 5), "Lufthansa", "travel", 90000, "EUR"),
    ]
    assert unusual_months(trips, NAMES, dt.date(2025, 12, 1), dt.date(2025, 12, 31)) == []


def test_the_yardstick_is_robust_to_one_outlier() -> None:
    stick = yardstick([100, 102, 98, 101, 99, 100, 5000])
    assert stick.usual == 100
    assert robust_score(5000, stick) > 100
    assert abs(robust_score(101, stick)) < 1
