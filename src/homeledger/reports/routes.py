"""JSON API of reports; each also answers as CSV or PDF with `format=csv|pdf`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from homeledger.reports import flows, service
from homeledger.reports.pdf import render_pdf
from homeledger.reports.schemas import (
    BreakdownReport,
    BudgetReport,
    CashFlowReport,
    CategoryReport,
    DrillPage,
    DrillQuery,
    IncomeExpenseReport,
    NetWorthReport,
    ReportMeta,
    YearOverYearReport,
)
from homeledger.reports.tables import to_csv
from homeledger.web.deps import CtxDep, SessionDep

router = APIRouter(prefix="/api/v1/households/{household_id}/reports", tags=["reports"])

Format = Annotated[Literal["json", "csv", "pdf"], Query(description="json (default), csv or pdf.")]
DateFrom = Annotated[dt.date | None, Query(description="First day; default: 11 months ago.")]
DateTo = Annotated[dt.date | None, Query(description="Last day, inclusive; default: today.")]
Kind = Annotated[Literal["expense", "income"], Query()]
ALSO: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {}, "application/pdf": {}},
        "description": "The report (JSON, or CSV / PDF with `format`).",
    }
}


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    end = date_to or dt.date.today()
    if date_from is not None:
        return date_from, end
    months = end.year * 12 + end.month - 1 - 11
    return dt.date(months // 12, months % 12 + 1, 1), end


def rendered(report: ReportMeta, fmt: str) -> Response:
    """The report as JSON, or a CSV / PDF download."""
    name = f"{report.report}-{report.date_from}-{report.date_to}"
    if fmt == "csv":
        return Response(
            to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if fmt == "pdf":
        return Response(
            render_pdf(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
        )
    # The model is already built and checked: serialising it directly skips FastAPI's
    # second validation of the response (a third of a large report's time).
    return Response(report.model_dump_json(), media_type="application/json")


@router.get(
    "/spending", response_model=CategoryReport, responses=ALSO, summary="Spending by category"
)
def spending(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    category_id: Annotated[str | None, Query(max_length=32, description="Drill into.")] = None,
    format: Format = "json",
) -> Response:
    """Per category and subcategory (money spent, refunds deducted); every figure's
    `filter.href` lists its transactions."""
    start, end = _period(date_from, date_to)
    return rendered(
        service.category_report(session, ctx, "expense", start, end, category_id), format
    )


@router.get("/income", response_model=CategoryReport, responses=ALSO, summary="Income by category")
def income(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    category_id: Annotated[str | None, Query(max_length=32, description="Drill into.")] = None,
    format: Format = "json",
) -> Response:
    start, end = _period(date_from, date_to)
    return rendered(
        service.category_report(session, ctx, "income", start, end, category_id), format
    )


@router.get(
    "/income-expense",
    response_model=IncomeExpenseReport,
    responses=ALSO,
    summary="Income vs expense per month",
)
def income_expense(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    format: Format = "json",
) -> Response:
    start, end = _period(date_from, date_to)
    return rendered(service.income_expense(session, ctx, start, end), format)


@router.get("/cash-flow", response_model=CashFlowReport, responses=ALSO, summary="Cash flow")
def cash_flow(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    format: Format = "json",
) -> Response:
    """Money in and out per account, income and expense per top-level category, and
    the nodes and links of a Sankey diagram (income -> budget -> expense, savings)."""
    start, end = _period(date_from, date_to)
    return rendered(flows.cash_flow(session, ctx, start, end), format)


@router.get("/net-worth", response_model=NetWorthReport, responses=ALSO, summary="Net worth")
def net_worth(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    format: Format = "json",
) -> Response:
    """Assets, liabilities and net worth at each month end."""
    start, end = _period(date_from, date_to)
    return rendered(flows.net_worth(session, ctx, start, end), format)


@router.get("/budget", response_model=BudgetReport, responses=ALSO, summary="Budget vs actual")
def budget(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    budget_id: Annotated[
        str | None, Query(max_length=32, description="Default: the first budget.")
    ] = None,
    format: Format = "json",
) -> Response:
    start, end = _period(date_from, date_to)
    return rendered(flows.budget_vs_actual(session, ctx, start, end, budget_id), format)


@router.get("/payees", response_model=BreakdownReport, responses=ALSO, summary="By payee")
def payees(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    kind: Kind = "expense",
    format: Format = "json",
) -> Response:
    start, end = _period(date_from, date_to)
    return rendered(service.breakdown(session, ctx, "payee", start, end, kind), format)


@router.get("/tags", response_model=BreakdownReport, responses=ALSO, summary="By tag")
def tags(
    ctx: CtxDep,
    session: SessionDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    kind: Kind = "expense",
    format: Format = "json",
) -> Response:
    """A transaction with several tags counts under each of them."""
    start, end = _period(date_from, date_to)
    return rendered(service.breakdown(session, ctx, "tag", start, end, kind), format)


@router.get(
    "/year-over-year",
    response_model=YearOverYearReport,
    responses=ALSO,
    summary="A year against the one before",
)
def year_over_year(
    ctx: CtxDep,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=1901, le=2199, description="Default: this year.")] = None,
    kind: Kind = "expense",
    format: Format = "json",
) -> Response:
    return rendered(
        service.year_over_year(session, ctx, year or dt.date.today().year, kind), format
    )


@router.get("/transactions", response_model=DrillPage, summary="The transactions behind a figure")
def transactions(
    ctx: CtxDep, session: SessionDep, filters: Annotated[DrillQuery, Query()]
) -> DrillPage:
    """Takes a figure's `filter`; returns its transactions (newest first, paged by
    `cursor`) and `total`, the sum of the matching postings in the base currency."""
    return service.drill(session, ctx, filters)
