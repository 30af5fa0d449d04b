"""API shapes for accounts and categories."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from homeledger.accounts.models import AccountType
from homeledger.kit.schemas import ReadSchema, Schema

AmountStr = Annotated[
    str,
    Field(
        pattern=r"^-?\d{1,15}(\.\d{1,4})?$",
        max_length=21,
        description="A decimal string in the currency's units, e.g. '-12.30'.",
        examples=["-12.30"],
    ),
]
CurrencyCode = Annotated[
    str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$", examples=["EUR"])
]
UserAccountType = Literal["checking", "savings", "credit_card", "cash", "loan", "investment"]


class AccountCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    type: UserAccountType
    kind: Literal["asset", "liability"] | None = Field(
        default=None, description="Only for investment accounts; others follow their type."
    )
    currency: CurrencyCode
    opening_balance: AmountStr = Field(
        default="0",
        description="Ledger-signed: money held for assets; negative (owed) for liabilities.",
    )
    opening_date: dt.date | None = Field(default=None, description="Defaults to today.")
    institution: str = Field(default="", max_length=100)
    account_number: str | None = Field(
        default=None, max_length=64, description="Stored encrypted; shown masked."
    )
    note: str = Field(default="", max_length=500)


class AccountUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    institution: str | None = Field(default=None, max_length=100)
    account_number: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, max_length=500)
    is_archived: bool | None = None


class AccountRead(ReadSchema):
    id: str
    name: str
    kind: str
    type: AccountType
    currency: str | None
    institution: str
    account_number_masked: str = Field(description="Only the last four digits.")
    note: str
    is_archived: bool
    created_at: dt.datetime


class CategoryCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["income", "expense"]
    parent_id: str | None = Field(default=None, max_length=32)


class CategoryUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: str | None = Field(
        default=None, max_length=32, description="Move under this category."
    )
    move_to_top: bool = Field(default=False, description="Move to the top level.")
    is_archived: bool | None = None


class CategoryRead(ReadSchema):
    id: str
    name: str
    kind: str
    parent_id: str | None
    path: str = Field(description="Names from the top, joined by ':'.")
    is_archived: bool


class CategoryMerge(Schema):
    into_id: str = Field(max_length=32, description="The category that absorbs this one.")
