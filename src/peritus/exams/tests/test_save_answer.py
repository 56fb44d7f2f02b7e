"""Autosave: every answer appended once per idempotency key; late answers refused; resumable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from peritus.audit_trail.models import AuditEvent
from peritus.exams.delivery import autosave, invigilation
from peritus.exams.delivery.grading import current_answers
from peritus.exams.errors import ExamsError, ExamsInputError, ExamsNotPermittedError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import AnswerChannel, AnswerEvent, Attempt, AttemptStatus, ClockEvent
from peritus.exams.tests.delivery_factories import (
    OBJECTIVE,
    RIGHT,
    WRONG,
    OnlineExam,
    answer,
    make_online_exam,
    make_session,
    make_sitter,
    position_of,
    seated,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=OBJECTIVE)


def test_a_save_sent_twice_with_the_same_key_is_stored_once(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    entry = exam.entries["single"]

    first = answer(attempt, user, entry, RIGHT["single"], key="retry-0001")
    second = answer(attempt, user, entry, RIGHT["single"], key="retry-0001")

    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1
    assert (first.duplicate, second.duplicate) == (False, True)


def test_every_change_is_appended_and_the_current_answer_is_the_last(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    entry = exam.entries["single"]

    answer(attempt, user, entry, WRONG["single"])
    answer(attempt, user, entry, RIGHT["single"], flagged=True)

    log = list(AnswerEvent.objects.filter(attempt=attempt).values_list("response", flat=True))
    assert log == [["A"], ["B"]]
    current = current_answers([attempt.pk])[attempt.pk][entry.pk]
    assert (current.response, current.flagged) == (("B",), True)


def test_a_reload_or_another_computer_resumes_where_the_candidate_stopped(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    entry = exam.entries["match"]
    position = position_of(attempt, entry)

    autosave.record_position(actor=user, attempt=attempt, position=position)  # the page opened
    answer(attempt, user, entry, RIGHT["match"])

    again = Attempt.objects.get(pk=attempt.pk)
    assert again.current_position == position
    assert current_answers([attempt.pk])[attempt.pk][entry.pk].response == ("L1 R2", "L2 R1")


def test_an_answer_after_the_deadline_is_refused_audited_and_closes_the_attempt(
    exam: OnlineExam,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [(user, attempt)] = seated(exam, make_session(exam, starts_at=start), 1)
    with (
        time_machine.travel(start + dt.timedelta(minutes=60, seconds=3), tick=False),
        pytest.raises(ExamsError) as error,
    ):
        answer(attempt, user, exam.entries["single"], RIGHT["single"])

    assert error.value.code == "answer_after_deadline"
    assert not AnswerEvent.objects.filter(attempt=attempt).exists()
    assert AuditEvent.objects.filter(event_type=ExamsEvent.ANSWER_REFUSED).count() == 1
    closed = Attempt.objects.get(pk=attempt.pk)
    assert closed.status == AttemptStatus.TIMED_OUT
    assert closed.closed_at == start + dt.timedelta(minutes=60)


def test_a_save_arriving_within_the_grace_after_the_deadline_is_taken(exam: OnlineExam) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [(user, attempt)] = seated(exam, make_session(exam, starts_at=start), 1)
    with time_machine.travel(start + dt.timedelta(minutes=60, seconds=1), tick=False):
        receipt = answer(attempt, user, exam.entries["single"], RIGHT["single"])

    assert receipt.duplicate is False
    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1


def test_a_confirmed_save_retried_after_the_deadline_is_confirmed_again(exam: OnlineExam) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [(user, attempt)] = seated(exam, make_session(exam, starts_at=start), 1)
        answer(attempt, user, exam.entries["single"], RIGHT["single"], key="sent-before-1")
    with time_machine.travel(start + dt.timedelta(minutes=90), tick=False):
        receipt = answer(
            attempt, user, exam.entries["single"], RIGHT["single"], key="sent-before-1"
        )

    assert receipt.duplicate is True
    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1


def test_answers_are_refused_while_the_invigilator_pauses_the_candidate(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    invigilation.pause_attempt(actor=exam.invigilator, attempt=attempt)

    with pytest.raises(ExamsError) as error:
        answer(attempt, user, exam.entries["single"], RIGHT["single"])

    assert error.value.code == "attempt_paused"


def test_nobody_but_the_candidate_answers_not_even_the_invigilator(exam: OnlineExam) -> None:
    session = make_session(exam)
    [(_user, attempt)] = seated(exam, session, 1)
    other = make_sitter(exam)

    for intruder in (other, exam.invigilator):
        with pytest.raises(ExamsNotPermittedError) as error:
            answer(attempt, intruder, exam.entries["single"], RIGHT["single"])
        assert error.value.code == "not_the_candidate"
    assert not AnswerEvent.objects.exists()


def test_a_malformed_answer_is_refused_with_the_reason(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)

    with pytest.raises(ExamsInputError) as error:
        answer(attempt, user, exam.entries["numeric"], {"response": ["lots"]})

    assert error.value.code == "not_a_number"


def test_a_save_without_a_valid_key_is_refused(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)

    with pytest.raises(ExamsInputError) as error:
        answer(attempt, user, exam.entries["single"], RIGHT["single"], key="x y")

    assert error.value.code == "invalid_idempotency_key"


def test_the_page_s_buttons_log_only_a_change(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    position = position_of(attempt, exam.entries["single"])

    for key in ("form-post-1", "form-post-2"):
        autosave.save_answer(
            actor=user, reference=attempt.reference, position=position, fields=RIGHT["single"],
            idempotency_key=key, channel=AnswerChannel.FORM,
        )  # fmt: skip

    assert AnswerEvent.objects.filter(attempt=attempt).count() == 1


def test_the_database_refuses_to_change_or_delete_the_answer_log(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    answer(attempt, user, exam.entries["single"], RIGHT["single"])

    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AnswerEvent.objects.filter(attempt=attempt).update(response=["C"])
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AnswerEvent.objects.filter(attempt=attempt).delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        ClockEvent.objects.filter(attempt=attempt).delete()


def test_one_key_can_never_hold_two_answers(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)
    answer(attempt, user, exam.entries["single"], RIGHT["single"], key="unique-key-1")
    row = AnswerEvent.objects.get(attempt=attempt)

    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerEvent.objects.create(
            attempt=attempt, form_entry_id=row.form_entry_id, position=1,
            response=["A"], idempotency_key="unique-key-1", channel="autosave",
            received_at=timezone.now(),
        )  # fmt: skip


def test_handing_in_closes_the_attempt_and_later_answers_are_refused(exam: OnlineExam) -> None:
    [(user, attempt)] = seated(exam, make_session(exam), 1)

    autosave.submit_attempt(actor=user, attempt=attempt)

    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.SUBMITTED
    with pytest.raises(ExamsError) as error:
        answer(attempt, user, exam.entries["single"], RIGHT["single"])
    assert error.value.code == "attempt_closed"
