"""Every report as tables and a chart: what the CSV and the PDF show.

CSV amounts are plain decimals (``-1234.50``) for spreadsheets; the PDF shows them
with thousands separators. Each table lists the report's figures in the same order
as the JSON, and the last table lists the exchange rates used.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from homeledger.reports import charts
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

AMOUNT = "amount"


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    amounts: set[int] = field(default_factory=set)
    """Indexes of the columns that hold amounts (right-aligned, separated in the PDF)."""
    drills: list[Drill | None] = field(default_factory=list)
    """Per row, the filter of its main figure (pages link the row to its transactions)."""


def _category_tables(report: CategoryReport) -> tuple[list[Table], str]:
    table = Table("By category", ["Category", "Own", "Total", "Share %"], amounts={1, 2})
    table.rows = [[r.path, r.own.amount, r.total.amount, r.share] for r in report.rows]
    table.drills = [r.total.filter for r in report.rows]
    table.rows.append(["Total", "", report.total.amount, "100.0"])
    top = [(r.name, Decimal(r.total.amount)) for r in report.rows if r.depth == 0]
    return [table], charts.bar_chart(report.title, top)


def _income_expense_tables(report: IncomeExpenseReport) -> tuple[list[Table], str]:
    table = Table("Per month", ["Month", "Income", "Expense", "Net"], amounts={1, 2, 3})
    table.rows = [[m.month, m.income.amount, m.expense.amount, m.net] for m in report.months]
    table.rows.append(["Total", report.income.amount, report.expense.amount, report.net])
    chart = charts.column_chart(
        report.title,
        [m.month for m in report.months],
        [
            ("Income", [Decimal(m.income.amount) for m in report.months]),
            ("Expense", [Decimal(m.expense.amount) for m in report.months]),
        ],
    )
    return [table], chart


def _cash_flow_tables(report: CashFlowReport) -> tuple[list[Table], str]:
    accounts = Table(
        "Accounts",
        ["Account", "Opening", "In", "Out", "Revaluation", "Closing"],
        amounts={1, 2, 3, 4, 5},
    )
    accounts.rows = [
        [a.name, a.opening, a.inflow.amount, a.outflow.amount, a.revaluation, a.closing]
        for a in report.accounts
    ]
    accounts.drills = [a.inflow.filter for a in report.accounts]
    flows = Table("Income and expense", ["Category", "Kind", "Amount"], amounts={2})
    flows.rows = [[r.path, "income", r.total.amount] for r in report.income_categories]
    flows.rows += [[r.path, "expense", r.total.amount] for r in report.expense_categories]
    flows.rows.append(["Income total", "income", report.income.amount])
    flows.rows.append(["Expense total", "expense", report.expense.amount])
    flows.rows.append(["Net (saved)", "", report.net])
    columns = {"income": 0, "hub": 1, "expense": 2, "savings": 0}
    nodes = [(n.id, n.name, 2 if n.id == "saved" else columns[n.kind]) for n in report.nodes]
    links = [(link.source, link.target, Decimal(link.value)) for link in report.links]
    return [accounts, flows], charts.sankey(report.title, nodes, links)


def _net_worth_tables(report: NetWorthReport) -> tuple[list[Table], str]:
    table = Table("Month ends", ["Date", "Assets", "Liabilities", "Net worth"], amounts={1, 2, 3})
    table.rows = [
        [p.on.isoformat(), p.assets.amount, p.liabilities.amount, p.net_worth]
        for p in report.points
    ]
    chart = charts.line_chart(
        report.title,
        [p.on.strftime("%Y-%m") for p in report.points],
        [
            ("Assets", [Decimal(p.assets.amount) for p in report.points]),
            ("Liabilities", [Decimal(p.liabilities.amount) for p in report.points]),
            ("Net worth", [Decimal(p.net_worth) for p in report.points]),
        ],
    )
    return [table], chart


def _budget_tables(report: BudgetReport) -> tuple[list[Table], str]:
    tables = []
    for period in report.periods:
        table = Table(
            f"{period.period.start} to {period.period.last_day}",
            ["Category", "Budgeted", "Actual", "Difference", "Available"],
            amounts={1, 2, 3, 4},
        )
        table.rows = [
            [r.path, r.budgeted, r.actual.amount, r.difference, r.available] for r in period.rows
        ]
        table.drills = [r.actual.filter for r in period.rows]
        table.rows.append(["Total", period.budgeted, period.actual, period.difference, ""])
        tables.append(table)
    chart = charts.column_chart(
        report.title,
        [str(p.period.start) for p in report.periods],
        [
            ("Budgeted", [Decimal(p.budgeted) for p in report.periods]),
            ("Actual", [Decimal(p.actual) for p in report.periods]),
        ],
    )
    return tables, chart


def _breakdown_tables(report: BreakdownReport) -> tuple[list[Table], str]:
    table = Table(f"By {report.by}", [report.by.capitalize(), "Amount", "Share %"], amounts={1})
    table.rows = [[r.name, r.amount.amount, r.share] for r in report.rows]
    table.drills = [r.amount.filter for r in report.rows]
    table.rows.append(["Total", report.total.amount, ""])
    chart = charts.bar_chart(
        report.title, [(r.name, Decimal(r.amount.amount)) for r in report.rows]
    )
    return [table], chart


def _year_tables(report: YearOverYearReport) -> tuple[list[Table], str]:
    this, last = str(report.year), str(report.year - 1)
    months = Table("Per month", ["Month", last, this, "Change"], amounts={1, 2, 3})
    months.rows = [
        [f"{m.month:02d}", m.last_year.amount, m.this_year.amount, m.change] for m in report.months
    ]
    months.rows.append(["Total", report.last_year.amount, report.this_year.amount, report.change])
    cats = Table("Per category", ["Category", last, this, "Change"], amounts={1, 2, 3})
    cats.rows = [
        [c.path, c.last_year.amount, c.this_year.amount, c.change] for c in report.categories
    ]
    cats.drills = [c.this_year.filter for c in report.categories]
    chart = charts.column_chart(
        report.title,
        [f"{m.month:02d}" for m in report.months],
        [
            (last, [Decimal(m.last_year.amount) for m in report.months]),
            (this, [Decimal(m.this_year.amount) for m in report.months]),
        ],
    )
    return [months, cats], chart


def tables_and_chart(report: ReportMeta) -> tuple[list[Table], str]:
    """The report's tables (the rates used last) and its chart as SVG."""
    if isinstance(report, CategoryReport):
        tables, chart = _category_tables(report)
    elif isinstance(report, IncomeExpenseReport):
        tables, chart = _income_expense_tables(report)
    elif isinstance(report, CashFlowReport):
        tables, chart = _cash_flow_tables(report)
    elif isinstance(report, NetWorthReport):
        tables, chart = _net_worth_tables(report)
    elif isinstance(report, BudgetReport):
        tables, chart = _budget_tables(report)
    elif isinstance(report, BreakdownReport):
        tables, chart = _breakdown_tables(report)
    elif isinstance(report, YearOverYearReport):
        tables, chart = _year_tables(report)
    else:  # pragma: no cover - every report type is listed above
        raise TypeError(f"no tables for {type(report).__name__}")
    rates = Table("Exchange rates used", ["Base", "Quote", "Rate", "Date", "Source"])
    rates.rows = [[r.base, r.quote, r.rate, r.as_of.isoformat(), r.source] for r in report.rates]
    return [*tables, rates], chart


def to_csv(report: ReportMeta) -> str:
    """Each table under its title, separated by an empty line; amounts in
    ``report.currency``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([report.title])
    writer.writerow([f"{report.date_from} to {report.date_to}", f"amounts in {report.currency}"])
    for table in tables_and_chart(report)[0]:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows(table.rows)
    return out.getvalue()
