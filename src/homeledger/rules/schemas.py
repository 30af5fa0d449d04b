"""API shapes for rules, rule runs and payee aliases."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from homeledger.accounts.schemas import AmountStr
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.schemas import TagName

Percent = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,4})?$", examples=["50"])]
ConditionField = Literal["payee", "memo", "text", "amount", "direction", "account", "date"]
ActionKind = Literal["set_category", "set_payee", "add_tags", "set_memo", "split", "transfer"]


class ConditionIn(Schema):
    field: ConditionField
    op: str = Field(
        max_length=20,
        description="payee/memo/text: contains, equals, starts_with, regex; amount: at_least, "
        "at_most, between, equals (absolute amounts); direction: is in|out; account: is; "
        "date: on_or_after, on_or_before, between.",
    )
    value: str = Field(max_length=200)
    value_to: str | None = Field(default=None, max_length=200)


class SplitPartIn(Schema):
    category_id: str = Field(max_length=32)
    amount: AmountStr | None = Field(default=None, description="Fixed, taken first.")
    percent: Percent | None = Field(default=None, description="Of what is left; sum to 100.")
    memo: str = Field(default="", max_length=500)


class ActionIn(Schema):
    kind: ActionKind
    value: str = Field(
        default="",
        max_length=200,
        description="Category id (set_category), payee, memo, or account id (transfer).",
    )
    tags: list[TagName] = Field(default_factory=list, max_length=20)
    parts: list[SplitPartIn] = Field(default_factory=list, max_length=20)


class RuleCreate(Schema):
    name: str = Field(min_length=1, max_length=100)
    conditions: list[ConditionIn] = Field(min_length=1, max_length=20)
    actions: list[ActionIn] = Field(min_length=1, max_length=20)
    match_all: bool = Field(default=True, description="False: any one condition suffices.")
    stop: bool = Field(default=False, description="No later rule runs after this one matched.")
    is_active: bool = True
    position: int | None = Field(default=None, ge=0, description="Default: after the others.")


class RuleUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    conditions: list[ConditionIn] | None = Field(default=None, min_length=1, max_length=20)
    actions: list[ActionIn] | None = Field(default=None, min_length=1, max_length=20)
    match_all: bool | None = None
    stop: bool | None = None
    is_active: bool | None = None


class RuleRead(ReadSchema):
    id: str
    name: str
    position: int
    is_active: bool
    match_all: bool
    stop: bool
    conditions: list[ConditionIn]
    actions: list[ActionIn]
    created_at: dt.datetime
    updated_at: dt.datetime


class RuleOrder(Schema):
    ids: list[str] = Field(min_length=1, max_length=1000, description="Every rule, in order.")


class RuleRun(Schema):
    """Which transactions to run the rules over; all given filters must hold."""

    rule_ids: list[str] = Field(
        default_factory=list, max_length=100, description="Default: every active rule."
    )
    account_id: list[str] = Field(default_factory=list, max_length=50)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    only_uncategorised: bool = Field(
        default=False, description="Only transactions still in an Uncategorised category."
    )
    limit: int = Field(default=500, ge=1, le=5000, description="Matches listed in the answer.")


class RuleMatchRead(ReadSchema):
    transaction_id: str
    date: dt.date
    payee: str | None
    amount: str
    currency: str
    account_id: str
    rules: list[str] = Field(description="Names of the rules that matched, in order.")
    explanation: str = Field(description="Which rule matched and why.")
    changes: list[str] = Field(description="What applying changes, in words.")
    changed: bool = Field(description="False when the transaction already looks like this.")


class RuleRunResult(ReadSchema):
    dry_run: bool
    examined: int
    matched: int
    changed: int
    skipped: list[str] = Field(description="Transactions left alone, and why.")
    matches: list[RuleMatchRead]


class PayeeAliasCreate(Schema):
    raw: str = Field(
        min_length=1,
        max_length=200,
        description="Bank text as it appears ('POS 1234 AMAZON MKTPLACE*2K4'); its key is stored.",
    )
    payee: str | None = Field(default=None, min_length=1, max_length=200)
    category_id: str | None = Field(default=None, max_length=32)


class PayeeAliasRead(ReadSchema):
    id: str
    raw_key: str
    payee: str | None
    category_id: str | None
    is_manual: bool
    updated_at: dt.datetime
