"""The categoriser's rules: train, store, suggest, and retrain after corrections.

The categoriser store is derived data, like a cache: a household without a usable
model (none yet, another feature version, or bytes that fail their HMAC) gets one
trained from its ledger on first use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import structlog
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.db.base import utcnow
from homeledger.insights import categorise
from homeledger.insights.calc import Entry, money
from homeledger.insights.errors import NoModel, NotEnoughHistory
from homeledger.insights.models import CategoriserModel
from homeledger.insights.repository import InsightsRepository
from homeledger.insights.schemas import (
    ModelRead,
    SuggestionRead,
    SuggestRequest,
    SuggestRowsRead,
    TransactionSuggestions,
)
from homeledger.kit import audit
from homeledger.kit.errors import NotFound
from homeledger.kit.money import to_minor
from homeledger.kit.tenancy import Ctx, Role

log = structlog.get_logger("homeledger.insights")

RETRAIN_AFTER_CORRECTIONS = 10
"""Corrections since training that make the retrain job train again."""
RETRAIN_GROWTH = 0.25
"""...or this much growth of the categorised history since training."""
CHECK_INTERVAL = dt.timedelta(hours=1)
"""Serving suggestions with an older correction count queues the retrain check."""
MAX_TRAINING = 20_000
"""The newest categorised transactions a model learns from."""
RETRAIN_JOB = "insights.retrain"


def categoriser_key(secret_key: str) -> bytes:
    """The HMAC key of stored models, derived from the app's secret."""
    return hashlib.sha256(b"homeledger-categoriser-models:" + secret_key.encode()).digest()


def household_ctx(session: Session, household_id: str) -> Ctx:
    """The context a job or an operator command acts in: the household's first owner."""
    owner = InsightsRepository(session).owner_id(household_id)
    if owner is None:
        raise NotFound(f"no household {household_id} (or it has no owner)")
    return Ctx(owner, household_id, Role.OWNER)


# Categorisation


def row_of(entry: Entry) -> categorise.Row:
    return categorise.Row(
        payee=entry.payee,
        memo=entry.memo,
        amount_minor=entry.amount_minor,
        currency=entry.currency,
        account_id=entry.account_id,
        date=entry.date,
    )


def labelled(entries: Sequence[Entry]) -> tuple[list[categorise.Row], list[str]]:
    """The training examples: transactions with exactly one income or expense posting
    (splits, transfers and Uncategorised ones are left out)."""
    chosen = [e for e in entries if e.category_id is not None][-MAX_TRAINING:]
    return [row_of(e) for e in chosen], [e.category_id or "" for e in chosen]


def _model_read(row: CategoriserModel) -> ModelRead:
    return ModelRead(
        trained_at=row.trained_at,
        training_size=row.training_size,
        category_count=row.category_count,
        accuracy=round(row.holdout_correct / row.holdout_size, 4) if row.holdout_size else None,
        holdout_size=row.holdout_size,
        corrections_since=row.corrections_since,
        checked_at=row.checked_at,
        feature_version=row.feature_version,
    )


def _train(
    session: Session, ctx: Ctx, key: bytes
) -> tuple[CategoriserModel, categorise.Categoriser]:
    rows, labels = labelled(InsightsRepository(session).entries(ctx))
    model = categorise.train(rows, labels)  # NotEnoughExamples when too few
    blob = categorise.dump(model)
    now = utcnow()
    stored = InsightsRepository(session).save_model(
        ctx,
        {
            "model": blob,
            "signature": categorise.sign(blob, key, ctx.household_id),
            "feature_version": categorise.FEATURE_VERSION,
            "training_size": model.training_size,
            "category_count": len(model.category_ids),
            "holdout_size": model.holdout_size,
            "holdout_correct": model.holdout_correct,
            "trained_at": now,
            "corrections_since": 0,
            "checked_at": now,
        },
    )
    log.info(
        "categoriser trained",
        household_id=ctx.household_id,
        training_size=model.training_size,
        accuracy=model.accuracy,
    )
    return stored, model


