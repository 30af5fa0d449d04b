"""No log line carries a password, a token or a full account number.

A representative session runs against the app (sign-up, sign-in, a failed sign-in,
token refresh, a personal access token, an invitation, an account with its number
revealed, bad input that echoes a number, a background job, the web sign-in form) while
every log line, structlog's and the standard library's, is captured; then every secret
the session used is searched for."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient
from tests.factories.api import PASSWORD, Api

from homeledger.db.session import session_scope
from homeledger.worker import enqueue_after_commit

NUMBER = "DE89370400440532013000"
CARD = "4111111111111111"
WRONG_PASSWORD = "not-my-password-4711"


@pytest.fixture
def all_logs(client: TestClient) -> Iterator[io.StringIO]:
    """Every line logged after the app started: structlog's JSON and stdlib logging."""
    buffer = io.StringIO()
    previous = structlog.get_config()
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(buffer))
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)
    structlog.configure(**previous)


def test_logs_of_a_full_session_hold_no_secret(client: TestClient, all_logs: io.StringIO) -> None:
    secrets: dict[str, str] = {"password": PASSWORD, "wrong password": WRONG_PASSWORD}
    owner = Api.signed_up(client, "owner@example.com")
    secrets |= {"access token": owner.token, "refresh token": owner.refresh_token}

    failed = client.post(
        "/api/v1/auth/token", data={"username": owner.email, "password": WRONG_PASSWORD}
    )
    assert failed.status_code == 401
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert refreshed.status_code == 200
    secrets["rotated refresh token"] = refreshed.json()["refresh_token"]
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": owner.refresh_token})
    assert reused.status_code == 401  # theft response: logged, the token itself is not

    personal = owner.post("/api/v1/me/tokens", {"name": "ci", "scopes": ["read"]}).json()
    secrets["personal access token"] = personal["token"]
    with_token = client.get("/api/v1/me", headers={"Authorization": f"Bearer {personal['token']}"})
    assert with_token.status_code == 200
    forged = client.get("/api/v1/me", headers={"Authorization": f"Bearer {owner.token}x"})
    assert forged.status_code == 401

    invitation = owner.post(owner.url("/invitations"), {"email": "guest@example.com"}).json()
    secrets["invitation token"] = invitation["token"]

    account = owner.post(
        owner.url("/accounts"),
        {"name": "Giro", "type": "checking", "currency": "EUR", "account_number": NUMBER},
    ).json()
    secrets["account number"] = NUMBER
    revealed = owner.post(owner.url(f"/accounts/{account['id']}/reveal-number"))
    assert revealed.json()["account_number"] == NUMBER
    bad = owner.post(
        owner.url("/accounts"),
        {"name": "Card", "type": "credit_card", "currency": "eur", "account_number": CARD},
    )
    assert bad.status_code == 422
    secrets["card number"] = CARD

    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with session_scope(factory) as session:
        job = enqueue_after_commit(
            session, "ops.sleep", {"steps": 1, "seconds": 0}, owner.household_id
        )
    deadline = time.monotonic() + 10
    while owner.get(owner.url(f"/jobs/{job.id}")).json()["status"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.02)

    page = client.get("/login")
    if page.status_code == 200:  # the web sign-in form, when the UI is installed
        client.post("/login", data={"email": owner.email, "password": PASSWORD})

    logs = all_logs.getvalue()
    assert logs.count('"event": "request"') >= 15, "the session was logged"
    assert '"event": "job succeeded"' in logs
    leaked = {name: value for name, value in secrets.items() if value in logs}
    assert leaked == {}, f"secrets found in the logs: {sorted(leaked)}"
    for value in secrets.values():  # nor a tell-tale part of one
        assert value[-12:] not in logs
