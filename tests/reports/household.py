"""A household built through the API, with service-level access for what the API
does not expose (running the posting job as of a chosen day)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from tests.factories.api import Api

from homeledger.db.session import session_scope
from homeledger.kit.tenancy import Ctx
from homeledger.users import service as users


@dataclass
class Household:
    api: Api

    @property
    def user_id(self) -> str:
        user_id: str = self.api.get("/api/v1/me").json()["id"]
        return user_id

    @contextmanager
    def service(self) -> Iterator[tuple[Session, Ctx]]:
        """A committed unit of work and the owner's Ctx, as a job would have."""
        factory: sessionmaker[Session] = self.api.client.app.state.session_factory  # type: ignore[attr-defined]
        user_id = self.user_id
        with session_scope(factory) as session:
            yield session, users.context_for(session, user_id, self.api.household_id)

    def url(self, path: str) -> str:
        return self.api.url(path)

    def get(self, path: str, **params: Any) -> Any:
        response = self.api.get(self.url(path), **params)
        assert response.status_code == 200, response.text
        return response.json()

    def follow(self, href: str) -> Any:
        """GET a URL that carries its own query string (a figure's filter href)."""
        response = self.api.client.get(href, headers=self.api.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any, status: int = 201) -> Any:
        response = self.api.post(self.url(path), body)
        assert response.status_code == status, response.text
        return response.json()

    def put(self, path: str, body: Any, status: int = 200) -> Any:
        response = self.api.put(self.url(path), body)
        assert response.status_code == status, response.text
        return response.json()

    def income(
        self, account: str, category: str, amount: str, day: dt.date, currency: str = "EUR"
    ) -> dict[str, Any]:
        body = {
            "date": day.isoformat(),
            "payee": "Employer",
            "postings": [
                {"account_id": account, "amount": amount, "currency": currency},
                {"account_id": category, "amount": f"-{amount}", "currency": currency},
            ],
        }
        return dict(self.post("/transactions", body))


def postings(*pairs: tuple[str, str], currency: str = "EUR") -> list[dict[str, str]]:
    return [{"account_id": a, "amount": amount, "currency": currency} for a, amount in pairs]


def join(owner: Api, email: str, role: str) -> Api:
    """A new user who accepted an invitation to the owner's household."""
    invited = owner.post(owner.url("/invitations"), {"email": email, "role": role})
    assert invited.status_code == 201, invited.text
    member = Api.signed_up(owner.client, email, household=None)
    accepted = member.post("/api/v1/invitations/accept", {"token": invited.json()["token"]})
    assert accepted.status_code == 200, accepted.text
    member.household_id = owner.household_id
    return member
