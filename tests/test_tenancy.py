"""Another household's data is never reachable.

The test walks every API route of the app's OpenAPI table, so a route added later is
covered the day it is added: as a member of household B it calls each route with the
ids of household A and expects 404 (never data, never a change)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

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
    invitation = a.post(a.url("/invitations"), {"email": "x@example.com"}).json()
    token = a.post("/api/v1/me/tokens", {"name": "a-token"}).json()
    ids = {
        "account_id": checking,
        "category_id": food,
        "transaction_id": txn["id"],
        "payee_id": txn["payee_id"],
        "tag_id": a.get(a.url("/tags")).json()[0]["id"],
        "user_id": a.get("/api/v1/me").json()["id"],
        "invitation_id": invitation["id"],
        "token_id": token["id"],
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
