from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import office_client
from peritus.certification.models import Certificate
from peritus.recertification.models import CpdActivity, Submission, SubmissionStatus
from peritus.recertification.services import review_submission
from peritus.recertification.tests.factories import (
    PDF_BYTES,
    at,
    issued_certificate,
    log_hours,
    reload,
    set_hours_required,
    staff,
    submit_recertification_as_holder,
    submit_surveillance_as_holder,
)

pytestmark = pytest.mark.django_db


def holder_client(client: Client, certificate: Certificate) -> Client:
    user = certificate.holder.user
    assert user is not None
    client.force_login(user)
    return client


def test_the_portal_shows_what_is_due_and_when(client: Client) -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)):
        log_hours(certificate, "6")
        page = holder_client(client, certificate).get("/portal/renewals/")

    text = page.content.decode()
    assert page.status_code == 200
    assert certificate.number in text
    assert "1 March 2027" in text  # next surveillance
    assert "1 September 2028 to 28 February 2029" in text  # recertification window
    assert "6.0" in text


def test_the_portal_navigation_links_to_renewals(client: Client) -> None:
    certificate = issued_certificate()
    page = holder_client(client, certificate).get("/portal/")
    assert "/portal/renewals/" in page.content.decode()


def test_the_holder_logs_cpd_with_evidence_from_the_portal(client: Client) -> None:
    certificate = issued_certificate()
    upload = io.BytesIO(PDF_BYTES)
    upload.name = "attendance.pdf"
    with at(dt.date(2026, 9, 1)):
        response = holder_client(client, certificate).post(
            f"/portal/renewals/{certificate.number}/cpd/",
            {
                "category": "general",
                "title": "Weld defects seminar",
                "provider": "Institute",
                "completed_on": "2026-08-15",
                "hours": "3.5",
                "evidence": upload,
            },
        )
        evidence = client.get(f"/portal/renewals/cpd/{CpdActivity.objects.get().pk}/evidence/")

    assert response.status_code == 302
    activity = CpdActivity.objects.get()
    assert activity.title == "Weld defects seminar"
    assert evidence.status_code == 200
    assert b"".join(evidence.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]


def test_a_refused_upload_shows_the_reason(client: Client) -> None:
    certificate = issued_certificate()
    upload = io.BytesIO(b"not a pdf at all")
    upload.name = "attendance.pdf"
    with at(dt.date(2026, 9, 1)):
        response = holder_client(client, certificate).post(
            f"/portal/renewals/{certificate.number}/cpd/",
            {
                "category": "general",
                "title": "Seminar",
                "completed_on": "2026-08-15",
                "hours": "2",
                "evidence": upload,
            },
        )
    assert response.status_code == 422
    assert "Upload a PDF, PNG or JPEG file" in response.content.decode()
    assert not CpdActivity.objects.exists()


def test_someone_else_cannot_see_my_renewals_or_evidence(client: Client, outsider: User) -> None:
    certificate = issued_certificate()
    with at(dt.date(2026, 9, 1)):
        activity = log_hours(certificate, "2")
    client.force_login(outsider)
    assert client.get(f"/portal/renewals/{certificate.number}/").status_code == 404
    assert client.get(f"/portal/renewals/cpd/{activity.pk}/evidence/").status_code == 404


def test_the_holder_submits_surveillance_from_the_portal(client: Client) -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        form = holder_client(client, certificate).get(
            f"/portal/renewals/{certificate.number}/surveillance/"
        )
        refused = client.post(
            f"/portal/renewals/{certificate.number}/surveillance/", {"work_log": "Welds."}
        )
        done = client.post(
            f"/portal/renewals/{certificate.number}/surveillance/",
            {"declared": "on", "work_log": "Welds."},
        )

    assert "continued to practise" in form.content.decode()
    assert refused.status_code == 422
    assert "Confirm the declaration" in refused.content.decode()
    assert done.status_code == 302
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_a_candidate_cannot_open_the_office_queue(client: Client, candidate: User) -> None:
    client.force_login(candidate)
    assert client.get("/office/recertification/").status_code in (302, 403)


