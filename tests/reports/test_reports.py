"""Reports equal the ledger's own sums (category totals, balances), every figure's
filter lists the transactions that make it up, and foreign-currency amounts are
converted at their transaction's date with the rates listed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tests.factories.api import Api
from tests.reports.household import Household

from homeledger.fx.calc import Rate, RateTable, convert_on
from homeledger.fx.ecb import default_ecb_rates

D = dt.date
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-04-30"}


def _txn(
    day: str,
    payee: str,
    *postings: tuple[str, str],
    currency: str = "EUR",
    tags: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "date": day,
        "payee": payee,
        "tags": tags or [],
        "postings": [
            {"account_id": a, "amount": amount, "currency": currency} for a, amount in postings
        ],
    }


def books(api: Api) -> tuple[Household, dict[str, str]]:
    """Four months of a household in EUR with a USD account."""
    home = Household(api)
    ids = {
        "checking": api.account("Checking", opening="1000.00"),
        "card": api.account("Card", "credit_card"),
        "savings": api.account("Savings", "savings", opening="5000.00"),
        "usd": api.account("Dollars", currency="USD"),
        "salary": api.category("Salary", "income"),
        "interest": api.category("Interest", "income"),
        "rent": api.category("Rent"),
        "travel": api.category("Travel"),
    }
    ids["food"] = api.category("Food")
    ids["groceries"] = api.category("Groceries", parent_id=ids["food"])
    ids["restaurants"] = api.category("Restaurants", parent_id=ids["food"])
    c, k = ids["checking"], ids["card"]
    batch = []
    for month in (1, 2, 3, 4):
        batch.append(
            _txn(
                f"2025-{month:02d}-01",
                "Landlord",
                (c, "-900.00"),
                (ids["rent"], "900.00"),
                tags=["home"],
            )
        )
        batch.append(
            _txn(f"2025-{month:02d}-25", "Employer", (c, "2500.00"), (ids["salary"], "-2500.00"))
        )
        batch.append(
            _txn(
                f"2025-{month:02d}-05",
                "Market",
                (k, f"-{100 + month}.10"),
                (ids["groceries"], f"{100 + month}.10"),
                tags=["home"],
            )
        )
        batch.append(
            _txn(f"2025-{month:02d}-28", "", (c, f"-{100 + month}.10"), (k, f"{100 + month}.10"))
        )
    batch += [
        _txn("2025-02-14", "Bistro", (k, "-64.50"), (ids["restaurants"], "64.50"), tags=["fun"]),
        _txn(
            "2025-03-07",
            "Market",
            (k, "-50.00"),
            (ids["groceries"], "40.00"),
            (ids["restaurants"], "10.00"),
            tags=["home", "fun"],
        ),
        _txn("2025-03-08", "Kiosk", (c, "-12.34"), (ids["food"], "12.34")),
        _txn("2025-03-20", "Market", (k, "15.00"), (ids["groceries"], "-15.00")),  # a refund
        _txn("2025-04-30", "Bank", (ids["savings"], "5.55"), (ids["interest"], "-5.55")),
    ]
    created = api.post(api.url("/transactions/batch"), {"transactions": batch})
    assert created.status_code == 201, created.text
    transfer = {
        "date": "2025-03-01",
        "from_account_id": c,
        "to_account_id": ids["usd"],
        "amount": "200.00",
        "to_amount": "220.00",
    }
    assert api.post(api.url("/transactions/transfer"), transfer).status_code == 201
    for day, rate in (("2025-03-10", "0.9"), ("2025-03-12", "0.8")):
        home.post("/fx/rates", {"base": "USD", "quote": "EUR", "as_of": day, "rate": rate})
    api.spend(ids["usd"], ids["travel"], "100.00", D(2025, 3, 10), payee="Airline", currency="USD")
    refund = _txn("2025-03-12", "Airline", (ids["usd"], "20.00"), (ids["travel"], "-20.00"))
    home.post(
        "/transactions",
        {**refund, "postings": [{**p, "currency": "USD"} for p in refund["postings"]]},
    )
    return home, ids


def _ledger_totals(home: Household, start: str, end: str) -> dict[tuple[str, str], dict[str, str]]:
    rows = home.get("/category-totals", date_from=start, date_to=end)
    return {(r["category_id"], r["currency"]): r for r in rows}


def test_spending_by_category_equals_the_ledger_and_drills_down(api: Api) -> None:
    home, ids = books(api)
    report = home.get("/reports/spending", **PERIOD)
    ledger = _ledger_totals(home, PERIOD["date_from"], PERIOD["date_to"])
    rows = {r["category_id"]: r for r in report["rows"]}
    for name in ("food", "groceries", "restaurants", "rent"):
        row = rows[ids[name]]
        assert row["total"]["amount"] == ledger[(ids[name], "EUR")]["total"], name
        assert row["own"]["amount"] == ledger[(ids[name], "EUR")]["own"], name
    # 100 USD at 0.9 on the day spent, 20 USD refunded at 0.8 on its day.
    assert rows[ids["travel"]]["total"]["amount"] == "74.00"
    assert [r["depth"] for r in report["rows"]] == [0, 0, 1, 1, 0]
    assert [r["path"] for r in report["rows"]][:2] == ["Rent", "Food"]
    ledger_eur = sum(
        Decimal(r["own"])
        for (c, cur), r in ledger.items()
        if cur == "EUR" and c not in (ids["salary"], ids["interest"])
    )
    assert Decimal(report["total"]["amount"]) == ledger_eur + Decimal("74.00")
    assert [(r["base"], r["quote"], r["rate"], r["as_of"]) for r in report["rates"]] == [
        ("USD", "EUR", "0.9", "2025-03-10"),
        ("USD", "EUR", "0.8", "2025-03-12"),
    ]
    for figure in (
        rows[ids["food"]]["total"],
        rows[ids["food"]]["own"],
        rows[ids["travel"]]["total"],
        report["total"],
    ):
        assert home.follow(figure["filter"]["href"])["total"] == figure["amount"]
    food = home.follow(rows[ids["food"]]["own"]["filter"]["href"])
    assert [t["payee"] for t in food["items"]] == ["Kiosk"]

    drilled = home.get("/reports/spending", category_id=ids["food"], **PERIOD)
    assert [(r["path"], r["depth"]) for r in drilled["rows"]] == [
        ("Food", 0),
        ("Food:Groceries", 1),
        ("Food:Restaurants", 1),
    ]
    assert drilled["total"]["amount"] == ledger[(ids["food"], "EUR")]["total"]
    income = home.get("/reports/income", **PERIOD)
    assert income["total"]["amount"] == "10005.55"


def test_income_expense_per_month_adds_up_to_the_ledger(api: Api) -> None:
    home, _ = books(api)
    report = home.get("/reports/income-expense", **PERIOD)
    assert [m["month"] for m in report["months"]] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    for month in report["months"]:
        ledger = _ledger_totals(home, month["date_from"], month["date_to"])
        income = -sum(Decimal(r["own"]) for (c, cur), r in ledger.items() if r["kind"] == "income")
        expense = sum(
            Decimal(r["own"])
            for (c, cur), r in ledger.items()
            if r["kind"] == "expense" and cur == "EUR"
        )
        if month["month"] == "2025-03":
            expense += Decimal("74.00")
        assert Decimal(month["income"]["amount"]) == income
        assert Decimal(month["expense"]["amount"]) == expense
        assert Decimal(month["net"]) == income - expense
        assert (
            home.follow(month["expense"]["filter"]["href"])["total"] == month["expense"]["amount"]
        )
    assert report["income"]["amount"] == "10005.55"


def test_cash_flow_accounts_match_balances_and_the_sankey_balances(api: Api) -> None:
    home, ids = books(api)
    report = home.get("/reports/cash-flow", date_from="2025-02-01", date_to="2025-04-30")
    accounts = {a["account_id"]: a for a in report["accounts"]}
    for name in ("checking", "card", "savings"):
        row = accounts[ids[name]]
        assert row["opening"] == api.balance(ids[name], "2025-01-31"), name
        assert row["closing"] == api.balance(ids[name], "2025-04-30"), name
        change = Decimal(row["closing"]) - Decimal(row["opening"])
        assert Decimal(row["inflow"]["amount"]) - Decimal(row["outflow"]["amount"]) == change
        assert row["revaluation"] == "0.00"
    assert report["net"] == str(
        Decimal(report["income"]["amount"]) - Decimal(report["expense"]["amount"])
    )
    into_hub = sum(Decimal(link["value"]) for link in report["links"] if link["target"] == "budget")
    out_of_hub = sum(
        Decimal(link["value"]) for link in report["links"] if link["source"] == "budget"
    )
    assert into_hub == out_of_hub
    assert {n["id"] for n in report["nodes"]} >= {ids["salary"], ids["rent"], "budget", "saved"}


def test_net_worth_at_each_month_end_is_the_sum_of_balances(api: Api) -> None:
    home, ids = books(api)
    report = home.get("/reports/net-worth", **PERIOD)
    assert [p["on"] for p in report["points"]] == [
        "2025-01-31",
        "2025-02-28",
        "2025-03-31",
        "2025-04-30",
    ]
    user = RateTable(
        [
            Rate("USD", "EUR", Decimal("0.9"), D(2025, 3, 10)),
            Rate("USD", "EUR", Decimal("0.8"), D(2025, 3, 12)),
        ]
    )
    for point in report["points"]:
        day = D.fromisoformat(point["on"])
        assets = Decimal(0)
        for name in ("checking", "savings"):
            assets += Decimal(api.balance(ids[name], point["on"]))
        dollars = int(Decimal(api.balance(ids["usd"], point["on"])) * 100)
        assets += (
            Decimal(
                convert_on(dollars, "USD", "EUR", day, [user, default_ecb_rates()]).amount_minor
            )
            / 100
        )
        assert Decimal(point["assets"]["amount"]) == assets
        assert point["liabilities"]["amount"] == api.balance(ids["card"], point["on"])
        assert Decimal(point["net_worth"]) == assets + Decimal(point["liabilities"]["amount"])
    # The drill lists what makes the balance (EUR accounts only here).
    liabilities = report["points"][-1]["liabilities"]
    assert home.follow(liabilities["filter"]["href"])["total"] == liabilities["amount"]


def test_payees_tags_budget_and_year_over_year(api: Api) -> None:
    home, ids = books(api)
    payees = home.get("/reports/payees", **PERIOD)
    by_name = {r["name"]: r for r in payees["rows"]}
    assert by_name["Landlord"]["amount"]["amount"] == "3600.00"
    assert by_name["Market"]["amount"]["amount"] == str(Decimal("410.40") + 50 - 15)
    assert sum(Decimal(r["amount"]["amount"]) for r in payees["rows"]) == Decimal(
        payees["total"]["amount"]
    )
    assert (
        home.follow(by_name["Market"]["amount"]["filter"]["href"])["total"]
        == by_name["Market"]["amount"]["amount"]
    )
    tags = {r["name"]: r["amount"]["amount"] for r in home.get("/reports/tags", **PERIOD)["rows"]}
    assert tags == {"home": "4060.40", "fun": "114.50"}

    budget = home.post("/budgets", {"name": "Home", "starts_on": "2025-01-01"})
    home.put(
        f"/budgets/{budget['id']}/assignments",
        {"category_id": ids["groceries"], "date": "2025-03-01", "amount": "120.00"},
    )
    report = home.get("/reports/budget", date_from="2025-03-01", date_to="2025-03-31")
    (march,) = report["periods"]
    rows = {r["category_id"]: r for r in march["rows"]}
    assert (
        rows[ids["groceries"]]["actual"]["amount"]
        == _ledger_totals(home, "2025-03-01", "2025-03-31")[(ids["groceries"], "EUR")]["own"]
    )
    assert rows[ids["groceries"]]["difference"] == "-8.10"
    assert rows[ids["travel"]]["actual"]["amount"] == "74.00"

    yoy = home.get("/reports/year-over-year", year=2025)
    assert yoy["last_year"]["amount"] == "0.00"
    assert [m["this_year"]["amount"] for m in yoy["months"]][:4] == [
        m["expense"]["amount"] for m in home.get("/reports/income-expense", **PERIOD)["months"]
    ]


def test_csv_and_pdf_carry_the_figures_and_the_rates(api: Api, tmp_path: Any) -> None:
    import subprocess

    from homeledger.reports.pdf import display_amount

    home, _ = books(api)
    for report in ("spending", "cash-flow", "net-worth"):
        data = home.get(f"/reports/{report}", **PERIOD)
        csv = api.client.get(
            home.url(f"/reports/{report}"), params={**PERIOD, "format": "csv"}, headers=api.headers
        )
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        pdf = api.client.get(
            home.url(f"/reports/{report}"), params={**PERIOD, "format": "pdf"}, headers=api.headers
        )
        assert pdf.headers["content-type"] == "application/pdf"
        path = tmp_path / "report.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert data["title"] in text
        assert "Exchange rates used" in text
        assert "USD" in text
        if report == "spending":
            figures = [data["total"]["amount"], *(r["total"]["amount"] for r in data["rows"])]
        elif report == "cash-flow":
            figures = [a["closing"] for a in data["accounts"]] + [data["income"]["amount"]]
        else:
            figures = [p["net_worth"] for p in data["points"]]
        for figure in figures:
            assert display_amount(figure) in text, figure
            assert figure in csv.text, figure
