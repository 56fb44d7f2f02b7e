"""The entry gate (R17) and accommodations applied automatically to every attempt (9.2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery import gate
from peritus.exams.errors import (
    ExamsError,
    ExamsInputError,
    ExamsNotPermittedError,
    ImpartialityError,
)
from peritus.exams.events import ExamsEvent
from peritus.exams.models import Attempt, AttemptStatus, Attendance, EventCandidate
from peritus.exams.services import CandidateDeclaration, declare_event_interests
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    OnlineExam,
    admit,
    book,
    declare_invigilator,
    make_online_exam,
    make_session,
    make_sitter,
)
from peritus.itembank.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def booked(exam: OnlineExam, **accommodations: Any) -> tuple[User, Attempt]:
    session = make_session(exam)
    user = make_sitter(exam, **accommodations)
    attempt = book(exam, session, user)
    declare_invigilator(exam, session)
    return user, attempt


def test_the_attempt_starts_only_after_rules_identity_and_release(exam: OnlineExam) -> None:
    user, attempt = booked(exam)

    with pytest.raises(ExamsError) as not_checked_in:
        gate.start_attempt(actor=user, attempt=attempt)
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
    with pytest.raises(ExamsError) as not_released:
        gate.start_attempt(actor=user, attempt=attempt)
    gate.record_identity_check(actor=exam.invigilator, attempt=attempt, document="passport")
    gate.release_start(actor=exam.invigilator, attempt=attempt)
    started = gate.start_attempt(actor=user, attempt=attempt)

    assert not_checked_in.value.code == "not_checked_in"
    assert not_released.value.code == "entry_gate_not_passed"
    assert not_released.value.details["missing"] == ["identity", "accommodations", "release"]
    assert started.status == AttemptStatus.IN_PROGRESS
    assert EventCandidate.objects.get(pk=attempt.entry_id).attendance == Attendance.PRESENT


def test_checking_in_records_the_version_of_the_rules_accepted(exam: OnlineExam) -> None:
    user, attempt = booked(exam)

    with pytest.raises(ExamsInputError):
        gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=False)
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)

    checked = Attempt.objects.select_related("session").get(pk=attempt.pk)
    assert checked.rules_version == checked.session.rules_version
    assert checked.rules_sha256 == checked.session.rules_sha256
    assert AuditEvent.objects.filter(event_type=ExamsEvent.ATTEMPT_CHECKED_IN).exists()


def test_check_in_opens_an_hour_before_the_start(exam: OnlineExam) -> None:
    starts = timezone.now() + dt.timedelta(hours=3)
    session = make_session(exam, starts_at=starts)
    user = make_sitter(exam)
    attempt = book(exam, session, user)

    with pytest.raises(ExamsError) as error:
        gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
    with time_machine.travel(starts - dt.timedelta(minutes=59), tick=False):
        gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)

    assert error.value.code == "check_in_not_open"


def test_approved_accommodations_are_applied_to_the_attempt_automatically(exam: OnlineExam) -> None:
    user, attempt = booked(
        exam, extra_time=25, rest_breaks=True, large_print=True, separate_room=True
    )

    started = admit(exam, attempt, user)

    assert started.extra_time_percent == 25
    assert (started.rest_breaks, started.large_text, started.high_contrast) == (True, True, True)
    assert started.separate_room is True
    assert started.allotted_seconds == 75 * 60
    assert started.started_at is not None
    assert started.deadline_at == started.started_at + dt.timedelta(minutes=75)


def test_the_order_is_drawn_and_recorded_at_the_start_and_exposure_counted(
    exam: OnlineExam, django_capture_on_commit_callbacks: object
) -> None:
    user, attempt = booked(exam)

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        started = admit(exam, attempt, user)

    assert started.seed is not None
    assert sorted(started.item_order) == sorted(e.pk for e in exam.entries.values())
    assert set(started.option_orders) == {str(e.pk) for e in exam.entries.values()}
    assert set(Item.objects.filter(bank=exam.bank).values_list("exposure_count", flat=True)) == {1}


def test_only_an_assigned_invigilator_who_declared_checks_identity(exam: OnlineExam) -> None:
    session = make_session(exam)
    user = make_sitter(exam)
    attempt = book(exam, session, user)

    with pytest.raises(ImpartialityError) as undeclared:
        gate.record_identity_check(actor=exam.invigilator, attempt=attempt, document="passport")
    with pytest.raises(ExamsNotPermittedError) as unassigned:
        gate.record_identity_check(actor=exam.examiner, attempt=attempt, document="passport")

    assert undeclared.value.code == "declaration_required"
    assert unassigned.value.code == "not_invigilating"


def test_an_invigilator_with_a_declared_conflict_is_kept_out(exam: OnlineExam) -> None:
    session = make_session(exam)
    user = make_sitter(exam)
    attempt = book(exam, session, user)
    entry = EventCandidate.objects.get(pk=attempt.entry_id)
    declare_event_interests(
        actor=exam.invigilator, event=session.event,
        declarations=[CandidateDeclaration(entry, has_conflict=True, nature="relative", details="My cousin.")],
    )  # fmt: skip

    with pytest.raises(ImpartialityError) as error:
        gate.record_identity_check(actor=exam.invigilator, attempt=attempt, document="passport")

    assert error.value.code == "conflict_of_interest"


def test_only_the_candidate_starts_their_attempt(exam: OnlineExam) -> None:
    user, attempt = booked(exam)
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
    gate.record_identity_check(
        actor=exam.invigilator, attempt=attempt, document="passport", release=True
    )

    with pytest.raises(ExamsNotPermittedError):
        gate.start_attempt(actor=exam.invigilator, attempt=attempt)


def test_nobody_starts_after_the_start_window_closed(exam: OnlineExam) -> None:
    starts = timezone.now()
    user, attempt = booked(exam)
    gate.check_in(actor=user, attempt=attempt, accept_rules=True, accept_nda=True)
    gate.record_identity_check(
        actor=exam.invigilator, attempt=attempt, document="passport", release=True
    )

    with (
        time_machine.travel(starts + dt.timedelta(minutes=31), tick=False),
        pytest.raises(ExamsError) as error,
    ):
        gate.start_attempt(actor=user, attempt=attempt)

    assert error.value.code == "start_window_closed"
