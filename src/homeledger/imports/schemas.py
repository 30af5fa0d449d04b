"""API shapes for imports, their previews, and CSV mapping profiles."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from homeledger.kit.schemas import ReadSchema, Schema

FileFormatName = Literal["auto", "csv", "ofx", "qif", "camt", "mt940"]
RowStatus = Literal["new", "duplicate", "transfer", "error", "skipped"]


class ImportCounts(ReadSchema):
    parsed: int
    new: int
    duplicate: int
    transfer: int
    errors: int
    skipped: int = 0


class ImportBatchRead(ReadSchema):
    id: str
    account_id: str
    file_name: str
    file_sha256: str
    file_size: int
    format: str
    profile_name: str
    profile: dict[str, Any] | None = Field(description="The CSV mapping that read the file.")
    status: Literal["staged", "committed", "reverted"]
    counts: ImportCounts
    notes: list[str] = Field(description="What detection was unsure of; earlier imports.")
    errors: list[str] = Field(description="Rows that cannot be imported: 'line 14: ...'.")
    currency: str
    closing_balance: str | None = Field(description="The statement's closing balance.")
    closing_date: dt.date | None
    created_by: str | None
    created_at: dt.datetime
    committed_at: dt.datetime | None
    reverted_at: dt.datetime | None


class ImportRowRead(ReadSchema):
    line: int
    date: dt.date
    amount: str
    currency: str
    pending: bool
    raw_payee: str = Field(description="As the bank wrote it.")
    payee: str = Field(description="What it is (or would be) imported as.")
    memo: str
    bank_id: str | None
    status: RowStatus
    reason: str = Field(description="Why: 'same bank id as the transaction of 2025-03-01'.")
    category_id: str | None = Field(description="Category, or account for a transfer.")
    category: str | None
    category_reason: str
    transaction_id: str | None = Field(description="The transaction it made or matched.")


class ImportPreview(ReadSchema):
    batch: ImportBatchRead
    rows: list[ImportRowRead]
    next_offset: int | None


class RowOverride(Schema):
    line: int = Field(ge=0)
    action: Literal["new", "skip"] | None = Field(
        default=None, description="'new': import even if it looks like a duplicate."
    )
    payee: str | None = Field(default=None, min_length=1, max_length=200)
    category_id: str | None = Field(default=None, max_length=32)


class ImportCommit(Schema):
    skip_errors: bool = Field(
        default=False, description="Import the other rows when some cannot be imported."
    )
    overrides: list[RowOverride] = Field(default_factory=list, max_length=10000)
    learn: bool = Field(
        default=True, description="Remember payee and category corrections for next time."
    )


class ProfileCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    account_id: str | None = Field(default=None, max_length=32)
    institution: str = Field(default="", max_length=100)
    profile: dict[str, Any] = Field(description="A CSV mapping (see the ready profiles).")


class ProfileUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    institution: str | None = Field(default=None, max_length=100)
    profile: dict[str, Any] | None = None


class ProfileRead(ReadSchema):
    id: str
    name: str
    account_id: str | None
    institution: str
    profile: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime


class ReadyProfileRead(ReadSchema):
    name: str
    header: list[str]
    profile: dict[str, Any]


class ProfileDetectionRead(ReadSchema):
    profile: dict[str, Any]
    ready_profile: str | None
    notes: list[str]
    sample: list[ImportRowRead] = Field(description="The first rows read with this profile.")
