"""Schemathesis generates requests from the OpenAPI description for every operation
(inside a real household, so bodies reach validation and the services) and checks that
none answers with a server error."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.factories.api import Api


def test_no_generated_request_causes_a_server_error(api: Api) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api.client.app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case: schemathesis.Case[Any]) -> None:
            if case.path_parameters and "household_id" in case.path_parameters:
                case.path_parameters["household_id"] = api.household_id
            try:
                response = case.call(headers=api.headers)
            except UnicodeEncodeError:
                return  # the HTTP client cannot send this generated header; no request made
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r}: {response.text[:200]}"
                )

        call()
    assert operations >= 40
    assert failures == []


def test_extreme_dates_in_query_parameters_never_cause_a_server_error(api: Api) -> None:
    """Year 1 and year 9180 in every date-like query parameter of every household GET."""
    spec = api.client.get("/api/openapi.json").json()
    failures = []
    for path, operations in spec["paths"].items():
        if "get" not in operations or path.count("{") != 1 or "{household_id}" not in path:
            continue
        names = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        for early, late in (("0001-01-01", "9180-01-01"), ("9180-01-01", "0001-01-01")):
            query = {
                name: early if ("from" in name or name in ("start", "since")) else late
                for name in names
                if "date" in name
                or name in ("start", "end", "since", "until", "today")
                or name.endswith(("_from", "_to"))
            }
            if not query:
                continue
            url = path.replace("{household_id}", api.household_id)
            response = api.client.get(url, params=query, headers=api.headers)
            if response.status_code >= 500:
                failures.append(f"GET {path} {query}")
    assert failures == []