def _stored(
    session: Session, ctx: Ctx, key: bytes
) -> tuple[CategoriserModel | None, categorise.Categoriser | None]:
    """The stored model, if there is one this code can use."""
    row = InsightsRepository(session).model(ctx)
    if row is None or row.feature_version != categorise.FEATURE_VERSION:
        return row, None
    try:
        return row, categorise.load(row.model, row.signature, key, ctx.household_id)
    except categorise.TamperedModel as error:
        log.warning("stored categoriser refused", household_id=ctx.household_id, error=str(error))
        audit.record(
            session,
            "insights.model_refused",
            user_id=ctx.user_id,
            household_id=ctx.household_id,
            target=row.id,
            reason=str(error),
        )
        return row, None


def household_model(
    session: Session, ctx: Ctx, key: bytes
) -> tuple[CategoriserModel, categorise.Categoriser]:
    """The household's model, trained now when there is no usable one;
    `NotEnoughHistory` when the household has too little categorised history. The
    import pipeline calls this, then `categorise.suggest(model, rows)`."""
    row, model = _stored(session, ctx, key)
    if row is not None and model is not None:
        _queue_check_if_stale(session, ctx, row)
        return row, model
    try:
        return _train(session, ctx, key)
    except categorise.NotEnoughExamples as error:
        raise NotEnoughHistory(str(error)) from None


def _queue_check_if_stale(session: Session, ctx: Ctx, row: CategoriserModel) -> None:
    if utcnow() - row.checked_at < CHECK_INTERVAL:
        return
    from homeledger.worker import enqueue_after_commit  # the worker builds on the domains

    enqueue_after_commit(
        session,
        RETRAIN_JOB,
        {},
        ctx.household_id,
        idempotency_key=f"{RETRAIN_JOB}:{ctx.household_id}:{row.checked_at.isoformat()}",
    )


def train(session: Session, ctx: Ctx, key: bytes) -> ModelRead:
    """Trains the household's model now (an editor's request, a job, the CLI)."""
    ctx.require(Role.EDITOR)
    try:
        row, _ = _train(session, ctx, key)
    except categorise.NotEnoughExamples as error:
        raise NotEnoughHistory(str(error)) from None
    return _model_read(row)


def model_status(session: Session, ctx: Ctx) -> ModelRead:
    row = InsightsRepository(session).model(ctx)
    if row is None:
        raise NoModel("no categoriser has been trained for this household yet")
    return _model_read(row)


def _open_categories(session: Session, ctx: Ctx) -> dict[str, str]:
    return {c.id: c.path for c in accounts.list_categories(session, ctx) if not c.is_archived}


def _reads(
    suggestions: Sequence[categorise.Suggestion], paths: dict[str, str]
) -> list[SuggestionRead]:
    # A category merged, deleted or archived since training is not offered.
    return [
        SuggestionRead(
            category_id=s.category_id, category=paths[s.category_id], confidence=s.confidence
        )
        for s in suggestions
        if s.category_id in paths
    ]


def _for_entries(
    session: Session, ctx: Ctx, key: bytes, entries: Sequence[Entry], top: int
) -> list[TransactionSuggestions]:
    note = None
    ranked: list[list[categorise.Suggestion]] = [[] for _ in entries]
    if entries:
        try:
            _, model = household_model(session, ctx, key)
            ranked = model.rank([row_of(e) for e in entries], top=top)
        except NotEnoughHistory as error:
            note = error.detail
    paths = _open_categories(session, ctx)
    return [
        TransactionSuggestions(
            transaction_id=e.transaction_id,
            date=e.date,
            payee=e.payee,
            amount=money(e.amount_minor, e.currency),
            currency=e.currency,
            category_id=e.category_id,
            suggestions=_reads(r, paths),
            note=note,
        )
        for e, r in zip(entries, ranked, strict=True)
    ]


