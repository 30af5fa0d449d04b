"""A household's first hour, in a real browser: sign up, open accounts, add a split and a
transfer, filter the register (the URL carries the filter; back works), edit inline, and
see the dashboard follow."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import Shot, Watch, sign_up, unique_email


def _open_account(page: Page, base: str, name: str, type_label: str, opening: str) -> None:
    page.goto(base + "/accounts/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Type").select_option(label=type_label)
    page.get_by_label("Opening balance").fill(opening)
    page.get_by_role("button", name="Open account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def _add_category(page: Page, name: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()


def test_sign_up_accounts_split_transfer_filter_edit_and_dashboard(
    page: Page, live_server: str, watch: Watch, screenshot: Shot
) -> None:
    base = live_server
    sign_up(page, base, unique_email("journey"), household="Journey home")
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey home")

    # A mistake is shown beside its field, and what was typed stays.
    page.goto(base + "/accounts/new")
    page.get_by_label("Name", exact=True).fill("Checking")
    page.get_by_label("Opening balance").fill("12.345")
    page.get_by_role("button", name="Open account").click()
    expect(page.locator("#f-opening_balance-error")).to_contain_text("more decimals than EUR")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Checking")

    _open_account(page, base, "Checking", "Checking", "1000")
    expect(page.get_by_test_id("account-balance")).to_have_text("€1,000.00")
    _open_account(page, base, "Savings", "Saving", "0")
    page.goto(base + "/categories")
    _add_category(page, "Groceries")
    _add_category(page, "Household")

    # A split: one payment, two categories.
    page.goto(base + "/transactions")
    quick = page.locator("#quick-add")
    quick.get_by_label("Account").select_option(label="Checking (EUR)")
    quick.get_by_label("Payee").fill("Supermarket")
    quick.locator('input[name="line_category"]').nth(0).fill("Groceries")
    quick.locator('input[name="line_amount"]').nth(0).fill("60.00")
    quick.get_by_role("button", name="Split: add a line").click()
    expect(quick.locator('input[name="line_category"]')).to_have_count(2)
    quick.locator('input[name="line_category"]').nth(1).fill("Household")
    quick.locator('input[name="line_amount"]').nth(1).fill("40")
    quick.get_by_role("button", name="Add", exact=True).click()
    split_row = page.locator("tr[data-row]", has_text="Supermarket")
    expect(split_row).to_contain_text("Split: Groceries, Household")
    expect(split_row).to_contain_text("-€100.00")
    expect(quick.get_by_label("Payee")).to_have_value("")  # ready for the next one

    # A transfer between own accounts.
    quick.get_by_role("link", name="Transfer").click()
    quick.get_by_label("From").select_option(label="Checking (EUR)")
    quick.get_by_label("To", exact=True).select_option(label="Savings (EUR)")
    quick.get_by_label("Amount sent").fill("200")
    quick.get_by_role("button", name="Add transfer").click()
    transfer_row = page.locator("tr[data-row]", has_text="Checking → Savings")
    expect(transfer_row).to_contain_text("€200.00")
    screenshot(page, "journey-register")

    # Filter: the URL carries it, and the back button returns to the whole register.
    all_rows = page.locator("tr[data-row]").count()
    assert all_rows == 3  # the opening balance of Checking, the split, the transfer
    page.locator(".filters summary").click()
    page.get_by_label("Search payee or note").fill("supermarket")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/transactions\?.*q=supermarket"))
    expect(page.locator("tr[data-row]")).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(base + "/transactions")
    expect(page.locator("tr[data-row]")).to_have_count(all_rows)

    page.goto(base + "/")
    expect(page.get_by_test_id("month-spending")).to_have_text("€100.00")
    expect(page.get_by_test_id("net-worth")).to_have_text("€900.00")

    # Inline edit: the row becomes a form, and saving puts the row back, changed.
    page.goto(base + "/transactions")
    page.locator("tr[data-row]", has_text="Supermarket").get_by_role(
        "button", name=re.compile("^Edit")
    ).click()
    editor = page.locator("tr.editing")
    expect(editor.locator('input[name="line_amount"]').first).to_have_value("60.00")
    editor.locator('input[name="line_amount"]').first.fill("75.00")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("tr.editing")).to_have_count(0)
    expect(page.locator("tr[data-row]", has_text="Supermarket")).to_contain_text("-€115.00")

    page.goto(base + "/")
    expect(page.get_by_test_id("month-spending")).to_have_text("€115.00")
    expect(page.get_by_test_id("net-worth")).to_have_text("€885.00")
    expect(page.locator("[data-chart] canvas")).to_have_count(1)
    by_category = page.locator(
        "section", has=page.get_by_role("heading", name="Spending by category")
    )
    expect(by_category.get_by_role("row", name=re.compile("Groceries"))).to_contain_text("€75.00")
    screenshot(page, "journey-dashboard")
