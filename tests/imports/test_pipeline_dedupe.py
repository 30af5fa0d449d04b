"""Dedupe users can trust: bank ids, fingerprints with twins, fuzzy matches against
manual and pending entries, each with the reason the preview shows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session
from tests.imports.household import Home, csv_text, csv_with_ids, make_home

from homeledger.imports import pipeline
from homeledger.imports import service as imports
from homeledger.imports.errors import RowsRefused
from homeledger.imports.profiles import parse_profile


@pytest.fixture
def home(session: Session) -> Home:
    return make_home(session)


COFFEES = csv_text(
    ("2025-03-01", "COSTA COFFEE 12", "-3.20"),
    ("2025-03-01", "COSTA COFFEE 12", "-3.20"),
    ("2025-03-02", "REWE Markt", "-41.10"),
)


def test_the_same_file_twice_adds_nothing_and_says_why(home: Home) -> None:
    checking = home.account("Checking")
    first = home.import_file(checking, COFFEES)
    assert (first.counts.parsed, first.counts.new, first.counts.duplicate) == (3, 3, 0)
    again = home.import_file(checking, COFFEES)
    assert (again.counts.new, again.counts.duplicate) == (0, 3)
    assert home.balance(checking) == Decimal("-47.50")
    assert len(home.transactions(checking)) == 3
    reasons = [r.reason for r in home.rows(again.id)]
    assert reasons == [
        "same date, amount and payee as the transaction of 2025-03-01 (1st of 2 alike)",
        "same date, amount and payee as the transaction of 2025-03-01 (2nd of 2 alike)",
        "same date, amount and payee as the transaction of 2025-03-02",
    ]
    assert f"this exact file was imported on {dt.date.today()}" in again.notes
    home.assert_books_clean()


def test_identical_twins_are_both_kept_and_a_third_one_later_is_added(home: Home) -> None:
    checking = home.account("Checking")
    home.import_file(checking, COFFEES)
    coffees = [t for t in home.transactions(checking) if t.payee == "Costa Coffee"]
    assert len(coffees) == 2
    # A later export of the day holds three coffees: only the third is new.
    later = csv_text(*[("2025-03-01", "COSTA COFFEE 12", "-3.20")] * 3)
    result = home.import_file(checking, later)
    assert (result.counts.new, result.counts.duplicate) == (1, 2)
    assert home.balance(checking) == Decimal("-50.70")


def test_bank_ids_decide_before_the_text(home: Home) -> None:
    checking = home.account("Checking")
    home.import_file(checking, csv_with_ids(("2025-03-01", "NETFLIX.COM", "-13.99", "TX1")))
    # The bank re-exports the row with other payee text: still the same transaction.
    renamed = csv_with_ids(
        ("2025-03-01", "NETFLIX INTERNATIONAL B.V.", "-13.99", "TX1"),
        ("2025-03-01", "NETFLIX.COM", "-13.99", "TX2"),
    )
    result = home.import_file(checking, renamed)
    rows = home.rows(result.id)
    assert [(r.status, r.reason) for r in rows] == [
        ("duplicate", "same bank id as the transaction of 2025-03-01"),
        ("new", ""),
    ]
    assert len(home.transactions(checking)) == 2


def test_a_bank_id_repeated_in_one_file_is_imported_once(home: Home) -> None:
    checking = home.account("Checking")
    result = home.import_file(
        checking,
        csv_with_ids(
            ("2025-03-01", "Shop", "-5.00", "A1"),
            ("2025-03-02", "Other", "-6.00", "B2"),
            ("2025-03-01", "Shop", "-5.00", "A1"),
        ),
    )
    assert [(r.status, r.reason) for r in home.rows(result.id)][2] == (
        "duplicate",
        "same bank id as line 2 of this file",
    )


def test_a_manual_entry_is_recognised_in_the_bank_file(home: Home) -> None:
    checking, shopping = home.account("Checking"), home.category("Shopping")
    manual = home.spend(checking, shopping, "12.99", dt.date(2025, 3, 2), payee="Amazon")
    batch = home.upload(
        checking, csv_text(("2025-03-03", "POS 1234 AMAZON MKTPLACE*2K4", "-12.99"))
    )
    [row] = home.rows(batch.id)
    assert row.status == "duplicate"
    assert row.reason == (
        "probably the manual entry of 2025-03-02: same amount, 1 day apart, payee 90% alike"
    )
    assert row.transaction_id == manual.id
    home.commit(batch.id)
    assert [t.id for t in home.transactions(checking)] == [manual.id]
    # The entry is now linked: the same file again is an exact duplicate.
    again = home.import_file(
        checking, csv_text(("2025-03-03", "POS 1234 AMAZON MKTPLACE*2K4", "-12.99"))
    )
    assert home.rows(again.id)[0].reason.startswith("same date, amount and payee")


def test_a_pending_row_now_booked_is_the_same_transaction_and_gets_cleared(home: Home) -> None:
    checking = home.account("Checking")
    pending = "Date,Payee,Amount,Status\n2025-03-01,AMAZON,-20.00,pending\n"
    profile = {
        "date_column": "Date",
        "amount_column": "Amount",
        "payee_columns": ["Payee"],
        "status_column": "Status",
        "pending_markers": ["pending"],
    }
    home.import_file(checking, pending, profile=parse_profile(profile))
    [txn] = home.transactions(checking)
    assert txn.postings[0].status.value == "pending"
    booked = home.import_file(checking, csv_text(("2025-03-03", "AMAZON MKTPLACE", "-20.00")))
    [row] = home.rows(booked.id)
    assert row.status == "duplicate"
    assert row.reason.startswith("the pending transaction of 2025-03-01 is now booked")
    [txn] = home.transactions(checking)
    assert txn.postings[0].status.value == "cleared"


def test_imported_look_alikes_on_nearby_days_are_not_mistaken_for_each_other(home: Home) -> None:
    checking = home.account("Checking")
    home.import_file(checking, csv_text(("2025-03-01", "COSTA COFFEE", "-3.20")))
    result = home.import_file(checking, csv_text(("2025-03-02", "COSTA COFFEE", "-3.20")))
    assert result.counts.new == 1
    assert len(home.transactions(checking)) == 2


def test_chunk_boundaries_change_nothing(home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 2)
    checking = home.account("Checking")
    text = csv_with_ids(
        ("2025-03-01", "Coffee", "-3.20", ""),
        ("2025-03-02", "Bakery", "-2.00", "B1"),
        ("2025-03-01", "Coffee", "-3.20", ""),
        ("2025-03-02", "Bakery", "-2.00", "B1"),
        ("2025-03-01", "Coffee", "-3.20", ""),
    )
    first = home.import_file(checking, text)
    assert (first.counts.new, first.counts.duplicate) == (4, 1)
    again = home.import_file(checking, text)
    assert (again.counts.new, again.counts.duplicate) == (0, 5)
    home.assert_books_clean()


def test_rows_the_account_cannot_take_refuse_the_import_unless_skipped(home: Home) -> None:
    checking = home.account("Checking")
    text = "Date,Payee,Amount,Currency\n2025-03-01,Shop,-5.00,EUR\n2025-03-02,Hotel,-80.00,USD\n"
    home.session.commit()
    with pytest.raises(RowsRefused) as refused:
        home.import_file(checking, text)
    home.session.rollback()  # what the edge does with any error: nothing stays
    assert "line 3: the file says USD; the account holds EUR" in refused.value.detail
    assert home.transactions(checking) == []
    result = home.import_file(checking, text, skip_errors=True)
    assert (result.counts.new, result.counts.errors) == (1, 1)
    assert result.errors == ["line 3: the file says USD; the account holds EUR"]


def test_a_big_file_is_read_and_written_a_chunk_at_a_time(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "CHUNK_SIZE", 500)
    checking = home.account("Checking")
    rows = [
        (f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", f"Shop {i % 7} " + "x" * 80, f"-{i}.01")
        for i in range(6000)
    ]
    data = csv_text(*rows).encode()
    stream = io.BytesIO(data)
    seen: list[tuple[int, int]] = []
    batch = imports.import_file(
        home.session,
        home.ctx,
        checking,
        stream,
        "big.csv",
        progress=lambda done, read: seen.append((done, stream.tell())),
    )
    assert batch.counts.new == 6000
    assert [done for done, _ in seen] == list(range(500, 6001, 500))
    # When the first chunk was written, most of the file had not been read yet.
    assert seen[0][1] < len(data) / 2
    home.assert_books_clean()
