"""Complaints about a certified person show on their record to the staff who need them, and
missed deadlines are announced once by the tick job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, office_client
from peritus.certification.tests.factories import make_certificate
from peritus.complaints.models import Complaint, ComplaintAbout, TriageCategory
from peritus.complaints.selectors import count_overdue_complaints, list_complaints_on_record
from peritus.complaints.services import notify_overdue_complaints
from peritus.complaints.tests.factories import accepted, being_handled, submitted
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

TAG = Template("{% load complaints %}{% complaints_on_record person %}")


def _about_person(manager: User) -> Complaint:
    certificate = make_certificate()
    return accepted(
        manager, submitted(about=ComplaintAbout.CERTIFIED_PERSON),
        category=TriageCategory.ABOUT_CERTIFIED_PERSON, subject_certificate=certificate,
    )  # fmt: skip


def _render(person: object, user: object) -> str:
    request = RequestFactory().get("/office/")
    request.user = user  # type: ignore[assignment]
    return TAG.render(Context({"person": person, "request": request}))


def test_decision_makers_and_handlers_see_the_complaints_on_the_record(
    quality_manager: User, handler: User, decision_maker: User
) -> None:
    complaint = _about_person(quality_manager)
    person = complaint.subject_person

    assert list_complaints_on_record(person, decision_maker) == [complaint]
    assert complaint.reference in _render(person, decision_maker)
    assert complaint.reference in _render(person, handler)


def test_others_see_nothing_on_the_record(
    quality_manager: User, examiner: User, outsider: User
) -> None:
    complaint = _about_person(quality_manager)
    person = complaint.subject_person
    assert person is not None

    assert _render(person, examiner).strip() == ""
    assert _render(person, outsider).strip() == ""


def test_a_holder_who_is_also_staff_never_sees_complaints_about_themselves(
    quality_manager: User, candidate: User
) -> None:
    grant_role(candidate, RoleCode.DECISION_MAKER)
    certificate = make_certificate(person=candidate.person)
    accepted(
        quality_manager, submitted(about=ComplaintAbout.CERTIFIED_PERSON),
        category=TriageCategory.ABOUT_CERTIFIED_PERSON, subject_certificate=certificate,
    )  # fmt: skip

    assert list_complaints_on_record(candidate.person, candidate) == []
    assert _render(candidate.person, candidate).strip() == ""


def test_a_missed_deadline_is_announced_once_to_the_handler(
    quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)
    late = timezone.now() + dt.timedelta(days=61)

    assert notify_overdue_complaints(now=timezone.now()) == 0
    assert count_overdue_complaints(on=timezone.localdate(late)) == 1
    assert notify_overdue_complaints(now=late) == 1
    assert notify_overdue_complaints(now=late) == 0

    notice = OutboxMessage.objects.get(template="complaints_overdue")
    assert notice.recipient_email == handler.email
    assert complaint.reference in notice.body


def test_an_unvalidated_complaint_alerts_intake_staff_of_each_missed_deadline(
    quality_manager: User, handler: User
) -> None:
    submitted()

    told = notify_overdue_complaints(now=timezone.now() + dt.timedelta(days=61))

    assert told == 2  # validation and outcome (it was acknowledged by email at once)
    recipients = set(
        OutboxMessage.objects.filter(template="complaints_overdue").values_list(
            "recipient_email", flat=True
        )
    )
    assert recipients == {quality_manager.email, handler.email}


def test_the_job_is_registered_for_tick() -> None:
    from peritus.scheduling.registry import get_job

    assert get_job("complaints-deadlines").every == dt.timedelta(hours=12)


def test_the_office_certificate_page_lists_the_complaints_about_its_holder(
    client: Client, quality_manager: User, decision_maker: User
) -> None:
    complaint = _about_person(quality_manager)
    certificate = complaint.subject_certificate
    assert certificate is not None

    page = office_client(client, decision_maker).get(
        reverse("certification:certificate-detail", args=[certificate.number])
    )

    assert page.status_code == 200
    assert "Complaints about this person" in page.content.decode()
    assert complaint.reference in page.content.decode()
