"""Every SQL statement of reconciliation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from homeledger.imports.models import ImportRow
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Payee, Posting, PostingStatus, Transaction
from homeledger.reconciliation.models import Reconciliation, ReconciliationStatus, StatementLine

OPEN_POSTINGS_SHOWN = 500


class ReconciliationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def scoped(self, ctx: Ctx) -> Select[Reconciliation]:
        return select(Reconciliation).where(Reconciliation.household_id == ctx.household_id)

    def get(
        self, ctx: Ctx, reconciliation_id: str, for_update: bool = False
    ) -> Reconciliation | None:
        query = self.scoped(ctx).where(Reconciliation.id == reconciliation_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def of_account(self, ctx: Ctx, account_id: str) -> list[Reconciliation]:
        query = (
            self.scoped(ctx)
            .where(Reconciliation.account_id == account_id)
            .order_by(Reconciliation.statement_date.desc(), Reconciliation.created_at.desc())
        )
        return list(self.session.scalars(query))

    def open_for(self, ctx: Ctx, account_id: str) -> Reconciliation | None:
        query = self.scoped(ctx).where(
            Reconciliation.account_id == account_id,
            Reconciliation.status == ReconciliationStatus.OPEN.value,
        )
        return self.session.scalars(query).first()

    def last_finished(self, ctx: Ctx, account_id: str) -> Reconciliation | None:
        query = (
            self.scoped(ctx)
            .where(
                Reconciliation.account_id == account_id,
                Reconciliation.status == ReconciliationStatus.FINISHED.value,
            )
            .order_by(Reconciliation.statement_date.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def add(self, reconciliation: Reconciliation) -> Reconciliation:
        self.session.add(reconciliation)
        self.session.flush()
        return reconciliation

    def delete(self, reconciliation: Reconciliation) -> None:
        self.session.delete(reconciliation)
        self.session.flush()

    # Statement lines

    def add_lines(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(StatementLine), list(rows))

    def lines(self, reconciliation_id: str) -> list[StatementLine]:
        query = (
            select(StatementLine)
            .where(StatementLine.reconciliation_id == reconciliation_id)
            .order_by(StatementLine.line, StatementLine.id)
        )
        return list(self.session.scalars(query))

    def line(self, reconciliation_id: str, line_id: str) -> StatementLine | None:
        query = select(StatementLine).where(
            StatementLine.reconciliation_id == reconciliation_id, StatementLine.id == line_id
        )
        return self.session.scalars(query).one_or_none()

    def batch_rows(self, batch_id: str) -> list[ImportRow]:
        """The statement's lines as imported: every row but those the account could not take."""
        query = (
            select(ImportRow)
            .where(ImportRow.batch_id == batch_id, ImportRow.outcome != "error")
            .order_by(ImportRow.line)
        )
        return list(self.session.scalars(query))

    def account_posting_of(self, account_id: str, transaction_ids: Sequence[str]) -> dict[str, str]:
        """transaction id -> its posting in the account."""
        if not transaction_ids:
            return {}
        query = select(Posting.transaction_id, Posting.id).where(
            Posting.account_id == account_id, Posting.transaction_id.in_(list(transaction_ids))
        )
        return {str(t): str(p) for t, p in self.session.execute(query)}

    # Postings of the account

    def cleared_balance(self, ctx: Ctx, account_id: str, through: dt.date) -> int:
        query = select(func.coalesce(func.sum(Posting.amount_minor), 0)).where(
            Posting.household_id == ctx.household_id,
            Posting.account_id == account_id,
            Posting.date <= through,
            Posting.status.in_((PostingStatus.CLEARED.value, PostingStatus.RECONCILED.value)),
        )
        return int(self.session.scalar(query) or 0)

    def _open(
        self, ctx: Ctx, account_id: str, through: dt.date
    ) -> Select[str, str, dt.date, int, str, str, str]:
        return (
            select(
                Posting.id,
                Posting.transaction_id,
                Posting.date,
                Posting.amount_minor,
                Posting.status,
                Payee.name,
                Transaction.memo,
            )
            .join(Transaction, Transaction.id == Posting.transaction_id)
            .outerjoin(Payee, Payee.id == Transaction.payee_id)
            .where(
                Posting.household_id == ctx.household_id,
                Posting.account_id == account_id,
                Posting.date <= through,
                Posting.status != PostingStatus.RECONCILED.value,
            )
        )

    def open_postings(
        self, ctx: Ctx, account_id: str, through: dt.date, limit: int = OPEN_POSTINGS_SHOWN
    ) -> list[tuple[str, str, dt.date, int, str, str | None, str]]:
        """Postings of the account up to `through` that are not reconciled, newest first."""
        query = self._open(ctx, account_id, through).order_by(
            Posting.date.desc(), Posting.id.desc()
        )
        return [
            (p, t, d, int(a), s, n, m)
            for p, t, d, a, s, n, m in self.session.execute(query.limit(limit))
        ]

    def count_open(self, ctx: Ctx, account_id: str, through: dt.date) -> int:
        inner = self._open(ctx, account_id, through).subquery()
        return int(self.session.scalar(select(func.count()).select_from(inner)) or 0)

    def posting_in(self, ctx: Ctx, account_id: str, posting_id: str) -> Posting | None:
        query = select(Posting).where(
            Posting.household_id == ctx.household_id,
            Posting.account_id == account_id,
            Posting.id == posting_id,
        )
        return self.session.scalars(query).one_or_none()

    def set_status(self, ctx: Ctx, account_id: str, posting_ids: Sequence[str], status: str) -> int:
        """Pending <-> cleared on the account's postings (never reconciled ones); the
        transactions' versions go up. Status does not change any balance total."""
        ids = list(posting_ids)
        where = (
            Posting.household_id == ctx.household_id,
            Posting.account_id == account_id,
            Posting.id.in_(ids),
            Posting.status != PostingStatus.RECONCILED.value,
            Posting.status != status,
        )
        self._bump(select(Posting.transaction_id).where(*where))
        result = self.session.execute(
            update(Posting)
            .where(*where)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def mark_reconciled(self, ctx: Ctx, account_id: str, through: dt.date) -> int:
        where = (
            Posting.household_id == ctx.household_id,
            Posting.account_id == account_id,
            Posting.date <= through,
            Posting.status == PostingStatus.CLEARED.value,
        )
        self._bump(select(Posting.transaction_id).where(*where))
        result = self.session.execute(
            update(Posting)
            .where(*where)
            .values(status=PostingStatus.RECONCILED.value)
            .execution_options(synchronize_session=False)
        )
        self.session.expire_all()  # loaded postings and versions are stale now
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def _bump(self, transaction_ids: Select[Any]) -> None:
        self.session.execute(
            update(Transaction)
            .where(Transaction.id.in_(transaction_ids))
            .values(version=Transaction.version + 1)
            .execution_options(synchronize_session=False)
        )
