"""Exchange rates the household enters override the ECB; conversions say which rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.factories.api import Api
from tests.reports.household import join

from homeledger.fx.calc import Rate, RateTable, convert_on
from homeledger.fx.ecb import default_ecb_rates


def test_entered_rates_read_back_exactly_replace_the_same_day_and_need_an_editor(
    api: Api,
) -> None:
    body = {"base": "USD", "quote": "EUR", "as_of": "2025-03-01", "rate": "123456.123456789"}
    first = api.post(api.url("/fx/rates"), body)
    assert first.status_code == 201, first.text
    assert first.json()["rate"] == "123456.123456789"
    api.post(api.url("/fx/rates"), {**body, "rate": "0.9150"})
    rates = api.get(api.url("/fx/rates")).json()
    assert [(r["base"], r["quote"], r["rate"]) for r in rates] == [("USD", "EUR", "0.915")]
    assert api.delete(api.url(f"/fx/rates/{rates[0]['id']}")).status_code == 204
    assert api.get(api.url("/fx/rates")).json() == []
    too_precise = {"base": "USD", "quote": "EUR", "as_of": "2025-03-01", "rate": "1.0000000000001"}
    response = api.post(api.url("/fx/rates"), too_precise)
    assert response.status_code == 422
    same = {"base": "EUR", "quote": "EUR", "as_of": "2025-03-01", "rate": "1"}
    assert api.post(api.url("/fx/rates"), same).json()["errors"][0]["field"] == "quote"
    body = {**body, "rate": "0.9"}
    api.post(api.url("/fx/rates"), body)
    viewer = join(api, "viewer@example.com", "viewer")
    assert viewer.get(viewer.url("/fx/rates")).json()[0]["rate"] == "0.9"
    assert viewer.post(viewer.url("/fx/rates"), body).status_code == 403


def test_conversion_uses_the_entered_rate_on_its_day_and_the_ecb_otherwise(api: Api) -> None:
    api.post(
        api.url("/fx/rates"), {"base": "EUR", "quote": "USD", "as_of": "2024-03-01", "rate": "1.5"}
    )
    mine = api.get(
        api.url("/fx/convert"), amount="15.00", **{"from": "USD", "to": "EUR"}, date="2024-03-01"
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["amount"] == "10.00"
    assert mine.json()["rate"]["source"] == "user"

    # The ECB published a rate on 2024-03-04, newer than the entered one: it wins.
    ecb = api.get(
        api.url("/fx/convert"), amount="15.00", **{"from": "USD", "to": "EUR"}, date="2024-03-04"
    ).json()
    expected = convert_on(1500, "USD", "EUR", dt.date(2024, 3, 4), [default_ecb_rates()])
    assert ecb["amount"] == f"{Decimal(expected.amount_minor) / 100:.2f}"
    assert ecb["rate"]["source"] == "ECB"
    assert ecb["rate"]["as_of"] == "2024-03-04"
    api.post(
        api.url("/fx/rates"),
        {"base": "EUR", "quote": "JPY", "as_of": "2024-01-01", "rate": "162.5"},
    )
    # 0.01 EUR * 162.5 = 1.625 JPY -> 2 JPY; 0.03 EUR -> 4.875 -> 5 JPY.
    one = api.get(
        api.url("/fx/convert"), amount="0.01", **{"from": "EUR", "to": "JPY"}, date="2024-01-02"
    ).json()
    assert one["amount"] == "2"
    table = RateTable([Rate("EUR", "JPY", Decimal("162.5"), dt.date(2024, 1, 1))])
    assert convert_on(3, "EUR", "JPY", dt.date(2024, 1, 2), [table]).amount_minor == 5


def test_a_currency_without_any_rate_answers_a_clear_problem(api: Api) -> None:
    # The ECB stopped quoting RUB in March 2022; a rate years old is not used.
    response = api.get(
        api.url("/fx/convert"), amount="100", **{"from": "RUB", "to": "EUR"}, date="2025-06-01"
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/missing-fx-rate")
    assert "RUB/EUR" in problem["detail"]
