"""Reads of the assessment record. The first three are the contract with the decision (R1, R4)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from peritus.applications.models import Accommodation, AccommodationStatus, Application
from peritus.exams.models import (
    AssessmentEvent,
    AssignmentRole,
    Attempt,
    Attendance,
    ComponentResult,
    EventAssignment,
    EventCandidate,
    Incident,
    ResultStatus,
    RubricMark,
)
from peritus.schemes.models import AssessmentComponent
from peritus.schemes.pass_rules import Outcome, evaluate
from peritus.schemes.selectors import get_pass_rule

SETTLED_STATUSES = (ResultStatus.FINAL, ResultStatus.RELEASED)


def _application_id(application: Any) -> int:
    return int(getattr(application, "pk", application))


def list_examiner_ids_for(application: Any) -> set[int]:
    """Users who examined or marked this candidate: assigned as examiner to an event they were on,
    or first, second or reconciling marker of one of their results (R1)."""
    application_id = _application_id(application)
    assigned = EventAssignment.objects.filter(
        role=AssignmentRole.EXAMINER, event__candidates__application_id=application_id
    ).values_list("user_id", flat=True)
    ids = set(assigned)
    for row in ComponentResult.objects.filter(application_id=application_id).values_list(
        "first_marker_id", "second_marker_id", "reconciled_by_id"
    ):
        ids.update(filter(None, row))
    # Online sessions: the examiners who marked the candidate's extended responses.
    for row in RubricMark.objects.filter(attempt__entry__application_id=application_id).values_list(
        "first_marker_id", "second_marker_id", "adjudicated_by_id"
    ):
        ids.update(filter(None, row))
    return ids


def list_incidents_for(application: Any) -> QuerySet[Incident]:
    """Incidents an invigilator recorded about this candidate, or about a whole session they sat,
    oldest first: they travel with the candidate's record to the decision maker (7.4, 9.4)."""
    application_id = _application_id(application)
    sat_sessions = Attempt.objects.filter(
        entry__application_id=application_id, started_at__isnull=False
    ).values("session_id")
    return (
        Incident.objects.filter(
            Q(attempt__entry__application_id=application_id)
            | Q(attempt__isnull=True, session_id__in=sat_sessions)
        )
        .select_related("session__event__component", "recorded_by", "attempt")
        .order_by("occurred_at", "pk")
    )


def list_invigilator_ids_for(application: Any) -> set[int]:
    """Users who invigilated an event this candidate was booked on (R1)."""
    return set(
        EventAssignment.objects.filter(
            role=AssignmentRole.INVIGILATOR,
            event__candidates__application_id=_application_id(application),
        ).values_list("user_id", flat=True)
    )


@dataclasses.dataclass(frozen=True)
class ComponentLine:
    """One component of the scheme version, with the result that counts for it (if any)."""

    component: AssessmentComponent
    result: ComponentResult | None

    @property
    def released(self) -> bool:
        return self.result is not None and self.result.status == ResultStatus.RELEASED


@dataclasses.dataclass(frozen=True)
class AssessmentOutcome:
    """The combined outcome of an application's assessment under its scheme version's rule."""

    outcome: Outcome
    lines: tuple[ComponentLine, ...]

    @property
    def passed(self) -> bool:
        return self.outcome.passed

    @property
    def complete(self) -> bool:
        """Every required component has a settled (final or released) result."""
        return self.outcome.complete

    @property
    def all_released(self) -> bool:
        """Every result that counts is released, and every required component has one (R4)."""
        return self.complete and all(
            line.released for line in self.lines if line.result is not None
        )

    @property
    def ready_for_decision(self) -> bool:
        """Passed on released results: the file may go to a decision maker (never a grant, R3)."""
        return self.passed and self.all_released

    @property
    def total(self) -> Decimal | None:
        return self.outcome.total

    @property
    def result_ids(self) -> list[int]:
        return [line.result.pk for line in self.lines if line.result is not None]


