"""The state machines of statistics reviews and standard-setting studies: every allowed
transition, and every other one refused (the same table as the statistics README's diagrams)."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from peritus.itembank.statistics.models import (
    ReviewStatus,
    StandardSettingStudy,
    StatisticsReview,
    StudyStatus,
)

S = StudyStatus
STUDY: dict[tuple[str, str], str] = {
    (S.SETUP, "open_round"): S.ROUND_OPEN,
    (S.BETWEEN_ROUNDS, "open_round"): S.ROUND_OPEN,
    (S.ROUND_OPEN, "close_round"): S.BETWEEN_ROUNDS,
    (S.BETWEEN_ROUNDS, "compute"): S.COMPUTED,
    (S.COMPUTED, "approve"): S.APPROVED,
    (S.COMPUTED, "reject"): S.BETWEEN_ROUNDS,
    (S.APPROVED, "supersede"): S.SUPERSEDED,
    (S.SETUP, "cancel"): S.CANCELLED,
    (S.ROUND_OPEN, "cancel"): S.CANCELLED,
    (S.BETWEEN_ROUNDS, "cancel"): S.CANCELLED,
    (S.COMPUTED, "cancel"): S.CANCELLED,
}
STUDY_METHODS = ("open_round", "close_round", "compute", "approve", "reject", "supersede", "cancel")


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("method", STUDY_METHODS)
def test_the_transition_table_of_a_study(status: str, method: str) -> None:
    study = StandardSettingStudy(status=status)

    if (status, method) in STUDY:
        getattr(study, method)()
        assert study.status == STUDY[(status, method)]
    else:
        with pytest.raises(TransitionNotAllowed):
            getattr(study, method)()


@pytest.mark.parametrize("status", list(ReviewStatus))
def test_the_transition_table_of_a_review(status: str) -> None:
    review = StatisticsReview(status=status)

    if status == ReviewStatus.OPEN:
        review.close()
        assert review.status == ReviewStatus.CLOSED
    else:
        with pytest.raises(TransitionNotAllowed):
            review.close()


def test_statuses_cannot_be_assigned_directly() -> None:
    study = StandardSettingStudy(status=S.COMPUTED)
    review = StatisticsReview(status=ReviewStatus.OPEN)

    with pytest.raises(AttributeError):
        study.status = S.APPROVED
    with pytest.raises(AttributeError):
        review.status = ReviewStatus.CLOSED
