"""Categories, payees and tags pages, and the account pages' forms, without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.test_shell import _sign_up, _token


@pytest.fixture
def owner(client: TestClient, built_assets: Path) -> TestClient:
    _sign_up(client, "manage@example.com")
    return client


def _post(client: TestClient, path: str, **data: str) -> str:
    token = _token(client.get("/categories").text)
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code in (200, 422), response.status_code
    html: str = response.text
    return html


def _category_id(html: str, name: str) -> str:
    found = re.search(r'href="/transactions\?category=([0-9a-f]{32})">' + name + "<", html)
    assert found is not None, name
    return found.group(1)


def test_categories_nest_move_and_merge(owner: TestClient) -> None:
    html = _post(owner, "/categories", name="Food", kind="expense", parent_id="")
    food = _category_id(html, "Food")
    html = _post(owner, "/categories", name="Groceries", kind="expense", parent_id=food)
    groceries = _category_id(html, "Groceries")
    assert 'class="tree-1"><a href="/transactions?category=' + groceries in html

    refused = _post(owner, f"/categories/{food}", name="Food", parent_id=groceries)
    assert "cannot move under itself or its own subcategory" in refused

    html = _post(owner, "/categories", name="Snacks", kind="expense", parent_id="")
    snacks = _category_id(html, "Snacks")
    html = _post(owner, f"/categories/{snacks}", name="Treats", parent_id=food)
    assert "Food:Treats" in html
    html = _post(owner, f"/categories/{snacks}/merge", into_id=groceries)
    assert "Merged into Food:Groceries" in html
    assert "Treats" not in html


def test_duplicate_category_name_is_shown_beside_the_name(owner: TestClient) -> None:
    _post(owner, "/categories", name="Rent", kind="expense", parent_id="")
    html = _post(owner, "/categories", name="rent", kind="expense", parent_id="")
    assert 'id="new-category-error">&#39;rent&#39; already exists at that level.' in html
    assert 'value="rent"' in html


def test_payees_rename_and_merge_and_tags_come_and_go(owner: TestClient) -> None:
    html = _post(owner, "/payees", name="ACME Corp")
    html = _post(owner, "/payees", name="Acme")
    ids = {
        name: pid
        for pid, name in re.findall(r'href="/transactions\?payee=([0-9a-f]{32})">([^<]+)<', html)
    }
    html = _post(owner, f"/payees/{ids['Acme']}", name="Acme Inc")
    assert "Payee renamed." in html
    html = _post(owner, f"/payees/{ids['Acme']}", into_id=ids["ACME Corp"])
    assert "Merged into ACME Corp." in html
    assert "Acme Inc" not in html
    html = _post(owner, "/tags", name="holiday")
    assert '<span class="tag">holiday</span>' in html
    tag = re.search(r'action="/tags/([0-9a-f]{32})/delete"', html)
    assert tag is not None
    html = _post(owner, f"/tags/{tag.group(1)}/delete")
    assert "Tag deleted." in html
    assert '<span class="tag">holiday</span>' not in html


def test_account_can_be_edited_and_archived(owner: TestClient) -> None:
    token = _token(owner.get("/accounts/new").text)
    created = owner.post(
        "/accounts",
        data={
            "csrf_token": token,
            "name": "Wallet",
            "type": "cash",
            "currency": "EUR",
            "opening_balance": "40,50",
        },
    )
    assert created.status_code == 422
    assert "Enter an amount such as 12.50" in created.text
    created = owner.post(
        "/accounts",
        data={
            "csrf_token": token,
            "name": "Wallet",
            "type": "cash",
            "currency": "EUR",
            "opening_balance": "40.50",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = owner.get(created.headers["location"]).text
    assert "40,50\xa0€" in page  # the household formats money the German way
    account = created.headers["location"]
    owner.post(
        account + "/edit",
        data={"csrf_token": token, "name": "Purse", "institution": "", "note": "coins"},
    )
    owner.post(account + "/archive", data={"csrf_token": token, "archive": "1"})
    listing = owner.get("/accounts").text
    assert "Archived (1)" in listing
    assert "Purse" in listing
