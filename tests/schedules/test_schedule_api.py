"""Schedules and bills through the API and the posting job: idempotent posting,
reminders, bills matched to transactions, the cash-flow forecast."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from tests.factories.api import Api
from tests.reports.household import Household, postings

from homeledger.schedules import service
from homeledger.schedules.tasks import post_due_job


def _run(home: Household, today: dt.date) -> Any:
    with home.service() as (session, _):
        return post_due_job(session, home.api.household_id, today)


def _occurrences(home: Household, schedule_id: str, start: dt.date, end: dt.date) -> Any:
    with home.service() as (session, ctx):
        return service.occurrences(session, ctx, schedule_id, start, end, dt.date(2025, 2, 20))


def _rent(home: Household, checking: str, rent: str, **extra: Any) -> dict[str, Any]:
    body = {
        "name": "Rent",
        "rule": "FREQ=MONTHLY;BYMONTHDAY=1",
        "start_date": "2025-01-01",
        "payee": "Landlord",
        "postings": postings((checking, "-800.00"), (rent, "800.00")),
        **extra,
    }
    return dict(home.post("/schedules", body))


def test_the_job_posts_what_is_due_once_even_when_run_twice(api: Api) -> None:
    home = Household(api)
    checking = api.account("Checking", opening="5000.00")
    rent = api.category("Rent")
    schedule = _rent(home, checking, rent, count=12)

    first = _run(home, dt.date(2025, 3, 15))
    assert [o.on for o in first.posted] == [
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
        dt.date(2025, 3, 1),
    ]
    assert all(o.transaction_id for o in first.posted)
    assert [o.on for o in first.upcoming] == []  # the next one is 1 April, past 14 days
    second = _run(home, dt.date(2025, 3, 15))
    assert second.posted == []
    assert api.balance(checking) == "2600.00"
    listed = home.get("/transactions", category_id=rent)["items"]
    assert [t["date"] for t in listed] == ["2025-03-01", "2025-02-01", "2025-01-01"]
    assert listed[0]["payee"] == "Landlord"
    occurrences = _occurrences(home, schedule["id"], dt.date(2025, 2, 1), dt.date(2025, 4, 30))
    assert [(o.on.isoformat(), o.status) for o in occurrences] == [
        ("2025-02-01", "posted"),
        ("2025-03-01", "posted"),
        ("2025-04-01", "upcoming"),
    ]
    assert home.get(f"/schedules/{schedule['id']}")["done_through"] == "2025-03-01"


def test_reminders_are_listed_until_posted_or_skipped(api: Api) -> None:
    home = Household(api)
    checking = api.account("Checking", opening="100.00")
    gym = api.category("Gym")
    schedule = home.post(
        "/schedules",
        {
            "name": "Gym",
            "rule": "FREQ=WEEKLY;INTERVAL=2",
            "start_date": "2025-03-03",
            "mode": "remind",
            "postings": postings((checking, "-20.00"), (gym, "20.00")),
        },
    )
    run = _run(home, dt.date(2025, 3, 17))
    assert run.posted == []
    assert [o.on for o in run.missed] == [dt.date(2025, 3, 3)]
    assert [o.on for o in run.reminders] == [dt.date(2025, 3, 17)]
    home.post(f"/schedules/{schedule['id']}/occurrences", {"date": "2025-03-03", "action": "skip"})
    posted = home.post(
        f"/schedules/{schedule['id']}/occurrences", {"date": "2025-03-17", "action": "post"}
    )
    assert posted["status"] == "posted"
    assert api.balance(checking) == "80.00"
    again = api.post(
        home.url(f"/schedules/{schedule['id']}/occurrences"),
        {"date": "2025-03-17", "action": "post"},
    )
    assert again.status_code == 409
    not_a_day = api.post(
        home.url(f"/schedules/{schedule['id']}/occurrences"),
        {"date": "2025-03-18", "action": "skip"},
    )
    assert not_a_day.status_code == 422
    later = _run(home, dt.date(2025, 3, 20))
    assert later.missed == []
    assert later.reminders == []


def test_a_matching_transaction_pays_a_bill_and_a_bill_that_did_not_come_is_flagged(
    api: Api,
) -> None:
    home = Household(api)
    checking = api.account("Checking", opening="500.00")
    phone = api.category("Phone")
    bill = home.post(
        "/schedules",
        {
            "name": "Phone bill",
            "rule": "FREQ=MONTHLY;BYMONTHDAY=5",
            "start_date": "2025-01-05",
            "mode": "remind",
            "payee": "Telco",
            "postings": postings((checking, "-35.00"), (phone, "35.00")),
            "bill": {"min_amount": "-45.00", "max_amount": "-30.00"},
        },
    )
    assert bill["bill"]["min_amount"] == "-45.00"
    paid = api.spend(checking, phone, "38.20", dt.date(2025, 1, 6), payee="TELCO GMBH 4711")
    api.spend(checking, phone, "99.00", dt.date(2025, 2, 5), payee="TELCO GMBH 4711")  # too much

    run = _run(home, dt.date(2025, 2, 20))
    assert [(o.on, o.transaction_id) for o in run.paid] == [(dt.date(2025, 1, 5), paid["id"])]
    assert [(o.on, o.status) for o in run.missed] == [(dt.date(2025, 2, 5), "missed")]
    assert run.reminders == []
    again = _run(home, dt.date(2025, 2, 20))
    assert again.paid == []
    statuses = _occurrences(home, bill["id"], dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert [(o.on.isoformat(), o.status, o.transaction_id) for o in statuses] == [
        ("2025-01-05", "paid", paid["id"]),
        ("2025-02-05", "missed", None),
        ("2025-03-05", "upcoming", None),
    ]


def test_forecast_projects_schedules_and_budgets_and_flags_the_lowest_day(api: Api) -> None:
    home = Household(api)
    checking = api.account("Checking", opening="1000.00")
    rent, food = api.category("Rent"), api.category("Food")
    salary = api.category("Salary", "income")
    _rent(home, checking, rent, start_date="2025-04-01")
    home.post(
        "/schedules",
        {
            "name": "Salary",
            "rule": "FREQ=MONTHLY;BYMONTHDAY=25",
            "start_date": "2025-04-25",
            "postings": postings((checking, "2000.00"), (salary, "-2000.00")),
        },
    )
    budget = home.post("/budgets", {"name": "Home", "starts_on": "2025-04-01"})
    home.put(
        f"/budgets/{budget['id']}/assignments",
        {"category_id": food, "date": "2025-04-01", "amount": "300.00"},
    )
    with home.service() as (session, ctx):
        from homeledger.schedules.forecasting import cash_flow_forecast

        result = cash_flow_forecast(session, ctx, dt.date(2025, 4, 1), 30)
    assert result.total.opening == "1000.00"
    # 1 April: rent 800 and a tenth of the food budget (300 over 30 days).
    assert result.total.balances[0] == "190.00"
    # The low point is the day before pay day: 1000 - 800 - 24 * 10.
    assert result.lowest.balance == "-40.00"
    assert result.lowest.on == dt.date(2025, 4, 24)
    assert result.total.first_negative == dt.date(2025, 4, 21)
    assert result.total.balances[24] == "1950.00"
    assert {f.label for f in result.flows} >= {"Rent", "Salary"}
    assert home.get("/forecast", days=7)["days"][0] == dt.date.today().isoformat()


def test_bad_rules_and_unbalanced_templates_are_refused_with_the_field(api: Api) -> None:
    home = Household(api)
    checking = api.account("Checking")
    rent = api.category("Rent")
    body = {
        "name": "Rent",
        "rule": "FREQ=HOURLY",
        "start_date": "2025-01-01",
        "postings": postings((checking, "-800.00"), (rent, "800.00")),
    }
    response = api.post(home.url("/schedules"), body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rule"
    body = {**body, "rule": "FREQ=MONTHLY", "postings": postings((checking, "-8"), (rent, "9"))}
    assert api.post(home.url("/schedules"), body).status_code == 422
    assert home.get("/schedules") == []


def test_upcoming_lists_without_posting(api: Api) -> None:
    home = Household(api)
    checking = api.account("Checking", opening="1000.00")
    rent = api.category("Rent")
    today = dt.date.today()
    _rent(home, checking, rent, start_date=(today - dt.timedelta(days=40)).isoformat())
    with home.service() as (session, ctx):
        preview = service.upcoming(session, ctx, today)
    assert preview.posted
    assert {o.status for o in preview.posted} == {"due"}
    assert api.balance(checking) == "1000.00"
    run = home.post("/schedules/run", None, status=200)
    assert len(run["posted"]) == len(preview.posted)


def test_the_post_due_job_runs_on_the_job_runner(api: Api) -> None:
    from homeledger.db.session import session_scope
    from homeledger.schedules.tasks import POST_DUE_JOB
    from homeledger.worker import enqueue_after_commit

    home = Household(api)
    checking = api.account("Checking", opening="5000.00")
    _rent(home, checking, api.category("Rent"))
    with session_scope(api.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        job_id = enqueue_after_commit(
            session, POST_DUE_JOB, {"today": "2025-02-15"}, api.household_id
        ).id
    deadline = time.monotonic() + 20
    while (job := home.get(f"/jobs/{job_id}"))["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    assert job["status"] == "succeeded", job
    assert [p["on"] for p in job["result"]["posted"]] == ["2025-01-01", "2025-02-01"]
    assert api.balance(checking) == "3400.00"
