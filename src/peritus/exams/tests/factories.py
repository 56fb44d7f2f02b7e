"""Helpers that build assessment records through the services (tests only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peritus.accounts.models import Person, User
from peritus.applications.models import Application
from peritus.applications.tests.factories import make_eligible_application
from peritus.exams.models import AssessmentEvent, ComponentResult, EventCandidate
from peritus.exams.services import (
    CandidateDeclaration,
    add_candidate,
    assign_personnel,
    declare_event_interests,
    record_event_held,
    record_first_mark,
    schedule_event,
)
from peritus.schemes.models import AssessmentComponent, SchemeVersion


def make_event(
    officer: User,
    component: AssessmentComponent,
    *,
    starts_at: dt.datetime | None = None,
    **fields: Any,
) -> AssessmentEvent:
    values: dict[str, Any] = {
        "location": "Test centre, room 2",
        "capacity": 10,
        "duration_minutes": 90,
    }
    values.update(fields)
    return schedule_event(
        actor=officer,
        component=component,
        starts_at=starts_at or timezone.now() - dt.timedelta(hours=2),
        **values,
    )


def make_candidate_application(version: SchemeVersion, person: Person | None = None) -> Application:
    return make_eligible_application(scheme_version=version, person=person)


def book(officer: User, event: AssessmentEvent, *applications: Application) -> list[EventCandidate]:
    return [
        add_candidate(actor=officer, event=event, application=application)
        for application in applications
    ]


def declare_no_conflict(examiner: User, event: AssessmentEvent) -> None:
    declare_event_interests(
        actor=examiner,
        event=event,
        declarations=[
            CandidateDeclaration(entry=entry, has_conflict=False)
            for entry in EventCandidate.objects.filter(event=event)
        ],
    )


def ready_to_mark(
    officer: User, examiner: User, event: AssessmentEvent, *applications: Application
) -> list[EventCandidate]:
    """Examiner assigned, candidates booked, sitting held, examiner declared no conflict."""
    assign_personnel(actor=officer, event=event, user=examiner, role="examiner")
    entries = book(officer, event, *applications)
    record_event_held(actor=officer, event=event)
    declare_no_conflict(examiner, event)
    return [EventCandidate.objects.get(pk=entry.pk) for entry in entries]


def mark(examiner: User, entry: EventCandidate, score: str | int) -> ComponentResult:
    return record_first_mark(
        actor=examiner, entry=entry, score=Decimal(str(score)), feedback="Clear reasoning."
    )
