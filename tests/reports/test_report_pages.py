"""The pages in a real browser: assign money in a budget and see the budget, the
reports and their PDF change; schedule a monthly bill, let its payment arrive, see it
marked paid; the forecast shows its lowest point."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from playwright.sync_api import Browser, expect
from tests.web.conftest import (
    DESKTOP,
    ApiClient,
    Watch,
    browser_context_args,
    browser_type_launch_args,
    built_assets,
    live_server,
    sign_up,
    unique_email,
)
from tests.web.test_pages import assert_valid_html

pytestmark = pytest.mark.browser
__all__ = ["browser_context_args", "browser_type_launch_args", "built_assets", "live_server"]


def _spend(api: ApiClient, account: str, category: str, amount: str, payee: str) -> None:
    """``amount`` leaves ``account`` for ``category`` (negative: it arrives)."""
    out = amount[1:] if amount.startswith("-") else f"-{amount}"
    api.post(
        "/transactions",
        {
            "date": dt.date.today().isoformat(),
            "payee": payee,
            "postings": [
                {"account_id": account, "amount": out, "currency": "EUR"},
                {"account_id": category, "amount": amount, "currency": "EUR"},
            ],
        },
    )


def test_assigning_money_changes_the_budget_the_reports_and_the_pdf(
    browser: Browser, live_server: str, tmp_path: object
) -> None:
    base, email = live_server, unique_email("budget")
    page = browser.new_context(viewport=DESKTOP, service_workers="block").new_page()
    watch = Watch()
    watch.attach(page)
    sign_up(page, base, email)
    api = ApiClient.for_user(base, email)
    checking = api.post("/accounts", {"name": "Checking", "type": "checking", "currency": "EUR"})[
        "id"
    ]
    food = api.post("/categories", {"name": "Food", "kind": "expense"})["id"]
    salary = api.post("/categories", {"name": "Salary", "kind": "income"})["id"]
    _spend(api, checking, salary, "-2000.00", "Employer")
    _spend(api, checking, food, "45.50", "Market")

    page.goto(base + "/budgets")
    page.get_by_label("Name").fill("Home")
    page.get_by_role("button", name="Create budget").click()
    expect(page.get_by_test_id("ready-to-assign")).to_have_text("€2,000.00")
    page.get_by_label("Assign to Food").fill("120")
    page.locator("tr", has_text="Food").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("ready-to-assign")).to_have_text("€1,880.00")
    row = page.locator("tr", has_text="Food")
    expect(row.get_by_test_id("available")).to_have_text("€74.50")
    assert_valid_html(page.content(), "budget page")

    page.goto(base + "/reports/budget")
    budget_row = page.locator("tr", has_text="Food")
    expect(budget_row).to_contain_text("€120.00")
    expect(budget_row).to_contain_text("€45.50")
    page.goto(base + "/reports/spending")
    expect(page.locator("tr", has_text="Food").first).to_contain_text("€45.50")
    assert_valid_html(page.content(), "spending report")
    with page.expect_download() as download:
        page.get_by_test_id("pdf-link").click()
    pdf = download.value.path()
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Spending by category" in text
    assert "45.50" in text
    for report in ("income-expense", "cash-flow", "net-worth", "payees", "year-over-year"):
        page.goto(base + f"/reports/{report}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_valid_html(page.content(), report)
    page.goto(base + "/exchange-rates")
    page.get_by_label("One unit of").fill("USD")
    page.get_by_label("buys").fill("0.9150")
    page.get_by_role("button", name="Save rate").click()
    expect(page.locator("tr", has_text="1 USD")).to_contain_text("0.915 EUR")
    assert_valid_html(page.content(), "exchange rates")
    watch.assert_clean()


def test_a_monthly_bill_is_marked_paid_when_its_payment_arrives(
    browser: Browser, live_server: str
) -> None:
    base, email = live_server, unique_email("bill")
    page = browser.new_context(viewport=DESKTOP, service_workers="block").new_page()
    watch = Watch()
    watch.attach(page)
    sign_up(page, base, email)
    api = ApiClient.for_user(base, email)
    checking = api.post(
        "/accounts",
        {"name": "Checking", "type": "checking", "currency": "EUR", "opening_balance": "500"},
    )["id"]
    phone = api.post("/categories", {"name": "Phone", "kind": "expense"})["id"]
    today = dt.date.today()

    page.goto(base + "/schedules")
    page.get_by_label("Name").fill("Phone bill")
    page.get_by_label("Payee").fill("Telco")
    page.get_by_label("Day of month").fill(str(today.day))
    page.get_by_label("First day").fill(today.isoformat())
    page.get_by_label("Account", exact=True).select_option(label="Checking")
    page.get_by_label("Amount", exact=True).fill("35.00")
    page.get_by_label("Category or account").select_option(label="Phone")
    page.get_by_label("When due").select_option("remind")
    page.get_by_label("This is a bill").check()
    page.get_by_label("Bill at least").fill("30")
    page.get_by_label("Bill at most").fill("40")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator("tr", has_text="Phone bill").first).to_be_visible()
    assert_valid_html(page.content(), "schedules page")

    _spend(api, checking, phone, "35.80", "TELCO GMBH 4711")  # what an import brings in
    page.get_by_role("button", name="Post what is due").click()
    paid = page.locator("#bills-h ~ .table-wrap tr", has_text="Phone bill")
    expect(paid.first).to_contain_text("Paid")

    page.goto(base + "/forecast")
    # Today's bill is paid; the next ones (35.00 each) bring the balance below 464.20.
    expect(page.get_by_test_id("forecast-lowest")).to_be_visible()
    expect(page.locator("tr", has_text="Phone bill").first).to_contain_text("€35.00")
    assert_valid_html(page.content(), "forecast page")
    watch.assert_clean()
