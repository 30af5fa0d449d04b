"""Budgets: create and change them, assign, move, templates, the period view, alerts.

The arithmetic is `budgets.calc` (envelope and tracking periods, rollover, alerts)
and `budgets.templates`; `budgets.closing` loads the ledger's figures for it. Alerts
are computed when asked for (`GET .../alerts`, and in every period view): there is
no notification channel yet to deliver them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from homeledger.accounts.models import Kind
from homeledger.accounts.service import get_account_model
from homeledger.budgets.calc import Alert, EnvelopeLine, TrackingLine, cover_overspending
from homeledger.budgets.closing import Closed, budget_rule, close_through, daily_alerts
from homeledger.budgets.errors import DuplicateBudget, NotInThisMode
from homeledger.budgets.models import (
    Budget,
    BudgetAssignment,
    BudgetMode,
    BudgetMove,
    PeriodKind,
)
from homeledger.budgets.periods import Period
from homeledger.budgets.repository import BudgetRepository
from homeledger.budgets.schemas import (
    AlertRead,
    AssignmentRead,
    AssignmentSet,
    BudgetCreate,
    BudgetLineRead,
    BudgetPeriodView,
    BudgetRead,
    BudgetUpdate,
    CoverCreate,
    MoveCreate,
    MoveRead,
    PeriodRuleIn,
    PeriodRuleRead,
)
from homeledger.db.base import utcnow
from homeledger.fx.service import base_currency
from homeledger.kit.errors import InvalidInput, NotFound
from homeledger.kit.money import format_plain, to_minor
from homeledger.kit.tenancy import Ctx, Role
from homeledger.reports.schemas import Drill, PeriodRead

EXPENSE = {Kind.EXPENSE}


def period_read(period: Period) -> PeriodRead:
    return PeriodRead(start=period.start, end=period.end, last_day=period.last_day)


def _read(budget: Budget) -> BudgetRead:
    return BudgetRead(
        id=budget.id,
        name=budget.name,
        mode=BudgetMode(budget.mode),
        currency=budget.currency,
        starts_on=budget.starts_on,
        period=PeriodRuleRead(
            kind=PeriodKind(budget.period_kind),
            day=budget.period_day if budget.period_kind == PeriodKind.MONTH_FROM_DAY else None,
            first_day=budget.period_day if budget.period_kind == PeriodKind.TWICE_MONTHLY else None,
            second_day=budget.period_second_day,
            anchor=budget.period_anchor,
            weeks=budget.period_weeks,
            weekend_shift=budget.weekend_shift,
        ),
        spending_account_id=budget.spending_account_id,
        created_at=budget.created_at,
    )


def get_budget_model(session: Session, ctx: Ctx, budget_id: str) -> Budget:
    budget = BudgetRepository(session).get(ctx, budget_id)
    if budget is None:
        raise NotFound("no such budget")
    return budget


def _set_period(budget: Budget, rule: PeriodRuleIn) -> None:
    twice = rule.kind == PeriodKind.TWICE_MONTHLY
    budget.period_kind = rule.kind.value
    budget.period_day = rule.first_day if twice else rule.day
    budget.period_second_day = rule.second_day if twice else None
    budget.period_anchor = rule.anchor if rule.kind == PeriodKind.EVERY_N_WEEKS else None
    budget.period_weeks = rule.weeks if rule.kind == PeriodKind.EVERY_N_WEEKS else None
    budget.weekend_shift = rule.weekend_shift
    budget_rule(budget)  # refuses an incomplete rule before anything is written


def _check_spending_account(session: Session, ctx: Ctx, account_id: str | None) -> None:
    if account_id is not None:
        try:
            get_account_model(session, ctx, account_id)
        except NotFound:
            raise InvalidInput("spending_account_id", "no such account in this household") from None


def _unique_name(session: Session, ctx: Ctx, name: str, skip: str = "") -> None:
    other = BudgetRepository(session).by_name(ctx, name)
    if other is not None and other.id != skip:
        raise DuplicateBudget(f"a budget named '{name}' already exists", field="name")


def list_budgets(session: Session, ctx: Ctx) -> list[BudgetRead]:
    return [_read(b) for b in BudgetRepository(session).all(ctx)]


def get_budget(session: Session, ctx: Ctx, budget_id: str) -> BudgetRead:
    return _read(get_budget_model(session, ctx, budget_id))


def create_budget(
    session: Session, ctx: Ctx, data: BudgetCreate, today: dt.date | None = None
) -> BudgetRead:
    ctx.require(Role.EDITOR)
    _unique_name(session, ctx, data.name)
    _check_spending_account(session, ctx, data.spending_account_id)
    budget = Budget(
        household_id=ctx.household_id,
        name=data.name,
        mode=data.mode.value,
        currency=base_currency(session, ctx),
        starts_on=data.starts_on or today or dt.date.today(),
        spending_account_id=data.spending_account_id,
    )
    _set_period(budget, data.period)
    BudgetRepository(session).add(budget)
    return _read(budget)


def update_budget(session: Session, ctx: Ctx, budget_id: str, data: BudgetUpdate) -> BudgetRead:
    """Changing the period rule keeps every assignment: each counts for the new period
    that holds the day its old period started."""
    ctx.require(Role.EDITOR)
    budget = get_budget_model(session, ctx, budget_id)
    if data.name is not None:
        _unique_name(session, ctx, data.name, skip=budget.id)
        budget.name = data.name
    if data.mode is not None:
        budget.mode = data.mode.value
    if data.period is not None:
        _set_period(budget, data.period)
    if data.starts_on is not None:
        budget.starts_on = data.starts_on
    if "spending_account_id" in data.model_fields_set:
        _check_spending_account(session, ctx, data.spending_account_id)
        budget.spending_account_id = data.spending_account_id
    session.flush()
    return _read(budget)


def delete_budget(session: Session, ctx: Ctx, budget_id: str) -> None:
    ctx.require(Role.EDITOR)
    BudgetRepository(session).delete(get_budget_model(session, ctx, budget_id))


# Assignments and moves


def _expense_category(session: Session, ctx: Ctx, category_id: str, field: str) -> None:
    try:
        get_account_model(session, ctx, category_id, EXPENSE)
    except NotFound:
        raise InvalidInput(field, "no such expense category in this household") from None


def set_assignment(
    session: Session, ctx: Ctx, budget: Budget, category_id: str, period: Period, amount: int
) -> None:
    repo = BudgetRepository(session)
    row = repo.assignment(ctx, budget.id, category_id, period.start)
    if row is None:
        repo.add(
            BudgetAssignment(
                household_id=ctx.household_id,
                budget_id=budget.id,
                category_id=category_id,
                period_start=period.start,
                amount_minor=amount,
            )
        )
    else:
        row.amount_minor, row.updated_at = amount, utcnow()
        session.flush()


def assign(session: Session, ctx: Ctx, budget_id: str, data: AssignmentSet) -> AssignmentRead:
    """Sets what a category is given in the period holding ``data.date`` (replacing
    what it had); in tracking mode this is the category's limit."""
    ctx.require(Role.EDITOR)
    budget = get_budget_model(session, ctx, budget_id)
    _expense_category(session, ctx, data.category_id, "category_id")
    amount = to_minor(Decimal(data.amount), budget.currency, "amount")
    if budget.mode == BudgetMode.TRACKING and amount < 0:
        raise InvalidInput("amount", "a limit cannot be negative")
    period = budget_rule(budget).containing(data.date)
    set_assignment(session, ctx, budget, data.category_id, period, amount)
    return AssignmentRead(
        category_id=data.category_id,
        period=period_read(period),
        amount=format_plain(amount, budget.currency),
    )


