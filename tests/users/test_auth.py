"""Sign-up, sign-in, refresh rotation, sign-out and personal access tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.factories.api import PASSWORD, Api


def test_register_refuses_a_second_account_for_the_same_email(client: TestClient) -> None:
    Api.signed_up(client, "a@example.com", household=None)
    again = client.post(
        "/api/v1/auth/register", json={"email": "A@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "email"


def test_short_password_is_refused_naming_the_field(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "b@example.com", "password": "short"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "password"


def test_wrong_password_answers_401_problem(client: TestClient) -> None:
    Api.signed_up(client, "c@example.com", household=None)
    response = client.post(
        "/api/v1/auth/token", data={"username": "c@example.com", "password": "wrong password!"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    from sqlalchemy import select

    from homeledger.kit.audit import AuditEvent

    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "user.sign_in_failed" in actions


def test_password_is_stored_as_argon2id(api: Api) -> None:
    from sqlalchemy import select

    from homeledger.users.models import User

    with api.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_refresh_token_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    first = api.client.post("/api/v1/auth/refresh", json={"refresh_token": api.refresh_token})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != api.refresh_token
    assert (
        api.client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
        ).status_code
        == 200
    )
    reused = api.client.post("/api/v1/auth/refresh", json={"refresh_token": api.refresh_token})
    assert reused.status_code == 401
    # The theft response revoked the successor too.
    assert (
        api.client.post("/api/v1/auth/refresh", json={"refresh_token": rotated}).status_code == 401
    )


def test_logout_revokes_the_refresh_token(api: Api) -> None:
    assert (
        api.client.post(
            "/api/v1/auth/logout", json={"refresh_token": api.refresh_token}
        ).status_code
        == 204
    )
    assert (
        api.client.post(
            "/api/v1/auth/refresh", json={"refresh_token": api.refresh_token}
        ).status_code
        == 401
    )


def test_requests_without_a_token_answer_401(client: TestClient) -> None:
    assert client.get("/api/v1/households").status_code == 401
    assert (
        client.get("/api/v1/households", headers={"Authorization": "Bearer not-a-jwt"}).status_code
        == 401
    )


def test_read_scoped_personal_token_reads_but_cannot_write(api: Api) -> None:
    created = api.post("/api/v1/me/tokens", {"name": "grafana", "scopes": ["read"]})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("hlp_")
    pat = {"Authorization": f"Bearer {token}"}
    assert api.client.get(api.url("/accounts"), headers=pat).status_code == 200
    write = api.client.post(
        api.url("/categories"), json={"name": "X", "kind": "expense"}, headers=pat
    )
    assert write.status_code == 403
    listed = api.get("/api/v1/me/tokens").json()
    assert [t["name"] for t in listed] == ["grafana"]
    assert "token" not in listed[0]
    assert api.delete(f"/api/v1/me/tokens/{listed[0]['id']}").status_code == 204
    assert api.client.get(api.url("/accounts"), headers=pat).status_code == 401


def test_write_scoped_personal_token_can_write(api: Api) -> None:
    token = api.post("/api/v1/me/tokens", {"name": "script", "scopes": ["read", "write"]}).json()[
        "token"
    ]
    response = api.client.post(
        api.url("/categories"),
        json={"name": "Books", "kind": "expense"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201


def test_auth_endpoints_are_rate_limited(
    database_url: str, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time
    from pathlib import Path

    from tests.conftest import make_settings

    from homeledger.app import create_app

    assert isinstance(tmp_path, Path)
    # One fixed-window minute for the whole test, however slow the machine is.
    monkeypatch.setattr(time, "time", lambda: 1_800_000_000.0)
    app = create_app(make_settings(database_url, tmp_path, rate_limit_auth_per_minute=3))
    with TestClient(app) as client:
        codes = [
            client.post(
                "/api/v1/auth/token",
                data={"username": "x@example.com", "password": "nope nope nope"},
            ).status_code
            for _ in range(5)
        ]
    app.state.engine.dispose()
    assert codes[:3] == [401, 401, 401]
    assert codes[3:] == [429, 429]
