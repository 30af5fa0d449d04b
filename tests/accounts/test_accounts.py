"""Accounts and categories through the API."""

from __future__ import annotations

from sqlalchemy import select
from tests.factories.api import Api

from homeledger.accounts.models import Account


def test_opening_balance_is_posted_against_opening_balances_equity(api: Api) -> None:
    card = api.account("Visa", "credit_card", opening="-250.00")
    assert api.balance(card) == "-250.00"
    rows = api.get(api.url("/balances"), include_categories="true").json()
    equity = next(r for r in rows if r["name"] == "Opening balances")
    assert equity["balance"] == "250.00"


def test_account_number_is_encrypted_at_rest_and_shown_masked(api: Api) -> None:
    response = api.post(
        api.url("/accounts"),
        {
            "name": "Giro",
            "type": "checking",
            "currency": "EUR",
            "account_number": "DE89370400440532013000",
        },
    )
    assert response.status_code == 201
    assert response.json()["account_number_masked"] == "••••3000"
    account_id = response.json()["id"]
    with api.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        stored = session.scalars(
            select(Account.number_encrypted).where(Account.id == account_id)
        ).one()
    assert stored is not None
    assert b"370400440532013000" not in stored
    revealed = api.post(api.url(f"/accounts/{account_id}/reveal-number"))
    assert revealed.json() == {"account_number": "DE89370400440532013000"}


def test_archived_accounts_leave_the_default_list_and_come_back(api: Api) -> None:
    account_id = api.account("Old savings", "savings")
    assert api.patch(api.url(f"/accounts/{account_id}"), {"is_archived": True}).json()[
        "is_archived"
    ]
    assert api.get(api.url("/accounts")).json() == []
    assert len(api.get(api.url("/accounts"), include_archived="true").json()) == 1
    api.patch(api.url(f"/accounts/{account_id}"), {"is_archived": False})
    assert [a["name"] for a in api.get(api.url("/accounts")).json()] == ["Old savings"]


def test_account_type_decides_the_side_of_the_balance_sheet(api: Api) -> None:
    loan = api.post(
        api.url("/accounts"), {"name": "Mortgage", "type": "loan", "currency": "EUR"}
    ).json()
    assert loan["kind"] == "liability"
    wrong = api.post(
        api.url("/accounts"),
        {"name": "X", "type": "checking", "kind": "liability", "currency": "EUR"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "kind"
    unknown = api.post(api.url("/accounts"), {"name": "Y", "type": "checking", "currency": "XYZ"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "currency"


def test_categories_nest_to_any_depth_with_paths(api: Api) -> None:
    food = api.category("Food")
    groceries = api.category("Groceries", parent_id=food)
    organic = api.category("Organic", parent_id=groceries)
    paths = {c["id"]: c["path"] for c in api.get(api.url("/categories")).json()}
    assert paths[organic] == "Food:Groceries:Organic"


def test_moving_a_category_under_its_own_child_is_refused(api: Api) -> None:
    food = api.category("Food")
    groceries = api.category("Groceries", parent_id=food)
    response = api.patch(api.url(f"/categories/{food}"), {"parent_id": groceries})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent_id"
    moved = api.patch(
        api.url(f"/categories/{groceries}"), {"move_to_top": True, "name": "Supermarket"}
    )
    assert moved.json()["path"] == "Supermarket"


def test_merging_categories_repoints_postings_and_children(api: Api) -> None:
    checking = api.account("Checking", opening="100.00")
    food, dining = api.category("Food"), api.category("Dining")
    snacks = api.category("Snacks", parent_id=dining)
    api.spend(checking, dining, "12.00")
    api.spend(checking, food, "8.00")
    merged = api.post(api.url(f"/categories/{dining}/merge"), {"into_id": food})
    assert merged.status_code == 200
    assert api.balance(food) == "20.00"
    assert api.get(api.url(f"/categories/{dining}")).status_code == 404
    assert api.get(api.url(f"/categories/{snacks}")).json()["path"] == "Food:Snacks"


def test_income_and_expense_categories_do_not_mix(api: Api) -> None:
    salary = api.category("Salary", "income")
    response = api.post(
        api.url("/categories"), {"name": "Bonus", "kind": "expense", "parent_id": salary}
    )
    assert response.status_code == 422


def test_accounts_with_transactions_cannot_be_deleted_but_can_be_archived(api: Api) -> None:
    checking, food = api.account("Checking", opening="1.00"), api.category("Food")
    assert api.delete(api.url(f"/accounts/{checking}")).status_code == 409
    assert api.delete(api.url(f"/categories/{food}")).status_code == 204


def test_payees_and_tags_are_managed_and_merged(api: Api) -> None:
    checking, food = api.account("Checking", opening="50.00"), api.category("Food")
    api.spend(checking, food, "1.00", payee="AMZN Mktp")
    api.spend(checking, food, "2.00", payee="Amazon", tags=["online"])
    payees = {p["name"]: p["id"] for p in api.get(api.url("/payees")).json()}
    merged = api.post(
        api.url(f"/payees/{payees['AMZN Mktp']}/merge"), {"into_id": payees["Amazon"]}
    )
    assert merged.status_code == 200
    page = api.get(api.url("/transactions"), payee_id=payees["Amazon"]).json()
    assert len(page["items"]) == 2
    tags = api.get(api.url("/tags")).json()
    assert [t["name"] for t in tags] == ["online"]
    assert api.delete(api.url(f"/tags/{tags[0]['id']}")).status_code == 204
    assert all(t["tags"] == [] for t in api.get(api.url("/transactions")).json()["items"])