def _move_read(move: BudgetMove, currency: str) -> MoveRead:
    return MoveRead(
        id=move.id,
        period_start=move.period_start,
        source_category_id=move.source_category_id,
        target_category_id=move.target_category_id,
        amount=format_plain(move.amount_minor, currency),
        memo=move.memo,
        created_at=move.created_at,
    )


def _envelope_budget(session: Session, ctx: Ctx, budget_id: str) -> Budget:
    budget = get_budget_model(session, ctx, budget_id)
    if budget.mode != BudgetMode.ENVELOPE:
        raise NotInThisMode("moving money between categories is for envelope budgets")
    return budget


def _add_move(
    session: Session,
    ctx: Ctx,
    budget: Budget,
    period: Period,
    source: str,
    target: str,
    amount: int,
    memo: str,
) -> MoveRead:
    move = BudgetMove(
        household_id=ctx.household_id,
        budget_id=budget.id,
        period_start=period.start,
        source_category_id=source,
        target_category_id=target,
        amount_minor=amount,
        memo=memo,
        created_by=ctx.user_id,
    )
    BudgetRepository(session).add(move)
    return _move_read(move, budget.currency)


def move(session: Session, ctx: Ctx, budget_id: str, data: MoveCreate) -> MoveRead:
    ctx.require(Role.EDITOR)
    budget = _envelope_budget(session, ctx, budget_id)
    _expense_category(session, ctx, data.source_category_id, "source_category_id")
    _expense_category(session, ctx, data.target_category_id, "target_category_id")
    if data.source_category_id == data.target_category_id:
        raise InvalidInput("target_category_id", "a move needs two different categories")
    amount = to_minor(Decimal(data.amount), budget.currency, "amount")
    if amount <= 0:
        raise InvalidInput("amount", "a move carries a positive amount")
    period = budget_rule(budget).containing(data.date)
    return _add_move(
        session,
        ctx,
        budget,
        period,
        data.source_category_id,
        data.target_category_id,
        amount,
        data.memo,
    )


