"""A certification officer asks for missing evidence and puts stuck reviews back in the queue."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.tests.factories import office_client
from peritus.applications.errors import ApplicationError, ApplicationInputError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.selectors import list_eligibility_reviewer_ids
from peritus.applications.services import (
    release_review,
    request_more_information,
    respond_to_information_request,
    start_review,
)
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_an_officer_asks_for_missing_evidence_before_any_review(
    submitted: Application, officer: User, candidate: User
) -> None:
    request_more_information(
        actor=officer, application=submitted, message="Your identity document is missing."
    )
    assert Application.objects.get(pk=submitted.pk).status == (
        ApplicationStatus.MORE_INFORMATION_REQUESTED
    )
    assert (
        AuditEvent.objects.get(event_type=ApplicationsEvent.INFORMATION_REQUESTED).actor_role
        == "certification_officer"
    )

    respond_to_information_request(actor=candidate, application=submitted, response="Uploaded.")

    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED


def test_an_officer_releases_a_review_and_the_reviewer_is_told(
    submitted: Application, officer: User, reviewer: User
) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=False)

    release_review(actor=officer, application=submitted, reason="Reviewer on leave until June")

    application = Application.objects.get(pk=submitted.pk)
    assert (application.status, application.assigned_reviewer) == (
        ApplicationStatus.SUBMITTED,
        None,
    )
    assert AuditEvent.objects.get(event_type=ApplicationsEvent.REVIEW_RELEASED).reason == (
        "Reviewer on leave until June"
    )
    assert OutboxMessage.objects.get(template="applications_review_released").recipient_user == (
        reviewer
    )
    assert reviewer.pk in list_eligibility_reviewer_ids(application)


def test_a_reviewer_releases_their_own_review(submitted: Application, reviewer: User) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=False)

    release_review(actor=reviewer, application=submitted, reason="Too much work this week")

    assert not OutboxMessage.objects.filter(template="applications_review_released").exists()


def test_a_release_needs_a_reason_a_review_and_the_right_person(
    submitted: Application, reviewer: User, examiner: User, officer: User
) -> None:
    with pytest.raises(ApplicationError) as error:
        release_review(actor=officer, application=submitted, reason="x")
    assert error.value.code == "invalid_status"
    start_review(actor=reviewer, application=submitted, has_conflict=False)
    with pytest.raises(ApplicationInputError):
        release_review(actor=reviewer, application=submitted, reason=" ")
    with pytest.raises(RoleNotHeldError):
        release_review(actor=examiner, application=submitted, reason="x")


def test_the_officer_uses_the_review_screen(
    client: Client, submitted: Application, officer: User, reviewer: User
) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=False)
    office_client(client, officer)
    base = f"/office/applications/{submitted.reference}"

    page = client.get(base + "/").content.decode()
    assert "Put the review back in the queue" in page
    assert "Record the outcome" not in page
    client.post(base + "/review/release/", {"reason": "Reviewer ill"})

    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED
