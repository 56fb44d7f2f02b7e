from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError, ImpartialityError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import ComponentResult, EventCandidate, ResultStatus
from peritus.exams.services import (
    assign_personnel,
    declare_event_interests,
    reconcile_marks,
    record_second_mark,
    release_result,
    request_second_mark,
)
from peritus.exams.tests.factories import declare_no_conflict, make_event, mark, ready_to_mark
from peritus.schemes.models import AssessmentComponent

pytestmark = pytest.mark.django_db


@pytest.fixture
def double_marked(
    officer: User,
    examiner: User,
    second_examiner: User,
    component: AssessmentComponent,
    application: Application,
) -> EventCandidate:
    """An event marked twice (tolerance 10 of 100), both examiners assigned and declared."""
    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    assign_personnel(actor=officer, event=event, user=second_examiner, role="examiner")
    declare_no_conflict(second_examiner, event)
    return entry


def test_marks_within_the_tolerance_are_averaged(
    examiner: User, second_examiner: User, double_marked: EventCandidate
) -> None:
    result = mark(examiner, double_marked, 72)

    final = record_second_mark(actor=second_examiner, result=result, score="77.5", notes="Agree")

    assert final.status == ResultStatus.FINAL
    assert final.score == Decimal("74.75")
    assert final.passed is True
    assert AuditEvent.objects.filter(event_type=ExamsEvent.SECOND_MARK_RECORDED).exists()


def test_marks_exactly_at_the_tolerance_need_no_reconciliation(
    examiner: User, second_examiner: User, double_marked: EventCandidate
) -> None:
    result = mark(examiner, double_marked, 60)

    final = record_second_mark(actor=second_examiner, result=result, score=70)

    assert final.status == ResultStatus.FINAL
    assert (final.score, final.passed) == (Decimal("65.00"), False)


def test_marks_beyond_the_tolerance_wait_for_reconciliation(
    examiner: User, second_examiner: User, double_marked: EventCandidate
) -> None:
    result = mark(examiner, double_marked, 60)

    pending = record_second_mark(actor=second_examiner, result=result, score="70.01")

    assert pending.status == ResultStatus.AWAITING_RECONCILIATION
    assert pending.score is None
    assert pending.passed is None


def test_a_reconciled_score_settles_the_result_with_reasons(
    examiner: User, second_examiner: User, double_marked: EventCandidate
) -> None:
    result = record_second_mark(
        actor=second_examiner, result=mark(examiner, double_marked, 55), score=85
    )

    with pytest.raises(DomainError) as error:
        reconcile_marks(actor=examiner, result=result, score=71, notes=" ")
    assert error.value.code == "reasons_required"

    final = reconcile_marks(
        actor=examiner, result=result, score=71,
        notes="Re-read task 3 together; the first marker had missed the defect log.",
    )  # fmt: skip

    assert final.status == ResultStatus.FINAL
    assert (final.score, final.passed, final.reconciled_by) == (Decimal("71.00"), True, examiner)
    assert AuditEvent.objects.filter(event_type=ExamsEvent.MARKS_RECONCILED).exists()


def test_the_first_marker_cannot_mark_again_as_second(
    examiner: User, double_marked: EventCandidate
) -> None:
    result = mark(examiner, double_marked, 72)

    with pytest.raises(ImpartialityError) as error:
        record_second_mark(actor=examiner, result=result, score=72)

    assert error.value.code == "same_marker"


def test_a_second_marker_also_declares_first(
    officer: User,
    examiner: User,
    component: AssessmentComponent,
    application: Application,
    second_examiner: User,
) -> None:
    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    assign_personnel(actor=officer, event=event, user=second_examiner, role="examiner")
    result = mark(examiner, entry, 72)

    with pytest.raises(ImpartialityError) as error:
        record_second_mark(actor=second_examiner, result=result, score=72)

    assert error.value.code == "declaration_required"


def test_a_conflicted_second_marker_is_removed(
    officer: User,
    examiner: User,
    component: AssessmentComponent,
    application: Application,
    second_examiner: User,
) -> None:
    from peritus.exams.services import CandidateDeclaration

    event = make_event(officer, component, double_marking=True)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    assign_personnel(actor=officer, event=event, user=second_examiner, role="examiner")
    declare_event_interests(
        actor=second_examiner, event=event,
        declarations=[CandidateDeclaration(entry, True, "relative", "Sister-in-law")],
    )  # fmt: skip
    result = mark(examiner, entry, 72)

    with pytest.raises(ImpartialityError) as error:
        record_second_mark(actor=second_examiner, result=result, score=72)

    assert error.value.code == "conflict_of_interest"


def test_a_single_marked_result_cannot_take_a_second_mark_unasked(
    officer: User, examiner: User, second_examiner: User, event: object, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)  # type: ignore[arg-type]
    assign_personnel(actor=officer, event=entry.event, user=second_examiner, role="examiner")
    declare_no_conflict(second_examiner, entry.event)
    result = mark(examiner, entry, 72)

    with pytest.raises(DomainError) as error:
        record_second_mark(actor=second_examiner, result=result, score=72)

    assert error.value.code == "not_awaiting_second_mark"


def test_an_officer_asks_for_a_second_mark_before_release(
    officer: User, examiner: User, second_examiner: User, event: object, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)  # type: ignore[arg-type]
    assign_personnel(actor=officer, event=entry.event, user=second_examiner, role="examiner")
    declare_no_conflict(second_examiner, entry.event)
    result = mark(examiner, entry, 69)

    reopened = request_second_mark(actor=officer, result=result, reason="Borderline fail")
    final = record_second_mark(actor=second_examiner, result=reopened, score=71)

    assert reopened.status == ResultStatus.AWAITING_SECOND_MARK
    assert (final.status, final.score, final.passed) == (ResultStatus.FINAL, Decimal(70), True)
    assert AuditEvent.objects.filter(event_type=ExamsEvent.SECOND_MARK_REQUESTED).exists()


def test_a_released_result_is_not_re_marked(
    officer: User, examiner: User, event: object, application: Application
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)  # type: ignore[arg-type]
    result = release_result(actor=officer, result=mark(examiner, entry, 69))

    with pytest.raises(DomainError) as error:
        request_second_mark(actor=officer, result=result, reason="Too late")

    assert error.value.code == "not_final"


def test_nobody_else_asks_for_a_second_mark(
    examiner: User, second_examiner: User, event: object, application: Application, officer: User
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)  # type: ignore[arg-type]
    result = mark(examiner, entry, 69)

    with pytest.raises(DomainError) as error:
        request_second_mark(actor=second_examiner, result=result, reason="I want to")

    assert error.value.code == "role_not_held"
    assert ComponentResult.objects.get(pk=result.pk).status == ResultStatus.FINAL
