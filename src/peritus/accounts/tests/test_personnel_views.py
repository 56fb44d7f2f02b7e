from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import ApiToken, Role, RoleAssignment, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import assign_role
from peritus.accounts.tests.factories import make_staff, make_user, office_client
from peritus.audit_trail.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_administrator_assigns_a_role_from_the_personnel_page(
    client: Client, administrator: User
) -> None:
    member = make_user(email="new.examiner@peritus.example")
    office_client(client, administrator)
    role_id = Role.objects.get(code="examiner").pk

    response = client.post(
        f"/office/personnel/{member.pk}/",
        {"role": role_id, "valid_from": "2026-01-01", "reason": "Approved examiner"},
    )

    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=member, role__code="examiner").exists()


def test_an_incompatible_role_is_refused_with_a_message_beside_the_form(
    client: Client, administrator: User
) -> None:
    member = make_staff(RoleCode.FINANCE_OFFICER)
    office_client(client, administrator)
    role_id = Role.objects.get(code="examiner").pk

    response = client.post(
        f"/office/personnel/{member.pk}/", {"role": role_id, "valid_from": "2026-01-01"}
    )

    assert response.status_code == 200
    assert "Sales and finance cannot be combined with scoring" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=member, role__code="examiner").exists()


def test_an_officer_cannot_open_the_personnel_pages(client: Client, officer: User) -> None:
    office_client(client, officer)

    assert client.get("/office/personnel/").status_code == 403


def test_staff_create_and_revoke_their_own_api_token(client: Client, officer: User) -> None:
    office_client(client, officer)

    response = client.post("/office/api-tokens/", {"name": "HR sync"})
    secret = ApiToken.objects.get(user=officer)
    assert response.status_code == 200
    assert "prt_" in response.content.decode()

    client.post(f"/office/api-tokens/{secret.pk}/revocation/")
    assert ApiToken.objects.get(pk=secret.pk).revoked_at is not None


def test_the_audit_trail_page_is_for_quality_and_assessment_roles(
    client: Client, officer: User, administrator: User
) -> None:
    quality = make_staff(RoleCode.QUALITY_MANAGER)
    assign_role(
        actor=administrator, user=make_user(), role=RoleCode.EXAMINER, reason="Panel renewal"
    )
    event = AuditEvent.objects.get(event_type="accounts.role_assignment.created")

    assert office_client(client, officer).get("/office/audit/").status_code == 403
    response = office_client(Client(), quality).get(
        "/office/audit/?event_type=accounts.role_assignment.created"
    )
    assert response.status_code == 200
    assert "Panel renewal" in response.content.decode()
    detail = office_client(Client(), quality).get(f"/office/audit/{event.sequence}/")
    assert event.hash in detail.content.decode()
