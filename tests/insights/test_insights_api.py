"""The insights as a user meets them through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import pickle
import time
import zlib
from pathlib import Path
from typing import Any, cast

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from homeledger.accounts import service as accounts
from homeledger.accounts.models import Kind
from homeledger.insights import service
from homeledger.insights.models import CategoriserModel
from homeledger.kit.audit import AuditEvent
from homeledger.kit.tenancy import Ctx
from tests.conftest import TEST_SECRET
from tests.factories.api import Api
from tests.insights.household import Household, build

KEY = service.categoriser_key(TEST_SECRET)


def _session(client: TestClient) -> Session:
    session: Session = client.app.state.session_factory()  # type: ignore[attr-defined]
    return session


def _owner_ctx(client: TestClient, api: Api) -> Ctx:
    with _session(client) as session:
        return service.household_ctx(session, api.household_id)


def _first(home: Household, payee_part: str) -> dict[str, object]:
    return next(t for t in home.transactions if payee_part in str(t["payee"]))


def test_suggestions_rank_the_households_own_categories(api: Api) -> None:
    home = build(api)
    grocery = _first(home, "LIDL")
    response = api.get(api.url(f"/transactions/{grocery['id']}/suggestions"))
    assert response.status_code == 200, response.text
    body = response.json()
    best = body["suggestions"][0]
    assert best["category_id"] == home.ids["groceries"]
    assert best["category"] == "Food:Groceries"
    assert 0.5 < best["confidence"] <= 1
    assert len(body["suggestions"]) == 3
    assert body["category_id"] == home.ids["groceries"]
    status = api.get(api.url("/insights/categoriser")).json()
    assert status["training_size"] == len(home.transactions)
    assert status["category_count"] == 5
    assert status["accuracy"] >= 0.9
    assert status["corrections_since"] == 0


def test_rows_of_an_import_preview_get_suggestions(api: Api) -> None:
    home = build(api)
    response = api.post(
        api.url("/insights/categoriser/suggest"),
        {
            "rows": [
                {
                    "payee": "POS 7731 LIDL DIENSTL. SAGT DANKE 12.03",
                    "amount": "-23.40",
                    "currency": "EUR",
                    "account_id": home.ids["card"],
                },
                {
                    "payee": "PIZZERIA NAPOLI",
                    "memo": "Kartenzahlung",
                    "amount": "-41.00",
                    "currency": "EUR",
                },
            ],
            "top": 1,
        },
    )
    assert response.status_code == 200, response.text
    [[grocery], [pizza]] = response.json()["suggestions"]
    assert grocery["category_id"] == home.ids["groceries"]
    assert pizza["category_id"] == home.ids["restaurants"]
    assert response.json()["model"]["training_size"] > 50


def test_an_archived_category_is_no_longer_suggested(api: Api) -> None:
    home = build(api)
    pizza = _first(home, "PIZZERIA")
    before = api.get(api.url(f"/transactions/{pizza['id']}/suggestions")).json()
    assert before["suggestions"][0]["category_id"] == home.ids["restaurants"]
    archived = api.patch(api.url(f"/categories/{home.ids['restaurants']}"), {"is_archived": True})
    assert archived.status_code == 200, archived.text
    after = api.get(api.url(f"/transactions/{pizza['id']}/suggestions")).json()
    assert home.ids["restaurants"] not in [s["category_id"] for s in after["suggestions"]]


def test_too_little_history_explains_the_empty_list(api: Api) -> None:
    checking, food = api.account("Checking", opening="100.00"), api.category("Food")
    txn = api.spend(checking, food, "4.00", payee="Bakery")
    body = api.get(api.url(f"/transactions/{txn['id']}/suggestions")).json()
    assert body["suggestions"] == []
    assert "at least 10 categorised transactions" in body["note"]
    trained = api.post(api.url("/insights/categoriser/train"))
    assert trained.status_code == 422
    assert trained.json()["type"].endswith("/not-enough-history")
    assert api.get(api.url("/insights/categoriser")).status_code == 404


def test_uncategorised_transactions_get_suggestions_in_one_batch(
    api: Api, client: TestClient
) -> None:
    home = build(api)
    with _session(client) as session:
        uncategorised = accounts.uncategorised_category(
            session, _owner_ctx(client, api), Kind.EXPENSE
        )
        session.commit()
    lidl = api.spend(home.ids["card"], uncategorised, "31.20", payee="LIDL DIENSTL. SAGT DANKE")
    pizza = api.spend(home.ids["card"], uncategorised, "38.00", payee="PIZZERIA NAPOLI")
    response = api.get(api.url("/insights/uncategorised"), limit=10)
    assert response.status_code == 200, response.text
    listed = {item["transaction_id"]: item for item in response.json()}
    assert set(listed) == {lidl["id"], pizza["id"]}
    assert listed[lidl["id"]]["category_id"] is None
    assert listed[lidl["id"]]["suggestions"][0]["category_id"] == home.ids["groceries"]
    assert listed[pizza["id"]]["suggestions"][0]["category_id"] == home.ids["restaurants"]
    # The Uncategorised ones taught the model nothing.
    status = api.get(api.url("/insights/categoriser")).json()
    assert status["training_size"] == len(home.transactions)


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))  # unpickling would create the file


def test_a_tampered_stored_model_is_refused_audited_and_replaced(
    api: Api, client: TestClient, tmp_path: Path
) -> None:
    home = build(api)
    assert api.post(api.url("/insights/categoriser/train")).status_code == 200
    marker = tmp_path / "unpickled"
    with _session(client) as session:
        session.execute(
            update(CategoriserModel)
            .where(CategoriserModel.household_id == api.household_id)
            .values(model=zlib.compress(pickle.dumps(_Payload(marker))))
        )
        session.commit()
    grocery = _first(home, "LIDL")
    body = api.get(api.url(f"/transactions/{grocery['id']}/suggestions")).json()
    assert body["suggestions"][0]["category_id"] == home.ids["groceries"]
    assert not marker.exists()
    with _session(client) as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.household_id == api.household_id)
        ).all()
        stored = session.scalars(select(CategoriserModel)).one()
    assert "insights.model_refused" in actions
    assert not stored.model.startswith(zlib.compress(pickle.dumps(_Payload(marker)))[:8])


def test_the_retrain_job_retrains_after_enough_corrections(api: Api, client: TestClient) -> None:
    home = build(api)
    assert api.post(api.url("/insights/categoriser/train")).status_code == 200
    pizzas = [t for t in home.transactions if t["payee"] == "PIZZERIA NAPOLI"]
    ctx = _owner_ctx(client, api)

    def recategorise(count: int) -> None:
        for txn in pizzas[:count]:
            current = api.get(api.url(f"/transactions/{txn['id']}")).json()
            postings = [
                {
                    "account_id": home.ids["groceries"]
                    if p["account_id"] == home.ids["restaurants"]
                    else p["account_id"],
                    "amount": p["amount"],
                    "currency": p["currency"],
                }
                for p in current["postings"]
            ]
            body = {
                "date": current["date"],
                "payee": current["payee"],
                "postings": postings,
                "version": current["version"],
            }
            assert api.put(api.url(f"/transactions/{txn['id']}"), body).status_code == 200

    recategorise(3)
    with _session(client) as session:
        result = service.retrain_if_due(session, ctx, KEY)
        session.commit()
    assert (result.retrained, result.corrections) == (False, 3)
    assert api.get(api.url("/insights/categoriser")).json()["corrections_since"] == 3
    recategorise(len(pizzas))  # the household changed its mind about the pizzeria
    assert len(pizzas) >= service.RETRAIN_AFTER_CORRECTIONS
    before = api.get(api.url("/insights/categoriser")).json()
    # An hour later, serving suggestions queues the retrain job, which runs by itself.
    with _session(client) as session:
        stored = session.scalars(select(CategoriserModel)).one()
        stored.checked_at -= service.CHECK_INTERVAL * 2
        session.commit()
    assert api.get(api.url(f"/transactions/{pizzas[0]['id']}/suggestions")).status_code == 200
    job = _wait_for_job(api, service.RETRAIN_JOB)
    assert job["status"] == "succeeded", job
    assert job["result"]["retrained"] is True
    assert job["result"]["corrections"] >= service.RETRAIN_AFTER_CORRECTIONS
    after = api.get(api.url("/insights/categoriser")).json()
    assert after["trained_at"] > before["trained_at"]
    assert after["corrections_since"] == 0
    # The household now files the pizzeria under groceries, and so does the model.
    pizza = api.get(api.url(f"/transactions/{pizzas[-1]['id']}/suggestions")).json()
    assert pizza["suggestions"][0]["category_id"] == home.ids["groceries"]


def _wait_for_job(api: Api, job_type: str, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        jobs = [j for j in api.get(api.url("/jobs")).json() if j["type"] == job_type]
        if jobs and jobs[0]["status"] in ("succeeded", "failed"):
            return cast(dict[str, Any], jobs[0])
        assert time.monotonic() < deadline, f"no finished {job_type} job: {jobs}"
        time.sleep(0.1)


def test_the_retrain_job_is_registered() -> None:
    from homeledger.worker.registry import load_tasks

    assert service.RETRAIN_JOB in load_tasks()


def test_subscriptions_show_cost_and_price_changes_and_become_a_schedule_proposal(
    api: Api,
) -> None:
    home = build(api)
    response = api.get(api.url("/insights/subscriptions"))
    assert response.status_code == 200, response.text
    found = {s["payee"]: s for s in response.json()}
    assert {"Hausverwaltung Meyer", "SEPA-LASTSCHRIFT NETFLIX.COM", "Stadtwerke"} <= set(found)
    assert "PIZZERIA NAPOLI" not in found
    netflix = found["SEPA-LASTSCHRIFT NETFLIX.COM"]
    assert (netflix["cadence"], netflix["day"], netflix["amount"]) == ("monthly", 3, "13.99")
    assert netflix["yearly_cost"] == "167.88"
    assert netflix["price_changes"] == [
        {"date": home.netflix_rise.isoformat(), "old_amount": "12.99", "new_amount": "13.99"}
    ]
    assert f"went from 12.99 to 13.99 on {home.netflix_rise.isoformat()}" in netflix["why"]
    assert netflix["active"]
    assert netflix["category"] == "Streaming"
    proposal = api.get(api.url(f"/insights/subscriptions/{netflix['key']}/schedule"))
    assert proposal.status_code == 200, proposal.text
    body = proposal.json()
    assert body["rule"] == "FREQ=MONTHLY;BYMONTHDAY=3"
    assert body["start"] == netflix["next_expected"]
    assert body["amount"] == "-13.99"
    assert body["persisted"] is False
    assert body["postings"] == [
        {"account_id": home.ids["card"], "amount": "-13.99", "currency": "EUR"},
        {"account_id": home.ids["streaming"], "amount": "13.99", "currency": "EUR"},
    ]
    assert api.get(api.url("/insights/subscriptions/nope/schedule")).status_code == 404


def test_unusual_spending_is_explained_and_a_dismissal_hides_it_for_good(
    api: Api, client: TestClient
) -> None:
    home = build(api)
    response = api.get(api.url("/insights/anomalies"))
    assert response.status_code == 200, response.text
    found = {(a["kind"], a["category"]): a for a in response.json()}
    bill = found[("unusual-transaction", "Electricity")]
    usual = float(bill["usual"])
    assert 72 <= usual <= 78
    assert bill["title"] == f"Stadtwerke 212.40 is {212.40 / usual:.1f}x the usual {bill['usual']}"
    assert bill["date"] == home.spike.isoformat()
    assert "at least 2x the usual" in bill["why"]
    month = found[("unusual-month", "Electricity")]
    assert "your usual electricity spend" in month["title"]

    dismissed = api.post(api.url(f"/insights/{bill['key']}/dismiss"))
    assert dismissed.status_code == 201, dismissed.text
    assert dismissed.json()["kind"] == "unusual-transaction"
    keys = [a["key"] for a in api.get(api.url("/insights/anomalies")).json()]
    assert bill["key"] not in keys
    assert month["key"] in keys
    again = api.get(api.url("/insights/anomalies"), include_dismissed="true").json()
    assert next(a for a in again if a["key"] == bill["key"])["dismissed"] is True
    assert [d["insight_key"] for d in api.get(api.url("/insights/dismissals")).json()] == [
        bill["key"]
    ]
    assert api.post(api.url(f"/insights/{bill['key']}/dismiss")).status_code == 201  # no-op
    with _session(client) as session:
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "insight.dismissed")
        ).all()
    assert [(e.target, e.household_id) for e in audited] == [(bill["key"], api.household_id)]

    assert api.delete(api.url(f"/insights/{bill['key']}/dismiss")).status_code == 204
    assert bill["key"] in [a["key"] for a in api.get(api.url("/insights/anomalies")).json()]
    assert api.delete(api.url(f"/insights/{bill['key']}/dismiss")).status_code == 404
    assert api.post(api.url("/insights/0123456789abcdef01234567/dismiss")).status_code == 404


def test_subscriptions_can_be_dismissed_too_and_viewers_cannot_dismiss(
    api: Api, client: TestClient
) -> None:
    build(api)
    rent = next(
        s
        for s in api.get(api.url("/insights/subscriptions")).json()
        if s["payee"] == "Hausverwaltung Meyer"
    )
    invitation = api.post(api.url("/invitations"), {"email": "v@example.com", "role": "viewer"})
    viewer = Api.signed_up(client, "v@example.com", household=None)
    accepted = viewer.post("/api/v1/invitations/accept", {"token": invitation.json()["token"]})
    assert accepted.status_code == 200, accepted.text
    viewer.household_id = api.household_id
    assert viewer.post(viewer.url(f"/insights/{rent['key']}/dismiss")).status_code == 403
    assert viewer.get(viewer.url("/insights/subscriptions")).status_code == 200
    assert api.post(api.url(f"/insights/{rent['key']}/dismiss")).status_code == 201
    payees = [s["payee"] for s in api.get(api.url("/insights/subscriptions")).json()]
    assert "Hausverwaltung Meyer" not in payees
