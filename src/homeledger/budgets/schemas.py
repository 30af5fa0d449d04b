"""API shapes for budgets: the budget, assignments, moves, templates and the period view."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from homeledger.accounts.schemas import AmountStr
from homeledger.budgets.models import BudgetMode, PeriodKind, TemplateKind
from homeledger.fx.schemas import RateUsed
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.schemas import MAX_DATE, MIN_DATE
from homeledger.reports.schemas import Drill, PeriodRead

Shift = Literal["none", "previous-friday", "next-monday"]
RolloverName = Literal["none", "surplus", "all"]


def _plausible(value: dt.date | None) -> dt.date | None:
    if value is not None and not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}")
    return value


class PeriodRuleIn(Schema):
    """How the budget cuts time into periods."""

    kind: PeriodKind = PeriodKind.CALENDAR_MONTH
    day: int | None = Field(
        default=None, ge=1, le=31, description="month-from-day: the start day (pay day)."
    )
    first_day: int | None = Field(default=None, ge=1, le=31, description="twice-monthly.")
    second_day: int | None = Field(default=None, ge=1, le=31, description="twice-monthly.")
    anchor: dt.date | None = Field(
        default=None, description="every-n-weeks: a day on which a period starts."
    )
    weeks: int | None = Field(default=None, ge=1, le=8, description="every-n-weeks (2).")
    weekend_shift: Shift = "none"

    _anchor = field_validator("anchor")(_plausible)


class PeriodRuleRead(ReadSchema):
    kind: PeriodKind
    day: int | None
    first_day: int | None
    second_day: int | None
    anchor: dt.date | None
    weeks: int | None
    weekend_shift: str


class BudgetCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    mode: BudgetMode = BudgetMode.ENVELOPE
    period: PeriodRuleIn = Field(default_factory=PeriodRuleIn)
    starts_on: dt.date | None = Field(
        default=None, description="The first period holds this day; default: today."
    )
    spending_account_id: str | None = Field(
        default=None, max_length=32, description="Where the forecast takes spending from."
    )

    _starts_on = field_validator("starts_on")(_plausible)


class BudgetUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    mode: BudgetMode | None = None
    period: PeriodRuleIn | None = None
    starts_on: dt.date | None = None
    spending_account_id: str | None = Field(default=None, max_length=32)

    _starts_on = field_validator("starts_on")(_plausible)


class BudgetRead(ReadSchema):
    id: str
    name: str
    mode: BudgetMode
    currency: str
    starts_on: dt.date
    period: PeriodRuleRead
    spending_account_id: str | None
    created_at: dt.datetime


class AssignmentSet(Schema):
    category_id: str = Field(max_length=32)
    date: dt.date = Field(description="Any day of the period.")
    amount: AmountStr = Field(description="The amount assigned (the limit, when tracking).")


class AssignmentRead(ReadSchema):
    category_id: str
    period: PeriodRead
    amount: str


class MoveCreate(Schema):
    date: dt.date = Field(description="Any day of the period.")
    source_category_id: str = Field(max_length=32)
    target_category_id: str = Field(max_length=32)
    amount: AmountStr
    memo: str = Field(default="", max_length=200)


class CoverCreate(Schema):
    date: dt.date = Field(description="Any day of the period.")
    overspent_category_id: str = Field(max_length=32)
    source_category_id: str = Field(max_length=32)
    amount: AmountStr | None = Field(
        default=None, description="At most this much; default: the whole overspending."
    )


class MoveRead(ReadSchema):
    id: str
    period_start: dt.date
    source_category_id: str
    target_category_id: str
    amount: str
    memo: str
    created_at: dt.datetime


class TemplateIn(Schema):
    kind: TemplateKind
    basis: Literal["assigned", "spent"] | None = Field(
        default=None, description="copy-last (assigned) and average (spent) follow this."
    )
    periods: int | None = Field(default=None, ge=1, le=60, description="average: how many.")
    amount: AmountStr | None = Field(
        default=None, description="fixed: the amount; savings-goal: the target."
    )
    target_date: dt.date | None = Field(default=None, description="savings-goal: reach it by.")


class TemplateRead(ReadSchema):
    kind: TemplateKind
    basis: str | None
    periods: int | None
    amount: str | None
    target_date: dt.date | None


class CategorySettingsIn(Schema):
    rollover: RolloverName = Field(
        default="none", description="Tracking mode only; envelopes always roll over."
    )
    template: TemplateIn | None = None


class CategorySettingsRead(ReadSchema):
    category_id: str
    path: str
    rollover: str
    template: TemplateRead | None


class SuggestionRead(ReadSchema):
    category_id: str
    path: str
    amount: str
    assigned: str = Field(description="What is assigned now.")
    template: TemplateRead


class ApplyTemplates(Schema):
    date: dt.date = Field(description="Any day of the period to fill.")
    template: TemplateIn | None = Field(
        default=None,
        description="One template for every category (e.g. copy last period); "
        "default: each category's own template.",
    )
    category_ids: list[str] = Field(
        default_factory=list, max_length=500, description="Only these; default: all."
    )


class AlertRead(ReadSchema):
    category_id: str
    path: str
    threshold_percent: int
    budget: str
    spent: str
    on: dt.date | None = Field(description="The day the threshold was reached.")


class BudgetLineRead(ReadSchema):
    category_id: str
    path: str
    parent_id: str | None
    carried_in: str
    assigned: str = Field(description="Assigned this period (the limit, when tracking).")
    moved: str
    activity: str = Field(description="Signed: spending negative, refunds positive.")
    available: str = Field(description="What is left (remaining, when tracking).")
    budgeted: str = Field(description="Carried in + assigned + moved: what could be spent.")
    spent: str
    overspent: bool
    rollover: str
    activity_filter: Drill


class BudgetPeriodView(ReadSchema):
    budget_id: str
    name: str
    mode: BudgetMode
    currency: str
    period: PeriodRead
    income: str
    ready_to_assign_carried_in: str | None = Field(description="Envelope mode only.")
    ready_to_assign: str | None = Field(
        description="Envelope mode: income received minus everything assigned, to date."
    )
    assigned: str
    activity: str
    available: str
    spent: str
    lines: list[BudgetLineRead]
    moves: list[MoveRead]
    alerts: list[AlertRead]
    income_filter: Drill
    rates: list[RateUsed]