def cover(session: Session, ctx: Ctx, budget_id: str, data: CoverCreate) -> MoveRead:
    """Covers a category's overspending from another category's envelope: the whole
    deficit (or ``amount``), never more than the source has available."""
    ctx.require(Role.EDITOR)
    budget = _envelope_budget(session, ctx, budget_id)
    _expense_category(session, ctx, data.overspent_category_id, "overspent_category_id")
    _expense_category(session, ctx, data.source_category_id, "source_category_id")
    closed = close_through(session, ctx, budget, data.date)
    limit = to_minor(Decimal(data.amount), budget.currency, "amount") if data.amount else None
    try:
        planned = cover_overspending(
            closed.envelopes[-1],
            data.overspent_category_id,
            data.source_category_id,
            amount_minor=limit,
        )
    except ValueError as error:
        raise InvalidInput("source_category_id", str(error)) from None
    path = closed.paths.get(data.overspent_category_id, "")
    return _add_move(
        session,
        ctx,
        budget,
        closed.target,
        planned.source,
        planned.target,
        planned.amount_minor,
        f"cover overspending in {path}",
    )


# The period view and alerts


def _line(
    closed: Closed, category: str, line: EnvelopeLine | TrackingLine | None, household: str
) -> BudgetLineRead:
    currency = closed.budget.currency
    account = closed.categories.get(category)
    period = closed.target
    if isinstance(line, TrackingLine):
        carried, assigned, moved = line.carried_in_minor, line.limit_minor, 0
        spent, available, budgeted = line.spent_minor, line.remaining_minor, line.allowance_minor
        rollover = line.rollover.value
    elif isinstance(line, EnvelopeLine):
        carried, assigned, moved = line.carried_in_minor, line.assigned_minor, line.moved_minor
        spent, available, budgeted = line.spent_minor, line.available_minor, line.funded_minor
        rollover = "all"
    else:
        carried = assigned = moved = spent = available = budgeted = 0
        rollover = "all" if closed.budget.mode == BudgetMode.ENVELOPE else "none"
    drill = Drill(
        category_id=category,
        include_subcategories=False,
        date_from=period.start,
        date_to=period.last_day,
    )
    return BudgetLineRead(
        category_id=category,
        path=closed.paths.get(category, category),
        parent_id=account.parent_id if account else None,
        carried_in=format_plain(carried, currency),
        assigned=format_plain(assigned, currency),
        moved=format_plain(moved, currency),
        activity=format_plain(-spent, currency),
        available=format_plain(available, currency),
        budgeted=format_plain(budgeted, currency),
        spent=format_plain(spent, currency),
        overspent=available < 0,
        rollover=rollover,
        activity_filter=drill.with_href(household),
    )


