"""Listing with filters and pages; balances; category totals."""

from __future__ import annotations

import datetime as dt

from tests.factories.api import Api


def _ledger(api: Api) -> dict[str, str]:
    ids = {
        "checking": api.account("Checking", opening="1000.00"),
        "card": api.account("Card", "credit_card"),
        "food": api.category("Food"),
    }
    ids["groceries"] = api.category("Groceries", parent_id=ids["food"])
    ids["rent"] = api.category("Rent")
    api.spend(
        ids["checking"],
        ids["groceries"],
        "45.10",
        day=dt.date(2025, 1, 5),
        payee="Lidl",
        memo="weekly",
    )
    api.spend(
        ids["card"], ids["food"], "12.00", day=dt.date(2025, 1, 9), payee="Bakery", tags=["treat"]
    )
    api.spend(ids["checking"], ids["rent"], "900.00", day=dt.date(2025, 2, 1), payee="Landlord")
    return ids


def _payees(api: Api, **params: str) -> list[str]:
    response = api.get(api.url("/transactions"), **params)
    assert response.status_code == 200, response.text
    return [t["payee"] for t in response.json()["items"]]


def test_filters_each_narrow_the_list(api: Api) -> None:
    ids = _ledger(api)
    assert _payees(api, account_id=ids["card"]) == ["Bakery"]
    assert _payees(api, category_id=ids["food"]) == ["Bakery", "Lidl"]  # includes Groceries
    assert _payees(api, tag="treat") == ["Bakery"]
    assert _payees(api, tag="unknown") == []
    assert _payees(api, date_from="2025-01-06", date_to="2025-01-31") == ["Bakery"]
    assert _payees(api, amount_min="40", amount_max="100") == ["Lidl"]
    assert _payees(api, q="WEEK") == ["Lidl"]
    assert _payees(api, q="land") == ["Landlord"]
    assert _payees(api, q="100%_") == []
    assert _payees(api, status="pending") == []


def test_pages_follow_the_cursor_without_gaps_or_repeats(api: Api) -> None:
    checking, food = api.account("Checking", opening="1000.00"), api.category("Food")
    for day in range(1, 8):
        api.spend(checking, food, f"{day}.00", day=dt.date(2025, 3, day), payee=f"P{day}")
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "3", "category_id": food}
        if cursor:
            params["cursor"] = cursor
        page = api.get(api.url("/transactions"), **params).json()
        seen += [t["payee"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"P{d}" for d in range(7, 0, -1)]
    assert api.get(api.url("/transactions"), cursor="garbage!").status_code == 422


def test_category_totals_roll_up_subcategories(api: Api) -> None:
    ids = _ledger(api)
    totals = api.get(
        api.url("/category-totals"), date_from="2025-01-01", date_to="2025-01-31"
    ).json()
    by_path = {t["path"]: t for t in totals}
    assert by_path["Food"]["own"] == "12.00"
    assert by_path["Food"]["total"] == "57.10"
    assert by_path["Food:Groceries"]["total"] == "45.10"
    assert "Rent" not in by_path
    assert ids


def test_unknown_ids_in_filters_answer_404_not_empty_lists(api: Api) -> None:
    _ledger(api)
    assert api.get(api.url("/transactions"), account_id="0" * 32).status_code == 404
    assert api.get(api.url("/transactions"), category_id="0" * 32).status_code == 404
