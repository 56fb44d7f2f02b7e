"""The applications API: a candidate reads only their own; staff read their schemes'."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.applications.tests.factories import make_accommodation, make_application
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def _token(user: User) -> dict[str, str]:
    _, secret = create_api_token(second_factor_used=True, actor=user, name="test", scopes=["read"])
    return {"Authorization": f"Bearer {secret}"}


def test_a_candidate_lists_only_their_own_applications(
    client: Client, submitted: Application, candidate: User, outsider: User
) -> None:
    make_application(user=outsider)

    body = client.get("/api/v1/applications", headers=_token(candidate)).json()

    assert [item["reference"] for item in body["items"]] == [submitted.reference]
    assert body["items"][0]["scheme"] == submitted.scheme.code


def test_another_candidate_gets_404(client: Client, submitted: Application, outsider: User) -> None:
    response = client.get(f"/api/v1/applications/{submitted.reference}", headers=_token(outsider))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_callers_get_401(client: Client, submitted: Application) -> None:
    assert client.get("/api/v1/applications").status_code == 401
    assert client.get(f"/api/v1/applications/{submitted.reference}").status_code == 401


def test_the_applicant_reads_the_detail_with_accommodations(
    client: Client, submitted: Application, candidate: User
) -> None:
    make_accommodation(submitted)

    body = client.get(
        f"/api/v1/applications/{submitted.reference}", headers=_token(candidate)
    ).json()

    assert body["requested_scope"] == ["L1"]
    assert body["evidence"][0]["sha256"] == submitted.evidence_files.get().sha256
    assert body["accommodations"][0]["kind"] == "extra_time"


def test_staff_read_applications_but_not_accommodations(
    client: Client, submitted: Application, officer: User, reviewer: User
) -> None:
    make_accommodation(submitted)

    listed = client.get("/api/v1/applications", headers=_token(officer)).json()
    assert submitted.reference in [item["reference"] for item in listed["items"]]
    body = client.get(f"/api/v1/applications/{submitted.reference}", headers=_token(officer)).json()
    assert body["accommodations"] is None
    body = client.get(
        f"/api/v1/applications/{submitted.reference}", headers=_token(reviewer)
    ).json()
    assert len(body["accommodations"]) == 1


def test_staff_of_another_scheme_see_nothing(client: Client, submitted: Application) -> None:
    other = make_staff(RoleCode.CERTIFICATION_OFFICER, scheme=make_scheme())

    assert client.get("/api/v1/applications", headers=_token(other)).json()["items"] == []
    assert (
        client.get(f"/api/v1/applications/{submitted.reference}", headers=_token(other)).status_code
        == 404
    )
