"""Every page: valid HTML, no console errors, no failing asset request, and a screenshot
at desktop and phone width (var/screenshots/). Also the installable-app parts."""

from __future__ import annotations

import datetime as dt
import json

import html5lib
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.conftest import (
    DESKTOP,
    PHONE,
    ApiClient,
    Shot,
    Watch,
    sign_up,
    unique_email,
)

PAGES = [
    ("dashboard", "/"),
    ("transactions", "/transactions"),
    ("transactions-filtered", "/transactions?q=market&status=cleared"),
    ("new-transaction", "/transactions/new"),
    ("accounts", "/accounts"),
    ("account", "/accounts/{checking}"),
    ("new-account", "/accounts/new"),
    ("categories", "/categories"),
    ("payees", "/payees"),
    ("tags", "/tags"),
    ("households", "/households"),
    ("members", "/household/members"),
    ("household-settings", "/household/settings"),
    ("tokens", "/settings/tokens"),
]
PUBLIC = [("sign-in", "/signin"), ("sign-up", "/signup"), ("offline", "/offline")]


def assert_valid_html(text: str, where: str) -> None:
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(text)
    except html5lib.html5parser.ParseError as error:
        raise AssertionError(f"{where}: invalid HTML: {error}") from None


def _seed(base: str, email: str) -> dict[str, str]:
    api = ApiClient.for_user(base, email)
    checking = api.post(
        "/accounts",
        {
            "name": "Checking",
            "type": "checking",
            "currency": "EUR",
            "opening_balance": "2500",
            "account_number": "DE89370400440532013000",
        },
    )["id"]
    api.post(
        "/accounts",
        {"name": "Savings", "type": "savings", "currency": "EUR", "opening_balance": "8000"},
    )
    card = api.post(
        "/accounts",
        {"name": "Visa", "type": "credit_card", "currency": "EUR", "opening_balance": "-320.50"},
    )["id"]
    food = api.post("/categories", {"name": "Food", "kind": "expense"})["id"]
    groceries = api.post(
        "/categories", {"name": "Groceries", "kind": "expense", "parent_id": food}
    )["id"]
    home = api.post("/categories", {"name": "Home", "kind": "expense"})["id"]
    salary = api.post("/categories", {"name": "Salary", "kind": "income"})["id"]
    today = dt.date.today()
    for day, payee, account, category, amount, status in [
        (1, "Employer", checking, salary, "-3200.00", "cleared"),
        (2, "Supermarket", checking, groceries, "84.30", "cleared"),
        (3, "Hardware store", card, home, "129.99", "pending"),
        (4, "Market", checking, food, "23.10", "cleared"),
    ]:
        when = today - dt.timedelta(days=today.day - min(day, today.day))
        api.post(
            "/transactions",
            {
                "date": when.isoformat(),
                "payee": payee,
                "tags": ["weekly"],
                "postings": [
                    {
                        "account_id": account,
                        "amount": str(-float(amount)) if not amount.startswith("-") else amount[1:],
                        "currency": "EUR",
                        "status": status,
                    },
                    {"account_id": category, "amount": amount, "currency": "EUR"},
                ],
            },
        )
    return {"checking": checking}


@pytest.fixture(scope="module")
def seeded(browser: Browser, live_server: str) -> tuple[BrowserContext, dict[str, str]]:
    email = unique_email("pages")
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    page = context.new_page()
    sign_up(page, live_server, email, household="Lindqvist family")
    ids = _seed(live_server, email)
    # One uncategorised transaction through the quick add (no category).
    page.goto(live_server + "/transactions")
    quick = page.locator("#quick-add")
    quick.get_by_label("Account").select_option(label="Checking (EUR)")
    quick.get_by_label("Payee").fill("Corner kiosk")
    quick.locator('input[name="line_amount"]').first.fill("3.50")
    quick.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("tr[data-row]", has_text="Corner kiosk")).to_contain_text("Uncategorised")
    page.close()
    return context, ids


def _visit(page: Page, base: str, path: str, name: str, screenshot: Shot) -> None:
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, f"{path}: {response.status}"
    assert response.headers["content-type"].startswith("text/html")
    assert_valid_html(response.text(), path)
    page.wait_for_load_state("networkidle")
    screenshot(page, name)


