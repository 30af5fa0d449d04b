"""Reports as PDF: an A4 page with the title, the period, the chart (inline SVG) and
the tables (`pdf.html`), rendered by WeasyPrint. Amounts show thousands separators."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib import resources

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from homeledger.reports.schemas import ReportMeta
from homeledger.reports.tables import tables_and_chart


def display_amount(text: str) -> str:
    """'-1234.50' -> '-1,234.50' (the decimals as given)."""
    if not text:
        return ""
    try:
        return f"{Decimal(text):,}"
    except InvalidOperation:
        return text


_environment = Environment(autoescape=select_autoescape(default=True), trim_blocks=True)
_environment.filters["amount"] = display_amount
_page = _environment.from_string(
    resources.files("homeledger.reports").joinpath("pdf.html").read_text(encoding="utf-8")
)


def report_html(report: ReportMeta) -> str:
    tables, chart = tables_and_chart(report)
    # The SVG is built from escaped text by `charts`, so it is safe to embed as is.
    return _page.render(report=report, tables=tables, chart=Markup(chart))  # noqa: S704


def render_pdf(report: ReportMeta) -> bytes:
    """The report as a PDF document."""
    from weasyprint import HTML  # costs ~0.7 s on first import; only PDFs pay it

    document: bytes = HTML(string=report_html(report)).write_pdf()
    return document
