"""Households, members, roles and invitations."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.factories.api import Api


def _invite(owner: Api, email: str, role: str) -> str:
    response = owner.post(owner.url("/invitations"), {"email": email, "role": role})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def _join(owner: Api, client: TestClient, email: str, role: str) -> Api:
    member = Api.signed_up(client, email, household=None)
    accepted = member.post("/api/v1/invitations/accept", {"token": _invite(owner, email, role)})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == role
    member.household_id = owner.household_id
    return member


def test_invited_viewer_reads_but_every_write_answers_403(api: Api, client: TestClient) -> None:
    checking = api.account("Checking", opening="10.00")
    viewer = _join(api, client, "viewer@example.com", "viewer")
    assert viewer.get(viewer.url("/accounts")).json()[0]["id"] == checking
    assert (
        viewer.post(viewer.url("/categories"), {"name": "X", "kind": "expense"}).status_code == 403
    )
    assert viewer.patch(viewer.url(f"/accounts/{checking}"), {"name": "Mine"}).status_code == 403
    assert viewer.post(viewer.url("/invitations"), {"email": "z@example.com"}).status_code == 403
    assert api.get(api.url(f"/accounts/{checking}")).json()["name"] == "Checking"


def test_owner_changes_roles_and_editor_can_then_write(api: Api, client: TestClient) -> None:
    member = _join(api, client, "member@example.com", "viewer")
    me = member.get("/api/v1/me").json()["id"]
    assert api.patch(api.url(f"/members/{me}"), {"role": "editor"}).json()["role"] == "editor"
    assert (
        member.post(member.url("/categories"), {"name": "Books", "kind": "expense"}).status_code
        == 201
    )
    assert member.patch(member.url(f"/members/{me}"), {"role": "owner"}).status_code == 403


def test_the_only_owner_cannot_step_down_or_leave(api: Api) -> None:
    me = api.get("/api/v1/me").json()["id"]
    assert api.patch(api.url(f"/members/{me}"), {"role": "viewer"}).status_code == 409
    assert api.delete(api.url(f"/members/{me}")).status_code == 409


def test_removed_member_loses_access(api: Api, client: TestClient) -> None:
    member = _join(api, client, "gone@example.com", "editor")
    member_id = member.get("/api/v1/me").json()["id"]
    assert api.delete(api.url(f"/members/{member_id}")).status_code == 204
    assert member.get(member.url("/accounts")).status_code == 404


def test_invitation_works_once_and_only_for_its_email(api: Api, client: TestClient) -> None:
    token = _invite(api, "right@example.com", "editor")
    wrong = Api.signed_up(client, "wrong@example.com", household=None)
    assert wrong.post("/api/v1/invitations/accept", {"token": token}).status_code == 403
    right = Api.signed_up(client, "right@example.com", household=None)
    assert right.post("/api/v1/invitations/accept", {"token": token}).status_code == 200
    assert right.post("/api/v1/invitations/accept", {"token": token}).status_code == 400


def test_a_user_in_two_households_sees_each_separately(api: Api, client: TestClient) -> None:
    api.account("Home checking")
    other_owner = Api.signed_up(client, "other@example.com", household="Parents")
    other_owner.account("Parents checking")
    token = _invite(other_owner, api.email, "editor")
    assert api.post("/api/v1/invitations/accept", {"token": token}).status_code == 200
    households = {h["name"]: h for h in api.get("/api/v1/households").json()}
    assert set(households) == {"Home", "Parents"}
    assert households["Parents"]["role"] == "editor"
    parents = households["Parents"]["id"]
    names = [a["name"] for a in api.get(f"/api/v1/households/{parents}/accounts").json()]
    assert names == ["Parents checking"]
    assert [a["name"] for a in api.get(api.url("/accounts")).json()] == ["Home checking"]


def test_deleting_a_household_needs_its_name_and_removes_all_its_data(api: Api) -> None:
    checking, food = api.account("Checking", opening="5.00"), api.category("Food")
    api.spend(checking, food, "1.00")
    assert api.delete(api.url(""), {"confirm": "wrong"}).status_code == 422
    assert api.get(api.url("/accounts")).status_code == 200
    assert api.delete(api.url(""), {"confirm": "Home"}).status_code == 204
    assert api.get(api.url("/accounts")).status_code == 404
    assert api.get("/api/v1/households").json() == []
    from sqlalchemy import func, select

    from homeledger.ledger.models import Posting

    with api.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(func.count(Posting.id))) == 0


def test_deleting_my_account_removes_households_only_i_own(api: Api, client: TestClient) -> None:
    shared = Api.signed_up(client, "co@example.com", household="Shared")
    token = _invite(shared, api.email, "owner")
    assert api.post("/api/v1/invitations/accept", {"token": token}).status_code == 200
    assert api.delete("/api/v1/me", {"confirm": "nope@example.com"}).status_code == 422
    assert api.delete("/api/v1/me", {"confirm": api.email}).status_code == 204
    assert [h["name"] for h in shared.get("/api/v1/households").json()] == ["Shared"]
    login = client.post(
        "/api/v1/auth/token",
        data={"username": api.email, "password": "correct horse battery staple"},
    )
    assert login.status_code == 401
