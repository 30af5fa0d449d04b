"""Properties: any sequence of creates, edits and deletes (valid or not) keeps every
transaction balanced and every balance equal to the sum of its postings."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.db.engine import make_engine
from homeledger.db.session import make_session_factory
from homeledger.kit.errors import DomainError
from homeledger.kit.money import to_decimal, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.schemas import PostingIn, TransactionCreate, TransactionUpdate
from homeledger.ops.check import run_checks
from homeledger.users import service as users
from homeledger.users.schemas import HouseholdCreate, UserCreate

# JPY (0 decimals) and BHD (3) beside EUR catch any exponent mix-up.
CURRENCIES = ("EUR", "JPY", "BHD")
amounts = st.integers(min_value=-(10**9), max_value=10**9)


def _posting(account: tuple[str, str], minor: int) -> PostingIn:
    account_id, currency = account
    return PostingIn(
        account_id=account_id, amount=str(to_decimal(minor, currency)), currency=currency
    )


class LedgerMachine(RuleBasedStateMachine):
    session: Session

    def __init__(self) -> None:
        super().__init__()
        self.expected: dict[str, list[tuple[tuple[str, str], int]]] = {}
        self.versions: dict[str, int] = {}

    @initialize()
    def household(self) -> None:
        user = users.register(
            self.session, UserCreate(email=f"p{id(self)}@example.com", password="x" * 12)
        )
        household = users.create_household(self.session, user, HouseholdCreate(name="Props"))
        self.ctx = Ctx(user.id, household.id, Role.OWNER)
        key = b"k" * 32
        self.assets = [
            (
                accounts.create_account(
                    self.session, self.ctx, AccountCreate(name=c, type="checking", currency=c), key
                ).id,
                c,
            )
            for c in CURRENCIES
        ]
        category = accounts.create_category(
            self.session, self.ctx, CategoryCreate(name="Spending", kind="expense")
        )
        self.categories = [(category.id, c) for c in CURRENCIES]

    def _postings(self, data: st.DataObject, balanced: bool) -> list[PostingIn]:
        index = data.draw(st.integers(0, len(CURRENCIES) - 1))
        splits = data.draw(st.lists(amounts, min_size=1, max_size=4))
        postings = [_posting(self.categories[index], m) for m in splits]
        total = -sum(splits) + (0 if balanced else data.draw(st.integers(1, 10**6)))
        return [_posting(self.assets[index], total), *postings]

    def _attempt(self, action: object) -> bool:
        nested = self.session.begin_nested()  # a refused request rolls back, as at the edge
        try:
            assert callable(action)
            action()
        except DomainError:
            nested.rollback()
            return False
        nested.commit()
        return True

    @rule(data=st.data(), balanced=st.booleans())
    def create(self, data: st.DataObject, balanced: bool) -> None:
        postings = self._postings(data, balanced)
        created: list[str] = []
        body = TransactionCreate(date=dt.date(2025, 1, 1), postings=postings)
        ok = self._attempt(lambda: created.append(ledger.create(self.session, self.ctx, body).id))
        assert ok == balanced
        if ok:
            self.expected[created[0]] = [
                ((p.account_id, p.currency), self._minor(p)) for p in postings
            ]
            self.versions[created[0]] = 1

    @rule(data=st.data(), balanced=st.booleans(), stale=st.booleans())
    def edit(self, data: st.DataObject, balanced: bool, stale: bool) -> None:
        if not self.expected:
            return
        txn_id = data.draw(st.sampled_from(sorted(self.expected)))
        postings = self._postings(data, balanced)
        version = self.versions[txn_id] - (1 if stale and self.versions[txn_id] > 1 else 0)
        body = TransactionUpdate(date=dt.date(2025, 1, 2), postings=postings, version=version)
        ok = self._attempt(lambda: ledger.update(self.session, self.ctx, txn_id, body))
        assert ok == (balanced and version == self.versions[txn_id])
        if ok:
            self.expected[txn_id] = [((p.account_id, p.currency), self._minor(p)) for p in postings]
            self.versions[txn_id] += 1

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if not self.expected:
            return
        txn_id = data.draw(st.sampled_from(sorted(self.expected)))
        assert self._attempt(lambda: ledger.delete(self.session, self.ctx, txn_id))
        del self.expected[txn_id], self.versions[txn_id]

    @staticmethod
    def _minor(posting: PostingIn) -> int:
        return to_minor(posting.amount, posting.currency)

    @invariant()
    def balances_equal_the_sum_of_postings(self) -> None:
        if not hasattr(self, "ctx"):
            return
        expected: dict[tuple[str, str], int] = {}
        for postings in self.expected.values():
            for key, minor in postings:
                expected[key] = expected.get(key, 0) + minor
        tracked = set(self.assets + self.categories)
        actual = {
            (row.account_id, row.currency): to_minor(row.balance, row.currency)
            for row in ledger.balances(self.session, self.ctx, include_categories=True)
            if (row.account_id, row.currency) in tracked
        }
        assert {k: v for k, v in actual.items() if v} == {k: v for k, v in expected.items() if v}

    @invariant()
    def every_transaction_balances(self) -> None:
        assert run_checks(self.session) == []


def test_ledger_invariants_hold_under_any_sequence(sqlite_template: Path, tmp_path: Path) -> None:
    target = tmp_path / "props.db"
    shutil.copyfile(sqlite_template, target)
    engine = make_engine(f"sqlite:///{target}")
    factory = make_session_factory(engine)
    with factory() as session:
        LedgerMachine.session = session
        run_state_machine_as_test(
            LedgerMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=12,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
        session.rollback()
    engine.dispose()


@pytest.mark.parametrize("currency", CURRENCIES)
def test_minor_units_round_trip_for_every_exponent(currency: str) -> None:
    @given(amounts)
    def round_trip(minor: int) -> None:
        assert to_minor(to_decimal(minor, currency), currency) == minor

    round_trip()