def transaction_suggestions(
    session: Session, ctx: Ctx, key: bytes, transaction_id: str, top: int = 3
) -> TransactionSuggestions:
    entries = InsightsRepository(session).entries_by_id(ctx, [transaction_id])
    if not entries:
        raise NotFound("no such transaction")
    return _for_entries(session, ctx, key, entries, top)[0]


def uncategorised_suggestions(
    session: Session, ctx: Ctx, key: bytes, limit: int = 50, top: int = 3
) -> list[TransactionSuggestions]:
    """Suggestions for the newest transactions still in an Uncategorised category."""
    repo = InsightsRepository(session)
    ids = repo.uncategorised_ids(ctx, limit)
    entries = sorted(repo.entries_by_id(ctx, ids), key=lambda e: (e.date, e.transaction_id))
    return _for_entries(session, ctx, key, entries[::-1], top)


def suggest_rows(session: Session, ctx: Ctx, key: bytes, data: SuggestRequest) -> SuggestRowsRead:
    """Suggestions for rows that are not in the ledger yet (an import's preview)."""
    rows = [
        categorise.Row(
            payee=r.payee,
            memo=r.memo,
            amount_minor=to_minor(Decimal(r.amount), r.currency, f"rows[{i}].amount"),
            currency=r.currency,
            account_id=r.account_id,
            date=r.date,
        )
        for i, r in enumerate(data.rows)
    ]
    try:
        stored, model = household_model(session, ctx, key)
    except NotEnoughHistory as error:
        return SuggestRowsRead(suggestions=[[] for _ in rows], model=None, note=error.detail)
    paths = _open_categories(session, ctx)
    return SuggestRowsRead(
        suggestions=[_reads(r, paths) for r in model.rank(rows, top=data.top)],
        model=_model_read(stored),
    )


def count_corrections(
    entries: Sequence[Entry], model: categorise.Categoriser, since: dt.datetime
) -> int:
    """Transactions categorised (created or edited) after `since` whose category is not
    the model's first suggestion: what the model would have got wrong."""
    changed = [
        e for e in entries if e.category_id and e.updated_at is not None and e.updated_at > since
    ]
    if not changed:
        return 0
    predicted = model.predict([row_of(e) for e in changed])
    return sum(p != e.category_id for p, e in zip(predicted, changed, strict=True))


@dataclass(frozen=True)
class RetrainResult:
    retrained: bool
    corrections: int
    reason: str
    model: ModelRead | None


def retrain_if_due(session: Session, ctx: Ctx, key: bytes, *, force: bool = False) -> RetrainResult:
    """Counts the corrections since training and retrains when there are at least
    `RETRAIN_AFTER_CORRECTIONS`, when the categorised history grew by a quarter, when
    the stored model is unusable, or when forced. The retrain job runs this."""
    ctx.require(Role.EDITOR)
    entries = InsightsRepository(session).entries(ctx)
    row, model = _stored(session, ctx, key)
    corrections = 0
    reason = "forced" if force else ""
    if row is None or model is None:
        reason = reason or "no usable model"
    else:
        corrections = count_corrections(entries, model, row.trained_at)
        InsightsRepository(session).set_corrections(row, corrections, utcnow())
        grown = len(labelled(entries)[0]) - row.training_size
        if corrections >= RETRAIN_AFTER_CORRECTIONS:
            reason = reason or f"{corrections} corrections since training"
        elif grown >= RETRAIN_GROWTH * row.training_size:
            reason = reason or f"{grown} more categorised transactions since training"
    if not reason:
        assert row is not None
        return RetrainResult(False, corrections, "not due", _model_read(row))
    try:
        trained, _ = _train(session, ctx, key)
    except categorise.NotEnoughExamples as error:
        return RetrainResult(False, corrections, str(error), None)
    return RetrainResult(True, corrections, reason, _model_read(trained))
