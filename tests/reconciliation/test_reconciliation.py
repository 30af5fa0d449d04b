"""Reconciling an account against a statement: the difference, matching, clearing,
creating missing lines, finishing only at zero, and what reconciled postings then
refuse."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.factories.api import Api
from tests.imports.household import Home, csv_text, make_home

from homeledger.imports import service as imports
from homeledger.imports.parsers import read_statements
from homeledger.kit import metrics
from homeledger.kit.audit import AuditEvent
from homeledger.ledger import service as ledger
from homeledger.ledger.errors import ReconciledPosting
from homeledger.reconciliation import service
from homeledger.reconciliation.matching import Entry, Line, auto_match
from homeledger.reconciliation.schemas import ClearPostings, ReconciliationCreate
from homeledger.reconciliation.service import NotReconciled

SAMPLES = Path(__file__).parents[1] / "imports" / "samples"


def test_lines_match_the_nearest_posting_of_the_same_amount_once() -> None:
    lines = [
        Line("l1", dt.date(2025, 3, 3), -500, "RENT"),
        Line("l2", dt.date(2025, 3, 9), -500, ""),
    ]
    entries = [
        Entry("far", dt.date(2025, 3, 6), -500, "Rent"),
        Entry("near", dt.date(2025, 3, 2), -500, "Landlord"),
        Entry("other", dt.date(2025, 3, 3), -499, "Rent"),
    ]
    pairs = auto_match(lines, entries)
    assert [(p.line_id, p.posting_id, p.reason) for p in pairs] == [
        ("l1", "near", "same amount, 1 day apart"),
        ("l2", "far", "same amount, 3 days apart"),
    ]
    assert (
        auto_match(
            [Line("l", dt.date(2025, 3, 1), -5, "")], [Entry("e", dt.date(2025, 3, 5), -5, "")]
        )
        == []
    )


@pytest.fixture
def home(session: Session) -> Home:
    return make_home(session)


def test_finishing_needs_difference_zero_and_then_postings_are_reconciled(home: Home) -> None:
    checking, food = home.account("Checking"), home.category("Food")
    home.import_file(
        checking, csv_text(("2025-03-01", "REWE", "-40.00"), ("2025-03-03", "BAKERY", "-5.00"))
    )
    pending = home.spend(checking, food, "10.00", dt.date(2025, 3, 4), "Market", status="pending")
    later = home.spend(checking, food, "7.00", dt.date(2025, 4, 2), "After the statement")
    started = service.start(
        home.session,
        home.ctx,
        ReconciliationCreate(
            account_id=checking, statement_date=dt.date(2025, 3, 31), statement_balance="-55.00"
        ),
    )
    assert (started.cleared_balance, started.difference) == ("-45.00", "-10.00")
    assert {p.payee for p in started.unmatched_postings} == {"Rewe", "Bakery", "Market"}
    with pytest.raises(NotReconciled) as refused:
        service.finish(home.session, home.ctx, started.id)
    assert "-10.00 to explain before finishing" in refused.value.detail

    market = next(p.posting_id for p in started.unmatched_postings if p.payee == "Market")
    cleared = service.clear(home.session, home.ctx, started.id, ClearPostings(posting_ids=[market]))
    assert cleared.difference == "0.00"
    before = metrics.RECONCILIATIONS._value.get()
    done = service.finish(home.session, home.ctx, started.id)
    assert (done.status, done.reconciled_count) == ("finished", 3)
    assert metrics.RECONCILIATIONS._value.get() == before + 1
    statuses = {t.payee: t.postings[0].status.value for t in home.transactions(checking)}
    assert statuses == {
        "Rewe": "reconciled",
        "Bakery": "reconciled",
        "Market": "reconciled",
        "After the statement": "cleared",
    }
    history = service.history(home.session, home.ctx, checking)
    assert [(h.statement_date, h.status) for h in history] == [(dt.date(2025, 3, 31), "finished")]
    audit = home.session.scalars(select(AuditEvent.action).where(AuditEvent.target == started.id))
    assert list(audit) == ["reconciliation.finished"]

    with pytest.raises(ReconciledPosting):
        ledger.delete(home.session, home.ctx, pending.id)
    batch = imports.list_batches(home.session, home.ctx)[0]
    with pytest.raises(ReconciledPosting):
        imports.revert(home.session, home.ctx, batch.id)
    assert ledger.get(home.session, home.ctx, later.id).postings[0].status.value == "cleared"
    with pytest.raises(Exception, match="reconciled through 2025-03-31"):
        service.start(
            home.session,
            home.ctx,
            ReconciliationCreate(
                account_id=checking, statement_date=dt.date(2025, 3, 15), statement_balance="0"
            ),
        )
    assert home.balance(checking) == Decimal("-62.00")
    home.assert_books_clean()


def test_an_imported_statement_reconciles_to_zero_over_http(api: Api) -> None:
    sample = (SAMPLES / "checking_sgml_102.ofx").read_bytes()
    [statement] = read_statements(io.BytesIO(sample), "checking.ofx")
    assert statement.closing_balance is not None
    opening = statement.closing_balance.amount - sum(t.amount for t in statement.transactions)
    checking = api.post(
        api.url("/accounts"),
        {
            "name": "Checking",
            "type": "checking",
            "currency": "USD",
            "opening_balance": str(opening),
            "opening_date": "2025-11-30",
        },
    ).json()["id"]
    batch = api.client.post(
        api.url("/imports"),
        files={"file": ("checking.ofx", sample)},
        data={"account_id": checking},
        headers=api.headers,
    ).json()
    assert batch["closing_balance"] == "5254.33"
    first_line = api.get(api.url(f"/imports/{batch['id']}/rows")).json()["rows"][0]
    api.post(
        api.url(f"/imports/{batch['id']}/commit"),
        {"overrides": [{"line": first_line["line"], "action": "skip"}]},
    )

    started = api.post(
        api.url("/reconciliations"), {"account_id": checking, "batch_id": batch["id"]}
    )
    assert started.status_code == 201, started.text
    state = started.json()
    assert (state["statement_date"], state["statement_balance"]) == ("2025-12-31", "5254.33")
    assert len(state["matched_lines"]) == 4
    assert {line["match_reason"] for line in state["matched_lines"]} == {
        "imported from this statement"
    }
    [missing] = state["unmatched_lines"]
    assert Decimal(state["difference"]) == Decimal(missing["amount"])
    assert api.post(api.url(f"/reconciliations/{state['id']}/finish")).status_code == 409

    created = api.post(
        api.url(f"/reconciliations/{state['id']}/create"), {"line_id": missing["id"]}
    )
    assert created.status_code == 200, created.text
    assert created.json()["difference"] == "0.00"
    assert created.json()["unmatched_lines"] == []
    finished = api.post(api.url(f"/reconciliations/{state['id']}/finish"))
    assert finished.status_code == 200, finished.text
    assert finished.json()["status"] == "finished"
    history = api.get(api.url(f"/accounts/{checking}/reconciliations")).json()
    assert [h["status"] for h in history] == ["finished"]
    statuses = {
        p["status"]
        for t in api.get(api.url("/transactions"), account_id=checking).json()["items"]
        for p in t["postings"]
        if p["account_id"] == checking
    }
    assert statuses == {"reconciled"}
