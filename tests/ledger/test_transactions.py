"""Transactions through the API: splits, transfers, balancing, versions, batches."""

from __future__ import annotations

import datetime as dt

from tests.factories.api import Api


def _setup(api: Api) -> tuple[str, str, str]:
    checking = api.account("Checking", opening="1000.00")
    food = api.category("Food")
    fun = api.category("Fun")
    return checking, food, fun


def test_split_transaction_moves_money_into_each_category(api: Api) -> None:
    checking, food, fun = _setup(api)
    body = {
        "date": "2025-03-02",
        "payee": "Supermarket",
        "memo": "weekly shop",
        "tags": ["family"],
        "postings": [
            {"account_id": checking, "amount": "-100.00", "currency": "EUR"},
            {"account_id": food, "amount": "70.00", "currency": "EUR"},
            {"account_id": fun, "amount": "30.00", "currency": "EUR", "memo": "magazine"},
        ],
    }
    response = api.post(api.url("/transactions"), body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["payee"] == "Supermarket"
    assert created["tags"] == ["family"]
    assert [p["amount"] for p in created["postings"]] == ["-100.00", "70.00", "30.00"]
    assert api.balance(checking) == "900.00"
    assert api.balance(food) == "70.00"
    assert api.balance(fun) == "30.00"


def test_unbalanced_transaction_is_refused_naming_the_imbalance_and_changes_nothing(
    api: Api,
) -> None:
    checking, food, _ = _setup(api)
    body = {
        "date": "2025-03-02",
        "payee": "New payee",
        "postings": [
            {"account_id": checking, "amount": "-100.00", "currency": "EUR"},
            {"account_id": food, "amount": "99.99", "currency": "EUR"},
        ],
    }
    response = api.post(api.url("/transactions"), body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/unbalanced-transaction")
    assert "EUR -0.01" in problem["detail"]
    assert problem["imbalance"] == {"EUR": "-0.01"}
    assert api.balance(checking) == "1000.00"
    assert api.get(api.url("/payees")).json() == []


def test_amount_with_more_decimals_than_the_currency_is_refused(api: Api) -> None:
    checking, food, _ = _setup(api)
    body = {
        "date": "2025-03-02",
        "postings": [
            {"account_id": checking, "amount": "-1.005", "currency": "EUR"},
            {"account_id": food, "amount": "1.005", "currency": "EUR"},
        ],
    }
    response = api.post(api.url("/transactions"), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "postings[0].amount"


def test_posting_currency_must_match_the_account(api: Api) -> None:
    checking, food, _ = _setup(api)
    body = {
        "date": "2025-03-02",
        "postings": [
            {"account_id": checking, "amount": "-5", "currency": "USD"},
            {"account_id": food, "amount": "5", "currency": "USD"},
        ],
    }
    response = api.post(api.url("/transactions"), body)
    assert response.status_code == 422
    assert "holds EUR" in response.json()["detail"]


def test_transfer_between_own_accounts_is_one_transaction_with_two_postings(api: Api) -> None:
    checking = api.account("Checking", opening="500.00")
    savings = api.account("Savings", "savings")
    response = api.post(
        api.url("/transactions/transfer"),
        {
            "date": "2025-04-01",
            "from_account_id": checking,
            "to_account_id": savings,
            "amount": "200.00",
        },
    )
    assert response.status_code == 201, response.text
    assert len(response.json()["postings"]) == 2
    assert api.balance(checking) == "300.00"
    assert api.balance(savings) == "200.00"


def test_cross_currency_transfer_balances_through_currency_exchange(api: Api) -> None:
    eur = api.account("Euro account", opening="1000.00")
    jpy = api.account("Yen account", currency="JPY")
    response = api.post(
        api.url("/transactions/transfer"),
        {
            "date": "2025-04-01",
            "from_account_id": eur,
            "to_account_id": jpy,
            "amount": "100.00",
            "to_amount": "16250",
        },
    )
    assert response.status_code == 201, response.text
    postings = response.json()["postings"]
    assert len(postings) == 4
    assert api.balance(eur) == "900.00"
    assert api.balance(jpy) == "16250"
    missing = api.post(
        api.url("/transactions/transfer"),
        {"date": "2025-04-01", "from_account_id": eur, "to_account_id": jpy, "amount": "1.00"},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "to_amount"


def test_edit_with_stale_version_answers_409_and_changes_nothing(api: Api) -> None:
    checking, food, _ = _setup(api)
    created = api.spend(checking, food, "10.00")
    body = {
        "date": "2025-03-01",
        "payee": "Shop",
        "version": 1,
        "postings": [
            {"account_id": checking, "amount": "-12.00", "currency": "EUR"},
            {"account_id": food, "amount": "12.00", "currency": "EUR"},
        ],
    }
    first = api.put(api.url(f"/transactions/{created['id']}"), body)
    assert first.status_code == 200, first.text
    assert first.json()["version"] == 2
    stale = api.put(
        api.url(f"/transactions/{created['id']}"),
        {
            **body,
            "postings": [
                {"account_id": checking, "amount": "-99.00", "currency": "EUR"},
                {"account_id": food, "amount": "99.00", "currency": "EUR"},
            ],
        },
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert api.balance(food) == "12.00"


def test_delete_removes_the_transaction_from_balances(api: Api) -> None:
    checking, food, _ = _setup(api)
    created = api.spend(checking, food, "10.00")
    assert api.delete(api.url(f"/transactions/{created['id']}")).status_code == 204
    assert api.balance(checking) == "1000.00"
    assert api.get(api.url(f"/transactions/{created['id']}")).status_code == 404


def test_batch_is_all_or_nothing(api: Api) -> None:
    checking, food, _ = _setup(api)
    good = {
        "date": "2025-03-03",
        "postings": [
            {"account_id": checking, "amount": "-1.00", "currency": "EUR"},
            {"account_id": food, "amount": "1.00", "currency": "EUR"},
        ],
    }
    bad = {
        "date": "2025-03-03",
        "postings": [
            {"account_id": checking, "amount": "-1.00", "currency": "EUR"},
            {"account_id": food, "amount": "2.00", "currency": "EUR"},
        ],
    }
    refused = api.post(api.url("/transactions/batch"), {"transactions": [good, good, bad]})
    assert refused.status_code == 422
    assert refused.json()["index"] == 2
    assert api.balance(checking) == "1000.00"
    accepted = api.post(api.url("/transactions/batch"), {"transactions": [good, good]})
    assert accepted.status_code == 201
    assert api.balance(checking) == "998.00"


def test_idempotency_key_replays_the_first_result_and_creates_nothing_new(api: Api) -> None:
    checking, food, _ = _setup(api)
    body = {
        "date": "2025-03-03",
        "postings": [
            {"account_id": checking, "amount": "-5.00", "currency": "EUR"},
            {"account_id": food, "amount": "5.00", "currency": "EUR"},
        ],
    }
    first = api.post(api.url("/transactions"), body, headers={"Idempotency-Key": "abc-123"})
    second = api.post(api.url("/transactions"), body, headers={"Idempotency-Key": "abc-123"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert api.balance(checking) == "995.00"
    other = api.post(
        api.url("/transactions"),
        {**body, "memo": "different"},
        headers={"Idempotency-Key": "abc-123"},
    )
    assert other.status_code == 422
    assert api.balance(checking) == "995.00"


def test_reconciled_postings_cannot_change_until_unreconciled(api: Api, client: object) -> None:
    from sqlalchemy import update

    from homeledger.ledger.models import Posting

    checking, food, _ = _setup(api)
    created = api.spend(checking, food, "10.00")
    app = api.client.app
    with app.state.session_factory() as session:  # type: ignore[attr-defined]
        session.execute(
            update(Posting)
            .where(Posting.transaction_id == created["id"])
            .values(status="reconciled")
        )
        session.commit()
    assert api.delete(api.url(f"/transactions/{created['id']}")).status_code == 409
    body = {
        "date": "2025-03-01",
        "version": 1,
        "postings": [
            {"account_id": checking, "amount": "-11.00", "currency": "EUR"},
            {"account_id": food, "amount": "11.00", "currency": "EUR"},
        ],
    }
    assert api.put(api.url(f"/transactions/{created['id']}"), body).status_code == 409
    unreconciled = api.post(api.url(f"/transactions/{created['id']}/unreconcile"))
    assert unreconciled.status_code == 200
    assert {p["status"] for p in unreconciled.json()["postings"]} == {"cleared"}
    assert (
        api.put(api.url(f"/transactions/{created['id']}"), {**body, "version": 2}).status_code
        == 200
    )


def test_balances_at_a_date_count_postings_up_to_the_end_of_that_day(api: Api) -> None:
    checking, food, _ = _setup(api)
    api.spend(checking, food, "10.00", day=dt.date(2025, 3, 1))
    api.spend(checking, food, "20.00", day=dt.date(2025, 3, 2))
    assert api.balance(checking, "2024-12-31") == "0.00"
    assert api.balance(checking, "2025-03-01") == "990.00"
    assert api.balance(checking, "2025-03-02") == "970.00"
