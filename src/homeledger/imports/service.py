"""Imports: upload -> preview -> commit, the one-pass import of the CLI, revert, and
the CSV mapping profiles saved per account and per bank.

A bad file raises `BadImportFile` (422, naming the line and field) and the edge rolls
everything back; rows the account cannot take (another currency, too many decimals)
refuse the commit unless the caller says to skip them. Either way nothing is half
written."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import IO, Any

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts_service
from homeledger.accounts.models import Account, Kind
from homeledger.db.base import new_id, utcnow
from homeledger.imports import pipeline, profiles, reading
from homeledger.imports.errors import (
    BadImportFile,
    BatchNotOpen,
    ImportFileError,
    RowsRefused,
)
from homeledger.imports.models import BatchStatus, ImportBatch, ImportRow, RowOutcome
from homeledger.imports.parsers import CsvProfile
from homeledger.imports.pipeline import SHEET, Mode, Override, Run, run_chunks
from homeledger.imports.repository import ImportRepository
from homeledger.imports.schemas import (
    ImportBatchRead,
    ImportCommit,
    ImportCounts,
    ImportPreview,
    ImportRowRead,
)
from homeledger.kit import audit, metrics
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import format_plain, to_minor
from homeledger.kit.storage import Storage
from homeledger.kit.tenancy import Ctx, Role
from homeledger.ledger.errors import ReconciledPosting
from homeledger.ledger.models import Posting, PostingStatus
from homeledger.ledger.repository import LedgerRepository
from homeledger.rules import service as rules_service
from homeledger.rules.schemas import PayeeAliasCreate

Progress = Callable[[int, int], None]
"""(rows done, bytes read)."""


# Reading the API shapes


def read_batch(session: Session, batch: ImportBatch) -> ImportBatchRead:
    errors = []
    if batch.error_count:
        rows = ImportRepository(session).rows_page(batch.id, "error", 0, 20)
        errors = [f"line {r.line}: {r.reason}" for r in rows]
    closing = batch.closing_balance_minor
    return ImportBatchRead(
        id=batch.id,
        account_id=batch.account_id,
        file_name=batch.file_name,
        file_sha256=batch.file_sha256,
        file_size=batch.file_size,
        format=batch.format,
        profile_name=batch.profile_name,
        profile=json.loads(batch.profile_json) if batch.profile_json else None,
        status=BatchStatus(batch.status).value,
        counts=ImportCounts(
            parsed=batch.parsed_count,
            new=batch.new_count,
            duplicate=batch.duplicate_count,
            transfer=batch.transfer_count,
            errors=batch.error_count,
            skipped=batch.skipped_count,
        ),
        notes=json.loads(batch.notes),
        errors=errors,
        currency=batch.currency,
        closing_balance=format_plain(closing, batch.currency) if closing is not None else None,
        closing_date=batch.closing_date,
        created_by=batch.created_by,
        created_at=batch.created_at,
        committed_at=batch.committed_at,
        reverted_at=batch.reverted_at,
    )


def _row_read(row: ImportRow, labels: dict[str, str]) -> ImportRowRead:
    return ImportRowRead(
        line=row.line,
        date=row.date,
        amount=format_plain(row.amount_minor, row.currency),
        currency=row.currency,
        pending=row.pending,
        raw_payee=row.raw_payee,
        payee=row.payee,
        memo=row.memo,
        bank_id=row.bank_id,
        status=row.outcome,
        reason=row.reason,
        category_id=row.target_id,
        category=labels.get(row.target_id or ""),
        category_reason=row.target_reason,
        transaction_id=row.transaction_id,
    )


# Running the pipeline


def _run(
    session: Session,
    ctx: Ctx,
    account: Account,
    batch: ImportBatch,
    mode: Mode,
    overrides: dict[int, Override] | None = None,
) -> tuple[Run, list[str]]:
    accounts = rules_service.all_accounts(session, ctx)
    rules, notes = rules_service.active_rules(session, ctx, accounts)
    run = Run(session, ctx, account, batch, mode, accounts, rules, overrides or {})
    return run, notes


def _read_file(
    session: Session,
    ctx: Ctx,
    account_id: str,
    stream: IO[bytes],
    file_name: str,
    mode: Mode,
    *,
    file_format: str,
    profile: CsvProfile | None,
    qif_day_first: bool | None,
    progress: Progress | None,
) -> tuple[ImportBatch, Run]:
    ctx.require(Role.EDITOR)
    account = accounts_service.get_account_model(session, ctx, account_id)
    if account.is_archived:
        raise InvalidInput("account_id", f"'{account.name}' is archived")
    assert account.currency is not None
    reader = reading.HashingReader(stream)
    saved = profiles.saved_for(session, ctx, account) if profile is None else []
    try:
        detected = reading.detect(
            io.BufferedReader(reader, 1 << 16),
            file_name,
            file_format,
            profile=profile,
            saved=saved,
            qif_day_first=qif_day_first,
        )
        batch = ImportRepository(session).add(
            ImportBatch(
                household_id=ctx.household_id,
                account_id=account.id,
                file_name=file_name[:255] or "upload",
                format=detected.file_format,
                profile_name=detected.profile.name if detected.profile else "",
                profile_json=detected.profile.to_json() if detected.profile else None,
                currency=account.currency,
                created_by=ctx.user_id,
            )
        )
        run, notes = _run(session, ctx, account, batch, mode)
        if progress is not None:
            run.progress = lambda rows: progress(rows, reader.size)
        run_chunks(run, reading.parse(run, detected.parser))
    except ImportFileError as error:
        metrics.IMPORTS.labels(outcome="failed").inc()
        raise BadImportFile.from_error(error) from None
    batch.file_sha256, batch.file_size = reader.sha256.hexdigest(), reader.size
    _statement_facts(batch, detected.parser.statements, notes)
    earlier = ImportRepository(session).earlier_same_file(
        ctx, account.id, batch.file_sha256, batch.id
    )
    if earlier is not None:
        notes.append(f"this exact file was imported on {earlier.created_at:%Y-%m-%d}")
    batch.notes = json.dumps([*detected.notes, *notes])
    _set_counts(batch, run)
    return batch, run


def _statement_facts(batch: ImportBatch, statements: Any, notes: list[str]) -> None:
    hints = sorted({s.account_id_hint for s in statements if s.account_id_hint})
    if len(hints) > 1:
        notes.append(f"the file holds statements of {len(hints)} accounts: {', '.join(hints)}")
    closing = [s.closing_balance for s in statements if s.closing_balance is not None]
    if closing:
        last = max(closing, key=lambda b: b.date or batch.created_at.date())
        try:
            batch.closing_balance_minor = to_minor(last.amount, batch.currency)
            batch.closing_date = last.date
        except InvalidInput:
            notes.append("the statement's closing balance does not fit the account's currency")


def _set_counts(batch: ImportBatch, run: Run) -> None:
    counts = run.counts
    batch.parsed_count = sum(counts.values())
    batch.new_count, batch.duplicate_count = counts["new"], counts["duplicate"]
    batch.transfer_count, batch.error_count = counts["transfer"], counts["error"]
    batch.skipped_count = counts["skipped"]


def _refuse_errors(run: Run, skip_errors: bool) -> None:
    if run.counts["error"] and not skip_errors:
        metrics.IMPORTS.labels(outcome="refused").inc()
        n = run.counts["error"]
        raise RowsRefused(
            f"{n} row{'s' if n > 1 else ''} cannot be imported, so nothing was: "
            + "; ".join(run.errors[:5])
            + ("; ..." if n > 5 else "")
            + ". Fix the file, or skip those rows.",
            field="file",
            rows=run.errors,
        )


def _committed(session: Session, ctx: Ctx, batch: ImportBatch, account: Account) -> None:
    batch.status, batch.committed_at = BatchStatus.COMMITTED.value, utcnow()
    profiles.remember(session, ctx, account, batch)
    session.flush()
    metrics.IMPORTS.labels(outcome="committed").inc()
    audit.record(
        session,
        "import.committed",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=batch.id,
        file=batch.file_name,
        sha256=batch.file_sha256,
        new=batch.new_count,
        duplicate=batch.duplicate_count,
        transfer=batch.transfer_count,
    )


def upload(
    session: Session,
    ctx: Ctx,
    account_id: str,
    stream: IO[bytes],
    file_name: str,
    *,
    file_format: str = "auto",
    profile: CsvProfile | None = None,
    qif_day_first: bool | None = None,
    progress: Progress | None = None,
) -> ImportBatchRead:
    """Reads the file and records every row with what committing would do to it; the
    ledger is not touched. Commit or discard the batch afterwards."""
    batch, _ = _read_file(
        session,
        ctx,
        account_id,
        stream,
        file_name,
        Mode.PREVIEW,
        file_format=file_format,
        profile=profile,
        qif_day_first=qif_day_first,
        progress=progress,
    )
    metrics.IMPORTS.labels(outcome="previewed").inc()
    return read_batch(session, batch)


def import_file(
    session: Session,
    ctx: Ctx,
    account_id: str,
    stream: IO[bytes],
    file_name: str,
    *,
    file_format: str = "auto",
    profile: CsvProfile | None = None,
    qif_day_first: bool | None = None,
    skip_errors: bool = False,
    progress: Progress | None = None,
) -> ImportBatchRead:
    """Reads and commits in one pass, in bounded memory (the CLI). A dry run is this,
    rolled back by the caller."""
    batch, run = _read_file(
        session,
        ctx,
        account_id,
        stream,
        file_name,
        Mode.DIRECT,
        file_format=file_format,
        profile=profile,
        qif_day_first=qif_day_first,
        progress=progress,
    )
    _refuse_errors(run, skip_errors)
    _committed(session, ctx, batch, run.account)
    return read_batch(session, batch)


def _batch(session: Session, ctx: Ctx, batch_id: str, for_update: bool = False) -> ImportBatch:
    batch = ImportRepository(session).batch(ctx, batch_id, for_update)
    if batch is None:
        raise NotFound("no such import")
    return batch


def commit(
    session: Session,
    ctx: Ctx,
    batch_id: str,
    data: ImportCommit,
    progress: Progress | None = None,
) -> ImportBatchRead:
    """Decides every row again (the ledger may have changed since the preview), applies
    the user's overrides, and writes: all rows or none."""
    ctx.require(Role.EDITOR)
    batch = _batch(session, ctx, batch_id, for_update=True)
    if batch.status != BatchStatus.STAGED:
        raise BatchNotOpen(f"this import is {batch.status}; only a previewed one can be committed")
    account = accounts_service.get_account_model(session, ctx, batch.account_id)
    accounts = rules_service.all_accounts(session, ctx)
    overrides = {}
    for index, item in enumerate(data.overrides):
        if item.category_id and item.category_id not in accounts:
            raise InvalidInput(f"overrides[{index}].category_id", "no such category")
        overrides[item.line] = Override(item.action, item.payee, item.category_id)
    run, _ = _run(session, ctx, account, batch, Mode.COMMIT_STAGED, overrides)
    if progress is not None:
        run.progress = lambda rows: progress(rows, 0)
    run_chunks(run, reading.staged_rows(run))
    _refuse_errors(run, data.skip_errors)
    _set_counts(batch, run)
    if data.learn:
        _learn(session, ctx, batch, data)
    _committed(session, ctx, batch, account)
    return read_batch(session, batch)


