"""`homeledger smoke URL`: the post-deployment smoke test against a running instance.

Health, readiness, then a throwaway user signs up and in, creates a throwaway household,
writes an account and a transaction, reads them back, and deletes the household and the
user. Each step reports ok or what failed; the clean-up runs even after a failure. Uses
only the standard library, so it runs from any machine with homeledger installed."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Report = Callable[[str, bool, str, float], None]


class SmokeFailure(Exception):
    pass


@dataclass
class Response:
    status: int
    body: Any


@dataclass
class Client:
    base: str
    timeout: float = 10.0
    token: str | None = None

    def request(
        self, method: str, path: str, body: Any = None, form: dict[str, str] | None = None
    ) -> Response:
        headers = {"Accept": "application/json", "User-Agent": "homeledger-smoke"}
        data: bytes | None = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - the operator's own URL
            self.base.rstrip("/") + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status, raw = int(answer.status), answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")[:200]
        return Response(status, parsed)


def _expect(response: Response, status: int, what: str) -> Any:
    if response.status != status:
        detail = response.body.get("detail") if isinstance(response.body, dict) else response.body
        raise SmokeFailure(f"{what}: HTTP {response.status} (expected {status}): {detail}")
    return response.body


@dataclass
class SmokeRun:
    client: Client
    report: Report
    failures: list[str] = field(default_factory=list)
    household: dict[str, Any] = field(default_factory=dict)
    email: str = ""

    def step(self, name: str, action: Callable[[], str]) -> bool:
        started = time.perf_counter()
        try:
            detail = action()
        except (SmokeFailure, OSError, KeyError, TypeError, ValueError) as error:
            self.report(
                name, False, str(error) or type(error).__name__, time.perf_counter() - started
            )
            self.failures.append(name)
            return False
        self.report(name, True, detail, time.perf_counter() - started)
        return True


def run_smoke(base_url: str, report: Report, timeout: float = 10.0) -> list[str]:
    """Runs every step; returns the names of the steps that failed (empty: all passed)."""
    client = Client(base_url, timeout)
    run = SmokeRun(client, report)
    suffix = secrets.token_hex(6)
    run.email = f"smoke-{suffix}@example.com"
    password = secrets.token_urlsafe(18)
    state: dict[str, str] = {}

    def live() -> str:
        _expect(client.request("GET", "/health/live"), 200, "liveness")
        return "up"

    def ready() -> str:
        response = client.request("GET", "/health/ready")
        components = response.body.get("components", {}) if isinstance(response.body, dict) else {}
        summary = ", ".join(f"{k} {v}" for k, v in components.items())
        if response.status != 200:
            raise SmokeFailure(f"not ready (HTTP {response.status}): {summary}")
        return summary

    def sign_up() -> str:
        body = {"email": run.email, "password": password, "display_name": "Smoke test"}
        _expect(client.request("POST", "/api/v1/auth/register", body), 201, "register")
        tokens = _expect(
            client.request(
                "POST", "/api/v1/auth/token", form={"username": run.email, "password": password}
            ),
            200,
            "sign in",
        )
        client.token = tokens["access_token"]
        return run.email

    def household() -> str:
        body = {"name": f"Smoke {suffix}", "base_currency": "EUR"}
        run.household = _expect(
            client.request("POST", "/api/v1/households", body), 201, "household"
        )
        return str(run.household["id"])

    def write() -> str:
        base = f"/api/v1/households/{run.household['id']}"
        today = datetime.now(UTC).date().isoformat()
        account = {
            "name": "Smoke checking",
            "type": "checking",
            "currency": "EUR",
            "opening_balance": "10.00",
            "opening_date": today,
        }
        state["account"] = _expect(
            client.request("POST", base + "/accounts", account), 201, "account"
        )["id"]
        category = {"name": "Smoke", "kind": "expense"}
        state["category"] = _expect(
            client.request("POST", base + "/categories", category), 201, "category"
        )["id"]
        transaction = {
            "date": today,
            "payee": "Smoke shop",
            "postings": [
                {"account_id": state["account"], "amount": "-1.23", "currency": "EUR"},
                {"account_id": state["category"], "amount": "1.23", "currency": "EUR"},
            ],
        }
        state["transaction"] = _expect(
            client.request("POST", base + "/transactions", transaction), 201, "transaction"
        )["id"]
        return "account, category and transaction written"

    def read_back() -> str:
        base = f"/api/v1/households/{run.household['id']}"
        page = _expect(client.request("GET", base + "/transactions"), 200, "transactions")
        if state["transaction"] not in [t["id"] for t in page["items"]]:
            raise SmokeFailure("the new transaction is not in the list")
        rows = _expect(client.request("GET", base + "/balances"), 200, "balances")
        balance = next((r["balance"] for r in rows if r["account_id"] == state["account"]), None)
        if balance not in ("8.77", "8.7700"):
            raise SmokeFailure(f"balance is {balance}, expected 8.77")
        return "transaction listed, balance 8.77"

    def clean_up() -> str:
        if not client.token:
            return "nothing to clean up"
        if run.household:
            confirm = {"confirm": run.household["name"]}
            path = f"/api/v1/households/{run.household['id']}"
            _expect(client.request("DELETE", path, confirm), 204, "delete household")
        if client.token:
            _expect(
                client.request("DELETE", "/api/v1/me", {"confirm": run.email}), 204, "delete user"
            )
        return "household and user deleted"

    run.step("live", live)
    run.step("ready", ready)
    signed_in = run.step("sign up and sign in", sign_up)
    if signed_in and run.step("create household", household) and run.step("write", write):
        run.step("read back", read_back)
    run.step("clean up", clean_up)
    return run.failures
