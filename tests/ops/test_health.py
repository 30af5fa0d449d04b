"""Health, readiness, metrics, request ids and security headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.factories.api import Api


def test_live_and_ready_answer_ok_with_the_database_reported(client: TestClient) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["components"] == {"database": "ok", "storage": "ok"}


def test_ready_answers_503_when_the_database_is_gone(client: TestClient) -> None:
    def broken() -> None:
        raise ConnectionError("database unreachable")

    client.app.state.readiness_checks["database"] = broken  # type: ignore[attr-defined]
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["components"]["database"].startswith("down")


def test_metrics_count_requests_by_route_template_not_raw_path(api: Api) -> None:
    api.account("Checking")
    body = api.client.get("/metrics").text
    assert 'route="/api/v1/households/{household_id}/accounts"' in body
    assert api.household_id not in body
    assert "homeledger_signups_total" in body


def test_request_id_is_taken_from_the_caller_or_made(client: TestClient) -> None:
    given = client.get("/health/live", headers={"X-Request-ID": "abc12345-trace"})
    assert given.headers["x-request-id"] == "abc12345-trace"
    made = client.get("/health/live", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32


def test_responses_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/health/live").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_unknown_routes_answer_problem_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("summary")
    ]
    assert missing == []
    assert client.get("/api/docs").status_code == 200


def test_a_nul_byte_in_the_url_is_refused_with_400(api: Api) -> None:
    response = api.get(api.url("/accounts/%00"))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert api.get(api.url("/transactions"), q="a\x00b").status_code == 400


def test_a_nul_byte_in_a_sign_in_form_is_an_input_error(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": "a\x00b@example.com", "password": "whatever pw"}
    )
    assert response.status_code in (401, 422)
