"""A household with a year of history up to today, built through the API:
weekly groceries, restaurants, rent, a Netflix subscription whose price rises, and
electricity bills of which last month's is far above the usual."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from tests.factories.api import Api


def month_start(today: dt.date, back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Household:
    ids: dict[str, str]
    netflix_rise: dt.date
    """The first payment at the new price."""
    spike: dt.date
    """The day of the unusual electricity bill."""
    transactions: list[dict[str, Any]] = field(default_factory=list)


def _body(
    day: dt.date, payee: str, account: str, category: str, cents: int, memo: str = ""
) -> dict[str, Any]:
    amount = f"{cents // 100}.{cents % 100:02d}"
    return {
        "date": day.isoformat(),
        "payee": payee,
        "memo": memo,
        "postings": [
            {"account_id": account, "amount": f"-{amount}", "currency": "EUR"},
            {"account_id": category, "amount": amount, "currency": "EUR"},
        ],
    }


def build(api: Api, today: dt.date | None = None, months: int = 12) -> Household:
    today = today or dt.date.today()
    rng = random.Random(11)
    ids = {
        "checking": api.account("Checking", opening="20000.00"),
        "card": api.account("Card", "credit_card"),
        "food": api.category("Food"),
    }
    ids["groceries"] = api.category("Groceries", parent_id=ids["food"])
    ids["restaurants"] = api.category("Restaurants", parent_id=ids["food"])
    ids["streaming"] = api.category("Streaming")
    ids["electricity"] = api.category("Electricity")
    ids["rent"] = api.category("Rent")
    bodies = []
    first = month_start(today, months)
    rise = month_start(today, months // 2).replace(day=3)
    spike = month_start(today, 1).replace(day=4)
    for back in range(months, -1, -1):
        start = month_start(today, back)
        bodies.append(_body(start, "Hausverwaltung Meyer", ids["checking"], ids["rent"], 90000))
        netflix = start.replace(day=3)
        price = 1399 if netflix >= rise else 1299
        bodies.append(
            _body(netflix, "SEPA-LASTSCHRIFT NETFLIX.COM", ids["card"], ids["streaming"], price)
        )
        bill = 21240 if back == 1 else rng.randint(7200, 7800)
        bodies.append(
            _body(
                start.replace(day=4),
                "Stadtwerke",
                ids["checking"],
                ids["electricity"],
                bill,
                f"Abschlag {start:%m/%Y}",
            )
        )
        for week in range(4):
            day = start + dt.timedelta(days=2 + 7 * week)
            bodies.append(
                _body(
                    day,
                    f"POS {rng.randint(1000, 9999)} LIDL DIENSTL. SAGT DANKE",
                    rng.choice([ids["checking"], ids["card"]]),
                    ids["groceries"],
                    rng.randint(1800, 6500),
                )
            )
        for _ in range(2):
            day = start + dt.timedelta(days=rng.randint(5, 26))
            bodies.append(
                _body(
                    day, "PIZZERIA NAPOLI", ids["card"], ids["restaurants"], rng.randint(2200, 6000)
                )
            )
    bodies = [b for b in bodies if dt.date.fromisoformat(b["date"]) <= today]
    assert first <= min(dt.date.fromisoformat(b["date"]) for b in bodies)
    response = api.post(api.url("/transactions/batch"), {"transactions": bodies})
    assert response.status_code == 201, response.text
    return Household(ids, rise, spike, response.json())
