"""schemathesis against the OpenAPI schema, signed in as the chain office: no input gives a 5xx."""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from tests.web.conftest import token

MAX_EXAMPLES = 5


def test_no_server_errors(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    headers = token(client, "office")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [r.ok() for r in schema.get_all_operations() if isinstance(r, Ok)]
    assert len(operations) >= 14
    seen: dict[str, set[int]] = {}
    for operation in operations:
        _fuzz(operation, headers, seen)
    assert any(200 in codes for codes in seen.values())


def _fuzz(operation, headers: dict[str, str], seen: dict[str, set[int]]) -> None:  # type: ignore[no-untyped-def]
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def check(case) -> None:  # type: ignore[no-untyped-def]
        response = case.call(headers=headers)
        assert response.status_code < 500, (label, case.path_parameters, case.query, response.text[:300])
        seen.setdefault(label, set()).add(response.status_code)

    check()
