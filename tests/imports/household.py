"""A household built through the services, for import, rules, reconciliation and
export tests that need the database but not HTTP."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.schemas import AccountCreate, CategoryCreate
from homeledger.imports import service as imports
from homeledger.imports.schemas import ImportBatchRead, ImportCommit
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.schemas import (
    PostingIn,
    TransactionCreate,
    TransactionFilter,
    TransactionRead,
)
from homeledger.ops.check import run_checks
from homeledger.rules import service as rules
from homeledger.rules.schemas import RuleCreate
from homeledger.users import service as users
from homeledger.users.models import User
from homeledger.users.schemas import HouseholdCreate

KEY = b"k" * 32


@dataclass
class Home:
    session: Session
    ctx: Ctx
    ids: dict[str, str] = field(default_factory=dict)

    def account(
        self, name: str, type_: str = "checking", currency: str = "EUR", institution: str = ""
    ) -> str:
        created = accounts.create_account(
            self.session,
            self.ctx,
            AccountCreate(name=name, type=type_, currency=currency, institution=institution),
            KEY,
        )
        self.ids[name] = created.id
        return created.id

    def category(self, name: str, kind: str = "expense") -> str:
        created = accounts.create_category(
            self.session,
            self.ctx,
            CategoryCreate(name=name, kind=kind),
        )
        self.ids[name] = created.id
        return created.id

    def spend(
        self,
        account: str,
        category: str,
        amount: str,
        day: dt.date,
        payee: str | None = None,
        status: str = "cleared",
    ) -> TransactionRead:
        return ledger.create(
            self.session,
            self.ctx,
            TransactionCreate(
                date=day,
                payee=payee,
                postings=[
                    PostingIn(
                        account_id=account, amount=f"-{amount}", currency="EUR", status=status
                    ),
                    PostingIn(account_id=category, amount=amount, currency="EUR"),
                ],
            ),
        )

    def rule(self, **data: Any) -> str:
        return rules.create_rule(self.session, self.ctx, RuleCreate.model_validate(data)).id

    def import_file(
        self, account: str, content: str | bytes, name: str = "statement.csv", **options: Any
    ) -> ImportBatchRead:
        data = content.encode() if isinstance(content, str) else content
        return imports.import_file(
            self.session, self.ctx, account, io.BytesIO(data), name, **options
        )

    def upload(
        self, account: str, content: str | bytes, name: str = "statement.csv", **options: Any
    ) -> ImportBatchRead:
        data = content.encode() if isinstance(content, str) else content
        return imports.upload(self.session, self.ctx, account, io.BytesIO(data), name, **options)

    def commit(self, batch_id: str, **data: Any) -> ImportBatchRead:
        return imports.commit(self.session, self.ctx, batch_id, ImportCommit.model_validate(data))

    def rows(self, batch_id: str) -> list[Any]:
        return imports.preview(self.session, self.ctx, batch_id, limit=1000).rows

    def balance(self, account_id: str) -> Decimal:
        rows = ledger.balances(self.session, self.ctx, include_categories=True)
        return next((Decimal(r.balance) for r in rows if r.account_id == account_id), Decimal(0))

    def transactions(self, account_id: str | None = None) -> list[TransactionRead]:
        f = TransactionFilter(account_id=[account_id] if account_id else [], limit=500)
        return ledger.list_transactions(self.session, self.ctx, f).items

    def uncategorised(self) -> set[str]:
        return set(accounts.uncategorised_ids(self.session, self.ctx))

    def assert_books_clean(self) -> None:
        assert run_checks(self.session) == []


def make_home(session: Session, email: str = "owner@example.com") -> Home:
    # Straight into the table: these tests never sign in, and hashing costs time.
    user = User(email=email, password_hash="not-a-hash")
    session.add(user)
    session.flush()
    household = users.create_household(session, user, HouseholdCreate(name="Home"))
    return Home(session, Ctx(user.id, household.id, Role.OWNER))


def csv_text(*rows: tuple[str, ...], header: str = "Date,Payee,Amount") -> str:
    """A plain bank CSV: (date, payee, amount) per row."""
    lines = [header] + [",".join(f'"{cell}"' for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def csv_with_ids(*rows: tuple[str, str, str, str]) -> str:
    """(date, payee, amount, bank id) per row."""
    return csv_text(*rows, header="Date,Payee,Amount,Transaction ID")
