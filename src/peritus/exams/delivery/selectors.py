"""Reads of exam delivery, with what the pages need prefetched (no queries in loops)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet

from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import role_grants
from peritus.applications.models import Application
from peritus.applications.selectors import list_eligible_applications
from peritus.exams.delivery import clock
from peritus.exams.delivery.grading import current_answers
from peritus.exams.delivery.responses import CurrentAnswer
from peritus.exams.delivery.timing import attempt_clock, to_clock_entries
from peritus.exams.models import (
    OPEN_ATTEMPT_STATUSES,
    AnswerEvent,
    Attempt,
    AttemptStatus,
    ClockEvent,
    ExamSession,
    Incident,
    KeyFinding,
    MarkStatus,
    RubricMark,
    SessionStatus,
)
from peritus.exams.selectors import list_events_for


def sessions_queryset() -> QuerySet[ExamSession]:
    return ExamSession.objects.select_related(
        "event__component", "event__scheme", "event__scheme_version", "form__blueprint__bank"
    ).annotate(seat_count=Count("attempts", distinct=True))


def list_sessions_for(user: Any, *, upcoming: bool | None = None) -> QuerySet[ExamSession]:
    """Sessions on events the user may see, and those of the schemes they validate keys for."""
    grants = [g for g in role_grants(user) if g.active and g.role == RoleCode.PSYCHOMETRICIAN]
    condition = Q(event__in=list_events_for(user).values("pk"))
    if any(grant.scheme_id is None for grant in grants):
        condition = Q()
    elif grants:
        condition |= Q(event__scheme_id__in=[grant.scheme_id for grant in grants])
    sessions = sessions_queryset().filter(condition).order_by("-event__starts_at", "-pk")
    if upcoming is not None:
        from django.utils import timezone

        today = timezone.now() - dt.timedelta(hours=12)
        sessions = (
            sessions.filter(event__starts_at__gte=today).order_by("event__starts_at", "pk")
            if upcoming
            else sessions.filter(event__starts_at__lt=today)
        )
    return sessions


def list_attempts_of_user(user: Any) -> QuerySet[Attempt]:
    """A candidate's seats, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Attempt.objects.none()
    return (
        Attempt.objects.filter(candidate_id=user.pk)
        .select_related("session__event__component", "session__event__scheme")
        .order_by("-session__event__starts_at", "-pk")
    )


@dataclasses.dataclass(frozen=True)
class BookableSeat:
    session: ExamSession
    application: Application


def list_bookable_sessions_for(user: Any, *, now: dt.datetime) -> list[BookableSeat]:
    """Sessions the candidate may book for one of their eligible applications."""
    if not getattr(user, "is_authenticated", False):
        return []
    applications = list(list_eligible_applications().filter(person__user_id=user.pk))
    if not applications:
        return []
    by_version = {application.scheme_version_id: application for application in applications}
    sessions = (
        sessions_queryset()
        .filter(
            status=SessionStatus.SCHEDULED,
            booking_closes_at__gt=now,
            event__starts_at__gt=now,
            event__scheme_version_id__in=list(by_version),
        )
        .exclude(event__candidates__application__in=applications)
        .order_by("event__starts_at", "pk")
    )
    return [
        BookableSeat(session, by_version[session.event.scheme_version_id])
        for session in sessions
        if getattr(session, "seat_count", 0) < session.event.capacity
    ]


# The invigilation console ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ConsoleRow:
    attempt: Attempt
    candidate_name: str
    clock: clock.ClockState
    incidents: int
    answered: int

    @property
    def remaining_minutes(self) -> int:
        return int(self.clock.remaining.total_seconds() // 60)


def console_rows(session: ExamSession, *, now: dt.datetime) -> list[ConsoleRow]:
    """One row per seat: who, where in the gate, the clock, incidents. Never answers or keys."""
    attempts = list(
        Attempt.objects.filter(session=session)
        .select_related("entry__application__person", "session__event")
        .order_by(
            "entry__application__person__family_name",
            "entry__application__person__given_names",
            "pk",
        )
    )
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for event in ClockEvent.objects.filter(attempt__session=session).order_by("at", "pk"):
        events[event.attempt_id].append(event)
    saves = dict(
        AnswerEvent.objects.filter(attempt__session=session)
        .values_list("attempt_id")
        .annotate(n=Count("pk"))
        .values_list("attempt_id", "n")
    )
    incidents = dict(
        Incident.objects.filter(session=session, attempt__isnull=False)
        .values_list("attempt_id")
        .annotate(n=Count("pk"))
        .values_list("attempt_id", "n")
    )
    rows = []
    for attempt in attempts:
        person = attempt.entry.application.person
        rows.append(
            ConsoleRow(
                attempt=attempt,
                candidate_name=f"{person.given_names} {person.family_name}",
                clock=attempt_clock(attempt, now=now, entries=to_clock_entries(events[attempt.pk])),
                incidents=incidents.get(attempt.pk, 0),
                answered=saves.get(attempt.pk, 0),
            )
        )
    return rows


def list_session_incidents(session: ExamSession) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(session=session)
        .select_related("attempt__entry__application__person", "recorded_by")
        .order_by("-occurred_at", "-pk")
    )


def count_open_attempts(session: ExamSession) -> int:
    return Attempt.objects.filter(session=session, status__in=OPEN_ATTEMPT_STATUSES).count()


# The candidate's sitting ------------------------------------------------------------------------


def get_attempt_of_candidate(user: Any, reference: str) -> Attempt:
    """The candidate's own attempt; raises Attempt.DoesNotExist for anyone else's."""
    return Attempt.objects.select_related(
        "session__event__component", "session__event__scheme", "session__form"
    ).get(reference=reference, candidate_id=getattr(user, "pk", None))


def answers_of(attempt: Attempt) -> dict[int, CurrentAnswer]:
    return current_answers([attempt.pk])[attempt.pk]


# Marking and key validation ----------------------------------------------------------------------


def list_rubric_work(session: ExamSession) -> list[tuple[Attempt, int, RubricMark | None]]:
    """Every extended response of the session with its mark so far (blind: attempts, not names)."""
    from peritus.exams.delivery.form_content import delivered_form

    form = delivered_form(session.form)
    rubric_entries = [item.entry_id for item in form.items if item.is_rubric]
    if not rubric_entries:
        return []
    attempts = list(
        Attempt.objects.filter(
            session=session,
            status__in=[AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT, AttemptStatus.SCORED,
                        AttemptStatus.RELEASED],
        ).order_by("reference")
    )  # fmt: skip
    marks = {
        (mark.attempt_id, mark.form_entry_id): mark
        for mark in RubricMark.objects.filter(attempt__session=session)
    }
    return [
        (attempt, entry_id, marks.get((attempt.pk, entry_id)))
        for attempt in attempts
        for entry_id in rubric_entries
        if entry_id in attempt.item_order
    ]


def count_rubric_marks_pending(session: ExamSession) -> int:
    work = list_rubric_work(session)
    return sum(1 for _, _, mark in work if mark is None or mark.status != MarkStatus.FINAL)


def list_key_findings(session: ExamSession) -> QuerySet[KeyFinding]:
    return (
        KeyFinding.objects.filter(review__session=session)
        .select_related("form_entry", "decided_by")
        .order_by("form_entry__position", "pk")
    )
