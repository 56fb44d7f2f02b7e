from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.tests.factories import make_application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AssessmentEvent, EventCandidate
from peritus.exams.services import add_candidate, assign_personnel, record_event_held
from peritus.exams.tests.factories import (
    make_candidate_application,
    make_event,
    mark,
    ready_to_mark,
)
from peritus.notifications.models import OutboxMessage
from peritus.schemes.models import AssessmentComponent, SchemeVersion
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def test_an_eligible_application_is_booked_and_the_candidate_told(
    officer: User, event: AssessmentEvent, application: Application
) -> None:
    entry = add_candidate(actor=officer, event=event, application=application)

    assert entry.application == application
    assert AuditEvent.objects.filter(event_type=ExamsEvent.CANDIDATE_ADDED).count() == 1
    message = OutboxMessage.objects.get(template="exams_candidate_booked")
    assert message.recipient_person == application.person
    assert event.location in message.body


@pytest.mark.parametrize(
    "status",
    [
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.MORE_INFORMATION_REQUESTED,
        ApplicationStatus.NOT_ELIGIBLE,
        ApplicationStatus.WITHDRAWN,
    ],
)
def test_an_application_that_is_not_eligible_cannot_be_added(
    officer: User, event: AssessmentEvent, version: SchemeVersion, status: str
) -> None:
    application = make_application(scheme_version=version, status=status)

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=event, application=application)

    assert error.value.code == "application_not_eligible"
    assert not EventCandidate.objects.exists()


def test_an_application_under_another_version_cannot_be_added(
    officer: User, event: AssessmentEvent
) -> None:
    other = make_candidate_application(make_published_version())

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=event, application=other)

    assert error.value.code == "wrong_scheme_version"


def test_one_entry_per_application_on_an_event(
    officer: User, event: AssessmentEvent, application: Application
) -> None:
    add_candidate(actor=officer, event=event, application=application)

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=event, application=application)

    assert error.value.code == "already_on_event"


def test_a_full_event_takes_nobody_else(
    officer: User, component: AssessmentComponent, version: SchemeVersion
) -> None:
    event = make_event(officer, component, capacity=1)
    add_candidate(actor=officer, event=event, application=make_candidate_application(version))

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=event, application=make_candidate_application(version))

    assert error.value.code == "event_full"


def test_a_candidate_sits_one_sitting_of_a_component_at_a_time(
    officer: User, component: AssessmentComponent, application: Application
) -> None:
    add_candidate(actor=officer, event=make_event(officer, component), application=application)

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=make_event(officer, component), application=application)

    assert error.value.code == "already_booked"


def test_an_absent_candidate_is_booked_again(
    officer: User, component: AssessmentComponent, application: Application
) -> None:
    first = make_event(officer, component)
    entry = add_candidate(actor=officer, event=first, application=application)
    record_event_held(actor=officer, event=first, absent=[entry])

    again = add_candidate(
        actor=officer, event=make_event(officer, component), application=application
    )

    assert again.application == application


def test_a_passed_component_is_not_sat_again(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, make_event(officer, component), application)
    mark(examiner, entry, 85)

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=make_event(officer, component), application=application)

    assert error.value.code == "component_already_passed"


def test_a_failed_component_may_be_sat_again(
    officer: User, examiner: User, component: AssessmentComponent, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, make_event(officer, component), application)
    mark(examiner, entry, 40)

    resit = add_candidate(
        actor=officer, event=make_event(officer, component), application=application
    )

    assert resit.application == application


def test_candidates_are_booked_only_on_a_scheduled_event(
    officer: User, event: AssessmentEvent, application: Application
) -> None:
    record_event_held(actor=officer, event=event)

    with pytest.raises(DomainError) as error:
        add_candidate(actor=officer, event=event, application=application)

    assert error.value.code == "event_not_open"


def test_nobody_sits_an_event_they_examine(
    officer: User, event: AssessmentEvent, candidate: User, application: Application
) -> None:
    grant_role(candidate, RoleCode.EXAMINER)
    assign_personnel(actor=officer, event=event, user=candidate, role="examiner")

    with pytest.raises(ImpartialityError) as error:
        add_candidate(actor=officer, event=event, application=application)

    assert error.value.code == "own_assessment"


def test_only_an_officer_books_candidates(
    examiner: User, event: AssessmentEvent, application: Application
) -> None:
    with pytest.raises(DomainError) as error:
        add_candidate(actor=examiner, event=event, application=application)

    assert error.value.code == "role_not_held"
