from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    ApplicationNotPermittedError,
    EligibilityImpartialityError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus, InformationRequest
from peritus.applications.services import (
    ResponseFile,
    request_more_information,
    respond_to_information_request,
    start_review,
)
from peritus.applications.tests.factories import MINIMAL_PDF
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(submitted: Application, reviewer: User) -> Application:
    return start_review(actor=reviewer, application=submitted, has_conflict=False)


@time_machine.travel(dt.datetime(2027, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_reviewer_asks_and_the_applicant_sees_exactly_what(
    in_review: Application, reviewer: User
) -> None:
    request = request_more_information(
        actor=reviewer,
        application=in_review,
        message="Your employer letter has no dates. Upload one that states them.",
        due_on=dt.date(2027, 5, 18),
    )

    assert Application.objects.get(pk=in_review.pk).status == (
        ApplicationStatus.MORE_INFORMATION_REQUESTED
    )
    assert request.is_open
    notice = OutboxMessage.objects.get(template="applications_information_requested")
    assert "Your employer letter has no dates" in notice.body
    assert "18 May 2027" in notice.body
    assert AuditEvent.objects.get(event_type=ApplicationsEvent.INFORMATION_REQUESTED).data == {
        "due_on": "2027-05-18"
    }


def test_a_request_says_what_is_asked(in_review: Application, reviewer: User) -> None:
    with pytest.raises(ApplicationInputError):
        request_more_information(actor=reviewer, application=in_review, message="  ")


def test_only_the_assigned_reviewer_asks(in_review: Application) -> None:
    other = make_staff(RoleCode.ELIGIBILITY_REVIEWER)

    with pytest.raises(ApplicationNotPermittedError) as error:
        request_more_information(actor=other, application=in_review, message="More")

    assert error.value.code == "not_assigned_reviewer"


def test_a_reviewer_who_later_declares_a_conflict_stops(
    in_review: Application, reviewer: User
) -> None:
    from django.db import transaction

    from peritus.impartiality.services import record_declaration

    with transaction.atomic():
        record_declaration(
            actor=reviewer,
            person=in_review.person,
            has_conflict=True,
            nature="relative",
        )

    with pytest.raises(EligibilityImpartialityError) as error:
        request_more_information(actor=reviewer, application=in_review, message="More")

    assert error.value.code == "conflict_of_interest"


def test_the_applicant_answers_with_a_file_and_the_review_resumes(
    in_review: Application, reviewer: User, candidate: User
) -> None:
    request_more_information(actor=reviewer, application=in_review, message="Dated letter please")
    prerequisite = in_review.scheme_version.prerequisites.get()

    answered = respond_to_information_request(
        actor=candidate,
        application=in_review,
        response="Here is the dated letter.",
        files=[ResponseFile(io.BytesIO(MINIMAL_PDF), "letter.pdf", "experience", prerequisite.pk)],
    )

    assert Application.objects.get(pk=in_review.pk).status == ApplicationStatus.IN_REVIEW
    assert not InformationRequest.objects.get(pk=answered.pk).is_open
    assert in_review.evidence_files.filter(
        original_name="letter.pdf", prerequisite=prerequisite
    ).exists()
    assert OutboxMessage.objects.get(
        template="applications_response_to_reviewer"
    ).recipient_user == (reviewer)
    assert OutboxMessage.objects.filter(template="applications_response_received").count() == 1


def test_there_is_nothing_to_answer_unless_asked(in_review: Application, candidate: User) -> None:
    with pytest.raises(ApplicationError) as error:
        respond_to_information_request(actor=candidate, application=in_review, response="Hi")

    assert error.value.code == "invalid_status"


def test_an_answer_is_not_empty(in_review: Application, reviewer: User, candidate: User) -> None:
    request_more_information(actor=reviewer, application=in_review, message="Dated letter please")

    with pytest.raises(ApplicationInputError):
        respond_to_information_request(actor=candidate, application=in_review, response=" ")
