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
            response = case.call(headers=api.headers)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {case.body!r}: {response.text[:200]}"
                )

        call()
    assert operations >= 40
    assert failures == []