def test_every_page_is_valid_html_without_errors_at_desktop_and_phone_width(
    browser: Browser,
    live_server: str,
    seeded: tuple[BrowserContext, dict[str, str]],
    screenshot: Shot,
) -> None:
    desktop_context, ids = seeded
    phone_context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        storage_state=desktop_context.storage_state(),
        service_workers="block",
    )
    watch = Watch()
    desktop, phone = (
        watch.attach(desktop_context.new_page()),
        watch.attach(phone_context.new_page()),
    )
    for name, path in PAGES:
        url = path.format(**ids)
        _visit(desktop, live_server, url, f"{name}-desktop", screenshot)
        _visit(phone, live_server, url, f"{name}-phone", screenshot)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways on a phone ({width}px)"
    anonymous = browser.new_context(viewport=PHONE, service_workers="block").new_page()
    watch.attach(anonymous)
    for name, path in PUBLIC:
        _visit(anonymous, live_server, path, f"{name}-phone", screenshot)
    watch.assert_clean()


def test_dashboard_lists_what_needs_attention(
    live_server: str, seeded: tuple[BrowserContext, dict[str, str]]
) -> None:
    context, _ = seeded
    page = context.new_page()
    page.goto(live_server + "/")
    attention = page.locator("section", has=page.get_by_role("heading", name="Needs attention"))
    expect(attention.get_by_role("link", name="1 uncategorised")).to_be_visible()
    expect(attention.get_by_role("link", name="1 pending")).to_be_visible()
    attention.get_by_role("link", name="1 pending").click()
    expect(page).to_have_url(live_server + "/transactions?status=pending")
    expect(page.locator("tr[data-row]")).to_have_count(1)
    expect(page.locator("tr[data-row]")).to_contain_text("Hardware store")


def test_keyboard_shortcuts_and_bulk_categorise(
    live_server: str, seeded: tuple[BrowserContext, dict[str, str]]
) -> None:
    context, _ = seeded
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(live_server + "/")
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(live_server + "/transactions")
    page.keyboard.press("/")
    expect(page.get_by_label("Search payee or note")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    expect(page.locator("tr[data-row].selected")).to_have_count(1)
    page.keyboard.press("e")
    expect(page.locator("tr.editing")).to_have_count(1)
    page.locator("tr.editing").get_by_role("button", name="Cancel").click()
    expect(page.locator("tr.editing")).to_have_count(0)

    kiosk = page.locator("tr[data-row]", has_text="Corner kiosk")
    kiosk.locator('input[name="ids"]').check()
    bulk = page.get_by_role("region", name="Bulk actions")
    expect(bulk).to_be_visible()
    bulk.get_by_label("With the selected").select_option("categorise")
    bulk.get_by_label("Category").fill("Food:Groceries")
    bulk.get_by_role("button", name="Apply").click()
    expect(page.locator(".toast")).to_contain_text("1 categorised")
    expect(page.locator("tr[data-row]", has_text="Corner kiosk")).to_contain_text("Food:Groceries")
    page.goto(live_server + "/")
    attention = page.locator("section", has=page.get_by_role("heading", name="Needs attention"))
    expect(attention.get_by_role("link", name="1 pending")).to_be_visible()
    expect(attention.get_by_text("uncategorised")).to_have_count(0)
    watch.assert_clean()


def test_assets_are_fingerprinted_cached_for_a_year_and_compressed(live_server: str) -> None:
    html = httpx.get(live_server + "/signin").text
    css = html.split('rel="stylesheet" href="')[1].split('"')[0]
    assert css.startswith("/static/app.")
    assert css.endswith(".css")
    response = httpx.get(live_server + css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert "--space-4" in response.text
    favicon = httpx.get(live_server + "/favicon.ico")
    assert favicon.status_code == 200
    assert favicon.content[:4] == b"\x00\x00\x01\x00"
    manifest_url = html.split('rel="manifest" href="')[1].split('"')[0]
    manifest = json.loads(httpx.get(live_server + manifest_url).text)
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        fetched = httpx.get(live_server + icon["src"])
        assert fetched.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            assert fetched.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_installed_app_shows_the_offline_page_without_a_connection(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(viewport=PHONE, service_workers="allow")
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(live_server + "/signin")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    watch.assert_clean()
    context.set_offline(True)
    page.goto(live_server + "/transactions")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    context.close()
