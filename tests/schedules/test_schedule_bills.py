from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homeledger.schedules.calc import (
    MONTHLY_ON_FIRST,
    BankTransaction,
    Bill,
    BillOccurrence,
    BillStatus,
    Schedule,
    bill_candidate,
    match_bill,
    missed_bills,
    normalise_payee,
    payee_similarity,
)

POWER = Bill(
    schedule=Schedule("power", MONTHLY_ON_FIRST, date(2024, 1, 1), -9_000, "EUR", "checking"),
    payee="Stadtwerke Energie",
    min_minor=-12_000,
    max_minor=-6_000,
    days_before=3,
    days_after=5,
)


def txn(id: str, on: date, amount: int, payee: str = "STADTWERKE ENERGIE GMBH") -> BankTransaction:
    return BankTransaction(id, on, amount, "EUR", payee)


def test_payee_similarity() -> None:
    assert normalise_payee("PAYPAL *Netflix.com 4029") == "paypal netflix com 4029"
    assert payee_similarity("Netflix", "PAYPAL *NETFLIX.COM 4029357733") == 1
    assert payee_similarity("", "anything") == 1
    assert payee_similarity("Stadtwerke", "Stadtwerk") > Fraction(9, 10)
    assert payee_similarity("Stadtwerke", "Amazon Marketplace") < Fraction(1, 2)


def test_a_matching_transaction_marks_the_bill_paid() -> None:
    statuses = match_bill(
        POWER, [txn("t1", date(2024, 2, 2), -8_734)], date(2024, 2, 1), date(2024, 2, 10)
    )
    assert statuses == [
        BillOccurrence("power", date(2024, 2, 1), BillStatus.PAID, "t1", Fraction(1)),
    ]


@pytest.mark.parametrize(
    ("transaction", "why"),
    [
        (txn("t", date(2024, 2, 2), -15_000), "amount above the range"),
        (txn("t", date(2024, 2, 2), -5_000), "amount below the range"),
        (txn("t", date(2024, 2, 2), 8_000), "money in, not out"),
        (txn("t", date(2024, 1, 28), -8_000), "four days early"),
        (txn("t", date(2024, 2, 7), -8_000), "six days late"),
        (txn("t", date(2024, 2, 2), -8_000, "Amazon Marketplace"), "another payee"),
        (BankTransaction("t", date(2024, 2, 2), -8_000, "USD", "Stadtwerke"), "other currency"),
    ],
)
def test_transactions_that_do_not_fit_do_not_match(transaction: BankTransaction, why: str) -> None:
    assert bill_candidate(POWER, date(2024, 2, 1), transaction) is None, why


def test_window_edges_are_inclusive_of_the_days_allowed() -> None:
    assert bill_candidate(POWER, date(2024, 2, 1), txn("a", date(2024, 1, 29), -8_000))
    assert bill_candidate(POWER, date(2024, 2, 1), txn("b", date(2024, 2, 6), -8_000))


def test_a_bill_that_did_not_come_is_flagged_once_its_window_closes() -> None:
    during = match_bill(POWER, [], date(2024, 3, 1), date(2024, 3, 6))
    assert [s.status for s in during] == [BillStatus.DUE]
    after = match_bill(POWER, [], date(2024, 3, 1), date(2024, 3, 7))
    assert [s.status for s in after] == [BillStatus.MISSED]
    # The next occurrence appears once its window opens (3 days before).
    assert len(match_bill(POWER, [], date(2024, 3, 1), date(2024, 3, 28))) == 1
    assert len(match_bill(POWER, [], date(2024, 3, 1), date(2024, 3, 29))) == 2


def test_each_transaction_pays_one_occurrence_the_closest() -> None:
    weekly = Bill(
        schedule=Schedule("cleaner", "FREQ=WEEKLY;BYDAY=FR", date(2024, 1, 5), -5_000, "EUR"),
        payee="Cleaner",
        min_minor=-5_000,
        max_minor=-5_000,
        days_before=4,
        days_after=4,
    )
    payments = [
        BankTransaction("a", date(2024, 1, 9), -5_000, "EUR", "Cleaner"),
        BankTransaction("b", date(2024, 1, 11), -5_000, "EUR", "Cleaner"),
    ]
    statuses = match_bill(weekly, payments, date(2024, 1, 1), date(2024, 1, 30))
    paid = {s.on: s.transaction_id for s in statuses if s.status is BillStatus.PAID}
    assert paid == {date(2024, 1, 5): "a", date(2024, 1, 12): "b"}
    assert [s.on for s in statuses if s.status is BillStatus.MISSED] == [date(2024, 1, 19)]


def test_earlier_links_are_kept_and_their_transactions_not_reused() -> None:
    payments = [txn("t1", date(2024, 2, 1), -8_000)]
    statuses = match_bill(
        POWER, payments, date(2024, 1, 1), date(2024, 2, 20), linked={date(2024, 1, 1): "t1"}
    )
    assert [(s.on, s.status, s.transaction_id) for s in statuses] == [
        (date(2024, 1, 1), BillStatus.PAID, "t1"),
        (date(2024, 2, 1), BillStatus.MISSED, None),
    ]


def test_missed_bills_over_several_bills() -> None:
    internet = Bill(
        schedule=Schedule("net", "FREQ=MONTHLY;BYMONTHDAY=15", date(2024, 1, 1), -3_999, "EUR"),
        payee="Telekom",
        min_minor=-3_999,
        max_minor=-3_999,
    )
    flagged = missed_bills(
        [POWER, internet],
        [txn("p1", date(2024, 1, 2), -9_000)],
        date(2024, 1, 1),
        date(2024, 2, 1),
    )
    assert [(s.bill_id, s.on) for s in flagged] == [("net", date(2024, 1, 15))]


def test_bill_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        Bill(POWER.schedule, "x", -1, -2)
    with pytest.raises(ValueError, match="negative"):
        Bill(POWER.schedule, "x", -2, -1, days_before=-1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-10, 80), st.integers(-13_000, -5_000), st.booleans()),
        max_size=12,
    ),
    st.integers(0, 90),
)
def test_matching_never_uses_a_transaction_or_an_occurrence_twice(
    rows: list[tuple[int, int, bool]], days_after_start: int
) -> None:
    start = date(2024, 1, 1)
    transactions = [
        txn(f"t{i}", start + timedelta(days=offset), amount, "Stadtwerke" if same else "Shop")
        for i, (offset, amount, same) in enumerate(rows)
    ]
    today = start + timedelta(days=days_after_start)
    statuses = match_bill(POWER, transactions, start, today)
    used = [s.transaction_id for s in statuses if s.transaction_id is not None]
    assert len(used) == len(set(used))
    assert len({s.on for s in statuses}) == len(statuses)
    by_id = {t.id: t for t in transactions}
    for status in statuses:
        if status.status is BillStatus.PAID:
            assert status.transaction_id is not None
            assert bill_candidate(POWER, status.on, by_id[status.transaction_id]) is not None
        elif status.status is BillStatus.MISSED:
            assert POWER.window(status.on)[1] <= today
    # Running the matcher again with the links it made changes nothing.
    links = {s.on: s.transaction_id for s in statuses if s.transaction_id is not None}
    assert match_bill(POWER, transactions, start, today, linked=links) == [
        BillOccurrence(s.bill_id, s.on, s.status, s.transaction_id) for s in statuses
    ]
