"""Both sides of a transfer between own accounts become one transfer, from two files in
either order; reverting either file takes out only its side."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.imports.household import Home, csv_text, make_home

from homeledger.imports import service as imports


@pytest.fixture
def home(session: Session) -> Home:
    return make_home(session)


CHECKING_FILE = csv_text(
    ("2025-03-03", "TRANSFER TO SAVINGS", "-500.00"),
    ("2025-03-04", "REWE Markt", "-41.10"),
)
SAVINGS_FILE = csv_text(("2025-03-05", "TRANSFER FROM CHECKING", "500.00"))


def _one_transfer(home: Home, checking: str, savings: str) -> None:
    transfers = [
        t
        for t in home.transactions(savings)
        if {p.account_id for p in t.postings} == {checking, savings}
    ]
    assert len(transfers) == 1
    assert len(transfers[0].postings) == 2
    assert home.balance(checking) == Decimal("-541.10")
    assert home.balance(savings) == Decimal("500.00")
    for category in home.uncategorised():
        # Only the supermarket is left to sort: no transfer money in Uncategorised.
        assert home.balance(category) in (Decimal("41.10"), Decimal("0"))
    home.assert_books_clean()


@pytest.mark.parametrize("checking_first", [True, False])
def test_two_files_make_one_transfer_in_either_order(home: Home, checking_first: bool) -> None:
    checking, savings = home.account("Checking"), home.account("Savings", "savings")
    files = [(checking, CHECKING_FILE), (savings, SAVINGS_FILE)]
    first, second = files if checking_first else files[::-1]
    home.import_file(*first)
    result = home.import_file(*second)
    assert result.counts.transfer == 1
    row = next(r for r in home.rows(result.id) if r.status == "transfer")
    other = "Checking" if checking_first else "Savings"
    day = "2025-03-03" if checking_first else "2025-03-05"
    assert row.reason == f"other side of the transfer of {day} in {other}"
    _one_transfer(home, checking, savings)


def test_reverting_either_file_leaves_the_other_side_uncategorised(home: Home) -> None:
    checking, savings = home.account("Checking"), home.account("Savings", "savings")
    first = home.import_file(checking, CHECKING_FILE)
    second = home.import_file(savings, SAVINGS_FILE)
    imports.revert(home.session, home.ctx, second.id)
    assert home.balance(savings) == Decimal("0")
    assert home.balance(checking) == Decimal("-541.10")
    assert sum(home.balance(c) for c in home.uncategorised()) == Decimal("541.10")
    home.assert_books_clean()
    # The savings file again finds the checking side waiting, as the first time.
    again = home.import_file(savings, SAVINGS_FILE)
    assert again.counts.transfer == 1
    imports.revert(home.session, home.ctx, first.id)
    assert home.balance(checking) == Decimal("0")
    assert home.balance(savings) == Decimal("500.00")
    assert [t.payee for t in home.transactions(savings)] == ["Transfer To Savings"]
    home.assert_books_clean()


def test_no_transfer_when_the_amount_or_the_dates_do_not_fit(home: Home) -> None:
    checking, savings = home.account("Checking"), home.account("Savings", "savings")
    home.import_file(checking, CHECKING_FILE)
    result = home.import_file(
        savings,
        csv_text(("2025-03-05", "TRANSFER", "499.99"), ("2025-03-12", "TRANSFER", "500.00")),
    )
    assert (result.counts.new, result.counts.transfer) == (2, 0)


def test_a_rule_marks_the_transfer_and_the_far_file_then_matches_it(home: Home) -> None:
    checking, savings = home.account("Checking"), home.account("Savings", "savings")
    home.rule(
        name="To savings",
        conditions=[{"field": "payee", "op": "contains", "value": "to savings"}],
        actions=[{"kind": "transfer", "value": savings}],
    )
    home.import_file(checking, CHECKING_FILE)
    [transfer] = home.transactions(savings)
    assert {p.account_id: p.status.value for p in transfer.postings} == {
        checking: "cleared",
        savings: "pending",  # until the savings file confirms it
    }
    result = home.import_file(savings, SAVINGS_FILE)
    [row] = home.rows(result.id)
    assert row.status == "duplicate"
    assert row.reason.startswith("the pending transfer with Checking of 2025-03-03 is now booked")
    [transfer] = home.transactions(savings)
    assert {p.status.value for p in transfer.postings} == {"cleared"}
    _one_transfer(home, checking, savings)
