"""Schemathesis over /api/v1/openapi.json: no input makes the API answer 5xx.

Runs as a signed-in integrator with a read-and-write token, so the fuzzer reaches past
authentication into every endpoint, and also checks that responses match the schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings

from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import make_staff


@pytest.fixture
def api_schema(db: None) -> Iterator[Any]:
    from peritus.config.wsgi import application

    # Keep the test's transaction open across requests, as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def integrator_headers(db: None) -> dict[str, str]:
    staff = make_staff(
        RoleCode.CERTIFICATION_OFFICER, RoleCode.DECISION_MAKER, email="integrator@peritus.example"
    )
    _, secret = create_api_token(
        second_factor_used=True, actor=staff, name="fuzz", scopes=["read", "write"]
    )
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_never_answers_a_server_error(
    api_schema: Any, integrator_headers: dict[str, str]
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 4
    failures: list[str] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def exercise(case: Any) -> None:
            response = case.call(headers=integrator_headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        exercise()

    assert failures == []


def test_the_openapi_document_is_version_3_1(api_schema: Any) -> None:
    assert api_schema.raw_schema["openapi"].startswith("3.1")


def test_an_offset_beyond_the_integer_range_is_refused_with_422(
    api_schema: Any, integrator_headers: dict[str, str]
) -> None:
    from django.test import Client

    response = Client().get(
        "/api/v1/assessment-events", {"offset": str(2**63)}, headers=integrator_headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
