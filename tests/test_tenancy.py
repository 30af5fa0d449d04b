"""Another household's data is never reachable.

The test walks every API route of the app's OpenAPI table, so a route added later is
covered the day it is added: as a member of household B it calls each route with the
ids of household A and expects 404 (never data, never a change)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient

from homeledger.db.session import session_scope
from homeledger.worker import enqueue_after_commit
from tests.factories.api import Api

# Bodies that would succeed for the owner; an unknown route gets {} (then validation may
# answer 422 first, which is still no data).
SAMPLE_BODIES: dict[str, Any] = {
    "accounts": {"name": "Stolen", "type": "checking", "currency": "EUR"},
    "categories": {"name": "Stolen", "kind": "expense"},
    "merge": {"into_id": "{category_id}"},
    "transactions": {
        "date": "2025-01-01",
        "postings": [
            {"account_id": "{account_id}", "amount": "-1.00", "currency": "EUR"},
            {"account_id": "{category_id}", "amount": "1.00", "currency": "EUR"},
        ],
    },
    "payees": {"name": "Stolen"},
    "tags": {"name": "stolen"},
    "invitations": {"email": "thief@example.com", "role": "owner"},
    "members": {"role": "viewer"},
    "": {"confirm": "Home"},
}


def _body(path: str, ids: dict[str, str]) -> Any:
    last = [p for p in path.split("/") if p and not p.startswith("{")][-1]
    key = last if last in SAMPLE_BODIES else ("" if path.endswith("{household_id}") else last)
    text = repr(SAMPLE_BODIES.get(key, {}))
    for name, value in ids.items():
        text = text.replace("{" + name + "}", value)
    return eval(text)  # noqa: S307 - evaluates our own literal back into a dict


def _snapshot(owner: Api) -> dict[str, Any]:
    return {
        path: owner.get(owner.url(path)).json()
        for path in (
            "",
            "/accounts",
            "/categories",
            "/transactions",
            "/payees",
            "/tags",
            "/members",
            "/invitations",
            "/balances",
        )
    }


def test_every_route_hides_household_a_from_a_member_of_b(client: TestClient) -> None:
    a = Api.signed_up(client, "a@example.com", household="Home")
    checking = a.account("Checking", opening="100.00")
    food = a.category("Food")
    txn = a.spend(checking, food, "5.00", payee="Secret payee", tags=["secret-tag"])
    for month in (1, 2):  # with the one above, three monthly payments: an insight of A's
        a.spend(checking, food, "5.00", day=dt.date(2025, month, 1), payee="Secret payee")
    insight = a.get(a.url("/insights/subscriptions")).json()[0]
    invitation = a.post(a.url("/invitations"), {"email": "x@example.com"}).json()
    token = a.post("/api/v1/me/tokens", {"name": "a-token"}).json()
    budget = a.post(a.url("/budgets"), {"name": "Secret budget"}).json()
    rate = a.post(
        a.url("/fx/rates"), {"base": "USD", "quote": "EUR", "as_of": "2025-01-01", "rate": "0.9"}
    ).json()
    rent = [
        {"account_id": checking, "amount": "-1.00", "currency": "EUR"},
        {"account_id": food, "amount": "1.00", "currency": "EUR"},
    ]
    schedule = a.post(
        a.url("/schedules"),
        {"name": "Rent", "rule": "FREQ=MONTHLY", "start_date": "2025-01-01", "postings": rent},
    ).json()
    with session_scope(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        job = enqueue_after_commit(session, "ops.sleep", {"steps": 0}, a.household_id)
    upload = client.post(
        a.url("/imports"),
        files={"file": ("a.csv", b"Date,Payee,Amount\n2025-03-02,Secret payee,-2.00\n")},
        data={"account_id": checking},
        headers=a.headers,
    ).json()
    profile = a.post(a.url("/import-profiles"), {"name": "Secret", "profile": {}}).json()
    rule = a.post(
        a.url("/rules"),
        {
            "name": "Secret rule",
            "conditions": [{"field": "payee", "op": "contains", "value": "secret"}],
            "actions": [{"kind": "set_category", "value": food}],
        },
    ).json()
    alias = a.post(a.url("/payee-aliases"), {"raw": "POS 1 SECRET", "payee": "Secret"}).json()
    reconciliation = a.post(
        a.url("/reconciliations"),
        {"account_id": checking, "statement_date": "2025-03-31", "statement_balance": "85.00"},
    ).json()
    ids = {
        "account_id": checking,
        "category_id": food,
        "transaction_id": txn["id"],
        "payee_id": txn["payee_id"],
        "tag_id": a.get(a.url("/tags")).json()[0]["id"],
        "user_id": a.get("/api/v1/me").json()["id"],
        "invitation_id": invitation["id"],
        "token_id": token["id"],
        "batch_id": upload["id"],
        "profile_id": profile["id"],
        "rule_id": rule["id"],
        "alias_id": alias["id"],
        "reconciliation_id": reconciliation["id"],
        "insight_key": insight["key"],
        "budget_id": budget["id"],
        "rate_id": rate["id"],
        "schedule_id": schedule["id"],
        "job_id": job.id,
    }
    before = _snapshot(a)
    b = Api.signed_up(client, "b@example.com", household="Other")

    spec = client.get("/api/openapi.json").json()
    walked = 0
    for template, operations in spec["paths"].items():
        params = re.findall(r"{(\w+)}", template)
        if not params:
            continue
        for method in operations:
            # With B's own household, only routes that also name A's ids are a test.
            own = [b.household_id] if params != ["household_id"] else []
            for household in [a.household_id, *own]:
                values = {**ids, "household_id": household}
                unknown = [p for p in params if p not in values]
                assert not unknown, f"add an id for {unknown} of {template} to this test"
                path = template
                for name in params:
                    path = path.replace("{" + name + "}", values[name])
                body = (
                    _body(template, values)
                    if method in ("post", "put", "patch", "delete")
                    else None
                )
                response = b.client.request(method.upper(), path, json=body, headers=b.headers)
                side = "A" if household == a.household_id else "B"
                where = f"{method.upper()} {template} (household {side})"
                assert response.status_code in (404, 422), (
                    f"{where}: {response.status_code} {response.text}"
                )
                for secret in ("Secret payee", "secret-tag", "Checking", checking):
                    assert secret not in response.text, f"{where} leaked {secret!r}"
                walked += 1
    assert walked >= 40
    assert _snapshot(a) == before
