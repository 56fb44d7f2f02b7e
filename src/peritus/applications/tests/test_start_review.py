from __future__ import annotations

import pytest

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role
from peritus.applications.errors import ApplicationError, EligibilityImpartialityError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.services import start_review
from peritus.audit_trail.models import AuditEvent
from peritus.impartiality.models import ConflictDeclaration
from peritus.notifications.models import OutboxMessage
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def test_the_reviewer_declares_no_conflict_and_takes_the_review(
    submitted: Application, reviewer: User
) -> None:
    application = start_review(actor=reviewer, application=submitted, has_conflict=False)

    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.IN_REVIEW
    assert application.assigned_reviewer == reviewer
    declaration = ConflictDeclaration.objects.get(declarant=reviewer)
    assert (declaration.person_id, declaration.has_conflict) == (submitted.person_id, False)
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.REVIEW_STARTED).count() == 1
    assert OutboxMessage.objects.filter(template="applications_review_started").count() == 1


def test_a_reviewer_with_a_conflict_leaves_the_application_to_another(
    submitted: Application, reviewer: User
) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=True, nature="employer")

    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED
    assert ConflictDeclaration.objects.get(declarant=reviewer).has_conflict
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.REVIEW_DECLINED).count() == 1

    start_review(actor=reviewer, application=submitted, has_conflict=False)
    assert Application.objects.get(pk=submitted.pk).status == ApplicationStatus.SUBMITTED


def test_nobody_reviews_their_own_application(submitted: Application, candidate: User) -> None:
    grant_role(candidate, RoleCode.ELIGIBILITY_REVIEWER)

    with pytest.raises(EligibilityImpartialityError) as error:
        start_review(actor=candidate, application=submitted, has_conflict=False)

    assert error.value.code == "own_application"


def test_a_reviewer_for_another_scheme_cannot_take_it(submitted: Application) -> None:
    from peritus.accounts.tests.factories import make_staff

    other = make_staff(RoleCode.ELIGIBILITY_REVIEWER, scheme=make_scheme())

    with pytest.raises(RoleNotHeldError):
        start_review(actor=other, application=submitted, has_conflict=False)


def test_only_a_submitted_application_is_taken(draft: Application, reviewer: User) -> None:
    with pytest.raises(ApplicationError) as error:
        start_review(actor=reviewer, application=draft, has_conflict=False)

    assert error.value.code == "invalid_status"
