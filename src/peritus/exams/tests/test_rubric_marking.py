"""Extended responses marked by examiners against the rubric: double marking, adjudication, the
assessment record's marking rules (R13, R14); the attempt is scored once every mark is final."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.exams.delivery import autosave, marking, sessions
from peritus.exams.errors import ExamsError, ExamsInputError, ImpartialityError
from peritus.exams.models import Attempt, AttemptStatus, ExamSession, MarkStatus, RubricMark
from peritus.exams.selectors import list_examiner_ids_for
from peritus.exams.services import CandidateDeclaration, assign_personnel, declare_event_interests
from peritus.exams.tests.delivery_factories import (
    RIGHT,
    OnlineExam,
    answer,
    make_online_exam,
    make_session,
    seated,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam() -> OnlineExam:
    return make_online_exam(names=["single", "essay"])


def sat(exam: OnlineExam, *, double: bool = False) -> tuple[ExamSession, User, Attempt]:
    session = make_session(exam, double_marking=double)
    [(user, attempt)] = seated(exam, session, 1)
    answer(attempt, user, exam.entries["single"], RIGHT["single"])
    answer(attempt, user, exam.entries["essay"], RIGHT["essay"])
    autosave.submit_attempt(actor=user, attempt=attempt)
    sessions.end_session(actor=exam.invigilator, session=session)
    return ExamSession.objects.get(pk=session.pk), user, Attempt.objects.get(pk=attempt.pk)


def declare(examiner: User, session: ExamSession, conflict: bool = False) -> None:
    declare_event_interests(
        actor=examiner, event=session.event,
        declarations=[
            CandidateDeclaration(entry, has_conflict=conflict, nature="colleague" if conflict else "",
                                 details="Same team." if conflict else "")
            for entry in session.event.candidates.all()
        ],
    )  # fmt: skip


def test_an_attempt_with_an_essay_waits_for_its_mark_before_it_is_scored(exam: OnlineExam) -> None:
    session, _user, attempt = sat(exam)
    assert attempt.status == AttemptStatus.SUBMITTED

    declare(exam.examiner, session)
    marking.record_rubric_mark(
        actor=exam.examiner, attempt=attempt, entry_id=exam.entries["essay"].pk, score="3.5",
        notes="Revoked and investigated; no rotation.",
    )  # fmt: skip

    scored = Attempt.objects.get(pk=attempt.pk)
    assert scored.status == AttemptStatus.SCORED
    assert scored.raw_score == Decimal("4.50")


def test_double_marking_averages_close_marks_and_adjudicates_distant_ones(exam: OnlineExam) -> None:
    session, _user, attempt = sat(exam, double=True)
    assign_personnel(
        actor=exam.officer, event=session.event, user=exam.second_examiner, role="examiner"
    )
    declare(exam.examiner, session)
    declare(exam.second_examiner, session)
    essay = exam.entries["essay"].pk

    mark = marking.record_rubric_mark(actor=exam.examiner, attempt=attempt, entry_id=essay, score=5)
    with pytest.raises(ImpartialityError) as same:
        marking.record_second_rubric_mark(actor=exam.examiner, mark=mark, score=4)
    mark = marking.record_second_rubric_mark(actor=exam.second_examiner, mark=mark, score=1)
    assert mark.status == MarkStatus.AWAITING_RECONCILIATION
    with pytest.raises(ExamsInputError):
        marking.adjudicate_rubric_mark(actor=exam.examiner, mark=mark, score=3, notes=" ")
    mark = marking.adjudicate_rubric_mark(
        actor=exam.examiner, mark=mark, score=3, notes="Reviewed together against the rubric."
    )

    assert same.value.code == "same_marker"
    assert (mark.status, mark.score) == (MarkStatus.FINAL, Decimal(3))
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.SCORED
    application = attempt.entry.application
    assert {exam.examiner.pk, exam.second_examiner.pk} <= list_examiner_ids_for(application)


def test_an_invigilator_never_marks(exam: OnlineExam) -> None:
    _session, _user, attempt = sat(exam)

    with pytest.raises(ImpartialityError) as error:
        marking.record_rubric_mark(
            actor=exam.invigilator, attempt=attempt, entry_id=exam.entries["essay"].pk, score=2
        )

    assert error.value.code == "invigilator_cannot_score"
    assert not RubricMark.objects.exists()


def test_an_examiner_with_a_conflict_does_not_mark_the_candidate(exam: OnlineExam) -> None:
    session, _user, attempt = sat(exam)
    declare(exam.examiner, session, conflict=True)

    with pytest.raises(ImpartialityError) as error:
        marking.record_rubric_mark(
            actor=exam.examiner, attempt=attempt, entry_id=exam.entries["essay"].pk, score=2
        )

    assert error.value.code == "conflict_of_interest"


def test_a_mark_outside_the_item_s_points_or_on_an_objective_item_is_refused(
    exam: OnlineExam,
) -> None:
    session, _user, attempt = sat(exam)
    declare(exam.examiner, session)

    with pytest.raises(ExamsInputError) as too_high:
        marking.record_rubric_mark(
            actor=exam.examiner, attempt=attempt, entry_id=exam.entries["essay"].pk, score=6
        )
    with pytest.raises(ExamsInputError) as objective:
        marking.record_rubric_mark(
            actor=exam.examiner, attempt=attempt, entry_id=exam.entries["single"].pk, score=1
        )

    assert (too_high.value.code, objective.value.code) == (
        "score_out_of_range",
        "not_a_rubric_item",
    )


def test_responses_are_not_marked_while_the_session_runs(exam: OnlineExam) -> None:
    session = make_session(exam)
    [(user, attempt)] = seated(exam, session, 1)
    autosave.submit_attempt(actor=user, attempt=attempt)
    declare(exam.examiner, session)

    with pytest.raises(ExamsError) as error:
        marking.record_rubric_mark(
            actor=exam.examiner, attempt=attempt, entry_id=exam.entries["essay"].pk, score=1
        )

    assert error.value.code == "not_markable_now"
