from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AssessmentEvent, Attendance, EventCandidate, EventStatus
from peritus.exams.services import (
    add_candidate,
    assign_personnel,
    cancel_event,
    record_event_held,
)
from peritus.exams.tests.factories import (
    declare_no_conflict,
    make_candidate_application,
    make_event,
)
from peritus.notifications.models import OutboxMessage
from peritus.schemes.models import AssessmentComponent, SchemeVersion

pytestmark = pytest.mark.django_db


def test_the_assigned_invigilator_records_the_sitting_and_who_was_absent(
    officer: User,
    invigilator: User,
    event: AssessmentEvent,
    application: Application,
    version: SchemeVersion,
) -> None:
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    present = add_candidate(actor=officer, event=event, application=application)
    absent = add_candidate(
        actor=officer, event=event, application=make_candidate_application(version)
    )

    declare_no_conflict(invigilator, event)
    held = record_event_held(actor=invigilator, event=event, absent=[absent])

    assert held.status == EventStatus.HELD
    assert EventCandidate.objects.get(pk=present.pk).attendance == Attendance.PRESENT
    assert EventCandidate.objects.get(pk=absent.pk).attendance == Attendance.ABSENT
    audit = AuditEvent.objects.get(event_type=ExamsEvent.EVENT_HELD)
    assert (audit.actor_id, audit.actor_role) == (invigilator.pk, "invigilator")


def test_an_invigilator_of_another_event_cannot_record_it(
    invigilator: User, event: AssessmentEvent
) -> None:
    with pytest.raises(DomainError) as error:
        record_event_held(actor=invigilator, event=event)

    assert error.value.code == "role_not_held"


def test_a_sitting_is_not_held_before_it_starts(
    officer: User, component: AssessmentComponent
) -> None:
    future = make_event(officer, component, starts_at=timezone.now() + dt.timedelta(days=3))

    with pytest.raises(DomainError) as error:
        record_event_held(actor=officer, event=future)

    assert error.value.code == "event_not_started"


def test_a_sitting_is_held_once(officer: User, event: AssessmentEvent) -> None:
    record_event_held(actor=officer, event=event)

    with pytest.raises(DomainError) as error:
        record_event_held(actor=officer, event=event)

    assert error.value.code == "event_not_scheduled"


def test_an_absentee_must_be_on_the_event(
    officer: User, event: AssessmentEvent, component: AssessmentComponent, application: Application
) -> None:
    elsewhere = add_candidate(
        actor=officer, event=make_event(officer, component), application=application
    )

    with pytest.raises(DomainError) as error:
        record_event_held(actor=officer, event=event, absent=[elsewhere])

    assert error.value.code == "unknown_candidate"


def test_cancelling_tells_every_candidate_why(
    officer: User, event: AssessmentEvent, application: Application
) -> None:
    add_candidate(actor=officer, event=event, application=application)

    cancelled = cancel_event(actor=officer, event=event, reason="The examination hall flooded")

    assert cancelled.status == EventStatus.CANCELLED
    message = OutboxMessage.objects.get(template="exams_event_cancelled")
    assert "flooded" in message.body
    assert AuditEvent.objects.get(event_type=ExamsEvent.EVENT_CANCELLED).reason.endswith("flooded")


def test_cancelling_needs_a_reason_an_officer_and_a_scheduled_event(
    officer: User, event: AssessmentEvent
) -> None:
    with pytest.raises(DomainError) as error:
        cancel_event(actor=officer, event=event, reason="")
    assert error.value.code == "reason_required"

    with pytest.raises(DomainError) as error:
        cancel_event(actor=make_staff(RoleCode.EXAMINER), event=event, reason="No")
    assert error.value.code == "role_not_held"

    record_event_held(actor=officer, event=event)
    with pytest.raises(DomainError) as error:
        cancel_event(actor=officer, event=event, reason="Too late")
    assert error.value.code == "event_not_scheduled"


def test_an_invigilator_declares_before_recording_the_sitting(
    officer: User, invigilator: User, event: AssessmentEvent, application: Application
) -> None:
    from peritus.core.errors import ImpartialityError

    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    add_candidate(actor=officer, event=event, application=application)

    with pytest.raises(ImpartialityError) as error:
        record_event_held(actor=invigilator, event=event)

    assert error.value.code == "declaration_required"
    assert AssessmentEvent.objects.get(pk=event.pk).status == EventStatus.SCHEDULED


def test_an_invigilator_with_a_conflict_does_not_record_the_sitting(
    officer: User, invigilator: User, event: AssessmentEvent, application: Application
) -> None:
    from peritus.core.errors import ImpartialityError
    from peritus.exams.services import CandidateDeclaration, declare_event_interests

    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    entry = add_candidate(actor=officer, event=event, application=application)
    declare_event_interests(
        actor=invigilator, event=event,
        declarations=[CandidateDeclaration(entry, True, "relative", "My nephew")],
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        record_event_held(actor=invigilator, event=event)
    held = record_event_held(actor=officer, event=event)  # an officer records it instead

    assert error.value.code == "conflict_of_interest"
    assert held.status == EventStatus.HELD
