"""Subscriptions, unusual transactions and months, and dismissals: each insight says
why it was raised, and a dismissed one is not shown again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.insights import anomalies as anomaly_calc
from homeledger.insights import recurring
from homeledger.insights.calc import Entry, money
from homeledger.insights.errors import InsightNotFound
from homeledger.insights.models import InsightDismissal
from homeledger.insights.repository import InsightsRepository
from homeledger.insights.schemas import (
    AnomalyRead,
    DismissalRead,
    PriceChangeRead,
    ProposedPosting,
    ScheduleProposalRead,
    SubscriptionRead,
)
from homeledger.kit import audit
from homeledger.kit.tenancy import Ctx, Role

SUBSCRIPTION_YEARS = 3
"""How much history the subscription detector reads."""


def _charges(entries: Sequence[Entry]) -> list[recurring.Charge]:
    return [
        recurring.Charge(
            transaction_id=e.transaction_id,
            date=e.date,
            payee=e.payee,
            amount_minor=-e.amount_minor,
            currency=e.currency,
            account_id=e.account_id,
            category_id=e.category_id,
        )
        for e in entries
        if e.amount_minor < 0 and not e.is_transfer and e.account_id is not None
    ]


def _detect_subscriptions(session: Session, ctx: Ctx, today: dt.date) -> list[recurring.Recurring]:
    since = today - dt.timedelta(days=366 * SUBSCRIPTION_YEARS)
    entries = InsightsRepository(session).entries(ctx, since=since, until=today)
    return recurring.detect(_charges(entries), today)


def _subscription_read(
    item: recurring.Recurring, paths: dict[str, tuple[str, Kind]], dismissed: set[str]
) -> SubscriptionRead:
    currency = item.currency
    return SubscriptionRead(
        key=item.key,
        kind=recurring.KIND,
        title=item.title,
        why=item.why,
        dismissed=item.key in dismissed,
        payee=item.payee,
        currency=currency,
        cadence=item.cadence.value,
        day=item.day,
        occurrences=item.occurrences,
        first_date=item.first_date,
        last_date=item.last_date,
        amount=money(item.amount_minor, currency),
        fixed=item.fixed,
        variation=item.variation,
        yearly_cost=money(item.yearly_cost_minor, currency),
        price_changes=[
            PriceChangeRead(
                date=c.date,
                old_amount=money(c.old_minor, currency),
                new_amount=money(c.new_minor, currency),
            )
            for c in item.price_changes
        ],
        next_expected=item.next_expected,
        active=item.active,
        account_id=item.account_id,
        category_id=item.category_id,
        category=paths[item.category_id][0] if item.category_id in paths else None,
        transaction_ids=list(item.transaction_ids),
    )


def subscriptions(
    session: Session,
    ctx: Ctx,
    today: dt.date | None = None,
    *,
    include_ended: bool = True,
    include_dismissed: bool = False,
) -> list[SubscriptionRead]:
    """Recurring charges of the last three years: running ones first, then by cost."""
    today = today or dt.date.today()
    dismissed = InsightsRepository(session).dismissed_keys(ctx)
    paths = accounts.labels(session, ctx)
    return [
        _subscription_read(item, paths, dismissed)
        for item in _detect_subscriptions(session, ctx, today)
        if (include_ended or item.active) and (include_dismissed or item.key not in dismissed)
    ]


def schedule_proposal(
    session: Session, ctx: Ctx, insight_key: str, today: dt.date | None = None
) -> ScheduleProposalRead:
    """The schedule a recurring charge would become. Schedules are not stored yet, so
    this returns the proposal (rule and template) and saves nothing."""
    today = today or dt.date.today()
    item = next(
        (s for s in _detect_subscriptions(session, ctx, today) if s.key == insight_key), None
    )
    if item is None:
        raise InsightNotFound("no such subscription in this household")
    proposal = recurring.schedule_proposal(item, today)
    postings = []
    if proposal.account_id and proposal.category_id:
        amount = proposal.amount_minor
        postings = [
            ProposedPosting(
                account_id=proposal.account_id,
                amount=money(amount, proposal.currency),
                currency=proposal.currency,
            ),
            ProposedPosting(
                account_id=proposal.category_id,
                amount=money(-amount, proposal.currency),
                currency=proposal.currency,
            ),
        ]
    return ScheduleProposalRead(
        insight_key=item.key,
        name=proposal.label,
        rule=proposal.rule,
        start=proposal.start,
        amount=money(proposal.amount_minor, proposal.currency),
        currency=proposal.currency,
        account_id=proposal.account_id,
        category_id=proposal.category_id,
        payee=proposal.payee,
        postings=postings,
        persisted=False,
    )


def _spends(session: Session, ctx: Ctx, entries: Sequence[Entry]) -> list[anomaly_calc.Spend]:
    expense = {
        c.id for c in accounts.list_categories(session, ctx) if c.kind == Kind.EXPENSE.value
    } - set(accounts.uncategorised_ids(session, ctx))
    return [
        anomaly_calc.Spend(
            transaction_id=e.transaction_id,
            date=e.date,
            payee=e.payee,
            category_id=p.category_id,
            amount_minor=p.amount_minor,
            currency=p.currency,
        )
        for e in entries
        for p in e.categories
        if p.category_id in expense
    ]


def default_since(today: dt.date) -> dt.date:
    """The first day of the month two months back: this month and the two before."""
    index = today.year * 12 + today.month - 1 - 2
    return dt.date(index // 12, index % 12 + 1, 1)


def _detect_anomalies(
    session: Session, ctx: Ctx, since: dt.date, today: dt.date
) -> list[anomaly_calc.Anomaly]:
    start = dt.date(since.year - 1, since.month, 1) - dt.timedelta(days=1)
    entries = InsightsRepository(session).entries(ctx, since=start, until=today)
    spends = _spends(session, ctx, entries)
    names = {c.id: c.name for c in accounts.list_categories(session, ctx)}
    found = anomaly_calc.unusual_months(spends, names, since, today)
    found += anomaly_calc.unusual_transactions(spends, names, since, today)
    return sorted(found, key=lambda a: (a.date, a.kind, a.key), reverse=True)


def anomalies(
    session: Session,
    ctx: Ctx,
    today: dt.date | None = None,
    since: dt.date | None = None,
    *,
    include_dismissed: bool = False,
) -> list[AnomalyRead]:
    """Unusual transactions and months from `since` (default: this month and the two
    before) to today, newest first."""
    today = today or dt.date.today()
    since = since or default_since(today)
    dismissed = InsightsRepository(session).dismissed_keys(ctx)
    paths = accounts.labels(session, ctx)
    return [
        AnomalyRead(
            key=a.key,
            kind=a.kind,
            title=a.title,
            why=a.why,
            dismissed=a.key in dismissed,
            category_id=a.category_id,
            category=paths[a.category_id][0] if a.category_id in paths else "",
            currency=a.currency,
            amount=money(a.amount_minor, a.currency),
            usual=money(a.usual_minor, a.currency),
            ratio=a.ratio,
            score=None if a.score == float("inf") else a.score,
            history_size=a.history_size,
            date=a.date,
            transaction_id=a.transaction_id,
            basis=a.basis,
        )
        for a in _detect_anomalies(session, ctx, since, today)
        if include_dismissed or a.key not in dismissed
    ]


DISMISSAL_LOOKBACK_DAYS = 400
"""How far back `dismiss` looks for the insight a key names."""


def _find_insight(
    session: Session, ctx: Ctx, insight_key: str, today: dt.date
) -> tuple[str, str] | None:
    """(kind, title) of the household's insight with this key, if it is raised now."""
    for item in _detect_subscriptions(session, ctx, today):
        if item.key == insight_key:
            return recurring.KIND, item.title
    since = today - dt.timedelta(days=DISMISSAL_LOOKBACK_DAYS)
    for anomaly in _detect_anomalies(session, ctx, since, today):
        if anomaly.key == insight_key:
            return anomaly.kind, anomaly.title
    return None


