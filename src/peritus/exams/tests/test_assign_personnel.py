from __future__ import annotations

import pytest

from peritus.accounts.models import RoleAssignment, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import forget_cached_roles
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AssessmentEvent, AssignmentRole
from peritus.exams.services import add_candidate, assign_personnel, cancel_event
from peritus.exams.tests.factories import make_event
from peritus.impartiality.events import ImpartialityEvent
from peritus.notifications.models import OutboxMessage
from peritus.schemes.models import AssessmentComponent
from peritus.schemes.tests.factories import make_scheme

pytestmark = pytest.mark.django_db


def test_an_approved_examiner_is_assigned_and_told_to_declare(
    officer: User, examiner: User, event: AssessmentEvent
) -> None:
    assignment = assign_personnel(actor=officer, event=event, user=examiner, role="examiner")

    assert assignment.role == AssignmentRole.EXAMINER
    assert AuditEvent.objects.filter(event_type=ExamsEvent.PERSONNEL_ASSIGNED).count() == 1
    message = OutboxMessage.objects.get(template="exams_personnel_assigned")
    assert message.recipient_user == examiner
    assert "declare" in message.body


def test_an_invigilator_is_assigned(
    officer: User, invigilator: User, event: AssessmentEvent
) -> None:
    assignment = assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")

    assert assignment.role == AssignmentRole.INVIGILATOR


def test_someone_without_the_examiner_role_is_not_assigned_as_examiner(
    officer: User, invigilator: User, event: AssessmentEvent
) -> None:
    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=invigilator, role="examiner")

    assert error.value.code == "not_an_approved_examiner"


def test_an_examiner_approved_for_another_scheme_is_refused(
    officer: User, event: AssessmentEvent
) -> None:
    elsewhere = make_staff(RoleCode.EXAMINER, scheme=make_scheme())

    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=elsewhere, role="examiner")

    assert error.value.code == "not_an_approved_examiner"


def test_an_examiner_approved_only_for_another_language_is_refused(
    officer: User, event: AssessmentEvent
) -> None:
    french_only = make_staff(RoleCode.EXAMINER)
    RoleAssignment.objects.filter(user=french_only).update(languages=["fr"])
    forget_cached_roles(french_only)

    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=french_only, role="examiner")

    assert (event.language, error.value.code) == ("en", "not_approved_for_language")
    assert not event.assignments.exists()


def test_an_examiner_without_an_accepted_agreement_is_refused(
    officer: User, event: AssessmentEvent
) -> None:
    from peritus.accounts.tests.factories import UserFactory

    newcomer: User = UserFactory.create()
    grant_role(newcomer, RoleCode.EXAMINER, accept_agreement=False)

    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=newcomer, role="examiner")

    assert error.value.code == "not_an_approved_examiner"


def test_an_examiner_is_not_made_invigilator_without_that_role(
    officer: User, examiner: User, event: AssessmentEvent
) -> None:
    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=examiner, role="invigilator")

    assert error.value.code == "not_an_invigilator"


def test_one_person_holds_one_role_on_an_event(
    officer: User, examiner: User, event: AssessmentEvent
) -> None:
    grant_role(examiner, RoleCode.INVIGILATOR)
    assign_personnel(actor=officer, event=event, user=examiner, role="invigilator")

    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=examiner, role="examiner")

    assert error.value.code == "already_assigned"


def test_only_an_officer_assigns(examiner: User, event: AssessmentEvent) -> None:
    with pytest.raises(DomainError) as error:
        assign_personnel(actor=examiner, event=event, user=examiner, role="examiner")

    assert error.value.code == "role_not_held"


def test_nobody_examines_an_event_they_sit(
    officer: User, event: AssessmentEvent, application: Application, candidate: User
) -> None:
    add_candidate(actor=officer, event=event, application=application)
    grant_role(candidate, RoleCode.EXAMINER)

    with pytest.raises(ImpartialityError) as error:
        assign_personnel(actor=officer, event=event, user=candidate, role="examiner")

    assert error.value.code == "own_assessment"
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.ACTION_REFUSED).exists()


def test_nobody_is_assigned_to_a_cancelled_event(
    officer: User, examiner: User, component: AssessmentComponent
) -> None:
    event = make_event(officer, component)
    cancel_event(actor=officer, event=event, reason="Venue unavailable")

    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=examiner, role="examiner")

    assert error.value.code == "event_cancelled"


def test_unknown_roles_are_refused(officer: User, examiner: User, event: AssessmentEvent) -> None:
    with pytest.raises(DomainError) as error:
        assign_personnel(actor=officer, event=event, user=examiner, role="observer")

    assert error.value.code == "unknown_role"
