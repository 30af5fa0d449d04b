"""A small typed client for API tests: signs up, keeps the token, builds requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"


@dataclass
class Api:
    client: TestClient
    email: str
    token: str
    household_id: str = ""
    refresh_token: str = ""
    accounts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def signed_up(cls, client: TestClient, email: str, household: str | None = "Home") -> Api:
        response = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        tokens = client.post(
            "/api/v1/auth/token", data={"username": email, "password": PASSWORD}
        ).json()
        api = cls(client, email, tokens["access_token"], refresh_token=tokens["refresh_token"])
        if household:
            created = api.post("/api/v1/households", {"name": household, "base_currency": "EUR"})
            assert created.status_code == 201, created.text
            api.household_id = created.json()["id"]
        return api

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def url(self, path: str) -> str:
        return f"/api/v1/households/{self.household_id}{path}"

    def get(self, path: str, **params: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(path, headers=self.headers, params=params)
        return response

    def post(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        response: httpx.Response = self.client.post(
            path, json=body, headers={**self.headers, **(headers or {})}
        )
        return response

    def put(self, path: str, body: Any) -> httpx.Response:
        response: httpx.Response = self.client.put(path, json=body, headers=self.headers)
        return response

    def patch(self, path: str, body: Any) -> httpx.Response:
        response: httpx.Response = self.client.patch(path, json=body, headers=self.headers)
        return response

    def delete(self, path: str, body: Any = None, **params: Any) -> httpx.Response:
        response: httpx.Response = self.client.request(
            "DELETE", path, json=body, headers=self.headers, params=params
        )
        return response

    # Builders

    def account(
        self, name: str, type_: str = "checking", currency: str = "EUR", opening: str = "0"
    ) -> str:
        response = self.post(
            self.url("/accounts"),
            {
                "name": name,
                "type": type_,
                "currency": currency,
                "opening_balance": opening,
                "opening_date": "2025-01-01",
            },
        )
        assert response.status_code == 201, response.text
        self.accounts[name] = response.json()["id"]
        return self.accounts[name]

    def category(self, name: str, kind: str = "expense", parent_id: str | None = None) -> str:
        response = self.post(
            self.url("/categories"), {"name": name, "kind": kind, "parent_id": parent_id}
        )
        assert response.status_code == 201, response.text
        self.accounts[name] = response.json()["id"]
        return self.accounts[name]

    def spend(
        self,
        account: str,
        category: str,
        amount: str,
        day: dt.date = dt.date(2025, 3, 1),
        payee: str = "Shop",
        currency: str = "EUR",
        **extra: Any,
    ) -> dict[str, Any]:
        body = {
            "date": day.isoformat(),
            "payee": payee,
            "postings": [
                {"account_id": account, "amount": f"-{amount}", "currency": currency},
                {"account_id": category, "amount": amount, "currency": currency},
            ],
            **extra,
        }
        response = self.post(self.url("/transactions"), body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def balance(self, account_id: str, on: str | None = None) -> str:
        params = {"date": on} if on else {}
        rows = self.get(self.url("/balances"), include_categories="true", **params).json()
        return next((r["balance"] for r in rows if r["account_id"] == account_id), "0")
