"""The office pages: who sees what (403 on the register, 404 on a complaint one may not see),
and the forms drive a complaint from validation to closure, with its history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff, office_client
from peritus.certification.models import CertificateStatus
from peritus.certification.tests.factories import make_certificate
from peritus.complaints.models import ComplaintAbout, ComplaintStatus, ProposalStatus
from peritus.complaints.services import propose_suspension
from peritus.complaints.tests.factories import accepted, being_handled, submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.QUALITY_MANAGER, 200),
        (RoleCode.COMPLAINTS_HANDLER, 200),
        (RoleCode.INTERNAL_AUDITOR, 200),
        (RoleCode.ASSESSOR, 200),
        (RoleCode.EXAMINER, 403),
        (RoleCode.DECISION_MAKER, 403),
    ],
)
def test_the_register_opens_to_those_who_handle_or_oversee_complaints(
    client: Client, role: RoleCode, status: int
) -> None:
    response = office_client(client, make_staff(role)).get(reverse("complaints:complaint-list"))

    assert response.status_code == status


def test_the_register_lists_complaints_and_hides_them_from_their_subject(
    client: Client, quality_manager: User, examiner: User
) -> None:
    grant_role(examiner, RoleCode.COMPLAINTS_HANDLER)
    about_examiner = accepted(
        quality_manager, submitted(about=ComplaintAbout.EXAMINER), subject_staff=examiner
    )
    other = submitted(email="other@complainant.example")

    seen_by_manager = office_client(client, quality_manager).get(
        reverse("complaints:complaint-list")
    )
    seen_by_examiner = office_client(Client(), examiner).get(reverse("complaints:complaint-list"))
    detail = office_client(Client(), examiner).get(
        reverse("complaints:complaint-detail", args=[about_examiner.reference])
    )

    assert about_examiner.reference in seen_by_manager.content.decode()
    assert about_examiner.reference not in seen_by_examiner.content.decode()
    assert other.reference in seen_by_examiner.content.decode()
    assert detail.status_code == 404


def test_a_complaint_is_404_to_staff_who_have_nothing_to_do_with_it(
    client: Client, officer: User
) -> None:
    complaint = submitted()

    response = office_client(client, officer).get(
        reverse("complaints:complaint-detail", args=[complaint.reference])
    )

    assert response.status_code == 404


def test_staff_record_a_complaint_received_by_phone(client: Client, handler: User) -> None:
    response = office_client(client, handler).post(
        reverse("complaints:complaint-record"),
        {
            "channel": "phone", "name": "Karl Huber", "phone": "+43 1 234 5678",
            "about": "body", "description": "Rude answer at the front desk.",
        },
    )  # fmt: skip

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Karl Huber" in page.content.decode()
    assert "Record the acknowledgement" in page.content.decode()


def test_the_examiner_cannot_open_the_record_form(client: Client, examiner: User) -> None:
    assert (
        office_client(client, examiner).get(reverse("complaints:complaint-record")).status_code
        == 403
    )


def test_validation_and_a_refused_assignment_through_the_pages(
    client: Client, quality_manager: User, examiner: User, handler: User
) -> None:
    grant_role(examiner, RoleCode.COMPLAINTS_HANDLER)
    complaint = submitted(about=ComplaintAbout.EXAMINER)
    manager = office_client(client, quality_manager)

    manager.post(
        reverse("complaints:complaint-accept", args=[complaint.reference]),
        {"category": "about_body", "reasons": "About an examiner.", "subject_staff": examiner.pk},
    )
    refused = manager.post(
        reverse("complaints:complaint-assign", args=[complaint.reference]),
        {"handler": examiner.pk},
    )
    assigned = manager.post(
        reverse("complaints:complaint-assign", args=[complaint.reference]),
        {"handler": handler.pk},
    )

    assert refused.status_code == 422
    assert "cannot handle" in refused.content.decode()
    assert assigned.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.handler == handler


def test_the_handler_takes_it_to_closure_through_the_pages(
    client: Client, quality_manager: User, handler: User
) -> None:
    complaint = accepted(quality_manager)
    office_client(client, quality_manager).post(
        reverse("complaints:complaint-assign", args=[complaint.reference]),
        {"handler": handler.pk},
    )
    own = office_client(Client(), handler)

    own.post(reverse("complaints:complaint-declare", args=[complaint.reference]))
    own.post(
        reverse("complaints:complaint-progress", args=[complaint.reference]),
        {"message": "We are looking into it."},
    )
    own.post(
        reverse("complaints:complaint-resolve", args=[complaint.reference]),
        {"outcome": "upheld", "findings": "Letters were late.", "publicity": "not_published"},
    )
    own.post(
        reverse("complaints:complaint-close", args=[complaint.reference]),
        {"note": "Letters now on time."},
    )

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    page = own.get(reverse("complaints:complaint-detail", args=[complaint.reference]))
    body = page.content.decode()
    assert "We are looking into it." in body
    assert "Letters now on time." in body
    assert "A complaint was closed" in body


def test_a_decision_maker_decides_a_proposed_suspension_on_its_page(
    client: Client, quality_manager: User, handler: User
) -> None:
    certificate = make_certificate()
    complaint = accepted(
        quality_manager, submitted(about=ComplaintAbout.CERTIFIED_PERSON),
        category="about_certified_person", subject_certificate=certificate,
    )  # fmt: skip
    complaint = being_handled(quality_manager, handler, complaint)
    proposal = propose_suspension(
        actor=handler, complaint=complaint, certificate=certificate, reasons="Faked reports.",
        conditions="Re-assessment.", deadline=timezone.localdate() + dt.timedelta(days=60),
    )  # fmt: skip
    decider = office_client(client, make_staff(RoleCode.DECISION_MAKER))

    listed = decider.get(reverse("complaints:proposal-list"))
    decided = decider.post(
        reverse("complaints:proposal-decide", args=[proposal.pk]), {"decision": "suspend"}
    )

    assert certificate.number in listed.content.decode()
    assert decided.status_code == 302
    proposal.refresh_from_db()
    certificate.refresh_from_db()
    assert proposal.status == ProposalStatus.SUSPENDED
    assert certificate.status == CertificateStatus.SUSPENDED


def test_an_examiner_cannot_open_the_proposed_suspensions(client: Client, examiner: User) -> None:
    response = office_client(client, examiner).get(reverse("complaints:proposal-list"))

    assert response.status_code == 403


def test_a_register_reader_may_read_but_not_write_to_the_complainant(
    client: Client, quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)
    auditor = office_client(client, make_staff(RoleCode.INTERNAL_AUDITOR))

    page = auditor.get(reverse("complaints:complaint-detail", args=[complaint.reference]))
    write = auditor.post(
        reverse("complaints:complaint-progress", args=[complaint.reference]), {"message": "Hi"}
    )

    assert page.status_code == 200
    assert "Report progress to the complainant" not in page.content.decode()
    assert write.status_code == 403
    assert not complaint.updates.exists()


def test_the_register_exports_as_csv_without_contact_details(
    client: Client, quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)

    response = office_client(client, quality_manager).get(
        reverse("complaints:complaint-export") + "?status=open"
    )

    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert complaint.reference in body
    assert handler.email in body
    assert complaint.complainant_email not in body


def test_the_export_is_403_to_an_examiner(client: Client, examiner: User) -> None:
    response = office_client(client, examiner).get(reverse("complaints:complaint-export"))

    assert response.status_code == 403