def _latest_results(
    application: Application, statuses: tuple[str, ...]
) -> dict[int, ComponentResult]:
    """The most recent result per component in `statuses` (a resit supersedes an earlier sitting)."""
    results = (
        ComponentResult.objects.filter(application=application, status__in=statuses)
        .select_related("event", "component", "first_marker", "second_marker", "reconciled_by")
        .order_by("event__starts_at", "pk")
    )
    latest: dict[int, ComponentResult] = {}
    for result in results:
        latest[result.component_id] = result
    return latest


def _outcome(application: Application, statuses: tuple[str, ...]) -> AssessmentOutcome:
    version = application.scheme_version
    rule = get_pass_rule(version)
    components = list(
        AssessmentComponent.objects.filter(scheme_version=version).order_by("position", "code")
    )
    latest = _latest_results(application, statuses)
    scores = {
        component.code: latest[component.pk].score
        for component in components
        if component.pk in latest
    }
    return AssessmentOutcome(
        outcome=evaluate(rule, scores),
        lines=tuple(ComponentLine(component, latest.get(component.pk)) for component in components),
    )


def get_assessment_outcome(application: Application) -> AssessmentOutcome:
    """The combined outcome over the settled (final or released) results, with `all_released`.

    The decision needs `passed` and `all_released` (R4); a pass alone certifies nobody (R3).
    """
    return _outcome(application, SETTLED_STATUSES)


def get_released_outcome(application: Application) -> AssessmentOutcome:
    """What the candidate may see: the outcome over released results only."""
    return _outcome(application, (ResultStatus.RELEASED,))


def list_passed_application_ids(*, scheme_version_id: int | None = None) -> list[int]:
    """Eligible applications whose released results pass the rule (the decision queue's source)."""
    from peritus.applications.selectors import list_eligible_applications

    candidates = list_eligible_applications(scheme_version_id=scheme_version_id).filter(
        component_results__status=ResultStatus.RELEASED
    )
    return [
        application.pk
        for application in candidates.distinct().select_related("scheme_version")
        if get_assessment_outcome(application).ready_for_decision
    ]


# Events --------------------------------------------------------------------------------------------


def _events() -> QuerySet[AssessmentEvent]:
    return (
        AssessmentEvent.objects.select_related(
            "scheme", "scheme_version", "component", "scheduled_by"
        )
        .annotate(candidate_count=Count("candidates", distinct=True))
        .order_by("-starts_at", "-pk")
    )


def list_events_for(user: Any, *, upcoming: bool | None = None) -> QuerySet[AssessmentEvent]:
    """Events `user` may see: every event of the schemes they run, or those they are assigned to."""
    from peritus.accounts.roles import RoleCode
    from peritus.accounts.selectors import role_grants

    overseers = {
        RoleCode.CERTIFICATION_OFFICER,
        RoleCode.QUALITY_MANAGER,
        RoleCode.ASSESSOR,
        RoleCode.DECISION_MAKER,
    }
    grants = [grant for grant in role_grants(user) if grant.active and grant.role in overseers]
    condition = Q(assignments__user=user)
    if any(grant.scheme_id is None for grant in grants):
        condition = Q()
    elif grants:
        condition |= Q(scheme_id__in=[grant.scheme_id for grant in grants])
    # An explicit order: with the candidate count's GROUP BY, the model's ordering does not apply.
    events = _events().filter(condition).distinct().order_by("-starts_at", "-pk")
    if upcoming is not None:
        from django.utils import timezone

        now = timezone.now()
        events = (
            events.filter(starts_at__gte=now).order_by("starts_at", "pk")
            if upcoming
            else events.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
        )
    return events


