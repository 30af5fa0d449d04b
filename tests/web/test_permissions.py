"""Who may change what: a viewer sees no edit controls and a forged write is refused;
a POST without the session's CSRF token is refused whoever sends it."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Browser, expect

from tests.web.conftest import DESKTOP, ApiClient, Watch, sign_up, unique_email


def test_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(
    browser: Browser, live_server: str
) -> None:
    base = live_server
    owner_email, viewer_email = unique_email("owner"), unique_email("viewer")
    owner = browser.new_context(viewport=DESKTOP, service_workers="block").new_page()
    sign_up(owner, base, owner_email, household="Shared home")
    api = ApiClient.for_user(base, owner_email)
    checking = api.post(
        "/accounts",
        {"name": "Checking", "type": "checking", "currency": "EUR", "opening_balance": "500"},
    )["id"]
    food = api.post("/categories", {"name": "Food", "kind": "expense"})["id"]
    spent = api.post(
        "/transactions",
        {
            "date": "2025-03-01",
            "payee": "Bakery",
            "postings": [
                {"account_id": checking, "amount": "-4.20", "currency": "EUR"},
                {"account_id": food, "amount": "4.20", "currency": "EUR"},
            ],
        },
    )

    owner.goto(base + "/household/members")
    owner.get_by_label("Their email").fill(viewer_email)
    owner.get_by_label("Role", exact=True).select_option("viewer")
    owner.get_by_role("button", name="Create invitation").click()
    link = owner.locator("#invitation-link").inner_text().strip()

    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    page = context.new_page()
    watch = Watch()
    watch.attach(page)
    page.goto(link)
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(viewer_email)
    page.get_by_label("Password").fill("correct horse battery staple")
    expect(page.get_by_label("Household name")).to_have_value("")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared home")

    page.goto(base + "/transactions")
    expect(page.locator("tr[data-row]", has_text="Bakery")).to_be_visible()
    expect(page.locator("#quick-add")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Edit"))).to_have_count(0)
    expect(page.locator('input[name="ids"]')).to_have_count(0)
    page.goto(base + "/accounts")
    expect(page.get_by_role("link", name="Open an account")).to_have_count(0)
    page.goto(base + f"/accounts/{checking}")
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)
    watch.assert_clean()

    # The viewer forges writes with a valid CSRF token of their own session.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    forged = {
        "csrf_token": token,
        "kind": "entry",
        "date": "2025-03-02",
        "account_id": checking,
        "payee": "Forged",
        "line_category": "Food",
        "line_amount": "1000",
        "line_memo": "",
        "direction": "in",
    }
    created = context.request.post(base + "/transactions", form=forged, max_redirects=0)
    assert created.status == 403
    removed = context.request.post(
        base + f"/transactions/{spent['id']}/delete", form={"csrf_token": token}, max_redirects=0
    )
    assert removed.status == 403
    renamed = context.request.post(
        base + f"/categories/{food}", form={"csrf_token": token, "name": "Hacked"}, max_redirects=0
    )
    assert renamed.status == 403
    rows = httpx.get(
        f"{base}/api/v1/households/{api.household_id}/transactions",
        headers={"Authorization": f"Bearer {api.token}"},
    ).json()["items"]
    assert sorted(r["payee"] or "" for r in rows) == ["", "Bakery"]  # opening + bakery


def test_post_without_the_csrf_token_is_refused_and_changes_nothing(
    browser: Browser, live_server: str
) -> None:
    base = live_server
    email = unique_email("csrf")
    context = browser.new_context(viewport=DESKTOP, service_workers="block")
    page = context.new_page()
    sign_up(page, base, email)
    api = ApiClient.for_user(base, email)
    checking = api.post("/accounts", {"name": "Checking", "type": "checking", "currency": "EUR"})
    form = {
        "kind": "entry",
        "date": "2025-03-02",
        "account_id": checking["id"],
        "payee": "Sneaky",
        "line_category": "",
        "line_amount": "5",
        "line_memo": "",
    }

    missing = context.request.post(base + "/transactions", form=form, max_redirects=0)
    assert missing.status == 403
    assert "expired" in missing.text()
    wrong = context.request.post(
        base + "/transactions", form={**form, "csrf_token": "0" * 64}, max_redirects=0
    )
    assert wrong.status == 403
    header = context.request.post(
        base + "/transactions",
        form=form,
        max_redirects=0,
        headers={"X-CSRF-Token": "forged", "HX-Request": "true"},
    )
    assert header.status == 403
    assert "reload the page" in (header.headers.get("hx-trigger") or "")
    # Another browser (no session cookie) with the victim's token is refused too.
    token = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    stranger = httpx.post(base + "/transactions", data={**form, "csrf_token": token})
    assert stranger.status_code == 403
    items = httpx.get(
        f"{base}/api/v1/households/{api.household_id}/transactions",
        headers={"Authorization": f"Bearer {api.token}"},
    ).json()["items"]
    assert items == []

    # The same form with the session's token goes through: the refusals were about CSRF.
    accepted = context.request.post(
        base + "/transactions", form={**form, "csrf_token": token}, max_redirects=0
    )
    assert accepted.status == 303
    items = httpx.get(
        f"{base}/api/v1/households/{api.household_id}/transactions",
        headers={"Authorization": f"Bearer {api.token}"},
    ).json()["items"]
    assert [i["payee"] for i in items] == ["Sneaky"]