def _alert_budgets(closed: Closed) -> dict[str, int]:
    if closed.budget.mode == BudgetMode.ENVELOPE:
        return {line.category: line.funded_minor for line in closed.envelopes[-1].lines}
    # Tracking: only categories with an allowance; the rest have no limit to pass.
    return {
        line.category: line.allowance_minor
        for line in closed.tracking[-1].lines
        if line.allowance_minor > 0
    }


def _alerts(session: Session, ctx: Ctx, closed: Closed) -> list[AlertRead]:
    budgets = _alert_budgets(closed)
    found: list[Alert] = [
        a for a in daily_alerts(session, ctx, closed, budgets) if a.category in budgets
    ]
    currency = closed.budget.currency
    found.sort(key=lambda a: (closed.paths.get(a.category, ""), a.threshold_percent))
    return [
        AlertRead(
            category_id=a.category,
            path=closed.paths.get(a.category, a.category),
            threshold_percent=a.threshold_percent,
            budget=format_plain(a.budget_minor, currency),
            spent=format_plain(a.spent_minor, currency),
            on=a.on,
        )
        for a in sorted(
            found, key=lambda a: (closed.paths.get(a.category, ""), a.threshold_percent)
        )
    ]


def alerts(session: Session, ctx: Ctx, budget_id: str, day: dt.date) -> list[AlertRead]:
    """Categories that reached 80 % and 100 % of their budget in the period holding
    ``day``, with the day each threshold was reached."""
    budget = get_budget_model(session, ctx, budget_id)
    return _alerts(session, ctx, close_through(session, ctx, budget, day))


def closed_view(session: Session, ctx: Ctx, closed: Closed) -> BudgetPeriodView:
    budget = closed.budget
    currency = budget.currency
    household = ctx.household_id
    lines: dict[str, EnvelopeLine | TrackingLine] = {}
    ready = ready_carried = None
    if budget.mode == BudgetMode.ENVELOPE:
        envelope = closed.envelopes[-1]
        lines = {line.category: line for line in envelope.lines}
        ready = format_plain(envelope.ready_to_assign_minor, currency)
        ready_carried = format_plain(envelope.ready_to_assign_carried_in_minor, currency)
        assigned, spent = envelope.assigned_minor, -envelope.activity_minor
        available = envelope.available_minor
    else:
        tracking = closed.tracking[-1]
        lines = {line.category: line for line in tracking.lines}
        assigned, spent, available = (
            tracking.limit_minor,
            tracking.spent_minor,
            tracking.remaining_minor,
        )
    shown = {c for c, a in closed.categories.items() if not a.is_archived} | set(lines)
    rows = sorted(
        (_line(closed, c, lines.get(c), household) for c in shown),
        key=lambda r: r.path.casefold(),
    )
    period = closed.target
    return BudgetPeriodView(
        budget_id=budget.id,
        name=budget.name,
        mode=BudgetMode(budget.mode),
        currency=currency,
        period=period_read(period),
        income=format_plain(closed.income[-1], currency),
        ready_to_assign_carried_in=ready_carried,
        ready_to_assign=ready,
        assigned=format_plain(assigned, currency),
        activity=format_plain(-spent, currency),
        available=format_plain(available, currency),
        spent=format_plain(spent, currency),
        lines=rows,
        moves=[_move_read(m, currency) for m in closed.moves[-1]],
        alerts=_alerts(session, ctx, closed),
        income_filter=Drill(
            kind="income", date_from=period.start, date_to=period.last_day
        ).with_href(household),
        rates=closed.rates.used(),
    )


def period_view(session: Session, ctx: Ctx, budget_id: str, day: dt.date) -> BudgetPeriodView:
    """The budget for the period holding ``day``: per category carried in, assigned,
    moved, activity and available (envelope) or limit, spent and remaining (tracking),
    with ready-to-assign, alerts and the rates foreign spending was converted at."""
    budget = get_budget_model(session, ctx, budget_id)
    return closed_view(session, ctx, close_through(session, ctx, budget, day))