def get_event_with_parts(event_id: int) -> AssessmentEvent:
    """An event with its personnel, candidates and results prefetched; raises DoesNotExist."""
    return (
        _events()
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=EventAssignment.objects.select_related("user").order_by("role", "pk"),
            ),
            Prefetch(
                "candidates",
                queryset=EventCandidate.objects.select_related("application__person", "result")
                .prefetch_related(
                    Prefetch(
                        "application__accommodations",
                        queryset=Accommodation.objects.filter(status=AccommodationStatus.APPROVED),
                        to_attr="approved_accommodations",
                    )
                )
                .order_by(
                    "application__person__family_name", "application__person__given_names", "pk"
                ),
            ),
        )
        .get(pk=event_id)
    )


def events_queryset() -> QuerySet[AssessmentEvent]:
    """The base query for access-checked fetches (`core.access.get_object_for`)."""
    return _events()


def get_assignment(event: AssessmentEvent, user: Any) -> EventAssignment | None:
    return EventAssignment.objects.filter(event=event, user_id=getattr(user, "pk", user)).first()


def is_assigned(event: AssessmentEvent, user: Any, role: str | None = None) -> bool:
    user_id: int | None = getattr(user, "pk", None)
    if user_id is None:
        return False
    assignments = EventAssignment.objects.filter(event=event, user_id=user_id)
    if role is not None:
        assignments = assignments.filter(role=role)
    return assignments.exists()


def list_addable_applications(event: AssessmentEvent) -> QuerySet[Application]:
    """Eligible applications under the event's version not yet on it (for the officer's form)."""
    from peritus.applications.selectors import list_eligible_applications

    return (
        list_eligible_applications(scheme_version_id=event.scheme_version_id)
        .exclude(assessment_entries__event=event)
        .order_by("person__family_name", "person__given_names", "pk")
    )


def list_bookable_applications(event: AssessmentEvent) -> QuerySet[Application]:
    """Every application under the event's version: the booking service says which may be added."""
    return Application.objects.filter(scheme_version_id=event.scheme_version_id).select_related(
        "person"
    )


def count_open_seats(event: AssessmentEvent) -> int:
    return max(event.capacity - EventCandidate.objects.filter(event=event).count(), 0)


def list_entries_to_mark(event: AssessmentEvent) -> QuerySet[EventCandidate]:
    return EventCandidate.objects.filter(event=event).exclude(attendance=Attendance.ABSENT)


def count_results_to_release(event: AssessmentEvent) -> int:
    return ComponentResult.objects.filter(event=event, status=ResultStatus.FINAL).count()


def count_results_awaiting_release(user: Any) -> int:
    """Final results an officer may release (the menu badge)."""
    return (
        ComponentResult.objects.filter(status=ResultStatus.FINAL)
        .filter(event__in=list_events_for(user).values("pk"))
        .count()
    )


# Candidates' own records ---------------------------------------------------------------------------


def list_entries_of_person(person: Any) -> QuerySet[EventCandidate]:
    """A candidate's bookings, newest first, with the released result when there is one."""
    if person is None:  # never let a missing person match rows with no person
        return EventCandidate.objects.none()
    return (
        EventCandidate.objects.filter(application__person=person)
        .select_related("event__component", "event__scheme", "application", "result")
        .order_by("-event__starts_at", "-pk")
    )


def list_released_results_of_person(person: Any) -> QuerySet[ComponentResult]:
    if person is None:
        return ComponentResult.objects.none()
    return (
        ComponentResult.objects.filter(application__person=person, status=ResultStatus.RELEASED)
        .select_related("event", "component", "application__scheme")
        .order_by("-released_at", "-pk")
    )


def list_results_for_application(application: Any) -> QuerySet[ComponentResult]:
    """Every result of an application, for the evidence chain (staff)."""
    return (
        ComponentResult.objects.filter(application_id=_application_id(application))
        .select_related(
            "event", "component", "first_marker", "second_marker", "reconciled_by", "released_by"
        )
        .prefetch_related("attachments")
        .order_by("event__starts_at", "pk")
    )
