"""Bad input answers 4xx problem+json naming the field, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories.api import Api

GOOD: dict[str, Any] = {
    "date": "2025-03-01",
    "payee": "Shop",
    "postings": [
        {"account_id": "CHECKING", "amount": "-1.00", "currency": "EUR"},
        {"account_id": "FOOD", "amount": "1.00", "currency": "EUR"},
    ],
}


def _with(path: str, value: Any) -> dict[str, Any]:
    import copy

    body = copy.deepcopy(GOOD)
    target: Any = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    last = keys[-1]
    target[int(last) if last.isdigit() else last] = value
    return body


CASES = [
    ("date", "2025-02-30", "date"),
    ("date", "yesterday", "date"),
    ("date", "0001-01-01", "date"),
    ("payee", "x" * 201, "payee"),
    ("payee", "bad\x00byte", "payee"),
    ("postings.0.amount", 1.0, "postings[0].amount"),
    ("postings.0.amount", "1,00", "postings[0].amount"),
    ("postings.0.amount", "NaN", "postings[0].amount"),
    ("postings.0.currency", "EURO", "postings[0].currency"),
    ("postings.0.currency", "XYZ", "postings[0].currency"),
    ("postings.0.account_id", "0" * 32, "postings[0].account_id"),
    ("postings.0.account_id", 12, "postings[0].account_id"),
    ("postings.0.status", "reconciled", "postings[0].status"),
    ("postings", [], "postings"),
    ("memo", ["not", "text"], "memo"),
]


@pytest.mark.parametrize(
    ("path", "value", "field"), CASES, ids=[c[0] + ":" + repr(c[1])[:20] for c in CASES]
)
def test_bad_transaction_input_names_the_field_and_changes_nothing(
    api: Api, path: str, value: Any, field: str
) -> None:
    checking, food = api.account("Checking", opening="10.00"), api.category("Food")
    body = _with(path, value)
    for posting in body["postings"]:
        if posting["account_id"] == "CHECKING":
            posting["account_id"] = checking
        elif posting["account_id"] == "FOOD":
            posting["account_id"] = food
    response = api.post(api.url("/transactions"), body)
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"] == "application/problem+json"
    fields = [e["field"] for e in response.json().get("errors", [])]
    assert any(f == field or f.startswith(field) for f in fields), (fields, response.text)
    assert (
        api.get(api.url("/transactions")).json()["items"][0]["memo"].startswith("Opening balance")
    )
    assert len(api.get(api.url("/transactions")).json()["items"]) == 1


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(
        st.sampled_from(["date", "payee", "memo", "postings", "tags", "extra"]), json_values
    )
)
def test_no_request_body_produces_a_server_error(api: Api, body: dict[str, Any]) -> None:
    for path in (
        "/transactions",
        "/transactions/batch",
        "/transactions/transfer",
        "/accounts",
        "/categories",
    ):
        response = api.post(api.url(path), body)
        assert response.status_code < 500, (path, body, response.text)
