"""Staff record complaints received by email, letter or phone; every complaint is acknowledged
and validated (accepted as a complaint, or rejected with reasons) before it is handled (R24)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.selectors import list_events_for
from peritus.certification.tests.factories import make_certificate
from peritus.complaints.events import ComplaintEvent
from peritus.complaints.models import (
    Complaint,
    ComplaintAbout,
    ComplaintChannel,
    ComplaintStatus,
    TriageCategory,
)
from peritus.complaints.services import (
    accept_complaint,
    acknowledge_complaint,
    record_complaint,
    reject_complaint,
)
from peritus.complaints.tests.factories import accepted, submitted
from peritus.core.errors import DomainError
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_complaint_by_phone_without_email_waits_for_an_acknowledgement_by_letter(
    quality_manager: User,
) -> None:
    complaint = record_complaint(
        actor=quality_manager, channel=ComplaintChannel.PHONE, name="Karl Huber",
        phone="+43 1 234 5678", about=ComplaintAbout.BODY,
        description="Rude answer at the front desk.",
        received_on=timezone.localdate() - dt.timedelta(days=2),
    )  # fmt: skip

    assert complaint.acknowledged_at is None
    assert complaint.acknowledge_due_on == timezone.localdate() + dt.timedelta(days=3)
    assert not OutboxMessage.objects.exists()

    acknowledge_complaint(actor=quality_manager, complaint=complaint, note="Letter posted today")

    complaint.refresh_from_db()
    assert complaint.acknowledgement_note == "Letter posted today"
    with pytest.raises(DomainError) as refused:
        acknowledge_complaint(actor=quality_manager, complaint=complaint, note="Again")
    assert refused.value.code == "already_acknowledged"


def test_a_complaint_received_by_email_is_acknowledged_to_that_address(handler: User) -> None:
    complaint = record_complaint(
        actor=handler, channel=ComplaintChannel.EMAIL, name="Eva Novak",
        email="eva@complainant.example", about=ComplaintAbout.BODY,
        description="Invoice sent twice.",
    )  # fmt: skip

    assert complaint.acknowledged_at is not None
    assert complaint.recorded_by == handler
    notice = OutboxMessage.objects.get(template="complaints_acknowledgement")
    assert notice.recipient_email == "eva@complainant.example"
    assert notice.recipient_user is None


def test_an_examiner_may_not_record_complaints(examiner: User) -> None:
    with pytest.raises(DomainError) as refused:
        record_complaint(
            actor=examiner, channel=ComplaintChannel.LETTER, name="Someone",
            about=ComplaintAbout.BODY, description="Something.",
        )  # fmt: skip

    assert refused.value.code == "role_not_held"
    assert not Complaint.objects.exists()


TOMORROW = object()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"channel": ComplaintChannel.EMAIL}, "email_required"),
        ({"channel": "pigeon"}, "unknown_channel"),
        ({"description": " "}, "description_required"),
        ({"received_on": TOMORROW}, "received_in_future"),
        ({"email": "not-an-address", "channel": ComplaintChannel.EMAIL}, "email_invalid"),
    ],
)
def test_an_incomplete_record_is_refused_and_nothing_is_stored(
    quality_manager: User, fields: dict[str, object], code: str
) -> None:
    values: dict[str, object] = {
        "channel": ComplaintChannel.LETTER, "name": "Karl Huber", "about": ComplaintAbout.BODY,
        "description": "Rude answer.", **fields,
    }  # fmt: skip
    if values.get("received_on") is TOMORROW:  # the day the test runs, not the day it was collected
        values["received_on"] = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(DomainError) as refused:
        record_complaint(actor=quality_manager, **values)  # type: ignore[arg-type]

    assert refused.value.code == code
    assert not Complaint.objects.exists()


def test_accepting_a_complaint_about_a_certified_person_identifies_them(
    quality_manager: User,
) -> None:
    certificate = make_certificate()
    complaint = submitted(about=ComplaintAbout.CERTIFIED_PERSON)

    accept_complaint(
        actor=quality_manager, complaint=complaint,
        category=TriageCategory.ABOUT_CERTIFIED_PERSON, reasons="About a certified inspector.",
        subject_certificate=certificate,
    )  # fmt: skip

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.IN_PROGRESS
    assert complaint.subject_person == certificate.holder
    assert ComplaintEvent.ACCEPTED in [event.event_type for event in list_events_for(complaint)]
    assert OutboxMessage.objects.filter(template="complaints_accepted").count() == 1


@pytest.mark.parametrize(
    ("about", "category", "code"),
    [
        (ComplaintAbout.CERTIFIED_PERSON, TriageCategory.ABOUT_CERTIFIED_PERSON,
         "subject_person_required"),
        (ComplaintAbout.EXAMINER, TriageCategory.ABOUT_BODY, "subject_staff_required"),
        (ComplaintAbout.BODY, TriageCategory.OUT_OF_SCOPE, "unknown_category"),
    ],
)  # fmt: skip
def test_validation_needs_the_subject_identified(
    quality_manager: User, about: str, category: str, code: str
) -> None:
    complaint = submitted(about=about)

    with pytest.raises(DomainError) as refused:
        accept_complaint(actor=quality_manager, complaint=complaint, category=category, reasons="x")

    assert refused.value.code == code
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_rejecting_as_not_a_complaint_closes_it_and_gives_the_reasons(
    quality_manager: User,
) -> None:
    complaint = submitted(about=ComplaintAbout.OTHER)

    reject_complaint(
        actor=quality_manager, complaint=complaint, reasons="We do not run a parcel service."
    )

    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.OUT_OF_SCOPE
    assert complaint.triage_category == TriageCategory.OUT_OF_SCOPE
    notice = OutboxMessage.objects.get(template="complaints_rejected")
    assert "We do not run a parcel service." in notice.body
    with pytest.raises(DomainError) as refused:
        accepted(quality_manager, complaint)
    assert refused.value.code == "already_triaged"


def test_a_rejection_needs_reasons(quality_manager: User) -> None:
    complaint = submitted()

    with pytest.raises(DomainError) as refused:
        reject_complaint(actor=quality_manager, complaint=complaint, reasons="  ")

    assert refused.value.code == "reasons_required"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
