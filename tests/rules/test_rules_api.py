"""Rules over HTTP: saved and checked, run as a dry run that explains, applied to
existing transactions and on import; payee aliases."""

from __future__ import annotations

from typing import Any

from tests.factories.api import Api

STATEMENT = (
    "Date,Payee,Amount\n"
    "2025-03-04,REWE Markt 4711,-41.10\n"
    "2025-03-05,POS 1234 AMAZON MKTPLACE*2K4,-60.00\n"
    "2025-03-06,ACME GmbH Gehalt,2500.00\n"
)


def _import(api: Api, account: str, text: str) -> dict[str, Any]:
    batch: dict[str, Any] = api.client.post(
        api.url("/imports"),
        files={"file": ("s.csv", text.encode())},
        data={"account_id": account},
        headers=api.headers,
    ).json()
    committed = api.post(api.url(f"/imports/{batch['id']}/commit"), {})
    assert committed.status_code == 200, committed.text
    return batch


def _rule(name: str, needle: str, *actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "conditions": [{"field": "payee", "op": "contains", "value": needle}],
        "actions": list(actions),
    }


def test_rules_are_checked_ordered_changed_and_deleted(api: Api) -> None:
    groceries = api.category("Groceries")
    first = api.post(
        api.url("/rules"), _rule("A", "rewe", {"kind": "set_category", "value": groceries})
    )
    assert first.status_code == 201, first.text
    second = api.post(
        api.url("/rules"), _rule("B", "edeka", {"kind": "set_category", "value": groceries})
    )
    assert [r["name"] for r in api.get(api.url("/rules")).json()] == ["A", "B"]
    reordered = api.post(
        api.url("/rules/order"), {"ids": [second.json()["id"], first.json()["id"]]}
    )
    assert [r["name"] for r in reordered.json()] == ["B", "A"]

    bad_regex = api.post(
        api.url("/rules"),
        {
            **_rule("C", "x", {"kind": "set_memo", "value": "m"}),
            "conditions": [{"field": "payee", "op": "regex", "value": "(open"}],
        },
    )
    assert bad_regex.status_code == 422
    assert bad_regex.json()["errors"][0]["field"] == "conditions[0].value"
    foreign = api.post(
        api.url("/rules"), _rule("D", "x", {"kind": "set_category", "value": "f" * 32})
    )
    assert foreign.status_code == 422
    assert foreign.json()["errors"][0]["field"] == "actions[0].value"

    changed = api.patch(api.url(f"/rules/{first.json()['id']}"), {"is_active": False, "name": "A2"})
    assert (changed.json()["name"], changed.json()["is_active"]) == ("A2", False)
    assert api.delete(api.url(f"/rules/{first.json()['id']}")).status_code == 204
    assert api.get(api.url(f"/rules/{first.json()['id']}")).status_code == 404


def test_a_dry_run_explains_and_apply_changes_existing_transactions(api: Api) -> None:
    checking = api.account("Checking")
    groceries = api.category("Groceries")
    _import(api, checking, STATEMENT)
    api.post(
        api.url("/rules"),
        _rule("Supermarket", "rewe", {"kind": "set_category", "value": groceries}),
    )
    before = api.get(api.url("/transactions")).json()["items"]

    dry = api.post(api.url("/rules/dry-run"), {"only_uncategorised": True})
    assert dry.status_code == 200, dry.text
    result = dry.json()
    assert (result["examined"], result["matched"], result["changed"]) == (3, 1, 1)
    [match] = result["matches"]
    assert match["payee"] == "REWE Markt"
    assert match["explanation"] == "rule 'Supermarket': payee 'REWE Markt' contains 'rewe'"
    assert match["changes"] == ["Uncategorised -> Groceries"]
    assert api.get(api.url("/transactions")).json()["items"] == before, "a dry run changes nothing"

    applied = api.post(api.url("/rules/apply"), {})
    assert applied.json()["changed"] == 1
    assert api.balance(groceries) == "41.10"
    again = api.post(api.url("/rules/dry-run"), {}).json()
    assert (again["matched"], again["changed"]) == (1, 0)


def test_rules_run_on_import_with_splits_tags_and_the_reason_shown(api: Api) -> None:
    checking = api.account("Checking")
    books, toys = api.category("Books"), api.category("Toys")
    rule = _rule(
        "Amazon",
        "amazon",
        {"kind": "set_payee", "value": "Amazon"},
        {"kind": "add_tags", "tags": ["online"]},
        {
            "kind": "split",
            "parts": [
                {"category_id": books, "amount": "10.00"},
                {"category_id": toys, "percent": "100"},
            ],
        },
    )
    assert api.post(api.url("/rules"), rule).status_code == 201
    batch = api.client.post(
        api.url("/imports"),
        files={"file": ("s.csv", STATEMENT.encode())},
        data={"account_id": checking},
        headers=api.headers,
    ).json()
    rows = api.get(api.url(f"/imports/{batch['id']}/rows")).json()["rows"]
    amazon = rows[1]
    assert amazon["payee"] == "Amazon"
    assert amazon["category_reason"] == "rule 'Amazon': payee 'Amazon Mktplace' contains 'amazon'"
    api.post(api.url(f"/imports/{batch['id']}/commit"), {})
    txn = next(
        t for t in api.get(api.url("/transactions")).json()["items"] if t["payee"] == "Amazon"
    )
    assert txn["tags"] == ["online"]
    assert sorted((p["account_id"], p["amount"]) for p in txn["postings"]) == sorted(
        [(checking, "-60.00"), (books, "10.00"), (toys, "50.00")]
    )


def test_payee_aliases_are_saved_listed_and_forgotten(api: Api) -> None:
    shopping = api.category("Shopping")
    saved = api.post(
        api.url("/payee-aliases"),
        {"raw": "POS 1234 AMAZON MKTPLACE*2K4", "payee": "Amazon", "category_id": shopping},
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["raw_key"] == "amazon mktplace"
    assert [a["payee"] for a in api.get(api.url("/payee-aliases")).json()] == ["Amazon"]
    assert api.delete(api.url(f"/payee-aliases/{saved.json()['id']}")).status_code == 204
    assert api.get(api.url("/payee-aliases")).json() == []
    empty = api.post(api.url("/payee-aliases"), {"raw": "X"})
    assert empty.status_code == 422
