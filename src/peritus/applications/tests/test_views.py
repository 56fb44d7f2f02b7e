"""The portal and office pages, and who may open what (candidate / outsider / staff / anonymous)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff, office_client
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus, EvidenceFile
from peritus.applications.services import request_accommodation, start_review
from peritus.applications.tests.factories import MINIMAL_PDF, make_accommodation, make_application
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.models import SchemeVersion
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def test_a_candidate_applies_through_the_portal(
    client: Client, candidate: User, version: SchemeVersion
) -> None:
    client.force_login(candidate)

    response = client.post(f"/portal/applications/new/{version.scheme.slug}/")
    application = Application.objects.get(person__user=candidate)
    base = f"/portal/applications/{application.reference}"
    assert response.url == base + "/"  # type: ignore[attr-defined]

    level = version.scope_items.get(code="L1")
    client.post(base + "/answers/", {
        "requested_scope": [level.pk], "employer": "Baltic Welding", "education_summary": "Diploma",
        "experience_summary": "Six years", "training_summary": "", "assessment_language": "en",
    })  # fmt: skip
    client.post(base + "/evidence/", {
        "file": SimpleUploadedFile("letter.pdf", MINIMAL_PDF, "application/pdf"),
        "prerequisite": version.prerequisites.get().pk, "kind": "experience", "description": "",
    })  # fmt: skip
    client.post(base + "/signature/attestation/", {"signed_name": "Ada Lindqvist", "confirm": "on"})
    client.post(base + "/signature/code-of-conduct/", {"accept": "on"})
    client.post(base + "/consent/", {"consent": "no"})
    client.post(base + "/submission/")

    application = Application.objects.get(pk=application.pk)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.register_consent is False
    page = client.get(base + "/").content.decode()
    assert "Nothing is needed from you now" in page
    assert "letter.pdf" in page


def test_the_portal_names_what_is_missing(
    client: Client, draft: Application, candidate: User
) -> None:
    client.force_login(candidate)

    page = client.get(f"/portal/applications/{draft.reference}/").content.decode()

    assert "Still to do before you submit" in page
    assert "Sign the attestation." in page


def test_a_renamed_executable_is_refused_at_upload(
    client: Client, draft: Application, candidate: User
) -> None:
    client.force_login(candidate)
    executable = b"MZ\x90\x00" + b"\x00" * 200

    client.post(f"/portal/applications/{draft.reference}/evidence/", {
        "file": SimpleUploadedFile("diploma.pdf", executable, "application/pdf"),
        "kind": "education", "description": "",
    })  # fmt: skip

    assert not EvidenceFile.objects.filter(original_name="diploma.pdf").exists()


@pytest.mark.parametrize("path", ["/", "/answers/", "/withdrawal/", "/accommodations/new/"])
def test_another_candidate_sees_nothing(
    client: Client, draft: Application, outsider: User, path: str
) -> None:
    client.force_login(outsider)

    assert client.get(f"/portal/applications/{draft.reference}{path}").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, draft: Application) -> None:
    response = client.get(f"/portal/applications/{draft.reference}/")

    assert response.status_code == 302
    assert "/accounts/login/" in response.url  # type: ignore[attr-defined]


def test_a_submitted_application_cannot_be_edited_from_the_portal(
    client: Client, submitted: Application, candidate: User
) -> None:
    client.force_login(candidate)

    assert client.get(f"/portal/applications/{submitted.reference}/answers/").status_code == 403


def test_evidence_is_served_to_the_applicant_and_staff_only(
    client: Client, submitted: Application, candidate: User, outsider: User, officer: User
) -> None:
    evidence = submitted.evidence_files.get()
    portal_path = f"/portal/applications/{submitted.reference}/evidence/{evidence.pk}/"

    assert client.get(portal_path).status_code == 404
    client.force_login(outsider)
    assert client.get(portal_path).status_code == 404
    client.force_login(candidate)
    response = client.get(portal_path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MINIMAL_PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    office_client(client, officer)
    office_path = f"/office/applications/{submitted.reference}/evidence/{evidence.pk}/"
    assert client.get(office_path).status_code == 200


def test_accommodation_documents_are_for_the_person_and_reviewers_only(
    client: Client, submitted: Application, candidate: User, officer: User, reviewer: User
) -> None:
    accommodation = request_accommodation(
        actor=candidate, application=submitted, kind="separate_room", need="Severe anxiety",
        document=io.BytesIO(MINIMAL_PDF), document_name="letter-from-doctor.pdf",
    )  # fmt: skip
    document = accommodation.supporting_documents.get()
    path = f"/office/applications/{submitted.reference}/evidence/{document.pk}/"

    office_client(client, officer)
    assert client.get(path).status_code == 404
    page = client.get(f"/office/applications/{submitted.reference}/").content.decode()
    assert "Severe anxiety" not in page

    office_client(client, reviewer)
    assert client.get(path).status_code == 200
    assert (
        "Severe anxiety"
        in client.get(f"/office/applications/{submitted.reference}/").content.decode()
    )
    assert (
        AuditEvent.objects.filter(event_type=ApplicationsEvent.RESTRICTED_EVIDENCE_VIEWED).count()
        == 1
    )


def test_the_queue_shows_what_waits_with_its_age(
    client: Client, submitted: Application, officer: User
) -> None:
    make_application(status=ApplicationStatus.ELIGIBLE)
    office_client(client, officer)

    page = client.get("/office/applications/").content.decode()

    assert submitted.reference in page
    assert "1 application, oldest first" in page
    assert "Waiting since" in page


def test_the_queue_is_limited_to_the_reviewer_schemes(
    client: Client, submitted: Application
) -> None:
    other_reviewer = make_staff(RoleCode.ELIGIBILITY_REVIEWER, scheme=make_scheme())
    office_client(client, other_reviewer)

    assert (
        submitted.reference not in client.get("/office/applications/?status=all").content.decode()
    )
    assert client.get(f"/office/applications/{submitted.reference}/").status_code == 404


def test_candidates_cannot_open_the_office_queue(client: Client, candidate: User) -> None:
    client.force_login(candidate)

    assert client.get("/office/applications/").status_code == 403


def test_a_reviewer_takes_and_decides_through_the_review_screen(
    client: Client, submitted: Application, reviewer: User
) -> None:
    office_client(client, reviewer)
    base = f"/office/applications/{submitted.reference}"

    client.post(base + "/review/", {"has_conflict": "no"})
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.IN_REVIEW
    page = client.get(base + "/").content.decode()
    assert "Eligibility review" in page
    assert submitted.evidence_files.get().original_name in page

    prerequisite = submitted.scheme_version.prerequisites.get()
    refused = client.post(base + "/eligibility/", {
        f"finding_{prerequisite.pk}": "not_met", "outcome": "eligible", "reasons": "Looks fine",
    })  # fmt: skip
    assert refused.status_code == 422
    assert "cannot be found eligible" in refused.content.decode()

    client.post(base + "/eligibility/", {
        f"finding_{prerequisite.pk}": "met", f"note_{prerequisite.pk}": "Letter covers 8 years",
        "outcome": "eligible", "reasons": "Experience is well documented.",
    })  # fmt: skip
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.ELIGIBLE


def test_only_the_assigned_reviewer_sees_the_decision_form(
    client: Client, submitted: Application, reviewer: User
) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=False)
    colleague = make_staff(RoleCode.ELIGIBILITY_REVIEWER)
    office_client(client, colleague)

    page = client.get(f"/office/applications/{submitted.reference}/").content.decode()
    assert "Record the outcome" not in page
    assert (
        client.post(f"/office/applications/{submitted.reference}/eligibility/", {}).status_code
        == 403
    )


def test_a_reviewer_decides_an_accommodation(
    client: Client, submitted: Application, reviewer: User
) -> None:
    accommodation = make_accommodation(submitted)
    office_client(client, reviewer)

    assert (
        submitted.reference in client.get("/office/applications/accommodations/").content.decode()
    )
    client.post(
        f"/office/applications/{submitted.reference}/accommodations/{accommodation.pk}/decision/",
        {"decision": "approve", "arrangements": "25 % extra time", "reasons": "Report supports it"},
    )

    assert submitted.accommodations.get().status == "approved"


def test_a_person_record_is_needed_to_apply(client: Client, version: SchemeVersion) -> None:
    user = make_staff(RoleCode.EXAMINER, with_totp=False)
    assert not Person.objects.filter(user=user).exists()
    client.force_login(user)

    client.post(f"/portal/applications/new/{version.scheme.slug}/")

    assert not Application.objects.exists()
