"""API shapes shared by every report: the filter behind each figure, rates, periods."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlencode

from pydantic import Field

from homeledger.fx.schemas import RateUsed
from homeledger.kit.schemas import ReadSchema, Schema
from homeledger.ledger.schemas import TransactionRead

DrillKind = Literal["income", "expense", "asset", "liability"]


class Drill(ReadSchema):
    """The transactions behind a figure: pass these as query parameters to
    `GET .../reports/transactions` (which also returns their total). Without `kind`
    and `payee_id`, the same parameters work on `GET .../transactions` too."""

    kind: DrillKind | None = None
    category_id: str | None = None
    include_subcategories: bool | None = Field(
        default=None, description="With category_id: false for the category's own postings."
    )
    account_id: str | None = None
    payee_id: str | None = Field(default=None, description="'none' for no payee.")
    tag: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = Field(default=None, description="Inclusive.")
    href: str = Field(default="", description="The drill-down URL for this figure.")

    def with_href(self, household_id: str) -> Drill:
        params = {
            key: _param(value)
            for key, value in self.model_dump(exclude={"href"}).items()
            if value is not None
        }
        query = urlencode(params)
        return self.model_copy(
            update={"href": f"/api/v1/households/{household_id}/reports/transactions?{query}"}
        )


def _param(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class DrillQuery(Schema):
    """Filters of `GET .../reports/transactions`; all given ones must hold."""

    kind: DrillKind | None = None
    category_id: str | None = Field(default=None, max_length=32)
    include_subcategories: bool = True
    account_id: str | None = Field(default=None, max_length=32)
    payee_id: str | None = Field(default=None, max_length=32)
    tag: str | None = Field(default=None, max_length=60)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=500)


class PeriodRead(ReadSchema):
    start: dt.date
    end: dt.date = Field(description="The first day after the period (half-open).")
    last_day: dt.date


class ReportMeta(ReadSchema):
    """What every report carries besides its figures."""

    report: str
    title: str
    currency: str = Field(description="Every amount is in this currency (the base).")
    date_from: dt.date
    date_to: dt.date = Field(description="Inclusive.")
    rates: list[RateUsed] = Field(
        default_factory=list, description="Every exchange rate a figure was converted with."
    )


class Figure(ReadSchema):
    """An amount in the report's currency and the transactions behind it."""

    amount: str
    filter: Drill


class CategoryRow(ReadSchema):
    category_id: str
    name: str
    path: str
    parent_id: str | None
    depth: int = Field(description="0 for the report's top level.")
    own: Figure = Field(description="Posted to this category itself.")
    total: Figure = Field(description="With every subcategory.")
    share: str = Field(description="Percent of the report's total, one decimal.")


class CategoryReport(ReportMeta):
    """Spending (expense) or income by category; amounts are positive for money spent
    (expense) or received (income); refunds make them smaller."""

    kind: Literal["expense", "income"]
    category_id: str | None = Field(description="The category drilled into, if any.")
    total: Figure
    rows: list[CategoryRow] = Field(description="Depth-first, largest first per level.")


class MonthRow(ReadSchema):
    month: str = Field(description="YYYY-MM")
    date_from: dt.date
    date_to: dt.date
    income: Figure
    expense: Figure
    net: str = Field(description="Income minus expense.")


class IncomeExpenseReport(ReportMeta):
    months: list[MonthRow]
    income: Figure
    expense: Figure
    net: str


class AccountFlowRow(ReadSchema):
    account_id: str
    name: str
    kind: str
    account_currency: str
    opening: str = Field(description="Balance before the first day, converted on that day.")
    inflow: Figure
    outflow: Figure = Field(description="Positive: money that left.")
    revaluation: str = Field(description="Change of value of a foreign-currency balance.")
    closing: str = Field(description="Balance after the last day, converted on that day.")


class SankeyNode(ReadSchema):
    id: str
    name: str
    kind: Literal["income", "hub", "expense", "savings"]


class SankeyLink(ReadSchema):
    source: str
    target: str
    value: str
    filter: Drill | None


class CashFlowReport(ReportMeta):
    income: Figure
    expense: Figure
    net: str = Field(description="Income minus expense: saved (or, negative, drawn down).")
    accounts: list[AccountFlowRow]
    income_categories: list[CategoryRow] = Field(description="Top-level income categories.")
    expense_categories: list[CategoryRow] = Field(description="Top-level expense categories.")
    nodes: list[SankeyNode]
    links: list[SankeyLink] = Field(description="Income -> Budget -> expense (and savings).")


class NetWorthPoint(ReadSchema):
    on: dt.date = Field(description="End of this day (a month end, or the last day).")
    assets: Figure
    liabilities: Figure = Field(description="Ledger-signed: negative while money is owed.")
    net_worth: str


class NetWorthReport(ReportMeta):
    points: list[NetWorthPoint]
    change: str = Field(description="Net worth at the end minus at the start.")


class BudgetActualRow(ReadSchema):
    category_id: str
    path: str
    budgeted: str = Field(description="Assigned (envelope) or the limit (tracking).")
    actual: Figure = Field(description="Net spending.")
    difference: str = Field(description="Budgeted minus actual: positive is under budget.")
    available: str = Field(description="What is left after the period, with rollover.")


class BudgetPeriodRows(ReadSchema):
    period: PeriodRead
    rows: list[BudgetActualRow]
    budgeted: str
    actual: str
    difference: str


class BudgetReport(ReportMeta):
    budget_id: str
    budget_name: str
    mode: str
    periods: list[BudgetPeriodRows]
    budgeted: str
    actual: str
    difference: str


class NamedRow(ReadSchema):
    id: str | None = Field(description="The payee or tag id; null for 'no payee'.")
    name: str
    amount: Figure
    share: str


class BreakdownReport(ReportMeta):
    """Spending (or income) by payee or by tag. A transaction with two tags counts
    under both, so tag rows can add up to more than the total."""

    kind: Literal["expense", "income"]
    by: Literal["payee", "tag"]
    total: Figure
    rows: list[NamedRow]


class YearMonthRow(ReadSchema):
    month: int
    this_year: Figure
    last_year: Figure
    change: str


class YearCategoryRow(ReadSchema):
    category_id: str
    path: str
    this_year: Figure
    last_year: Figure
    change: str


class YearOverYearReport(ReportMeta):
    kind: Literal["expense", "income"]
    year: int
    months: list[YearMonthRow]
    categories: list[YearCategoryRow] = Field(description="Top-level categories.")
    this_year: Figure
    last_year: Figure
    change: str


class DrillPage(ReadSchema):
    """The transactions behind a figure (newest first) and the figure itself."""

    items: list[TransactionRead]
    next_cursor: str | None
    total: str = Field(description="Sum of the matching postings in the base currency: the figure.")
    currency: str
