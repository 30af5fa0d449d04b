"""Every SQL statement of the insights: the ledger read as entries, the model store,
the dismissals. Every read filters by the caller's household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from homeledger.accounts.models import Account, AccountType, Kind
from homeledger.db.base import new_id
from homeledger.insights.calc import CategoryPosting, Entry
from homeledger.insights.models import CategoriserModel, InsightDismissal
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Payee, Posting, Transaction
from homeledger.users.models import Household, Membership

_BANK_SIDE = {Kind.ASSET.value, Kind.LIABILITY.value}
_CATEGORY_KINDS = {Kind.INCOME.value, Kind.EXPENSE.value}


def _entries(rows: Iterable[Any]) -> list[Entry]:
    """Groups posting rows (ordered by transaction, then position) into entries."""
    entries: list[Entry] = []
    current: list[Any] = []

    def close() -> None:
        if not current:
            return
        first = current[0]
        bank = next((r for r in current if r.kind in _BANK_SIDE), None)
        categories = tuple(
            CategoryPosting(r.account_id, int(r.amount_minor), r.currency)
            for r in current
            if r.kind in _CATEGORY_KINDS
        )
        entries.append(
            Entry(
                transaction_id=first.transaction_id,
                date=first.date,
                payee=first.payee or "",
                memo=first.memo or "",
                account_id=bank.account_id if bank is not None else None,
                amount_minor=int(bank.amount_minor) if bank is not None else 0,
                currency=bank.currency if bank is not None else first.currency,
                categories=categories,
                uncategorised=any(r.type == AccountType.UNCATEGORISED.value for r in current),
                updated_at=first.updated_at,
            )
        )

    for row in rows:
        if current and row.transaction_id != current[0].transaction_id:
            close()
            current = []
        current.append(row)
    close()
    return entries


class InsightsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # The ledger, read as entries

    def _posting_rows(self, ctx: Ctx) -> Select[*tuple[Any, ...]]:
        return (
            select(
                Transaction.id.label("transaction_id"),
                Transaction.date,
                Transaction.memo,
                Transaction.updated_at,
                Payee.name.label("payee"),
                Posting.account_id,
                Posting.amount_minor,
                Posting.currency,
                Account.kind,
                Account.type,
            )
            .join(Posting, Posting.transaction_id == Transaction.id)
            .join(Account, Account.id == Posting.account_id)
            .outerjoin(Payee, Payee.id == Transaction.payee_id)
            .where(
                Transaction.household_id == ctx.household_id,
                Posting.household_id == ctx.household_id,
            )
            .order_by(Transaction.date, Transaction.id, Posting.position, Posting.id)
        )

    def entries(
        self, ctx: Ctx, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[Entry]:
        """Every transaction dated in [since, until] (either bound optional), oldest first."""
        query = self._posting_rows(ctx)
        if since is not None:
            query = query.where(Transaction.date >= since)
        if until is not None:
            query = query.where(Transaction.date <= until)
        return _entries(self.session.execute(query))

    def entries_by_id(self, ctx: Ctx, transaction_ids: Sequence[str]) -> list[Entry]:
        if not transaction_ids:
            return []
        query = self._posting_rows(ctx).where(Transaction.id.in_(list(transaction_ids)))
        return _entries(self.session.execute(query))

    def uncategorised_ids(self, ctx: Ctx, limit: int) -> list[str]:
        """The newest transactions with a posting to an Uncategorised category."""
        query = (
            select(Transaction.id)
            .join(Posting, Posting.transaction_id == Transaction.id)
            .join(Account, Account.id == Posting.account_id)
            .where(
                Transaction.household_id == ctx.household_id,
                Account.household_id == ctx.household_id,
                Account.type == AccountType.UNCATEGORISED.value,
            )
            .group_by(Transaction.id, Transaction.date)
            .order_by(Transaction.date.desc(), Transaction.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))

    # The model store

    def model(self, ctx: Ctx) -> CategoriserModel | None:
        query = select(CategoriserModel).where(CategoriserModel.household_id == ctx.household_id)
        return self.session.scalars(query).one_or_none()

    def save_model(self, ctx: Ctx, values: dict[str, Any]) -> CategoriserModel:
        """Inserts or replaces the household's model in one statement, so two trainings
        at once leave one row (the later) instead of a unique-key error."""
        dialect = self.session.get_bind().dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        row = {"household_id": ctx.household_id, **values}
        statement = insert(CategoriserModel).values(id=new_id(), **row)
        statement = statement.on_conflict_do_update(
            index_elements=["household_id"], set_={k: statement.excluded[k] for k in values}
        )
        self.session.execute(statement)
        self.session.expire_all()
        saved = self.model(ctx)
        assert saved is not None
        return saved

    def set_corrections(self, model: CategoriserModel, corrections: int, at: dt.datetime) -> None:
        model.corrections_since = corrections
        model.checked_at = at
        self.session.flush()

    def household_ids_with_models(self) -> list[str]:
        """For the operator's retrain sweep, which runs outside any one household."""
        return list(self.session.scalars(select(CategoriserModel.household_id)))

    def household_ids(self) -> list[str]:
        return list(self.session.scalars(select(Household.id).order_by(Household.id)))

    def owner_id(self, household_id: str) -> str | None:
        query = (
            select(Membership.user_id)
            .where(Membership.household_id == household_id, Membership.role == "owner")
            .order_by(Membership.created_at, Membership.id)
            .limit(1)
        )
        return self.session.scalars(query).first()

    # Dismissals

    def dismissals(self, ctx: Ctx) -> list[InsightDismissal]:
        query = (
            select(InsightDismissal)
            .where(InsightDismissal.household_id == ctx.household_id)
            .order_by(InsightDismissal.created_at.desc(), InsightDismissal.id)
        )
        return list(self.session.scalars(query))

    def dismissed_keys(self, ctx: Ctx) -> set[str]:
        query = select(InsightDismissal.insight_key).where(
            InsightDismissal.household_id == ctx.household_id
        )
        return set(self.session.scalars(query))

    def dismissal(self, ctx: Ctx, key: str) -> InsightDismissal | None:
        query = select(InsightDismissal).where(
            InsightDismissal.household_id == ctx.household_id,
            InsightDismissal.insight_key == key,
        )
        return self.session.scalars(query).one_or_none()

    def add_dismissal(self, dismissal: InsightDismissal) -> InsightDismissal:
        self.session.add(dismissal)
        self.session.flush()
        return dismissal

    def delete_dismissal(self, ctx: Ctx, key: str) -> None:
        self.session.execute(
            delete(InsightDismissal).where(
                InsightDismissal.household_id == ctx.household_id,
                InsightDismissal.insight_key == key,
            )
        )
