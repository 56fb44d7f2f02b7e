"""Seats: eligible candidates book, officers assign; confirmations and reminders by the outbox."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.models import Person
from peritus.applications.models import Application, ApplicationStatus
from peritus.exams.delivery.sessions import book_seat, send_session_reminders
from peritus.exams.errors import ExamsError
from peritus.exams.jobs import remind_candidates
from peritus.exams.models import Attempt, AttemptStatus, EventCandidate
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    OnlineExam,
    application_of,
    book,
    make_online_exam,
    make_session,
    make_sitter,
)
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def test_an_eligible_candidate_books_their_own_seat_and_is_told(exam: OnlineExam) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3))
    user = make_sitter(exam)

    attempt = book_seat(actor=user, session=session, application=application_of(user, exam))

    assert attempt.status == AttemptStatus.BOOKED
    assert attempt.candidate == user
    assert EventCandidate.objects.filter(
        event=session.event, application__person__user=user
    ).exists()
    message = OutboxMessage.objects.get(template="exams_seat_booked")
    assert attempt.reference in message.body


def test_a_candidate_cannot_book_once_booking_has_closed_but_an_officer_can_assign(
    exam: OnlineExam,
) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(hours=2))
    user = make_sitter(exam)
    application = application_of(user, exam)
    with time_machine.travel(session.booking_closes_at + dt.timedelta(minutes=1), tick=False):
        with pytest.raises(ExamsError) as error:
            book_seat(actor=user, session=session, application=application)
        attempt = book_seat(actor=exam.officer, session=session, application=application)

    assert error.value.code == "booking_closed"
    assert attempt.booked_by == exam.officer


def test_an_application_not_found_eligible_is_not_booked(exam: OnlineExam) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3))
    user = make_sitter(exam)
    Application.objects.filter(person__user=user).update(status=ApplicationStatus.IN_REVIEW)

    with pytest.raises(ExamsError) as error:
        book(exam, session, user)

    assert error.value.code == "application_not_eligible"


def test_a_full_session_takes_no_more_seats(exam: OnlineExam) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3), capacity=1)
    book(exam, session, make_sitter(exam))

    with pytest.raises(ExamsError) as error:
        book(exam, session, make_sitter(exam))

    assert error.value.code == "event_full"


def test_someone_else_s_application_is_booked_only_by_an_officer(exam: OnlineExam) -> None:
    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3))
    intruder = make_sitter(exam)
    from peritus.accounts.errors import RoleNotHeldError

    with pytest.raises(RoleNotHeldError):
        book_seat(
            actor=intruder, session=session, application=application_of(make_sitter(exam), exam)
        )


def test_seats_on_an_online_session_are_not_booked_through_the_event(exam: OnlineExam) -> None:
    from peritus.exams.services import add_candidate

    session = make_session(exam, starts_at=timezone.now() + dt.timedelta(days=3))

    with pytest.raises(ExamsError) as error:
        add_candidate(
            actor=exam.officer,
            event=session.event,
            application=application_of(make_sitter(exam), exam),
        )

    assert error.value.code == "online_session_seat"


def test_each_candidate_is_reminded_once_the_day_before(exam: OnlineExam) -> None:
    starts = timezone.now() + dt.timedelta(days=2)
    session = make_session(exam, starts_at=starts)
    attempt = book(exam, session, make_sitter(exam))

    assert send_session_reminders(now=starts - dt.timedelta(hours=30)) == 0
    assert remind_candidates(starts - dt.timedelta(hours=20)) == "1 reminder(s) sent"
    assert send_session_reminders(now=starts - dt.timedelta(hours=2)) == 0
    assert Attempt.objects.get(pk=attempt.pk).reminder_sent_at is not None
    assert OutboxMessage.objects.filter(template="exams_session_reminder").count() == 1
    assert Person.objects.filter(user=attempt.candidate).exists()
