"""A candidate reaches only their own records, in the UI and the API; staff need a second factor."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import make_staff

pytestmark = pytest.mark.django_db


def test_a_candidate_reads_their_own_person_record_through_the_api(
    client: Client, candidate: User
) -> None:
    client.force_login(candidate)

    response = client.get(f"/api/v1/persons/{candidate.person.pk}")

    assert response.status_code == 200
    assert response.json()["family_name"] == "Lindqvist"


def test_a_candidate_gets_404_for_another_candidates_record(
    client: Client, candidate: User, outsider: User
) -> None:
    client.force_login(outsider)

    response = client.get(f"/api/v1/persons/{candidate.person.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_token_of_a_candidate_cannot_read_another_candidate(
    client: Client, candidate: User, outsider: User
) -> None:
    _, secret = create_api_token(
        second_factor_used=True, actor=outsider, name="mine", scopes=["read"]
    )

    response = client.get(
        f"/api/v1/persons/{candidate.person.pk}", headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 404


def test_anonymous_api_calls_are_refused_with_401(client: Client, candidate: User) -> None:
    response = client.get(f"/api/v1/persons/{candidate.person.pk}")

    assert response.status_code == 401


def test_a_candidate_cannot_open_the_back_office(client: Client, candidate: User) -> None:
    client.force_login(candidate)

    response = client.get("/office/")

    assert response.status_code == 403


def test_staff_without_a_second_factor_cannot_open_the_back_office(client: Client) -> None:
    officer = make_staff(RoleCode.CERTIFICATION_OFFICER, with_totp=False)
    client.force_login(officer)

    response = client.get("/office/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_enrolled_but_signed_in_without_the_second_factor_must_confirm_it(
    client: Client,
) -> None:
    officer = make_staff(RoleCode.CERTIFICATION_OFFICER)
    client.force_login(officer)  # a session with no MFA step recorded

    response = client.get("/office/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


def test_the_technical_admin_site_is_behind_the_same_gate(client: Client) -> None:
    officer = make_staff(RoleCode.ADMINISTRATOR, with_totp=False, is_staff=True)
    client.force_login(officer)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_anonymous_visitors_are_sent_to_sign_in_from_the_office(client: Client) -> None:
    response = client.get("/office/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