def _learn(session: Session, ctx: Ctx, batch: ImportBatch, data: ImportCommit) -> None:
    """A payee or category the user corrected in the preview becomes an alias."""
    corrected = {o.line: o for o in data.overrides if o.payee or o.category_id}
    for row in ImportRepository(session).rows_at_lines(batch.id, list(corrected)):
        item = corrected[row.line]
        if row.raw_payee:
            rules_service.save_alias(
                session,
                ctx,
                PayeeAliasCreate(raw=row.raw_payee, payee=item.payee, category_id=item.category_id),
            )


def preview(
    session: Session,
    ctx: Ctx,
    batch_id: str,
    status: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> ImportPreview:
    batch = _batch(session, ctx, batch_id)
    rows = ImportRepository(session).rows_page(batch.id, status, offset, limit + 1)
    labels = {k: v[0] for k, v in accounts_service.labels(session, ctx).items()}
    more = len(rows) > limit
    return ImportPreview(
        batch=read_batch(session, batch),
        rows=[_row_read(r, labels) for r in rows[:limit]],
        next_offset=offset + limit if more else None,
    )


def get_batch(session: Session, ctx: Ctx, batch_id: str) -> ImportBatchRead:
    return read_batch(session, _batch(session, ctx, batch_id))


def list_batches(
    session: Session, ctx: Ctx, account_id: str | None = None, limit: int = 50, offset: int = 0
) -> list[ImportBatchRead]:
    if account_id is not None:
        accounts_service.get_account_model(session, ctx, account_id)
    batches = ImportRepository(session).batches(ctx, account_id, limit, offset)
    return [read_batch(session, b) for b in batches]


def discard(session: Session, ctx: Ctx, batch_id: str) -> None:
    """Drops a previewed upload that will not be committed."""
    ctx.require(Role.EDITOR)
    batch = _batch(session, ctx, batch_id, for_update=True)
    if batch.status != BatchStatus.STAGED:
        raise BatchNotOpen("a committed import is reverted, not discarded")
    ImportRepository(session).delete(batch)


def revert(session: Session, ctx: Ctx, batch_id: str) -> ImportBatchRead:
    """Takes a committed import out of the ledger as a whole: the transactions it made
    are deleted; where it joined or was joined by another import's row (a transfer),
    only its side goes, back to Uncategorised. Refused, with nothing changed, when any
    of those postings is reconciled."""
    ctx.require(Role.EDITOR)
    batch = _batch(session, ctx, batch_id, for_update=True)
    if batch.status != BatchStatus.COMMITTED:
        raise BatchNotOpen(f"this import is {batch.status}; only a committed one can be reverted")
    repo, ledger = ImportRepository(session), LedgerRepository(session)
    deleted = detached = 0
    after = 0
    while links := repo.links_after(batch.id, after, pipeline.CHUNK_SIZE):
        after = links[-1][1]
        ids = [t for _, _, _, t in links]
        others = repo.links_of(ids)
        reconciled = repo.reconciled_postings(ids)
        doomed, loose = [], []
        for _, _, outcome, transaction_id in links:
            shared = any(b != batch.id for b, _ in others.get(transaction_id, []))
            if outcome == RowOutcome.NEW.value and not shared:
                doomed.append(transaction_id)
            elif outcome in (RowOutcome.NEW.value, RowOutcome.TRANSFER.value):
                loose.append(transaction_id)
        locked = {t for t, a in reconciled if t in doomed or a == batch.account_id}
        if locked:
            raise ReconciledPosting(
                f"{len(locked)} of this import's transactions are reconciled; "
                "un-reconcile them before reverting the import"
            )
        deleted += ledger.delete_bulk(ctx, doomed)
        for transaction_id in loose:
            deleted += _detach(session, ctx, transaction_id, batch.account_id)
            detached += 1
    repo.unlink_batch(batch.id)
    batch.status, batch.reverted_at = BatchStatus.REVERTED.value, utcnow()
    session.flush()
    metrics.IMPORTS.labels(outcome="reverted").inc()
    audit.record(
        session,
        "import.reverted",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=batch.id,
        file=batch.file_name,
        deleted=deleted,
        detached=detached,
    )
    return read_batch(session, batch)


def _detach(session: Session, ctx: Ctx, transaction_id: str, account_id: str) -> int:
    """The account's side of a transfer goes back to Uncategorised; a transaction with
    no account left is deleted. Returns 1 when it was deleted."""
    ledger = LedgerRepository(session)
    txn = ledger.get(ctx, transaction_id, for_update=True)
    if txn is None:
        return 0
    sheet = {a.id for a in rules_service.all_accounts(session, ctx).values() if a.kind in SHEET}
    postings = []
    for p in txn.postings:
        target, status = p.account_id, p.status
        if p.account_id == account_id:
            kind = Kind.EXPENSE if p.amount_minor >= 0 else Kind.INCOME
            target = accounts_service.uncategorised_category(session, ctx, kind)
            status = PostingStatus.CLEARED.value
        postings.append(
            Posting(
                household_id=p.household_id,
                account_id=target,
                date=p.date,
                amount_minor=p.amount_minor,
                currency=p.currency,
                status=status,
                memo=p.memo,
                position=p.position,
            )
        )
    if not any(p.account_id in sheet for p in postings):
        return ledger.delete_bulk(ctx, [txn.id])
    ledger.replace_postings(txn, postings)
    txn.version += 1
    session.flush()
    return 0


# Big files run as background jobs


def enqueue_upload(
    session: Session,
    ctx: Ctx,
    storage: Storage,
    account_id: str,
    stream: IO[bytes],
    file_name: str,
    *,
    file_format: str = "auto",
    profile_id: str | None = None,
    profile_json: str | None = None,
    qif_day_first: bool | None = None,
) -> str:
    """Keeps the file in storage and queues a job that reads it (progress in the jobs
    table); the job's result names the previewed batch. Returns the job id."""
    from homeledger.imports.tasks import UPLOAD, upload_key
    from homeledger.worker import enqueue_after_commit

    ctx.require(Role.EDITOR)
    account = accounts_service.get_account_model(session, ctx, account_id)
    if profile_json:
        profiles.parse_profile(profile_json)  # refuse a bad mapping now, not in the job
    key = upload_key(ctx.household_id, new_id())
    counter = reading.HashingReader(stream)
    storage.put(key, io.BufferedReader(counter, 1 << 16))
    job = enqueue_after_commit(
        session,
        UPLOAD,
        {
            "user_id": ctx.user_id,
            "account_id": account.id,
            "key": key,
            "size": counter.size,
            "file_name": file_name[:255],
            "format": file_format,
            "profile_id": profile_id,
            "profile": profile_json,
            "qif_day_first": qif_day_first,
        },
        ctx.household_id,
    )
    return job.id


def enqueue_commit(session: Session, ctx: Ctx, batch_id: str, data: ImportCommit) -> str:
    from homeledger.imports.tasks import COMMIT
    from homeledger.worker import enqueue_after_commit

    ctx.require(Role.EDITOR)
    batch = _batch(session, ctx, batch_id)
    if batch.status != BatchStatus.STAGED:
        raise BatchNotOpen(f"this import is {batch.status}; only a previewed one can be committed")
    job = enqueue_after_commit(
        session,
        COMMIT,
        {
            "user_id": ctx.user_id,
            "batch_id": batch.id,
            "rows": batch.parsed_count,
            "commit": data.model_dump(),
        },
        ctx.household_id,
    )
    return job.id
