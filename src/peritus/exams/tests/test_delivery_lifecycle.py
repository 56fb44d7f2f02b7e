"""Transition tables of the delivery state machines (unsaved instances)."""

from __future__ import annotations

import datetime as dt

import pytest
from django_fsm import can_proceed

from peritus.exams.models import (
    Attempt,
    AttemptStatus,
    ExamSession,
    KeyReview,
    KeyReviewStatus,
    MarkStatus,
    RubricMark,
    SessionStatus,
)

A = AttemptStatus
ATTEMPT_METHODS = [
    "check_in",
    "start",
    "pause",
    "resume",
    "submit",
    "time_out",
    "mark_absent",
    "record_score",
    "release",
]
ATTEMPT_TABLE: dict[tuple[str, str], str] = {
    (A.BOOKED, "check_in"): A.CHECKED_IN,
    (A.BOOKED, "mark_absent"): A.ABSENT,
    (A.CHECKED_IN, "start"): A.IN_PROGRESS,
    (A.CHECKED_IN, "mark_absent"): A.ABSENT,
    (A.IN_PROGRESS, "pause"): A.PAUSED,
    (A.IN_PROGRESS, "submit"): A.SUBMITTED,
    (A.IN_PROGRESS, "time_out"): A.TIMED_OUT,
    (A.PAUSED, "resume"): A.IN_PROGRESS,
    (A.PAUSED, "submit"): A.SUBMITTED,
    (A.PAUSED, "time_out"): A.TIMED_OUT,
    (A.SUBMITTED, "record_score"): A.SCORED,
    (A.TIMED_OUT, "record_score"): A.SCORED,
    (A.SCORED, "record_score"): A.SCORED,
    (A.SCORED, "release"): A.RELEASED,
}


def ready(status: str) -> Attempt:
    now = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    return Attempt(
        status=status, rules_accepted_at=now, identity_checked_at=now,
        accommodations_applied_at=now, start_released_at=now,
    )  # fmt: skip


@pytest.mark.parametrize("source", list(A))
@pytest.mark.parametrize("method", ATTEMPT_METHODS)
def test_attempt_transitions(source: str, method: str) -> None:
    attempt = ready(source)
    target = ATTEMPT_TABLE.get((source, method))

    transition = getattr(attempt, method)
    assert can_proceed(transition) is (target is not None)
    if target is not None:
        transition()
        assert attempt.status == target


def test_an_attempt_does_not_start_before_the_entry_gate_is_passed() -> None:
    attempt = Attempt(status=A.CHECKED_IN)

    assert not can_proceed(attempt.start, check_conditions=True)


S = SessionStatus
SESSION_TABLE: dict[tuple[str, str], str] = {
    (S.SCHEDULED, "end"): S.ENDED,
    (S.ENDED, "validate"): S.VALIDATED,
    (S.VALIDATED, "release"): S.RELEASED,
}


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("method", ["end", "validate", "release"])
def test_session_transitions(source: str, method: str) -> None:
    session = ExamSession(status=source)
    target = SESSION_TABLE.get((source, method))

    assert can_proceed(getattr(session, method)) is (target is not None)
    if target is not None:
        getattr(session, method)()
        assert session.status == target


M = MarkStatus
MARK_TABLE: dict[tuple[str, str], str] = {
    (M.AWAITING_SECOND_MARK, "agree"): M.FINAL,
    (M.AWAITING_SECOND_MARK, "disagree"): M.AWAITING_RECONCILIATION,
    (M.AWAITING_RECONCILIATION, "adjudicate"): M.FINAL,
}


@pytest.mark.parametrize("source", list(M))
@pytest.mark.parametrize("method", ["agree", "disagree", "adjudicate"])
def test_rubric_mark_transitions(source: str, method: str) -> None:
    mark = RubricMark(status=source)
    target = MARK_TABLE.get((source, method))

    assert can_proceed(getattr(mark, method)) is (target is not None)
    if target is not None:
        getattr(mark, method)()
        assert mark.status == target


@pytest.mark.parametrize("source", list(KeyReviewStatus))
def test_key_review_transitions(source: str) -> None:
    review = KeyReview(status=source)

    assert can_proceed(review.complete) is (source == KeyReviewStatus.OPEN)
