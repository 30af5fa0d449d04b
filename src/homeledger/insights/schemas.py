"""API shapes of the insights. Amounts cross as decimal strings in the currency's
units; confidences and ratios are plain numbers."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from homeledger.accounts.schemas import AmountStr, CurrencyCode
from homeledger.kit.schemas import ReadSchema, Schema

# Categorisation


class SuggestionRead(ReadSchema):
    category_id: str
    category: str = Field(description="The category's path, e.g. 'Food:Groceries'.")
    confidence: float = Field(
        description="Calibrated probability (0 to 1) that this is the household's category."
    )


class ModelRead(ReadSchema):
    trained_at: dt.datetime
    training_size: int = Field(description="Categorised transactions it learned from.")
    category_count: int
    accuracy: float | None = Field(
        description="Top-1 accuracy on the latest fifth of those, held out while "
        "measuring; null when there were too few."
    )
    holdout_size: int
    corrections_since: int = Field(
        description="Transactions categorised since training whose category is not the "
        "model's first suggestion (as of checked_at)."
    )
    checked_at: dt.datetime
    feature_version: str


class TransactionSuggestions(ReadSchema):
    transaction_id: str
    date: dt.date
    payee: str
    amount: str = Field(description="As it hits the account: a payment is negative.")
    currency: str
    category_id: str | None = Field(description="Its category now, if it has exactly one.")
    suggestions: list[SuggestionRead]
    note: str | None = Field(default=None, description="Why there are no suggestions.")


class SuggestRowIn(Schema):
    payee: str = Field(default="", max_length=500)
    memo: str = Field(default="", max_length=500)
    amount: AmountStr = Field(description="As it hits the account: a payment is negative.")
    currency: CurrencyCode
    account_id: str | None = Field(default=None, max_length=32)
    date: dt.date | None = None


class SuggestRequest(Schema):
    rows: list[SuggestRowIn] = Field(min_length=1, max_length=1000)
    top: int = Field(default=3, ge=1, le=10)


class SuggestRowsRead(ReadSchema):
    suggestions: list[list[SuggestionRead]] = Field(description="One list per row, best first.")
    model: ModelRead | None
    note: str | None = None


# Insights


class InsightRead(ReadSchema):
    key: str = Field(description="Stable id: dismiss with POST .../insights/{key}/dismiss.")
    kind: str
    title: str
    why: str = Field(description="Why it was raised, in words.")
    dismissed: bool


class PriceChangeRead(ReadSchema):
    date: dt.date
    old_amount: str
    new_amount: str


class SubscriptionRead(InsightRead):
    payee: str
    currency: str
    cadence: str = Field(description="weekly | monthly | quarterly | yearly")
    day: int = Field(description="Day of the month (31: the last day); ISO weekday if weekly.")
    occurrences: int
    first_date: dt.date
    last_date: dt.date
    amount: str = Field(description="The current amount (positive: money out).")
    fixed: bool = Field(description="Exact amount (but for price changes), or it varies.")
    variation: float = Field(description="Coefficient of variation of the amounts.")
    yearly_cost: str
    price_changes: list[PriceChangeRead]
    next_expected: dt.date | None
    active: bool
    account_id: str | None
    category_id: str | None
    category: str | None
    transaction_ids: list[str]


class ProposedPosting(ReadSchema):
    account_id: str
    amount: str = Field(description="Ledger-signed, as in a transaction.")
    currency: str


class ScheduleProposalRead(ReadSchema):
    insight_key: str
    name: str
    rule: str = Field(description="RFC 5545 RRULE body, e.g. FREQ=MONTHLY;BYMONTHDAY=3.")
    start: dt.date = Field(description="DTSTART: the first occurrence.")
    amount: str = Field(description="As it hits the account: negative, a payment.")
    currency: str
    account_id: str | None
    category_id: str | None
    payee: str
    postings: list[ProposedPosting] = Field(
        description="The transaction each occurrence would post: the account pays, the "
        "category receives. Empty when the charge has no single account and category."
    )
    persisted: bool = Field(
        description="Always false for now: schedules are not stored yet, so this is the "
        "proposal a schedule would be made from."
    )


class AnomalyRead(InsightRead):
    category_id: str
    category: str
    currency: str
    amount: str
    usual: str = Field(description="The median it is compared with.")
    ratio: float
    score: float | None = Field(
        description="Robust deviations above the usual; null when the history never varied."
    )
    history_size: int
    date: dt.date = Field(description="The transaction's date, or the month's first day.")
    transaction_id: str | None
    basis: str = Field(description="payee | category (transactions) | month")


class DismissalRead(ReadSchema):
    insight_key: str
    kind: str
    title: str
    user_id: str | None
    created_at: dt.datetime
