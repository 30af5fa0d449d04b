"""Reconciling an account against a bank statement.

The cleared balance is the sum of the account's cleared and reconciled postings up to
the statement's closing day; the difference is the statement's balance minus it.
Statement lines (from an imported statement file) are matched to postings, matching
clears the posting; postings can be cleared or set back to pending by hand, and a
missing line can be created as a transaction. Finishing needs a difference of zero
and marks every cleared posting up to that day reconciled; the session stays in the
account's history."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Account, Kind
from homeledger.db.base import new_id, utcnow
from homeledger.imports.repository import ImportRepository
from homeledger.kit import audit, metrics
from homeledger.kit.errors import Conflict, InvalidInput, NotFound
from homeledger.kit.money import format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger import service as ledger
from homeledger.ledger.models import PostingStatus
from homeledger.ledger.schemas import PostingIn, TransactionCreate
from homeledger.reconciliation import matching
from homeledger.reconciliation.models import Reconciliation, ReconciliationStatus, StatementLine
from homeledger.reconciliation.repository import ReconciliationRepository
from homeledger.reconciliation.schemas import (
    ClearPostings,
    LineCreate,
    LineMatch,
    LineRef,
    OpenPostingRead,
    ReconciliationCreate,
    ReconciliationRead,
    ReconciliationSummary,
    StatementLineRead,
)


class NotReconciled(Conflict):
    type = "reconciliation-difference"
    title = "The statement and the cleared balance differ"


def _get(
    session: Session, ctx: Ctx, reconciliation_id: str, for_update: bool = False
) -> Reconciliation:
    found = ReconciliationRepository(session).get(ctx, reconciliation_id, for_update)
    if found is None:
        raise NotFound("no such reconciliation")
    return found


def _open(session: Session, ctx: Ctx, reconciliation_id: str) -> Reconciliation:
    ctx.require(Role.EDITOR)
    found = _get(session, ctx, reconciliation_id, for_update=True)
    if found.status != ReconciliationStatus.OPEN:
        raise Conflict("this reconciliation is finished")
    return found


def _line_read(line: StatementLine, currency: str) -> StatementLineRead:
    return StatementLineRead(
        id=line.id,
        line=line.line,
        date=line.date,
        amount=format_plain(line.amount_minor, currency),
        payee=line.payee,
        memo=line.memo,
        posting_id=line.posting_id,
        match_reason=line.match_reason,
    )


def read(session: Session, ctx: Ctx, item: Reconciliation) -> ReconciliationRead:
    repo, currency = ReconciliationRepository(session), item.currency
    lines = repo.lines(item.id)
    matched = {line.posting_id for line in lines if line.posting_id}
    finished = item.status == ReconciliationStatus.FINISHED
    cleared = (
        item.statement_balance_minor
        if finished
        else repo.cleared_balance(ctx, item.account_id, item.statement_date)
    )
    open_postings = (
        [] if finished else repo.open_postings(ctx, item.account_id, item.statement_date)
    )
    return ReconciliationRead(
        id=item.id,
        account_id=item.account_id,
        statement_date=item.statement_date,
        statement_balance=format_plain(item.statement_balance_minor, currency),
        currency=currency,
        status=item.status,
        cleared_balance=format_plain(cleared, currency),
        difference=format_plain(item.statement_balance_minor - cleared, currency),
        batch_id=item.batch_id,
        reconciled_count=item.reconciled_count,
        matched_lines=[_line_read(x, currency) for x in lines if x.posting_id],
        unmatched_lines=[_line_read(x, currency) for x in lines if not x.posting_id],
        unmatched_postings=[
            OpenPostingRead(
                posting_id=p,
                transaction_id=t,
                date=d,
                amount=format_plain(a, currency),
                payee=n,
                memo=m,
                status=s,
            )
            for p, t, d, a, s, n, m in open_postings
            if p not in matched
        ],
        unmatched_postings_total=(
            0
            if finished
            else repo.count_open(ctx, item.account_id, item.statement_date)
            - len(matched & {p for p, *_ in open_postings})
        ),
        created_at=item.created_at,
        finished_at=item.finished_at,
    )


def _summary(item: Reconciliation) -> ReconciliationSummary:
    return ReconciliationSummary(
        id=item.id,
        account_id=item.account_id,
        statement_date=item.statement_date,
        statement_balance=format_plain(item.statement_balance_minor, item.currency),
        currency=item.currency,
        status=item.status,
        reconciled_count=item.reconciled_count,
        created_by=item.created_by,
        created_at=item.created_at,
        finished_at=item.finished_at,
    )


def history(session: Session, ctx: Ctx, account_id: str) -> list[ReconciliationSummary]:
    accounts_service.get_account_model(session, ctx, account_id)
    return [_summary(r) for r in ReconciliationRepository(session).of_account(ctx, account_id)]


def get(session: Session, ctx: Ctx, reconciliation_id: str) -> ReconciliationRead:
    return read(session, ctx, _get(session, ctx, reconciliation_id))


def start(session: Session, ctx: Ctx, data: ReconciliationCreate) -> ReconciliationRead:
    ctx.require(Role.EDITOR)
    account = accounts_service.get_account_model(session, ctx, data.account_id)
    assert account.currency is not None
    repo = ReconciliationRepository(session)
    if repo.open_for(ctx, account.id) is not None:
        raise Conflict(f"'{account.name}' has an open reconciliation; finish or cancel it first")
    statement_date, balance, rows = data.statement_date, None, []
    if data.statement_balance is not None:
        balance = to_minor(Decimal(data.statement_balance), account.currency, "statement_balance")
    if data.batch_id is not None:
        batch = ImportRepository(session).batch(ctx, data.batch_id)
        if batch is None or batch.account_id != account.id:
            raise NotFound("no such import of this account")
        statement_date = statement_date or batch.closing_date
        balance = balance if balance is not None else batch.closing_balance_minor
        rows = repo.batch_rows(batch.id)
        if statement_date is None and rows:
            statement_date = max(r.date for r in rows)
    if statement_date is None:
        raise InvalidInput("statement_date", "give the statement's closing day")
    if balance is None:
        raise InvalidInput("statement_balance", "give the statement's closing balance")
    last = repo.last_finished(ctx, account.id)
    if last is not None and statement_date < last.statement_date:
        raise InvalidInput(
            "statement_date", f"the account is reconciled through {last.statement_date} already"
        )
    item = repo.add(
        Reconciliation(
            household_id=ctx.household_id,
            account_id=account.id,
            statement_date=statement_date,
            statement_balance_minor=balance,
            currency=account.currency,
            batch_id=data.batch_id,
            created_by=ctx.user_id,
        )
    )
    postings = repo.account_posting_of(
        account.id, [r.transaction_id for r in rows if r.transaction_id]
    )
    repo.add_lines(
        [
            {
                "id": new_id(),
                "reconciliation_id": item.id,
                "household_id": ctx.household_id,
                "line": r.line,
                "date": r.date,
                "amount_minor": r.amount_minor,
                "payee": r.payee or r.raw_payee,
                "memo": r.memo,
                "posting_id": postings.get(r.transaction_id or ""),
                "match_reason": "imported from this statement"
                if r.transaction_id in postings
                else "",
            }
            for r in rows
            if r.date <= statement_date
        ]
    )
    _auto_match(session, ctx, item, account)
    return read(session, ctx, item)


def _auto_match(session: Session, ctx: Ctx, item: Reconciliation, account: Account) -> None:
    repo = ReconciliationRepository(session)
    lines = repo.lines(item.id)
    taken = {line.posting_id for line in lines if line.posting_id}
    window_end = item.statement_date
    entries = [
        matching.Entry(p, d, a, n or m)
        for p, _, d, a, _, n, m in repo.open_postings(ctx, account.id, window_end, limit=10_000)
        if p not in taken
    ]
    free = [matching.Line(x.id, x.date, x.amount_minor, x.payee) for x in lines if not x.posting_id]
    by_id = {x.id: x for x in lines}
    for pair in matching.auto_match(free, entries):
        line = by_id[pair.line_id]
        line.posting_id, line.match_reason = pair.posting_id, pair.reason
    session.flush()
    cleared = [x.posting_id for x in lines if x.posting_id]
    repo.set_status(ctx, account.id, cleared, PostingStatus.CLEARED.value)


def auto_match(session: Session, ctx: Ctx, reconciliation_id: str) -> ReconciliationRead:
    item = _open(session, ctx, reconciliation_id)
    account = accounts_service.get_account_model(session, ctx, item.account_id)
    _auto_match(session, ctx, item, account)
    return read(session, ctx, item)


def _line(session: Session, item: Reconciliation, line_id: str) -> StatementLine:
    line = ReconciliationRepository(session).line(item.id, line_id)
    if line is None:
        raise NotFound("no such statement line")
    return line


def match(
    session: Session, ctx: Ctx, reconciliation_id: str, data: LineMatch
) -> ReconciliationRead:
    item = _open(session, ctx, reconciliation_id)
    repo = ReconciliationRepository(session)
    line = _line(session, item, data.line_id)
    posting = repo.posting_in(ctx, item.account_id, data.posting_id)
    if posting is None:
        raise NotFound("no such posting in this account")
    if any(x.posting_id == posting.id and x.id != line.id for x in repo.lines(item.id)):
        raise Conflict("another statement line is matched to that posting")
    if posting.amount_minor != line.amount_minor:
        raise InvalidInput("posting_id", "the posting's amount differs from the line's")
    line.posting_id, line.match_reason = posting.id, "matched by you"
    session.flush()
    repo.set_status(ctx, item.account_id, [posting.id], PostingStatus.CLEARED.value)
    return read(session, ctx, item)


def unmatch(
    session: Session, ctx: Ctx, reconciliation_id: str, data: LineRef
) -> ReconciliationRead:
    item = _open(session, ctx, reconciliation_id)
    line = _line(session, item, data.line_id)
    line.posting_id, line.match_reason = None, ""
    session.flush()
    return read(session, ctx, item)


def create_from_line(
    session: Session, ctx: Ctx, reconciliation_id: str, data: LineCreate
) -> ReconciliationRead:
    """A line the ledger lacks (a bank fee) becomes a cleared transaction, matched."""
    item = _open(session, ctx, reconciliation_id)
    line = _line(session, item, data.line_id)
    if line.posting_id:
        raise Conflict("the line is matched already")
    category = data.category_id
    if category is None:
        kind = Kind.EXPENSE if line.amount_minor <= 0 else Kind.INCOME
        category = accounts_service.uncategorised_category(session, ctx, kind)
    created = ledger.create(
        session,
        ctx,
        TransactionCreate(
            date=line.date,
            payee=line.payee or None,
            memo=line.memo,
            postings=[
                PostingIn(
                    account_id=item.account_id,
                    amount=format_plain(line.amount_minor, item.currency),
                    currency=item.currency,
                ),
                PostingIn(
                    account_id=category,
                    amount=format_plain(-line.amount_minor, item.currency),
                    currency=item.currency,
                ),
            ],
        ),
    )
    posting = next(p for p in created.postings if p.account_id == item.account_id)
    line.posting_id, line.match_reason = posting.id, "created from the statement line"
    session.flush()
    return read(session, ctx, item)


def clear(
    session: Session, ctx: Ctx, reconciliation_id: str, data: ClearPostings
) -> ReconciliationRead:
    item = _open(session, ctx, reconciliation_id)
    status = PostingStatus.CLEARED if data.cleared else PostingStatus.PENDING
    repo = ReconciliationRepository(session)
    for index, posting_id in enumerate(data.posting_ids):
        if repo.posting_in(ctx, item.account_id, posting_id) is None:
            raise NotFound(f"no such posting in this account: posting_ids[{index}]")
    repo.set_status(ctx, item.account_id, data.posting_ids, status.value)
    return read(session, ctx, item)


def finish(session: Session, ctx: Ctx, reconciliation_id: str) -> ReconciliationRead:
    item = _open(session, ctx, reconciliation_id)
    repo = ReconciliationRepository(session)
    cleared = repo.cleared_balance(ctx, item.account_id, item.statement_date)
    difference = item.statement_balance_minor - cleared
    if difference:
        raise NotReconciled(
            f"the statement says {format_plain(item.statement_balance_minor, item.currency)}, "
            f"the cleared balance is {format_plain(cleared, item.currency)}: "
            f"{format_plain(difference, item.currency)} to explain before finishing",
            difference=format_plain(difference, item.currency),
        )
    item.reconciled_count = repo.mark_reconciled(ctx, item.account_id, item.statement_date)
    item.status, item.finished_at = ReconciliationStatus.FINISHED.value, utcnow()
    session.flush()
    metrics.RECONCILIATIONS.inc()
    audit.record(
        session,
        "reconciliation.finished",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=item.id,
        account=item.account_id,
        statement_date=item.statement_date,
        balance=format_plain(item.statement_balance_minor, item.currency),
        postings=item.reconciled_count,
    )
    return read(session, ctx, item)


def cancel(session: Session, ctx: Ctx, reconciliation_id: str) -> None:
    """Drops an open reconciliation; postings keep their status."""
    item = _open(session, ctx, reconciliation_id)
    ReconciliationRepository(session).delete(item)
