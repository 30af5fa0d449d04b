"""API shapes for reconciliations."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from homeledger.accounts.schemas import AmountStr
from homeledger.kit.schemas import ReadSchema, Schema


class ReconciliationCreate(Schema):
    """A statement: its closing day and balance, or an imported statement file whose
    closing balance and lines are used (`batch_id`)."""

    account_id: str = Field(max_length=32)
    statement_date: dt.date | None = Field(default=None, description="The closing day.")
    statement_balance: AmountStr | None = Field(
        default=None, description="Ledger-signed: negative when a card or loan is owed."
    )
    batch_id: str | None = Field(default=None, max_length=32)


class LineMatch(Schema):
    line_id: str = Field(max_length=32)
    posting_id: str = Field(max_length=32)


class LineRef(Schema):
    line_id: str = Field(max_length=32)


class LineCreate(Schema):
    line_id: str = Field(max_length=32)
    category_id: str | None = Field(
        default=None, max_length=32, description="Default: Uncategorised."
    )


class ClearPostings(Schema):
    posting_ids: list[str] = Field(min_length=1, max_length=1000)
    cleared: bool = Field(default=True, description="False: back to pending.")


class StatementLineRead(ReadSchema):
    id: str
    line: int
    date: dt.date
    amount: str
    payee: str
    memo: str
    posting_id: str | None
    match_reason: str


class OpenPostingRead(ReadSchema):
    posting_id: str
    transaction_id: str
    date: dt.date
    amount: str
    payee: str | None
    memo: str
    status: str


class ReconciliationRead(ReadSchema):
    id: str
    account_id: str
    statement_date: dt.date
    statement_balance: str
    currency: str
    status: str
    cleared_balance: str = Field(
        description="Cleared and reconciled postings up to the statement date."
    )
    difference: str = Field(description="Statement minus cleared; finishing needs zero.")
    batch_id: str | None
    reconciled_count: int
    matched_lines: list[StatementLineRead]
    unmatched_lines: list[StatementLineRead]
    unmatched_postings: list[OpenPostingRead] = Field(
        description="Postings up to the statement date, not reconciled, no line matched."
    )
    unmatched_postings_total: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ReconciliationSummary(ReadSchema):
    id: str
    account_id: str
    statement_date: dt.date
    statement_balance: str
    currency: str
    status: str
    reconciled_count: int
    created_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
