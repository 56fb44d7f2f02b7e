"""Transition tables of the event and result state machines (unsaved instances)."""

from __future__ import annotations

import pytest
from django_fsm import can_proceed

from peritus.exams.models import AssessmentEvent, ComponentResult, EventStatus, ResultStatus

EVENT_TABLE = [
    (EventStatus.SCHEDULED, "hold", EventStatus.HELD),
    (EventStatus.SCHEDULED, "cancel", EventStatus.CANCELLED),
    (EventStatus.HELD, "hold", None),
    (EventStatus.HELD, "cancel", None),
    (EventStatus.CANCELLED, "hold", None),
    (EventStatus.CANCELLED, "cancel", None),
]


@pytest.mark.parametrize(("source", "method", "target"), EVENT_TABLE)
def test_event_transitions(source: str, method: str, target: str | None) -> None:
    event = AssessmentEvent(status=source)
    transition = getattr(event, method)

    assert can_proceed(transition) is (target is not None)
    if target is not None:
        transition()
        assert event.status == target


S = ResultStatus
RESULT_TABLE = [
    (S.AWAITING_SECOND_MARK, "agree", S.FINAL),
    (S.AWAITING_SECOND_MARK, "disagree", S.AWAITING_RECONCILIATION),
    (S.AWAITING_SECOND_MARK, "reconcile", None),
    (S.AWAITING_SECOND_MARK, "require_second_mark", None),
    (S.AWAITING_SECOND_MARK, "release", None),
    (S.AWAITING_RECONCILIATION, "agree", None),
    (S.AWAITING_RECONCILIATION, "disagree", None),
    (S.AWAITING_RECONCILIATION, "reconcile", S.FINAL),
    (S.AWAITING_RECONCILIATION, "require_second_mark", None),
    (S.AWAITING_RECONCILIATION, "release", None),
    (S.FINAL, "agree", None),
    (S.FINAL, "disagree", None),
    (S.FINAL, "reconcile", None),
    (S.FINAL, "require_second_mark", S.AWAITING_SECOND_MARK),
    (S.FINAL, "release", S.RELEASED),
    (S.RELEASED, "agree", None),
    (S.RELEASED, "disagree", None),
    (S.RELEASED, "reconcile", None),
    (S.RELEASED, "require_second_mark", None),
    (S.RELEASED, "release", None),
]


@pytest.mark.parametrize(("source", "method", "target"), RESULT_TABLE)
def test_result_transitions(source: str, method: str, target: str | None) -> None:
    result = ComponentResult(status=source)
    transition = getattr(result, method)

    assert can_proceed(transition) is (target is not None)
    if target is not None:
        transition()
        assert result.status == target
