"""The holder's renewal API: what is due, the CPD log, logging an activity with its evidence."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.services import create_api_token
from peritus.audit_trail.models import AuditEvent
from peritus.certification.models import Certificate
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import CpdActivity
from peritus.recertification.tests.factories import (
    PDF_BYTES,
    at,
    issued_certificate,
    log_hours,
    set_hours_required,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 1)


def _token(user: User | None, *scopes: str) -> dict[str, str]:
    assert user is not None
    _, secret = create_api_token(
        second_factor_used=True, actor=user, name="CPD app", scopes=list(scopes)
    )
    return {"Authorization": f"Bearer {secret}"}


def _activity_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "category": "general",
        "title": "Cathodic protection refresher",
        "completed_on": "2026-08-20",
        "hours": "7.5",
        "provider": "Institute of Corrosion",
        "evidence": SimpleUploadedFile("attendance.pdf", PDF_BYTES, "application/pdf"),
    }
    form.update(overrides)
    return form


def _post_cpd(
    client: Client, certificate: Certificate, headers: dict[str, str], **fields: Any
) -> Any:
    return client.post(
        f"/api/v1/renewals/{certificate.number}/cpd", data=_activity_form(**fields), headers=headers
    )


def test_the_holder_sees_what_is_due_and_the_hours_logged(client: Client) -> None:
    certificate = issued_certificate()
    set_hours_required(certificate.scheme_version, 40)
    with at(TODAY):
        log_hours(certificate, "6", completed_on=dt.date(2026, 6, 1))
        response = client.get("/api/v1/renewals", headers=_token(certificate.holder.user, "read"))

    assert response.status_code == 200
    (renewal,) = response.json()
    assert renewal["certificate_number"] == certificate.number
    assert renewal["status"] == "valid"
    assert renewal["cycle_starts_on"] == "2026-03-01"
    assert renewal["expires_on"] == certificate.expires_on.isoformat()
    assert Decimal(renewal["total_logged"]) == Decimal(6)
    assert Decimal(renewal["total_required"]) == Decimal(40)
    assert renewal["hours_met"] is False
    assert renewal["recertification_window_open"] is False


def test_the_holder_logs_cpd_with_evidence_and_it_counts(client: Client) -> None:
    certificate = issued_certificate()
    with at(TODAY):
        headers = _token(certificate.holder.user, "read", "write")
        created = _post_cpd(client, certificate, headers)
        listed = client.get(f"/api/v1/renewals/{certificate.number}/cpd", headers=headers)
        renewals = client.get("/api/v1/renewals", headers=headers)

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Cathodic protection refresher"
    assert Decimal(body["hours"]) == Decimal("7.5")
    assert body["evidence_name"] == "attendance.pdf"
    assert [row["id"] for row in listed.json()] == [body["id"]]
    assert Decimal(renewals.json()[0]["total_logged"]) == Decimal("7.5")
    event = AuditEvent.objects.get(event_type=RecertificationEvent.CPD_LOGGED)
    assert event.data["number"] == certificate.number


def test_a_read_only_token_cannot_log_cpd(client: Client) -> None:
    certificate = issued_certificate()
    with at(TODAY):
        response = _post_cpd(client, certificate, _token(certificate.holder.user, "read"))

    assert response.status_code == 403
    assert response.json()["code"] == "token_scope"
    assert not CpdActivity.objects.exists()


def test_someone_elses_certificate_is_not_found(client: Client, outsider: User) -> None:
    certificate = issued_certificate()
    with at(TODAY):
        headers = _token(outsider, "read", "write")
        posted = _post_cpd(client, certificate, headers)
        listed = client.get(f"/api/v1/renewals/{certificate.number}/cpd", headers=headers)
        renewals = client.get("/api/v1/renewals", headers=headers)

    assert posted.status_code == 404
    assert listed.status_code == 404
    assert renewals.json() == []
    assert not CpdActivity.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"completed_on": "2026-09-02"}, 422, "completed_in_future"),
        ({"completed_on": "2026-02-28"}, 422, "before_cycle"),
        ({"hours": "0"}, 422, "invalid_hours"),
        ({"category": "cooking"}, 422, "unknown_category"),
        (
            {"evidence": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 program", "application/pdf")},
            422,
            "file_type_not_allowed",
        ),
        ({"completed_on": "the other day"}, 422, "invalid_input"),
    ],
    ids=["future", "before-cycle", "zero-hours", "category", "executable", "date"],
)
def test_bad_input_is_refused_with_its_code_and_nothing_stored(
    client: Client, fields: dict[str, Any], status: int, code: str
) -> None:
    certificate = issued_certificate()
    with at(TODAY):
        response = _post_cpd(
            client, certificate, _token(certificate.holder.user, "write"), **fields
        )

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not CpdActivity.objects.exists()


def test_an_activity_without_its_evidence_file_is_refused(client: Client) -> None:
    certificate = issued_certificate()
    form = _activity_form()
    del form["evidence"]
    with at(TODAY):
        response = client.post(
            f"/api/v1/renewals/{certificate.number}/cpd",
            data=form,
            headers=_token(certificate.holder.user, "write"),
        )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert not CpdActivity.objects.exists()


def test_a_holder_makes_a_token_in_the_portal_and_an_app_logs_cpd_with_it(client: Client) -> None:
    certificate = issued_certificate()
    holder = certificate.holder.user
    assert holder is not None
    with at(TODAY):
        client.force_login(holder)
        page = client.post("/portal/api-tokens/", {"name": "Training provider", "write": "on"})
        shown = re.search(r"prt_[\w-]+", page.content.decode())
        assert shown is not None
        secret = shown.group()
        client.logout()
        app = Client()
        created = _post_cpd(app, certificate, {"Authorization": f"Bearer {secret}"})
        client.force_login(holder)
        token_id = holder.api_tokens.get().pk
        revoked = client.post(f"/portal/api-tokens/{token_id}/revocation/")
        refused = _post_cpd(app, certificate, {"Authorization": f"Bearer {secret}"})

    assert page.status_code == 200
    assert created.status_code == 201, created.content
    assert revoked.status_code == 302
    assert revoked["Location"] == "/portal/api-tokens/"
    assert refused.status_code == 401
    assert CpdActivity.objects.count() == 1


def test_the_portal_token_page_needs_a_sign_in(client: Client) -> None:
    response = client.get("/portal/api-tokens/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_cannot_make_a_token_from_the_portal_past_the_second_factor(client: Client) -> None:
    from peritus.accounts.roles import RoleCode
    from peritus.accounts.tests.factories import make_staff

    officer = make_staff(RoleCode.CERTIFICATION_OFFICER, with_totp=False)
    client.force_login(officer)  # a password sign-in, no second factor yet

    response = client.post("/portal/api-tokens/", {"name": "Back door", "write": "on"})

    assert response.status_code == 200
    assert "signed in with their second factor" in response.content.decode()
    assert not officer.api_tokens.exists()
