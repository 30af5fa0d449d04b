"""API shapes for schedules, bills, runs of the posting job, and the forecast."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from homeledger.accounts.schemas import AmountStr, CurrencyCode
from homeledger.fx.schemas import RateUsed
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.schemas import MAX_DATE, MIN_DATE, TagName

Mode = Literal["auto-post", "remind"]


class SchedulePostingIn(Schema):
    account_id: str = Field(max_length=32)
    amount: AmountStr = Field(description="Ledger-signed, as in a transaction.")
    currency: CurrencyCode
    memo: str = Field(default="", max_length=500)


class BillTerms(Schema):
    """What makes a schedule a bill: the amount expected on its account (signed as
    there: a payment from a checking account is negative) and a window of days."""

    min_amount: AmountStr
    max_amount: AmountStr
    days_before: int = Field(default=3, ge=0, le=31)
    days_after: int = Field(default=5, ge=0, le=31)


class ScheduleCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    rule: str = Field(
        min_length=6,
        max_length=500,
        description="An RFC 5545 RRULE body: 'FREQ=MONTHLY;BYMONTHDAY=1', "
        "'FREQ=WEEKLY;INTERVAL=2', 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1'.",
        examples=["FREQ=MONTHLY;BYMONTHDAY=1"],
    )
    start_date: dt.date
    until: dt.date | None = Field(default=None, description="Last possible day, inclusive.")
    count: int | None = Field(default=None, ge=1, le=10_000)
    mode: Mode = "auto-post"
    payee: str = Field(default="", max_length=200)
    memo: str = Field(default="", max_length=500)
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    postings: list[SchedulePostingIn] = Field(min_length=2, max_length=50)
    bill: BillTerms | None = None
    is_active: bool = True

    @field_validator("start_date", "until")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}")
        return value


class SchedulePostingRead(ReadSchema):
    account_id: str
    amount: str
    currency: str
    memo: str


class BillRead(ReadSchema):
    min_amount: str
    max_amount: str
    days_before: int
    days_after: int


class ScheduleRead(ReadSchema):
    id: str
    name: str
    rule: str
    start_date: dt.date
    until: dt.date | None
    count: int | None
    mode: Mode
    payee: str
    memo: str
    tags: list[str]
    postings: list[SchedulePostingRead]
    bill: BillRead | None
    is_active: bool
    account_id: str = Field(description="The asset or liability account it moves money on.")
    amount: str = Field(description="Its amount on that account.")
    currency: str
    done_through: dt.date | None
    next_occurrence: dt.date | None
    created_at: dt.datetime


OccurrenceState = Literal[
    "posted", "paid", "skipped", "due", "reminder", "missed", "upcoming", "bill-due"
]


class OccurrenceRead(ReadSchema):
    schedule_id: str
    name: str
    on: dt.date
    account_id: str
    amount: str
    currency: str
    status: OccurrenceState
    transaction_id: str | None = None


class OccurrenceAction(Schema):
    date: dt.date = Field(description="The occurrence's day.")
    action: Literal["post", "skip", "pay"] = Field(
        description="post it now (a reminder), skip it, or mark a bill paid by a transaction."
    )
    transaction_id: str | None = Field(default=None, max_length=32, description="For pay.")


class RunProblem(ReadSchema):
    schedule_id: str
    name: str
    detail: str


class RunResult(ReadSchema):
    today: dt.date
    posted: list[OccurrenceRead] = Field(description="Posted by this run.")
    paid: list[OccurrenceRead] = Field(description="Bills this run found paid.")
    reminders: list[OccurrenceRead] = Field(description="Remind schedules due today.")
    missed: list[OccurrenceRead] = Field(
        description="Reminders and bills whose day (bills: window) passed with nothing done."
    )
    due_bills: list[OccurrenceRead] = Field(description="Bills whose window is open.")
    upcoming: list[OccurrenceRead]
    problems: list[RunProblem] = Field(description="Schedules that could not be posted.")


class LowPointRead(ReadSchema):
    balance: str
    on: dt.date


class AccountForecastRead(ReadSchema):
    account_id: str
    name: str
    currency: str
    opening: str = Field(description="Balance at the start of the first day.")
    balances: list[str] = Field(description="End-of-day balance, one per day.")
    lowest: LowPointRead
    first_negative: dt.date | None


class FlowRead(ReadSchema):
    on: dt.date
    account_id: str
    amount: str
    currency: str
    label: str
    source: Literal["schedule", "budget"]


class ForecastRead(ReadSchema):
    start: dt.date
    end: dt.date = Field(description="The first day after the forecast (half-open).")
    currency: str
    days: list[dt.date]
    total: AccountForecastRead = Field(description="Every account, in the base currency.")
    lowest: LowPointRead = Field(description="The lowest total and the first day of it.")
    accounts: list[AccountForecastRead]
    flows: list[FlowRead]
    rates: list[RateUsed]
    notes: list[str]
