"""Every SQL statement of imports. Dedupe lookups take a whole chunk of rows at once
and read through the (account, bank id), (account, fingerprint), (batch, line) and
(transaction) indexes, so their cost does not grow with the account's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    any_,
    bindparam,
    case,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased

from homeledger.imports.models import ImportBatch, ImportProfile, ImportRow
from homeledger.kit.tenancy import Ctx
from homeledger.ledger.models import Payee, Posting, PostingStatus, Transaction
from homeledger.ledger.repository import bulk_insert

ROW_COLUMNS = tuple(ImportRow.__table__.c)
SQLITE_IMPORT_CACHE_KIB = 128 * 1024


@dataclass(frozen=True, slots=True)
class PostingHit:
    """A posting a dedupe or transfer lookup found, with what the preview shows."""

    posting_id: str
    transaction_id: str
    account_id: str
    date: dt.date
    amount_minor: int
    pending: bool
    payee: str
    memo: str
    other_posting_id: str = ""
    """For transfer candidates: the Uncategorised posting that would become ours."""


@dataclass(frozen=True, slots=True)
class Link:
    """An import row that stands for a transaction in its account."""

    transaction_id: str | None
    date: dt.date
    batch_id: str
    line: int
    pending: bool


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"

    def _among(self, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
        """`column IN values` for a chunk's worth of values: one array parameter on
        PostgreSQL (a 2,000-item IN list costs more to send and plan than to run)."""
        wanted = list(values)
        if self._postgres:
            return column == any_(bindparam(None, wanted, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
        return column.in_(wanted)  # type: ignore[no-any-return]

    def big_write_cache(self) -> int | None:
        """On SQLite, a page cache big enough for the indexes a long import writes
        into (random ids and fingerprints touch pages all over them): with the 2 MB
        default, pages spill and are written again and again. Returns the old size to
        put back; a fixed bound, whatever the file's size."""
        if self._postgres:
            return None
        old = int(self.session.execute(text("PRAGMA cache_size")).scalar_one())
        self.session.execute(text(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}"))
        return old

    def restore_cache(self, old: int | None) -> None:
        if old is not None:
            self.session.execute(text(f"PRAGMA cache_size = {int(old)}"))

    def refresh_statistics(self) -> None:
        """PostgreSQL plans the dedupe lookups by the tables' statistics, which
        autovacuum only gathers for committed rows: a big import (one transaction)
        refreshes them itself as its own rows pile up, or the lookups would scan the
        account's rows instead of using the (account, fingerprint) index."""
        if self._postgres:
            self.session.execute(text("ANALYZE import_rows, postings, transactions"))

    # Batches

    def scoped(self, ctx: Ctx) -> Select[ImportBatch]:
        return select(ImportBatch).where(ImportBatch.household_id == ctx.household_id)

    def batch(self, ctx: Ctx, batch_id: str, for_update: bool = False) -> ImportBatch | None:
        query = self.scoped(ctx).where(ImportBatch.id == batch_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def batches(
        self, ctx: Ctx, account_id: str | None, limit: int, offset: int
    ) -> list[ImportBatch]:
        query = self.scoped(ctx)
        if account_id:
            query = query.where(ImportBatch.account_id == account_id)
        query = query.order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
        return list(self.session.scalars(query.limit(limit).offset(offset)))

    def earlier_same_file(
        self, ctx: Ctx, account_id: str, sha256: str, batch_id: str
    ) -> ImportBatch | None:
        query = (
            self.scoped(ctx)
            .where(
                ImportBatch.account_id == account_id,
                ImportBatch.file_sha256 == sha256,
                ImportBatch.id != batch_id,
                ImportBatch.status == "committed",
            )
            .order_by(ImportBatch.created_at)
            .limit(1)
        )
        return self.session.scalars(query).first()

    def add(self, batch: ImportBatch) -> ImportBatch:
        self.session.add(batch)
        self.session.flush()
        return batch

    def delete(self, batch: ImportBatch) -> None:
        self.session.delete(batch)
        self.session.flush()

    # Rows

    def insert_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self.session, ImportRow.__table__, rows)

    def update_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Each dict has `row_id` and the columns to set (the same keys in every dict)."""
        if not rows:
            return
        columns = [k for k in rows[0] if k != "row_id"]
        statement = (
            update(ImportRow)
            .where(ImportRow.id == bindparam("row_id"))
            .values({c: bindparam(c) for c in columns})
            .execution_options(synchronize_session=False)
        )
        self.session.connection().execute(statement, list(rows))

    def rows_after(self, batch_id: str, after_line: int, limit: int) -> list[dict[str, Any]]:
        """The batch's rows in file order, as plain dicts: a chunk at a time."""
        query = (
            select(*ROW_COLUMNS)
            .where(ImportRow.batch_id == batch_id, ImportRow.line > after_line)
            .order_by(ImportRow.line)
            .limit(limit)
        )
        return [dict(r) for r in self.session.execute(query).mappings()]

    def rows_page(
        self, batch_id: str, outcome: str | None, offset: int, limit: int
    ) -> list[ImportRow]:
        query = select(ImportRow).where(ImportRow.batch_id == batch_id)
        if outcome:
            query = query.where(ImportRow.outcome == outcome)
        query = query.order_by(ImportRow.line).offset(offset).limit(limit)
        return list(self.session.scalars(query))

    def outcome_counts(self, batch_id: str) -> dict[str, int]:
        query = (
            select(ImportRow.outcome, func.count())
            .where(ImportRow.batch_id == batch_id)
            .group_by(ImportRow.outcome)
        )
        return {outcome: int(n) for outcome, n in self.session.execute(query)}

    # Dedupe lookups: one query per chunk each

    def bank_id_links(self, account_id: str, bank_ids: Iterable[str]) -> dict[str, Link]:
        wanted = sorted(set(bank_ids))
        if not wanted:
            return {}
        query = (
            select(
                ImportRow.bank_id,
                ImportRow.transaction_id,
                ImportRow.date,
                ImportRow.batch_id,
                ImportRow.line,
                ImportRow.pending,
            )
            .where(
                ImportRow.account_id == account_id,
                self._among(ImportRow.bank_id, wanted),
                ImportRow.is_link.is_(True),
            )
            .order_by(ImportRow.id)
        )
        found: dict[str, Link] = {}
        for bank_id, transaction_id, day, batch_id, line, pending in self.session.execute(query):
            found.setdefault(str(bank_id), Link(transaction_id, day, batch_id, line, pending))
        return found

    def first_lines_with_bank_ids(
        self, batch_id: str, account_id: str, bank_ids: Iterable[str]
    ) -> dict[str, int]:
        """The first line of this batch that had each bank id."""
        wanted = sorted(set(bank_ids))
        if not wanted:
            return {}
        query = (
            select(ImportRow.bank_id, func.min(ImportRow.line))
            .where(
                ImportRow.account_id == account_id,
                self._among(ImportRow.bank_id, wanted),
                ImportRow.batch_id == batch_id,
            )
            .group_by(ImportRow.bank_id)
        )
        return {str(bank_id): int(line) for bank_id, line in self.session.execute(query)}

    def fingerprint_links(
        self, account_id: str, fingerprints: Iterable[int], batch_id: str
    ) -> dict[int, tuple[int, int]]:
        """Per fingerprint: how many rows of other batches stand for a transaction in the
        account, all and those without a bank id."""
        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        without = func.sum(case((ImportRow.bank_id.is_(None), 1), else_=0))
        query = (
            select(ImportRow.fingerprint, func.count(), without)
            .where(
                ImportRow.account_id == account_id,
                self._among(ImportRow.fingerprint, wanted),
                ImportRow.is_link.is_(True),
                ImportRow.batch_id != batch_id,
            )
            .group_by(ImportRow.fingerprint)
        )
        return {fp: (int(n), int(w or 0)) for fp, n, w in self.session.execute(query)}

    def batch_fingerprint_counts(
        self, account_id: str, fingerprints: Iterable[int], batch_id: str
    ) -> dict[int, int]:
        """How many rows of this batch (earlier chunks) already have each fingerprint."""
        wanted = sorted(set(fingerprints))
        if not wanted:
            return {}
        query = (
            select(ImportRow.fingerprint, func.count())
            .where(
                ImportRow.account_id == account_id,
                self._among(ImportRow.fingerprint, wanted),
                ImportRow.batch_id == batch_id,
            )
            .group_by(ImportRow.fingerprint)
        )
        return {fp: int(n) for fp, n in self.session.execute(query)}

    def links_of(
        self, transaction_ids: Iterable[str], account_id: str | None = None
    ) -> dict[str, list[tuple[str, bool]]]:
        """Per transaction: (batch id, pending) of every row standing for it."""
        wanted = sorted(set(transaction_ids))
        if not wanted:
            return {}
        query = select(ImportRow.transaction_id, ImportRow.batch_id, ImportRow.pending).where(
            self._among(ImportRow.transaction_id, wanted), ImportRow.is_link.is_(True)
        )
        if account_id is not None:
            query = query.where(ImportRow.account_id == account_id)
        found: dict[str, list[tuple[str, bool]]] = {}
        for transaction_id, batch_id, pending in self.session.execute(query):
            found.setdefault(str(transaction_id), []).append((batch_id, pending))
        return found

    def account_postings(
        self,
        ctx: Ctx,
        account_ids: Iterable[str],
        amounts: Iterable[int],
        start: dt.date,
        end: dt.date,
    ) -> list[PostingHit]:
        """Postings of these accounts with one of these amounts, dated in [start, end]."""
        accounts, wanted = sorted(set(account_ids)), sorted(set(amounts))
        if not accounts or not wanted:
            return []
        query = (
            select(
                Posting.id,
                Posting.transaction_id,
                Posting.account_id,
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
                self._among(Posting.account_id, accounts),
                Posting.date >= start,
                Posting.date <= end,
                self._among(Posting.amount_minor, wanted),
            )
        )
        return [
            PostingHit(
                posting_id,
                transaction_id,
                account_id,
                day,
                int(amount),
                status == PostingStatus.PENDING.value,
                payee or "",
                memo or "",
            )
            for posting_id, transaction_id, account_id, day, amount, status, payee, memo in (
                self.session.execute(query)
            )
        ]

    def uncategorised_sides(
        self, ctx: Ctx, hits: Sequence[PostingHit], uncategorised_ids: Iterable[str]
    ) -> list[PostingHit]:
        """Of these postings, those whose transaction has exactly one other posting and
        it is in an Uncategorised category: transfers seen from one side only."""
        ids = sorted({h.transaction_id for h in hits})
        categories = sorted(set(uncategorised_ids))
        if not ids or not categories:
            return []
        other = aliased(Posting)
        counts = (
            select(Posting.transaction_id, func.count().label("n"))
            .where(self._among(Posting.transaction_id, ids))
            .group_by(Posting.transaction_id)
            .subquery()
        )
        query = (
            select(other.transaction_id, other.id, other.account_id)
            .join(counts, and_(counts.c.transaction_id == other.transaction_id, counts.c.n == 2))
            .where(
                other.household_id == ctx.household_id,
                self._among(other.transaction_id, ids),
                self._among(other.account_id, categories),
            )
        )
        sides = {t: p for t, p, _ in self.session.execute(query)}
        return [
            PostingHit(
                h.posting_id,
                h.transaction_id,
                h.account_id,
                h.date,
                h.amount_minor,
                h.pending,
                h.payee,
                h.memo,
                sides[h.transaction_id],
            )
            for h in hits
            if h.transaction_id in sides
        ]

    def other_accounts(
        self, transaction_ids: Iterable[str], account_id: str
    ) -> dict[str, list[str]]:
        wanted = sorted(set(transaction_ids))
        if not wanted:
            return {}
        query = select(Posting.transaction_id, Posting.account_id).where(
            self._among(Posting.transaction_id, wanted), Posting.account_id != account_id
        )
        found: dict[str, list[str]] = {}
        for transaction_id, other in self.session.execute(query):
            found.setdefault(transaction_id, []).append(other)
        return found

    def set_posting_status(self, posting_ids: Sequence[str], status: str) -> None:
        """Status only: day totals do not depend on it."""
        if posting_ids:
            self.session.execute(
                update(Posting)
                .where(Posting.id.in_(list(posting_ids)))
                .values(status=status)
                .execution_options(synchronize_session=False)
            )
            self.session.execute(
                update(Transaction)
                .where(
                    Transaction.id.in_(
                        select(Posting.transaction_id).where(Posting.id.in_(list(posting_ids)))
                    )
                )
                .values(version=Transaction.version + 1)
                .execution_options(synchronize_session=False)
            )
            self.session.expire_all()  # loaded postings and versions are stale now

    # Revert

    def links_after(
        self, batch_id: str, after_line: int, limit: int
    ) -> list[tuple[int, int, str, str]]:
        """(row id, line, outcome, transaction id) of the batch's linking rows."""
        query = (
            select(ImportRow.id, ImportRow.line, ImportRow.outcome, ImportRow.transaction_id)
            .where(
                ImportRow.batch_id == batch_id,
                ImportRow.line > after_line,
                ImportRow.is_link.is_(True),
                ImportRow.transaction_id.is_not(None),
            )
            .order_by(ImportRow.line)
            .limit(limit)
        )
        return [(int(i), int(n), o, str(t)) for i, n, o, t in self.session.execute(query)]

    def unlink_batch(self, batch_id: str) -> None:
        self.session.execute(
            update(ImportRow)
            .where(ImportRow.batch_id == batch_id, ImportRow.is_link.is_(True))
            .values(is_link=False)
            .execution_options(synchronize_session=False)
        )

    def reconciled_postings(self, transaction_ids: Sequence[str]) -> list[tuple[str, str]]:
        """(transaction id, account id) of reconciled postings among these transactions."""
        if not transaction_ids:
            return []
        query = select(Posting.transaction_id, Posting.account_id).where(
            self._among(Posting.transaction_id, list(transaction_ids)),
            Posting.status == PostingStatus.RECONCILED.value,
        )
        return [(t, a) for t, a in self.session.execute(query)]

    # Profiles

    def profiles(self, ctx: Ctx) -> list[ImportProfile]:
        query = (
            select(ImportProfile)
            .where(ImportProfile.household_id == ctx.household_id)
            .order_by(ImportProfile.updated_at.desc(), ImportProfile.id)
        )
        return list(self.session.scalars(query))

    def profile(self, ctx: Ctx, profile_id: str) -> ImportProfile | None:
        query = select(ImportProfile).where(
            ImportProfile.household_id == ctx.household_id, ImportProfile.id == profile_id
        )
        return self.session.scalars(query).one_or_none()

    def add_profile(self, profile: ImportProfile) -> ImportProfile:
        self.session.add(profile)
        self.session.flush()
        return profile

    def delete_profile(self, profile: ImportProfile) -> None:
        self.session.delete(profile)
        self.session.flush()

    def rows_at_lines(self, batch_id: str, lines: Sequence[int]) -> list[ImportRow]:
        if not lines:
            return []
        query = select(ImportRow).where(
            ImportRow.batch_id == batch_id, ImportRow.line.in_(sorted(set(lines)))
        )
        return list(self.session.scalars(query))
