"""Who may see and act on assessment events and results (checked at the interface).

The services re-check what must hold whoever calls: the examiner role for the scheme, the
assignment to the event, the declaration of interests and conflicts (R13, R14).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import rules.permissions
import rules.predicates
from rules.predicates import Predicate

from peritus.accounts.roles import RoleCode
from peritus.accounts.rules import role_predicate
from peritus.exams.models import (
    AssessmentEvent,
    AssignmentRole,
    Attempt,
    EventAssignment,
    ExamSession,
    ResultAttachment,
)
from peritus.itembank.rules import behind_information_barrier

# The `rules` package is not annotated; these casts give its two entry points their types.
predicate = cast(Callable[[Callable[..., bool]], Predicate], rules.predicates.predicate)
add_perm = cast(Callable[[str, Predicate], None], rules.permissions.add_perm)


def role(*roles: RoleCode) -> Predicate:
    return cast(Predicate, role_predicate(*roles))


is_officer = role(RoleCode.CERTIFICATION_OFFICER)
is_examiner = role(RoleCode.EXAMINER)
is_invigilator = role(RoleCode.INVIGILATOR)
# Those who read the record of assessments: the decision needs it, QM and assessors audit it.
is_record_reader = role(RoleCode.DECISION_MAKER, RoleCode.QUALITY_MANAGER, RoleCode.ASSESSOR)


def _event_id(obj: Any) -> int | None:
    """The event an object belongs to: an event, a candidate entry, a result or an attachment."""
    if isinstance(obj, AssessmentEvent):
        return int(obj.pk)
    if isinstance(obj, ResultAttachment):
        return int(obj.result.event_id)
    if isinstance(obj, Attempt):
        return int(obj.session.event_id)
    event_id = getattr(obj, "event_id", None)
    return int(event_id) if event_id is not None else None


def _assigned(user: Any, obj: Any, assignment_role: str | None) -> bool:
    event_id = _event_id(obj)
    if event_id is None or not getattr(user, "is_authenticated", False):
        return False
    assignments = EventAssignment.objects.filter(event_id=event_id, user_id=user.pk)
    if assignment_role is not None:
        assignments = assignments.filter(role=assignment_role)
    return assignments.exists()


@predicate
def is_assigned(user: Any, obj: Any) -> bool:
    """Assigned to the event (of an event, a candidate entry or a result) in any role."""
    return _assigned(user, obj, None)


@predicate
def is_assigned_examiner(user: Any, obj: Any) -> bool:
    return _assigned(user, obj, AssignmentRole.EXAMINER)


@predicate
def is_assigned_invigilator(user: Any, obj: Any) -> bool:
    return _assigned(user, obj, AssignmentRole.INVIGILATOR)


@predicate
def is_booked_candidate(user: Any, event: Any) -> bool:
    return (
        isinstance(event, AssessmentEvent)
        and getattr(user, "is_authenticated", False)
        and event.candidates.filter(application__person__user_id=user.pk).exists()
    )


@predicate
def is_the_candidate(user: Any, result: Any) -> bool:
    return (
        result is not None
        and getattr(user, "is_authenticated", False)
        and result.application.person.user_id == user.pk
    )


add_perm("exams.view_events", is_officer | is_examiner | is_invigilator | is_record_reader)
add_perm("exams.view_event", is_officer | is_record_reader | is_assigned)
# The API's event summary: also the candidates booked on it (never the office event page).
add_perm(
    "exams.view_event_summary", is_officer | is_record_reader | is_assigned | is_booked_candidate
)
add_perm("exams.schedule_event", is_officer)
add_perm("exams.manage_event", is_officer)
add_perm("exams.record_attendance", is_officer | (is_invigilator & is_assigned_invigilator))
add_perm(
    "exams.declare_for_event",
    (is_examiner & is_assigned_examiner) | (is_invigilator & is_assigned_invigilator),
)
add_perm("exams.mark_result", is_examiner & is_assigned_examiner)
add_perm("exams.view_result", is_officer | is_record_reader | is_assigned_examiner)
add_perm("exams.request_second_mark", is_officer | (is_examiner & is_assigned_examiner))
add_perm("exams.release_result", is_officer)
add_perm("exams.view_own_result", is_the_candidate)


# Online delivery --------------------------------------------------------------------------------

is_psychometrician = role(RoleCode.PSYCHOMETRICIAN)


@predicate
def is_outside_information_barrier(user: Any) -> bool:
    """Not an invigilator or a recent trainer of candidates: may see keys (R14, R15)."""
    return not behind_information_barrier(user)


@predicate
def sits_the_attempt(user: Any, attempt: Any) -> bool:
    return (
        isinstance(attempt, Attempt)
        and getattr(user, "is_authenticated", False)
        and attempt.candidate_id == user.pk
    )


@predicate
def is_session(user: Any, obj: Any) -> bool:
    return isinstance(obj, ExamSession)


may_validate_keys = is_psychometrician & is_outside_information_barrier

add_perm(
    "exams.view_sessions",
    is_officer | is_examiner | is_invigilator | is_record_reader | may_validate_keys,
)
add_perm("exams.view_session", is_officer | is_record_reader | is_assigned | may_validate_keys)
add_perm("exams.schedule_session", is_officer)
add_perm("exams.assign_seat", is_officer)
add_perm("exams.invigilate_session", is_invigilator & is_assigned_invigilator)
add_perm("exams.mark_responses", is_examiner & is_assigned_examiner)
add_perm("exams.validate_keys", may_validate_keys)
add_perm("exams.release_session", is_officer)
add_perm("exams.sit_attempt", sits_the_attempt)
