"""The import flow over HTTP: upload -> preview -> commit, revert, bad files, the user's
corrections and saved CSV mappings."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.factories.api import Api

SAMPLES = Path(__file__).parent / "samples"
STATEMENT = (
    "Date,Payee,Amount\n"
    "2025-03-03,POS 1234 AMAZON MKTPLACE*2K4,-12.99\n"
    "2025-03-04,REWE Markt,-41.10\n"
    "2025-03-05,ACME GmbH Gehalt,2500.00\n"
)


def upload(
    api: Api, account: str, content: str | bytes, name: str = "statement.csv", **form: str
) -> httpx.Response:
    data = content.encode() if isinstance(content, str) else content
    response: httpx.Response = api.client.post(
        api.url("/imports"),
        files={"file": (name, data)},
        data={"account_id": account, **form},
        headers=api.headers,
    )
    return response


def rows(api: Api, batch_id: str) -> list[dict[str, Any]]:
    response = api.get(api.url(f"/imports/{batch_id}/rows"))
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["rows"]
    return result


def transactions(api: Api, account: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get(api.url("/transactions"), account_id=account).json()[
        "items"
    ]
    return items


def test_upload_preview_commit_and_revert(api: Api) -> None:
    checking = api.account("Checking")
    shopping = api.category("Shopping")
    manual = api.spend(checking, shopping, "12.99", dt.date(2025, 3, 2), payee="Amazon")
    uploaded = upload(api, checking, STATEMENT)
    assert uploaded.status_code == 201, uploaded.text
    batch = uploaded.json()
    assert batch["status"] == "staged"
    assert batch["counts"] == {
        "parsed": 3,
        "new": 2,
        "duplicate": 1,
        "transfer": 0,
        "errors": 0,
        "skipped": 0,
    }
    preview = rows(api, batch["id"])
    assert [(r["line"], r["status"], r["payee"]) for r in preview] == [
        (2, "duplicate", "Amazon Mktplace"),
        (3, "new", "REWE Markt"),
        (4, "new", "ACME GmbH Gehalt"),
    ]
    assert preview[0]["reason"].startswith("probably the manual entry of 2025-03-02")
    assert preview[0]["transaction_id"] == manual["id"]
    assert [r["category"] for r in preview[1:]] == [None, None]
    assert preview[1]["category_reason"] == "no rule or earlier choice: Uncategorised"
    assert len(transactions(api, checking)) == 1, "a preview writes nothing to the ledger"

    committed = api.post(api.url(f"/imports/{batch['id']}/commit"), {})
    assert committed.status_code == 200, committed.text
    assert committed.json()["status"] == "committed"
    assert len(transactions(api, checking)) == 3
    assert api.balance(checking) == "2445.91"
    listed = api.get(api.url("/imports")).json()
    assert [b["id"] for b in listed] == [batch["id"]]
    assert api.post(api.url(f"/imports/{batch['id']}/commit"), {}).status_code == 409

    reverted = api.post(api.url(f"/imports/{batch['id']}/revert"))
    assert reverted.status_code == 200, reverted.text
    assert reverted.json()["reverted_at"] is not None
    assert [t["id"] for t in transactions(api, checking)] == [manual["id"]]
    assert api.balance(checking) == "-12.99"
    assert api.post(api.url(f"/imports/{batch['id']}/revert")).status_code == 409


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        (
            "bad.csv",
            "Date,Payee,Amount\n2025-03-01,A,-1.00\n2025-03-02,B,abc\n",
            "bad.csv line 3, field 'Amount'",
        ),
        ("cut.ofx", (SAMPLES / "creditcard_v220.ofx").read_text()[:900], "cut.ofx"),
    ],
)
def test_a_bad_file_names_the_line_and_imports_nothing(
    api: Api, name: str, content: str, where: str
) -> None:
    checking = api.account("Checking")
    response = upload(api, checking, content, name)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/import-file-invalid")
    assert problem["detail"].startswith(where)
    assert problem["detail"].endswith("nothing was imported")
    assert api.get(api.url("/imports")).json() == []
    assert transactions(api, checking) == []


def test_corrections_in_the_preview_are_applied_and_remembered(api: Api) -> None:
    checking = api.account("Checking")
    shopping = api.category("Shopping")
    batch = upload(api, checking, STATEMENT).json()
    committed = api.post(
        api.url(f"/imports/{batch['id']}/commit"),
        {
            "overrides": [
                {"line": 2, "payee": "Amazon", "category_id": shopping},
                {"line": 3, "action": "skip"},
            ]
        },
    ).json()
    assert committed["counts"]["skipped"] == 1
    imported = {t["payee"]: t for t in transactions(api, checking)}
    assert set(imported) == {"Amazon", "ACME GmbH Gehalt"}
    assert {p["account_id"] for p in imported["Amazon"]["postings"]} == {checking, shopping}
    aliases = api.get(api.url("/payee-aliases")).json()
    assert [(a["raw_key"], a["payee"], a["category_id"]) for a in aliases] == [
        ("amazon mktplace", "Amazon", shopping)
    ]
    later = upload(
        api, checking, "Date,Payee,Amount\n2025-04-02,AMAZON MKTPLACE*7Q1 AMZN.COM/BILL,-5.00\n"
    )
    [row] = rows(api, later.json()["id"])
    assert (row["payee"], row["category_id"]) == ("Amazon", shopping)
    assert row["category_reason"] == "your payee alias 'amazon mktplace'"


def test_what_the_user_changes_after_an_import_is_learned_for_the_next(api: Api) -> None:
    checking = api.account("Checking")
    streaming = api.category("Streaming")
    first = upload(
        api, checking, "Date,Payee,Amount\n2025-03-01,NETFLIX.COM 866-579,-13.99\n"
    ).json()
    api.post(api.url(f"/imports/{first['id']}/commit"), {})
    [txn] = transactions(api, checking)
    edited = api.put(
        api.url(f"/transactions/{txn['id']}"),
        {
            "date": txn["date"],
            "payee": "Netflix",
            "version": txn["version"],
            "postings": [
                {"account_id": checking, "amount": "-13.99", "currency": "EUR"},
                {"account_id": streaming, "amount": "13.99", "currency": "EUR"},
            ],
        },
    )
    assert edited.status_code == 200, edited.text
    second = upload(
        api, checking, "Date,Payee,Amount\n2025-04-01,NETFLIX.COM 866-579,-13.99\n"
    ).json()
    [row] = rows(api, second["id"])
    assert (row["payee"], row["category"]) == ("Netflix", "Streaming")
    assert row["category_reason"] == "as you left 'netflix com' last time"


def test_a_csv_mapping_is_saved_for_the_account_and_its_bank(api: Api) -> None:
    response = api.post(
        api.url("/accounts"),
        {"name": "Giro", "type": "checking", "currency": "EUR", "institution": "DKB"},
    )
    giro = response.json()["id"]
    german = (SAMPLES / "de_bom_semicolon.csv").read_bytes()
    batch = upload(api, giro, german).json()
    api.post(api.url(f"/imports/{batch['id']}/commit"), {})
    saved = api.get(api.url("/import-profiles")).json()
    assert {(p["account_id"], p["institution"]) for p in saved} == {(giro, "DKB"), (None, "DKB")}
    assert saved[0]["profile"]["delimiter"] == ";"
    again = upload(api, giro, german).json()
    assert "read with the profile saved for account Giro" in again["notes"]
    assert again["counts"]["duplicate"] == again["counts"]["parsed"]
    card = api.post(
        api.url("/accounts"),
        {"name": "Second", "type": "checking", "currency": "EUR", "institution": "dkb"},
    ).json()["id"]
    other = upload(api, card, german).json()
    assert "read with the profile saved for bank DKB" in other["notes"]


def test_a_corrected_mapping_can_be_sent_with_the_upload(api: Api) -> None:
    card = api.account("Card", "credit_card")
    # A card export that shows spending as positive amounts.
    text = "Date,Description,Amount\n2025-03-01,HOTEL,80.00\n"
    detected = api.client.post(
        api.url("/import-profiles/detect"),
        files={"file": ("card.csv", text.encode())},
        headers=api.headers,
    ).json()
    assert detected["sample"][0]["amount"] == "80.00"
    corrected = {**detected["profile"], "negate_amounts": True}
    batch = upload(api, card, text, profile=json.dumps(corrected)).json()
    assert rows(api, batch["id"])[0]["amount"] == "-80.00"


def test_every_sample_format_previews_and_commits(api: Api) -> None:
    accounts = {"EUR": api.account("Euro"), "USD": api.account("Dollar", currency="USD")}
    usd = {"checking_sgml_102.ofx", "quicken_card.qfx", "us_checking.csv", "household_splits.qif"}
    for sample in sorted(SAMPLES.iterdir()):
        account = accounts["USD" if sample.name in usd else "EUR"]
        response = upload(api, account, sample.read_bytes(), sample.name)
        assert response.status_code == 201, f"{sample.name}: {response.text}"
        batch = response.json()
        assert batch["counts"]["parsed"] > 0, sample.name
        committed = api.post(api.url(f"/imports/{batch['id']}/commit"), {"skip_errors": True})
        assert committed.status_code == 200, f"{sample.name}: {committed.text}"
    assert len(api.get(api.url("/imports")).json()) == len(list(SAMPLES.iterdir()))


def _wait_for(api: Api, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get(api.url(f"/jobs/{job_id}")).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_a_big_upload_runs_as_a_job_with_progress(api: Api) -> None:
    checking = api.account("Checking")
    response = api.client.post(
        api.url("/imports"),
        params={"background": "true"},
        files={"file": ("statement.csv", STATEMENT.encode())},
        data={"account_id": checking},
        headers=api.headers,
    )
    assert response.status_code == 202, response.text
    job = _wait_for(api, response.json()["job_id"])
    assert (job["status"], job["progress"]) == ("succeeded", 100), job
    batch_id = job["result"]["batch_id"]
    assert job["result"]["counts"]["new"] == 3
    commit = api.client.post(
        api.url(f"/imports/{batch_id}/commit"),
        params={"background": "true"},
        json={},
        headers=api.headers,
    )
    assert commit.status_code == 202
    assert _wait_for(api, commit.json()["job_id"])["status"] == "succeeded"
    assert api.get(api.url(f"/imports/{batch_id}")).json()["status"] == "committed"
    assert len(transactions(api, checking)) == 3


def test_a_bad_file_in_the_background_fails_the_job_naming_the_line(api: Api) -> None:
    checking = api.account("Checking")
    response = api.client.post(
        api.url("/imports"),
        params={"background": "true"},
        files={"file": ("bad.csv", b"Date,Payee,Amount\n2025-03-01,A,-1.00\n2025-03-02,B,abc\n")},
        data={"account_id": checking},
        headers=api.headers,
    )
    job = _wait_for(api, response.json()["job_id"])
    assert job["status"] == "failed"
    assert job["error"].startswith("bad.csv line 3, field 'Amount'")
    assert api.get(api.url("/imports")).json() == []
