"""HTML pages of reports: pick a report and a period, see its chart and tables, follow
any row to its transactions in the register, download it as CSV or PDF."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from homeledger.kit.errors import NotFound
from homeledger.kit.tenancy import Ctx
from homeledger.reports import flows, service
from homeledger.reports.pdf import render_pdf
from homeledger.reports.schemas import (
    BreakdownReport,
    BudgetReport,
    CashFlowReport,
    CategoryReport,
    Drill,
    IncomeExpenseReport,
    NetWorthReport,
    ReportMeta,
    YearOverYearReport,
)
from homeledger.reports.tables import tables_and_chart, to_csv
from homeledger.web.deps import SessionDep
from homeledger.web.htmx import redirect
from homeledger.web.nav import NavItem, register
from homeledger.web.pagectx import PageDep
from homeledger.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("Reports", "/reports", "r", 70))

REPORTS = {
    "spending": "Spending",
    "income": "Income",
    "income-expense": "Income vs expense",
    "cash-flow": "Cash flow",
    "net-worth": "Net worth",
    "budget": "Budget vs actual",
    "payees": "Payees",
    "tags": "Tags",
    "year-over-year": "Year over year",
}
DateParam = Annotated[dt.date | None, Query()]


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    end = date_to or dt.date.today()
    if date_from is not None:
        return date_from, end
    months = end.year * 12 + end.month - 1 - 11
    return dt.date(months // 12, months % 12 + 1, 1), end


def build(session: Session, ctx: Ctx, name: str, start: dt.date, end: dt.date) -> ReportMeta:
    if name == "spending":
        return service.category_report(session, ctx, "expense", start, end)
    if name == "income":
        return service.category_report(session, ctx, "income", start, end)
    if name == "income-expense":
        return service.income_expense(session, ctx, start, end)
    if name == "cash-flow":
        return flows.cash_flow(session, ctx, start, end)
    if name == "net-worth":
        return flows.net_worth(session, ctx, start, end)
    if name == "budget":
        return flows.budget_vs_actual(session, ctx, start, end)
    if name in ("payees", "tags"):
        return service.breakdown(session, ctx, "payee" if name == "payees" else "tag", start, end)
    if name == "year-over-year":
        return service.year_over_year(session, ctx, end.year)
    raise NotFound("no such report")


def register_url(drill: Drill | None) -> str:
    """The register filtered like the figure, when the register can say it exactly."""
    if drill is None or drill.kind or drill.include_subcategories is False:
        return ""
    if drill.payee_id == "none":
        return ""
    pairs = {
        "category": drill.category_id,
        "account": drill.account_id,
        "payee": drill.payee_id,
        "tag": drill.tag,
        "from": drill.date_from.isoformat() if drill.date_from else None,
        "to": drill.date_to.isoformat() if drill.date_to else None,
    }
    return "/transactions?" + urlencode({k: v for k, v in pairs.items() if v})


def _values(amounts: list[str]) -> list[float]:
    """Chart coordinates for the browser's chart library (display only, like SVG
    coordinates); the figures themselves stay decimal strings in the tables."""
    return [float(Decimal(a)) for a in amounts]


def _chart(report: ReportMeta, locale: str) -> dict[str, Any] | None:
    base = {"currency": report.currency, "locale": locale.replace("_", "-")}
    if isinstance(report, CategoryReport):
        top = [r for r in report.rows if r.depth == 0 and Decimal(r.total.amount) > 0]
        return base | {
            "type": "pie",
            "labels": [r.name for r in top],
            "values": [float(Decimal(r.total.amount)) for r in top],
        }
    if isinstance(report, IncomeExpenseReport):
        return base | {
            "type": "bar",
            "labels": [m.month for m in report.months],
            "series": [
                {
                    "name": "Income",
                    "values": [float(Decimal(m.income.amount)) for m in report.months],
                },
                {
                    "name": "Expense",
                    "values": [float(Decimal(m.expense.amount)) for m in report.months],
                },
            ],
        }
    if isinstance(report, NetWorthReport):
        return base | {
            "type": "line",
            "points": [[p.on.isoformat(), float(Decimal(p.net_worth))] for p in report.points],
        }
    if isinstance(report, BudgetReport):
        return base | {
            "type": "bar",
            "labels": [p.period.start.isoformat() for p in report.periods],
            "series": [
                {
                    "name": "Budgeted",
                    "values": [float(Decimal(p.budgeted)) for p in report.periods],
                },
                {"name": "Actual", "values": _values([p.actual for p in report.periods])},
            ],
        }
    if isinstance(report, BreakdownReport):
        rows = report.rows[:15]
        return base | {
            "type": "bar",
            "labels": [r.name for r in rows],
            "values": [float(Decimal(r.amount.amount)) for r in rows],
        }
    if isinstance(report, YearOverYearReport):
        return base | {
            "type": "bar",
            "labels": [f"{m.month:02d}" for m in report.months],
            "series": [
                {
                    "name": str(report.year - 1),
                    "values": [float(Decimal(m.last_year.amount)) for m in report.months],
                },
                {
                    "name": str(report.year),
                    "values": [float(Decimal(m.this_year.amount)) for m in report.months],
                },
            ],
        }
    return None


@router.get("/reports")
def index(request: Request, page: PageDep) -> Response:
    """Spending is where people start."""
    del page  # signed-in only
    return redirect(request, "/reports/spending")


@router.get("/reports/{name}")
def report(
    request: Request,
    name: str,
    page: PageDep,
    session: SessionDep,
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    if name not in REPORTS:
        raise NotFound("no such report")
    start, end = _period(date_from, date_to)
    result = build(session, page.ctx, name, start, end)
    tables, svg = tables_and_chart(result)
    query = urlencode({"from": start.isoformat(), "to": end.isoformat()})
    sankey = Markup(svg) if isinstance(result, CashFlowReport) else None  # noqa: S704 - built from escaped text
    return render(
        request,
        "reports/report.html",
        {
            "name": name,
            "reports": REPORTS,
            "report": result,
            "tables": tables,
            "links": [[register_url(d) for d in t.drills] for t in tables],
            "chart": _chart(result, page.locale),
            "sankey": sankey,
            "start": start,
            "end": end,
            "query": query,
        },
        page=page,
    )


@router.get("/reports/{name}/download")
def download(
    name: str,
    page: PageDep,
    session: SessionDep,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|pdf)$")] = "pdf",
    date_from: Annotated[dt.date | None, Query(alias="from")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Response:
    if name not in REPORTS:
        raise NotFound("no such report")
    start, end = _period(date_from, date_to)
    result = build(session, page.ctx, name, start, end)
    filename = f"{name}-{start}-{end}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        return Response(to_csv(result), media_type="text/csv; charset=utf-8", headers=disposition)
    return Response(render_pdf(result), media_type="application/pdf", headers=disposition)
