"""Shapes of exports: the request, and the household JSON document (which the restore
reads back, so it is checked field by field)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from homeledger.accounts.schemas import AmountStr, CurrencyCode
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.schemas import TransactionFilter

ExportFormat = Literal["csv", "json", "beancount", "qif"]
DOCUMENT_FORMAT = "homeledger-household"
DOCUMENT_VERSION = 1


class ExportFilter(TransactionFilter):
    """The transaction list's filters (CSV and QIF); `cursor` and `limit` are ignored."""


class ExportQuery(ExportFilter):
    format: ExportFormat = Field(default="csv", description="csv, json, beancount or qif.")

    def filters(self) -> ExportFilter:
        return ExportFilter.model_validate(self.model_dump(exclude={"format"}))


class AccountDoc(Schema):
    id: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["asset", "liability", "income", "expense", "equity"]
    type: str = Field(max_length=20)
    parent_id: str | None = Field(default=None, max_length=32)
    currency: CurrencyCode | None = None
    institution: str = Field(default="", max_length=100)
    account_number: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=500)
    is_archived: bool = False


class NamedDoc(Schema):
    id: str = Field(max_length=32)
    name: str = Field(min_length=1, max_length=200)


class PostingDoc(Schema):
    account_id: str = Field(max_length=32)
    amount: AmountStr
    currency: CurrencyCode
    status: Literal["pending", "cleared", "reconciled"] = "cleared"
    memo: str = Field(default="", max_length=500)


class TransactionDoc(Schema):
    id: str = Field(max_length=32)
    date: dt.date
    payee_id: str | None = Field(default=None, max_length=32)
    memo: str = Field(default="", max_length=500)
    tag_ids: list[str] = Field(default_factory=list, max_length=50)
    postings: list[PostingDoc] = Field(min_length=2, max_length=500)


class RuleDoc(Schema):
    name: str = Field(min_length=1, max_length=100)
    position: int = 0
    is_active: bool = True
    match_all: bool = True
    stop: bool = False
    conditions: list[dict[str, Any]]
    actions: list[dict[str, Any]]


class AliasDoc(Schema):
    raw_key: str = Field(min_length=1, max_length=100)
    payee: str | None = Field(default=None, max_length=200)
    category_id: str | None = Field(default=None, max_length=32)
    is_manual: bool = False


class ProfileDoc(Schema):
    account_id: str | None = Field(default=None, max_length=32)
    institution: str = Field(default="", max_length=100)
    name: str = Field(min_length=1, max_length=100)
    profile: dict[str, Any]


class ReconciliationDoc(Schema):
    account_id: str = Field(max_length=32)
    statement_date: dt.date
    statement_balance: AmountStr
    currency: CurrencyCode
    reconciled_count: int = 0
    finished_at: dt.datetime | None = None


class HouseholdDoc(Schema):
    name: str = Field(min_length=1, max_length=100)
    base_currency: CurrencyCode
    locale: str = Field(default="en_US", max_length=20)


class HouseholdDocument(Schema):
    """Everything needed to rebuild a household (`GET /export?format=json`)."""

    format: Literal["homeledger-household"]
    version: Literal[1]
    exported_at: dt.datetime
    household: HouseholdDoc
    accounts: list[AccountDoc]
    payees: list[NamedDoc] = Field(default_factory=list)
    tags: list[NamedDoc] = Field(default_factory=list)
    transactions: list[TransactionDoc] = Field(default_factory=list)
    rules: list[RuleDoc] = Field(default_factory=list)
    payee_aliases: list[AliasDoc] = Field(default_factory=list)
    import_profiles: list[ProfileDoc] = Field(default_factory=list)
    reconciliations: list[ReconciliationDoc] = Field(default_factory=list)


class RestoreResult(ReadSchema):
    accounts: int
    transactions: int
    payees: int
    tags: int
    rules: int
    reconciliations: int
