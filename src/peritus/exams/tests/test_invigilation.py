"""Invigilation: pauses credited, room pauses, time added with a reason, incidents, ending an
attempt; rest breaks; every action audited; invigilators never score or answer (R14)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery import invigilation, sessions
from peritus.exams.delivery.timing import attempt_clock
from peritus.exams.errors import ExamsError, ExamsInputError, ExamsNotPermittedError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import Attempt, AttemptStatus, CloseReason, Incident, IncidentKind
from peritus.exams.selectors import list_incidents_for
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    RIGHT,
    OnlineExam,
    answer,
    application_of,
    make_online_exam,
    make_session,
    seated,
)

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def at(minutes: float) -> time_machine.travel:
    return time_machine.travel(T0 + dt.timedelta(minutes=minutes), tick=False)


def fresh(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_related("session__event").get(pk=attempt.pk)


def test_a_paused_candidate_gets_the_paused_time_back(exam: OnlineExam) -> None:
    with at(0):
        [(_user, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1)
    with at(10):
        invigilation.pause_attempt(actor=exam.invigilator, attempt=attempt, note="Camera lost")
        assert fresh(attempt).status == AttemptStatus.PAUSED
        assert fresh(attempt).deadline_at is None
    with at(17):
        invigilation.resume_attempt(actor=exam.invigilator, attempt=attempt)

    resumed = fresh(attempt)
    assert resumed.status == AttemptStatus.IN_PROGRESS
    assert resumed.deadline_at == T0 + dt.timedelta(minutes=67)
    events = AuditEvent.objects.filter(
        event_type__in=[ExamsEvent.ATTEMPT_PAUSED, ExamsEvent.ATTEMPT_RESUMED]
    )
    assert [e.actor for e in events] == [exam.invigilator, exam.invigilator]


def test_pausing_the_room_stops_and_credits_every_candidate_s_clock(exam: OnlineExam) -> None:
    with at(0):
        pairs = seated(exam, session := make_session(exam, starts_at=T0), 3)
    with at(20):
        sessions.pause_session(actor=exam.invigilator, session=session, note="Fire alarm")
    with at(32):
        sessions.resume_session(actor=exam.invigilator, session=session)

    assert {fresh(a).deadline_at for _u, a in pairs} == {T0 + dt.timedelta(minutes=72)}
    assert {fresh(a).status for _u, a in pairs} == {AttemptStatus.IN_PROGRESS}


def test_a_room_pause_over_a_candidate_pause_credits_the_overlap_once(exam: OnlineExam) -> None:
    with at(0):
        [(_u, attempt)] = seated(exam, session := make_session(exam, starts_at=T0), 1)
    with at(10):
        invigilation.pause_attempt(actor=exam.invigilator, attempt=attempt)
    with at(12):
        sessions.pause_session(actor=exam.invigilator, session=session)
    with at(15):
        invigilation.resume_attempt(actor=exam.invigilator, attempt=attempt)
        assert fresh(attempt).status == AttemptStatus.PAUSED  # the room is still paused
    with at(20):
        sessions.resume_session(actor=exam.invigilator, session=session)

    assert fresh(attempt).deadline_at == T0 + dt.timedelta(minutes=70)


def test_time_is_added_with_a_reason(exam: OnlineExam) -> None:
    with at(0):
        [(_u, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1)
    with at(5):
        with pytest.raises(ExamsInputError):
            invigilation.add_time(actor=exam.invigilator, attempt=attempt, minutes=10, reason=" ")
        invigilation.add_time(
            actor=exam.invigilator, attempt=attempt, minutes=10, reason="Network failure at 09:03"
        )

    assert fresh(attempt).deadline_at == T0 + dt.timedelta(minutes=70)
    event = AuditEvent.objects.get(event_type=ExamsEvent.TIME_ADDED)
    assert (event.reason, event.data["minutes"]) == ("Network failure at 09:03", 10)


def test_a_rest_break_stops_the_clock_for_a_candidate_with_the_accommodation(
    exam: OnlineExam,
) -> None:
    with at(0):
        [(user, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1, rest_breaks=True)
    with at(30):
        invigilation.start_break(actor=user, attempt=attempt)
        with pytest.raises(ExamsError):
            answer(attempt, user, exam.entries["single"], RIGHT["single"])
    with at(38):
        invigilation.end_break(actor=user, attempt=attempt)

    assert fresh(attempt).deadline_at == T0 + dt.timedelta(minutes=68)


def test_a_candidate_without_the_accommodation_takes_no_rest_break(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)

    with pytest.raises(ExamsError) as error:
        invigilation.start_break(actor=user, attempt=attempt)

    assert error.value.code == "no_rest_breaks"


def test_incidents_travel_with_the_candidate_s_record_to_the_decision(exam: OnlineExam) -> None:
    session = make_session(exam)
    [(user, attempt), (_other, other_attempt)] = seated(exam, session, 2)

    mine = invigilation.record_incident(
        actor=exam.invigilator, session=session, attempt=attempt,
        kind=IncidentKind.SUSPECTED_MISCONDUCT, notes="Looked at a phone at 09:41; warned.",
    )  # fmt: skip
    room = invigilation.record_incident(
        actor=exam.invigilator, session=session, kind=IncidentKind.TECHNICAL_FAULT,
        notes="Video platform down for two minutes; everyone paused.",
    )  # fmt: skip
    invigilation.record_incident(
        actor=exam.invigilator, session=session, attempt=other_attempt,
        kind=IncidentKind.IRREGULARITY, notes="Left the camera frame.",
    )  # fmt: skip

    assert list(list_incidents_for(application_of(user, exam))) == [mine, room]
    assert AuditEvent.objects.filter(event_type=ExamsEvent.INCIDENT_RECORDED).count() == 3


def test_an_incident_needs_its_kind_and_notes(exam: OnlineExam) -> None:
    session = make_session(exam)
    seated(exam, session, 1)

    with pytest.raises(ExamsInputError):
        invigilation.record_incident(
            actor=exam.invigilator, session=session, kind="fire", notes="x"
        )
    with pytest.raises(ExamsInputError):
        invigilation.record_incident(
            actor=exam.invigilator, session=session, kind=IncidentKind.IRREGULARITY, notes=" "
        )
    assert not Incident.objects.exists()


def test_the_invigilator_ends_an_attempt_with_the_reason(exam: OnlineExam) -> None:
    [(_u, attempt)] = seated(exam, make_session(exam), 1)

    invigilation.end_attempt(actor=exam.invigilator, attempt=attempt, reason="Taken ill; left.")

    ended = fresh(attempt)
    assert (ended.status, ended.close_reason, ended.closed_by) == (
        AttemptStatus.SUBMITTED, CloseReason.INVIGILATOR, exam.invigilator,
    )  # fmt: skip


def test_only_an_assigned_invigilator_pauses_adds_time_or_records_incidents(
    exam: OnlineExam, officer: User
) -> None:
    session = make_session(exam)
    [(user, attempt)] = seated(exam, session, 1)

    for actor in (exam.examiner, officer, user):
        with pytest.raises(ExamsNotPermittedError):
            invigilation.pause_attempt(actor=actor, attempt=attempt)
        with pytest.raises(ExamsNotPermittedError):
            invigilation.add_time(actor=actor, attempt=attempt, minutes=5, reason="x")
        with pytest.raises(ExamsNotPermittedError):
            invigilation.record_incident(
                actor=actor, session=session, kind=IncidentKind.IRREGULARITY, notes="x"
            )


def test_the_clock_of_an_attempt_can_be_read_back_from_its_events(exam: OnlineExam) -> None:
    with at(0):
        [(_u, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1)
    with at(10):
        invigilation.pause_attempt(actor=exam.invigilator, attempt=attempt)

    state = attempt_clock(fresh(attempt), now=T0 + dt.timedelta(hours=5))
    assert state.remaining == dt.timedelta(minutes=50)
    assert state.paused