def test_the_reviewer_reviews_and_another_decision_maker_recertifies(client: Client) -> None:
    certificate = issued_certificate()
    set_hours_required(certificate.scheme_version, 4)
    certificate = reload(certificate)
    with at(dt.date(2027, 5, 1)):
        log_hours(certificate, "4")
    with at(dt.date(2028, 10, 1)):
        reviewer = staff(RoleCode.ELIGIBILITY_REVIEWER)
        decider = staff(RoleCode.DECISION_MAKER)
        submission = submit_recertification_as_holder(certificate, work_log="Three years.")
        queue = office_client(client, reviewer).get("/office/recertification/")
        detail = client.get(f"/office/recertification/{submission.reference}/")
        activity = CpdActivity.objects.get()
        reviewed = client.post(
            f"/office/recertification/{submission.reference}/review/",
            {
                "positive": "yes",
                "findings": "Attendance certificate matches.",
                f"verdict_{activity.pk}": "accepted",
            },
        )
        forbidden = client.post(
            f"/office/recertification/{submission.reference}/decision/",
            {"grant": "yes", "rationale": "Fine."},
        )
        decided = office_client(Client(), decider).post(
            f"/office/recertification/{submission.reference}/decision/",
            {"grant": "yes", "rationale": "Evidence complete and audited."},
        )
        verify = Client().get(f"/verify/{certificate.number}/")

    assert queue.status_code == 200
    assert submission.reference in queue.content.decode()
    assert "Review the evidence" in detail.content.decode()
    assert reviewed.status_code == 302
    assert forbidden.status_code == 403
    assert decided.status_code == 302
    assert reload(certificate).expires_on == dt.date(2032, 2, 29)
    assert "2032" in verify.content.decode()


def test_a_reviewer_who_is_also_a_decision_maker_is_told_they_may_not_decide(
    client: Client,
) -> None:
    from peritus.accounts.tests.factories import grant_role

    certificate = issued_certificate()
    with at(dt.date(2028, 10, 1)):
        both = staff(RoleCode.ELIGIBILITY_REVIEWER)
        grant_role(both, RoleCode.DECISION_MAKER)
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        review_submission(actor=both, submission=submission, positive=True, findings="Fine.")
        page = office_client(client, both).get(f"/office/recertification/{submission.reference}/")
        refused = client.post(
            f"/office/recertification/{submission.reference}/decision/",
            {"grant": "yes", "rationale": "Fine."},
        )

    assert "You reviewed this recertification" in page.content.decode()
    assert refused.status_code == 422
    assert "someone independent must decide" in refused.content.decode()
    assert reload(certificate).revision == 1


def test_a_decision_maker_suspends_from_a_refused_surveillance(client: Client) -> None:
    certificate = issued_certificate()
    with at(dt.date(2027, 2, 10)):
        submission = submit_surveillance_as_holder(certificate)
        review_submission(
            actor=staff(RoleCode.ELIGIBILITY_REVIEWER),
            submission=submission,
            positive=False,
            findings="No evidence.",
        )
        decider = staff(RoleCode.DECISION_MAKER)
        page = office_client(client, decider).get(
            f"/office/recertification/{submission.reference}/"
        )
        done = client.post(
            f"/office/recertification/{submission.reference}/suspension/",
            {
                "reason": "Surveillance refused.",
                "conditions": "Submit the employer's statement.",
                "deadline": "2027-05-01",
            },
        )

    assert "Open suspension proceedings" in page.content.decode()
    assert done.status_code == 302
    assert reload(certificate).status == "suspended"


def test_the_apply_link_shows_in_the_window_until_the_holder_applies(client: Client) -> None:
    certificate = issued_certificate()
    with at(dt.date(2028, 8, 31)):
        before_window = holder_client(client, certificate).get(
            f"/portal/renewals/{certificate.number}/"
        )
    with at(dt.date(2028, 9, 1)):
        in_window = holder_client(client, certificate).get(
            f"/portal/renewals/{certificate.number}/"
        )
        submission = submit_recertification_as_holder(certificate, work_log="Log.")
        applied = client.get(f"/portal/renewals/{certificate.number}/")

    apply = "Apply for recertification"
    assert apply not in before_window.content.decode()
    assert apply in in_window.content.decode()
    assert apply not in applied.content.decode()
    assert submission.reference in applied.content.decode()
