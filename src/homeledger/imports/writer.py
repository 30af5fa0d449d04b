"""The last two steps of the import pipeline: `stage` turns a chunk of decided rows into
the rows to write (transactions, postings, payees, tags, import rows), `commit` writes
them. Ledger rows go through `LedgerRepository` (bulk insert, replace_postings), which
keeps the day totals equal to the postings; nothing here commits the transaction."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import insert, select

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Kind
from homeledger.accounts.repository import AccountRepository
from homeledger.db.base import new_id, utcnow
from homeledger.imports.pipeline import SHEET, TRANSFER, Row, Run, Staged
from homeledger.ledger.models import Payee, Posting, PostingStatus, Tag
from homeledger.ledger.repository import LedgerRepository
from homeledger.rules.repository import AliasRepository

PENDING, CLEARED = PostingStatus.PENDING.value, PostingStatus.CLEARED.value


def _new_ids(count: int) -> list[str]:
    """`count` ids like `new_id()` (32 hex digits of randomness) from one urandom call:
    a million uuid4() calls cost seconds."""
    raw = os.urandom(16 * count).hex()
    return [raw[32 * i : 32 * (i + 1)] for i in range(count)]


def _uncategorised(run: Run, category_amount: int) -> str:
    """The Uncategorised category for a posting of this sign, created on first use:
    money out lands in expense, money in in income."""
    kind = Kind.EXPENSE if category_amount >= 0 else Kind.INCOME
    if kind.value not in run.uncategorised:
        category_id = accounts_service.uncategorised_category(run.session, run.ctx, kind)
        run.uncategorised[kind.value] = category_id
        if category_id not in run.accounts:
            account = AccountRepository(run.session).get(run.ctx, category_id)
            assert account is not None
            run.accounts[category_id] = account
    return run.uncategorised[kind.value]


def _counter_postings(run: Run, row: Row) -> list[tuple[str, int, str, str]]:
    """(account, amount, status, memo) of what balances the account posting."""
    out: list[tuple[str, int, str, str]] = []
    if row.split_lines:
        for target, amount, memo in row.split_lines:
            status = PENDING if _is_sheet(run, target) else CLEARED
            out.append((target or _uncategorised(run, amount), amount, status, memo))
        rest = -row.amount_minor - sum(amount for _, amount, _ in row.split_lines)
        if rest:
            home = row.target_id if row.target_id and not _is_sheet(run, row.target_id) else None
            out.append((home or _uncategorised(run, rest), rest, CLEARED, ""))
        return out
    if row.target_id and _is_sheet(run, row.target_id):
        # The far account has not confirmed it yet: pending until its own file says so.
        return [(row.target_id, -row.amount_minor, PENDING, "")]
    target = row.target_id or _uncategorised(run, -row.amount_minor)
    return [(target, -row.amount_minor, CLEARED, "")]


def _is_sheet(run: Run, account_id: str | None) -> bool:
    account = run.accounts.get(account_id or "")
    return account is not None and account.kind in SHEET


def _names_to_ids(
    run: Run, model: type[Payee] | type[Tag], names: set[str]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    if not names:
        return {}, []
    query = select(model.name, model.id).where(
        model.household_id == run.ctx.household_id, model.name.in_(sorted(names))
    )
    known: dict[str, str] = {name: id_ for name, id_ in run.session.execute(query)}  # noqa: C416
    created = []
    now = utcnow()
    for name in sorted(names - set(known)):
        known[name] = new_id()
        created.append(
            {
                "id": known[name],
                "household_id": run.ctx.household_id,
                "name": name,
                "created_at": now,
            }
        )
    return known, created


def stage(run: Run, rows: list[Row]) -> None:
    staged = run.staged = Staged()
    if run.mode.writes_ledger:
        _stage_ledger(run, staged, rows)
    for row in rows:
        staged.records.append(_record(run, row))


def _stage_ledger(run: Run, staged: Staged, rows: list[Row]) -> None:
    new = [r for r in rows if r.is_new]
    payees, staged.new_payees = _names_to_ids(run, Payee, {r.payee for r in new if r.payee})
    tags, staged.new_tags = _names_to_ids(run, Tag, {t for r in new for t in r.tags})
    now, household, account = utcnow(), run.ctx.household_id, run.account
    assert account.currency is not None
    own_status = CLEARED
    ids = iter(_new_ids(len(new) * 4))
    for row in new:
        transaction_id = next(ids)
        row.transaction_id, row.is_link = transaction_id, True
        staged.transactions.append(
            {
                "id": transaction_id,
                "household_id": household,
                "date": row.date,
                "payee_id": payees.get(row.payee),
                "memo": row.memo_override if row.memo_override is not None else row.memo,
                "version": 1,
                "created_by": run.ctx.user_id,
                "created_at": now,
                "updated_at": now,
            }
        )
        status = PENDING if row.pending else own_status
        lines = [(account.id, row.amount_minor, status, ""), *_counter_postings(run, row)]
        for position, (account_id, amount, line_status, memo) in enumerate(lines):
            staged.postings.append(
                {
                    "id": next(ids, None) or new_id(),
                    "transaction_id": transaction_id,
                    "household_id": household,
                    "account_id": account_id,
                    "date": row.date,
                    "amount_minor": amount,
                    "currency": account.currency,
                    "status": line_status,
                    "memo": memo,
                    "position": position,
                }
            )
        staged.tag_links += [
            {"transaction_id": transaction_id, "tag_id": tags[t]} for t in sorted(set(row.tags))
        ]
        if row.learned_key:
            staged.remembered[row.learned_key] = transaction_id
    for row in rows:
        if row.outcome == TRANSFER and row.merge_posting_id:
            staged.merges.append(row)
        if row.upgrade_posting_id:
            staged.upgrades.append(row.upgrade_posting_id)


def _record(run: Run, row: Row) -> dict[str, Any]:
    target = row.target_id
    if row.is_new and target is None and run.mode.writes_ledger:
        target = run.uncategorised.get(
            Kind.EXPENSE.value if row.amount_minor <= 0 else Kind.INCOME.value
        )
    decided = {
        "outcome": row.outcome,
        "reason": row.reason[:300],
        "payee": row.payee,
        "target_id": target,
        "target_reason": _target_reason(row)[:300],
        "is_link": row.is_link and run.mode.writes_ledger,
        "transaction_id": row.transaction_id,
    }
    if row.row_id is not None:
        return {"row_id": row.row_id, **decided}
    return {
        "batch_id": run.batch.id,
        "household_id": run.ctx.household_id,
        "account_id": run.account.id,
        "line": row.line,
        "date": row.date,
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "pending": row.pending,
        "raw_payee": row.raw_payee,
        "memo": row.memo,
        "bank_id": row.bank_id,
        "fingerprint": row.fingerprint,
        "occurrence": row.occurrence,
        "extra": row.extra(),
        **decided,
    }


def _target_reason(row: Row) -> str:
    if not row.is_new or row.target_reason:
        return row.target_reason
    return "no rule or earlier choice: Uncategorised"


def commit(run: Run, rows: list[Row]) -> None:
    staged = run.staged
    if run.mode.writes_ledger:
        _commit_ledger(run, staged)
    if run.mode.reads_file:
        run.repo.insert_rows(staged.records)
    else:
        run.repo.update_rows(staged.records)
    run.staged = Staged()


def _commit_ledger(run: Run, staged: Staged) -> None:
    session, ledger = run.session, LedgerRepository(run.session)
    if staged.new_payees:
        session.execute(insert(Payee), staged.new_payees)
    if staged.new_tags:
        session.execute(insert(Tag), staged.new_tags)
    ledger.add_bulk(staged.transactions, staged.postings, staged.tag_links)
    for row in staged.merges:
        _merge(run, row)
    run.repo.set_posting_status(staged.upgrades, CLEARED)
    AliasRepository(session).remember_last(run.ctx, sorted(staged.remembered.items()))


def _merge(run: Run, row: Row) -> None:
    """The far side's Uncategorised posting becomes this account's posting."""
    ledger = LedgerRepository(run.session)
    assert row.transaction_id is not None
    txn = ledger.get(run.ctx, row.transaction_id, for_update=True)
    assert txn is not None
    postings = []
    for p in txn.postings:
        if p.id == row.merge_posting_id:
            status = PENDING if row.pending else CLEARED
            account_id, amount = run.account.id, row.amount_minor
        else:
            status, account_id, amount = p.status, p.account_id, p.amount_minor
        postings.append(
            Posting(
                household_id=p.household_id,
                account_id=account_id,
                date=p.date,
                amount_minor=amount,
                currency=p.currency,
                status=status,
                memo=p.memo,
                position=p.position,
            )
        )
    ledger.replace_postings(txn, postings)
    txn.version += 1
    run.session.flush()


def finish(run: Run) -> None:
    """After the last chunk: keep what was learned from the user's corrections."""
    latest = {key: (key, payee, target) for key, payee, target in run.learned_corrections}
    AliasRepository(run.session).store_learned(run.ctx, list(latest.values()))
