"""The server closes every attempt at its deadline, even when the browser is gone (idempotent)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery import invigilation
from peritus.exams.delivery.invigilation import close_expired_attempts
from peritus.exams.events import ExamsEvent
from peritus.exams.jobs import close_at_deadline, end_sessions
from peritus.exams.models import Attempt, AttemptStatus, CloseReason, ExamSession, SessionStatus
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    OnlineExam,
    book,
    make_online_exam,
    make_session,
    make_sitter,
    seated,
)
from peritus.scheduling.services import run_due_jobs

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0)


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def test_the_tick_job_closes_an_attempt_at_its_deadline_once(exam: OnlineExam) -> None:
    with time_machine.travel(T0, tick=False):
        [(_u, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1)

    assert close_expired_attempts(now=T0 + dt.timedelta(minutes=59)) == 0
    assert close_at_deadline(T0 + dt.timedelta(minutes=62)) == "1 attempt(s) closed at the deadline"
    assert close_expired_attempts(now=T0 + dt.timedelta(minutes=63)) == 0

    closed = Attempt.objects.get(pk=attempt.pk)
    assert (closed.status, closed.close_reason) == (AttemptStatus.TIMED_OUT, CloseReason.DEADLINE)
    assert closed.closed_at == T0 + dt.timedelta(minutes=60)
    assert AuditEvent.objects.filter(event_type=ExamsEvent.ATTEMPT_TIMED_OUT).count() == 1


def test_extra_time_keeps_the_attempt_open_past_the_others_deadline(exam: OnlineExam) -> None:
    with time_machine.travel(T0, tick=False):
        session = make_session(exam, starts_at=T0)
        [(_u, plain)] = seated(exam, session, 1)
        user = make_sitter(exam, extra_time=25)
        from peritus.exams.tests.delivery_factories import admit, declare_invigilator

        extra = book(exam, session, user)
        declare_invigilator(exam, session)
        admit(exam, extra, user)

    close_expired_attempts(now=T0 + dt.timedelta(minutes=61))

    assert Attempt.objects.get(pk=plain.pk).status == AttemptStatus.TIMED_OUT
    assert Attempt.objects.get(pk=extra.pk).status == AttemptStatus.IN_PROGRESS
    close_expired_attempts(now=T0 + dt.timedelta(minutes=76))
    assert Attempt.objects.get(pk=extra.pk).closed_at == T0 + dt.timedelta(minutes=75)


def test_a_paused_attempt_is_not_closed_however_long_the_pause(exam: OnlineExam) -> None:
    with time_machine.travel(T0, tick=False):
        [(_u, attempt)] = seated(exam, make_session(exam, starts_at=T0), 1)
    with time_machine.travel(T0 + dt.timedelta(minutes=50), tick=False):
        invigilation.pause_attempt(actor=exam.invigilator, attempt=attempt)

    assert close_expired_attempts(now=T0 + dt.timedelta(hours=3)) == 0


def test_peritus_tick_closes_attempts_and_ends_the_session_scoring_it(exam: OnlineExam) -> None:
    with time_machine.travel(T0, tick=False):
        session = make_session(exam, starts_at=T0)
        [(_u, attempt)] = seated(exam, session, 1)
        absent = book(exam, session, make_sitter(exam))

    outcomes = run_due_jobs(
        now=T0 + dt.timedelta(minutes=65), only=["exams-close-at-deadline"], force=True
    )
    assert outcomes[0].succeeded
    assert end_sessions(T0 + dt.timedelta(minutes=66)) == "1 session(s) ended"
    assert end_sessions(T0 + dt.timedelta(minutes=70)) == "0 session(s) ended"

    assert ExamSession.objects.get(pk=session.pk).status == SessionStatus.ENDED
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.SCORED
    assert Attempt.objects.get(pk=absent.pk).status == AttemptStatus.ABSENT