def _dismissal_read(row: InsightDismissal) -> DismissalRead:
    return DismissalRead(
        insight_key=row.insight_key,
        kind=row.kind,
        title=row.title,
        user_id=row.user_id,
        created_at=row.created_at,
    )


def dismiss(
    session: Session, ctx: Ctx, insight_key: str, today: dt.date | None = None
) -> DismissalRead:
    """Hides an insight for the whole household from now on (audited). Dismissing it
    again changes nothing."""
    ctx.require(Role.EDITOR)
    repo = InsightsRepository(session)
    existing = repo.dismissal(ctx, insight_key)
    if existing is not None:
        return _dismissal_read(existing)
    found = _find_insight(session, ctx, insight_key, today or dt.date.today())
    if found is None:
        raise InsightNotFound("no such insight in this household")
    kind, title = found
    row = repo.add_dismissal(
        InsightDismissal(
            household_id=ctx.household_id,
            insight_key=insight_key,
            kind=kind,
            title=title[:200],
            user_id=ctx.user_id,
        )
    )
    audit.record(
        session,
        "insight.dismissed",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=insight_key,
        kind=kind,
        title=title,
    )
    return _dismissal_read(row)


def restore(session: Session, ctx: Ctx, insight_key: str) -> None:
    """Shows a dismissed insight again (audited)."""
    ctx.require(Role.EDITOR)
    repo = InsightsRepository(session)
    existing = repo.dismissal(ctx, insight_key)
    if existing is None:
        raise InsightNotFound("this insight is not dismissed in this household")
    repo.delete_dismissal(ctx, insight_key)
    audit.record(
        session,
        "insight.restored",
        user_id=ctx.user_id,
        household_id=ctx.household_id,
        target=insight_key,
        kind=existing.kind,
    )


def dismissals(session: Session, ctx: Ctx) -> list[DismissalRead]:
    return [_dismissal_read(d) for d in InsightsRepository(session).dismissals(ctx)]
