"""Transition tables of the Application and Accommodation state machines."""

from __future__ import annotations

import pytest
from django_fsm import TransitionNotAllowed

from peritus.applications.models import (
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
)

A = ApplicationStatus
ALLOWED = {
    (A.DRAFT, "submit"): A.SUBMITTED,
    (A.SUBMITTED, "start_review"): A.IN_REVIEW,
    (A.IN_REVIEW, "release_review"): A.SUBMITTED,
    (A.SUBMITTED, "request_information"): A.MORE_INFORMATION_REQUESTED,
    (A.IN_REVIEW, "request_information"): A.MORE_INFORMATION_REQUESTED,
    (A.MORE_INFORMATION_REQUESTED, "respond"): A.IN_REVIEW,  # with a reviewer assigned
    (A.IN_REVIEW, "find_eligible"): A.ELIGIBLE,
    (A.IN_REVIEW, "find_not_eligible"): A.NOT_ELIGIBLE,
    (A.DRAFT, "withdraw"): A.WITHDRAWN,
    (A.SUBMITTED, "withdraw"): A.WITHDRAWN,
    (A.IN_REVIEW, "withdraw"): A.WITHDRAWN,
    (A.MORE_INFORMATION_REQUESTED, "withdraw"): A.WITHDRAWN,
    (A.ELIGIBLE, "withdraw"): A.WITHDRAWN,
}
METHODS = sorted({method for _, method in ALLOWED})


@pytest.mark.parametrize("source", list(A))
@pytest.mark.parametrize("method", METHODS)
def test_application_moves_only_along_the_table(source: str, method: str) -> None:
    application = Application(status=source, assigned_reviewer_id=1)
    expected = ALLOWED.get((A(source), method))

    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(application, method)()
    else:
        getattr(application, method)()
        assert application.status == expected


def test_an_answer_without_a_reviewer_returns_the_application_to_the_queue() -> None:
    application = Application(status=A.MORE_INFORMATION_REQUESTED, assigned_reviewer_id=None)

    application.respond()

    assert application.status == A.SUBMITTED


ACCOMMODATION_ALLOWED = {
    (AccommodationStatus.REQUESTED, "approve"): AccommodationStatus.APPROVED,
    (AccommodationStatus.REQUESTED, "refuse"): AccommodationStatus.REFUSED,
}


@pytest.mark.parametrize("source", list(AccommodationStatus))
@pytest.mark.parametrize("method", ["approve", "refuse"])
def test_accommodation_moves_only_along_the_table(source: str, method: str) -> None:
    accommodation = Accommodation(status=source)
    expected = ACCOMMODATION_ALLOWED.get((AccommodationStatus(source), method))

    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            getattr(accommodation, method)()
    else:
        getattr(accommodation, method)()
        assert accommodation.status == expected


def test_application_status_cannot_be_assigned_directly() -> None:
    application = Application(status=A.DRAFT)
    with pytest.raises(AttributeError):
        application.status = A.ELIGIBLE
