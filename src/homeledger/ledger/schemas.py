"""API shapes for transactions, postings, payees, tags and queries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, field_validator

from homeledger.accounts.schemas import AmountStr, CurrencyCode
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.models import PostingStatus

TagName = Annotated[str, Field(min_length=1, max_length=60)]
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _plausible_date(value: dt.date) -> dt.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}")
    return value


class PostingIn(Schema):
    account_id: str = Field(max_length=32)
    amount: AmountStr
    currency: CurrencyCode
    status: PostingStatus = PostingStatus.CLEARED
    memo: str = Field(default="", max_length=500)

    @field_validator("status")
    @classmethod
    def _not_reconciled(cls, value: PostingStatus) -> PostingStatus:
        if value is PostingStatus.RECONCILED:
            raise ValueError("postings become reconciled only through a reconciliation")
        return value


class TransactionCreate(Schema):
    date: dt.date
    payee: str | None = Field(default=None, max_length=200)
    memo: str = Field(default="", max_length=500)
    postings: list[PostingIn] = Field(min_length=2, max_length=500)
    tags: list[TagName] = Field(default_factory=list, max_length=50)

    _date = field_validator("date")(_plausible_date)


class TransactionUpdate(TransactionCreate):
    version: int = Field(ge=1, description="The version this edit is based on.")


class TransferCreate(Schema):
    date: dt.date
    from_account_id: str = Field(max_length=32)
    to_account_id: str = Field(max_length=32)
    amount: AmountStr = Field(description="Positive, in the source account's currency.")
    to_amount: AmountStr | None = Field(
        default=None,
        description="What arrives, in the target's currency; needed when the currencies differ.",
    )
    payee: str | None = Field(default=None, max_length=200)
    memo: str = Field(default="", max_length=500)
    tags: list[TagName] = Field(default_factory=list, max_length=50)

    _date = field_validator("date")(_plausible_date)


class BatchCreate(Schema):
    transactions: list[TransactionCreate] = Field(min_length=1, max_length=1000)


class PostingRead(ReadSchema):
    id: str
    account_id: str
    amount: str
    currency: str
    status: PostingStatus
    memo: str


class TransactionRead(ReadSchema):
    id: str
    date: dt.date
    payee: str | None
    payee_id: str | None
    memo: str
    version: int
    postings: list[PostingRead]
    tags: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class TransactionPage(ReadSchema):
    items: list[TransactionRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class TransactionFilter(Schema):
    """Every filter is optional; all given ones must hold. Date bounds are inclusive."""

    account_id: list[str] = Field(default_factory=list, max_length=50)
    category_id: str | None = Field(
        default=None, max_length=32, description="Includes subcategories."
    )
    payee_id: str | None = Field(default=None, max_length=32)
    tag: str | None = Field(default=None, max_length=60)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: AmountStr | None = Field(default=None, description="Any posting's absolute amount.")
    amount_max: AmountStr | None = None
    q: str | None = Field(default=None, max_length=100, description="Payee or memo contains.")
    status: PostingStatus | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)


class PayeeCreate(Schema):
    name: str = Field(min_length=1, max_length=200)


class PayeeRead(ReadSchema):
    id: str
    name: str


class PayeeMerge(Schema):
    into_id: str = Field(max_length=32)


class TagCreate(Schema):
    name: TagName


class TagRead(ReadSchema):
    id: str
    name: str


class BalanceRead(ReadSchema):
    account_id: str
    name: str
    kind: str
    currency: str
    balance: str


class CategoryTotalRead(ReadSchema):
    category_id: str
    path: str
    kind: str
    currency: str
    own: str = Field(description="Postings to this category itself.")
    total: str = Field(description="Including every subcategory.")
