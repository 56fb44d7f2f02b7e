"""Invigilation (9.3.2, 7.4, R14): pause and resume a candidate (time credited), add time with a
reason, record incidents, end an attempt; rest breaks the candidate takes under an approved
accommodation; and the job that closes every attempt at its server deadline.

Invigilators supervise; they never see keys or responses and never change them (R14): no service
here reads or writes an answer or a score.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.audit_trail.services import record_event
from peritus.exams.delivery import conf
from peritus.exams.delivery.gate import lock_attempt, require_candidate
from peritus.exams.delivery.sessions import lock_session, require_invigilator
from peritus.exams.delivery.timing import attempt_clock, record_clock_event
from peritus.exams.errors import ExamsError, ExamsInputError
from peritus.exams.events import ExamsEvent
from peritus.exams.models import (
    OPEN_ATTEMPT_STATUSES,
    Attempt,
    AttemptStatus,
    ClockEventKind,
    CloseReason,
    ExamSession,
    Incident,
    IncidentKind,
    SessionStatus,
    StopReason,
)
from peritus.impartiality.refusals import audit_refusals


def close_attempt(
    attempt: Attempt, *, reason: str, actor: User | None, at: dt.datetime, note: str = ""
) -> Attempt:
    """Building block: close an open attempt (handed in, at the deadline, or by the invigilator)."""
    if reason == CloseReason.DEADLINE:
        attempt.time_out()
        event_type = ExamsEvent.ATTEMPT_TIMED_OUT
    else:
        attempt.submit()
        event_type = ExamsEvent.ATTEMPT_SUBMITTED
    attempt.closed_at = at
    attempt.closed_by = actor
    attempt.close_reason = reason
    attempt.deadline_at = None
    attempt.save(
        update_fields=[
            "status",
            "closed_at",
            "closed_by",
            "close_reason",
            "deadline_at",
            "updated_at",
        ]
    )
    record_event(
        event_type,
        actor=actor,
        subject=attempt,
        related=[attempt.session],
        reason=note,
        actor_role=(
            "candidate"
            if reason == CloseReason.SUBMITTED
            else RoleCode.INVIGILATOR
            if reason == CloseReason.INVIGILATOR
            else ""
        ),
        data={"reason": reason, "closed_at": at, "answers": attempt.answers.count()},
    )
    return attempt


def _open_attempt_for_clock(attempt: Attempt, now: dt.datetime) -> None:
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        raise ExamsError("attempt_not_running", _("The candidate is not sitting the exam."))
    if attempt_clock(attempt, now=now).expired:
        raise ExamsError(
            "attempt_expired", _("The candidate's time is up; the attempt is being closed.")
        )


def _stops(attempt: Attempt, now: dt.datetime) -> frozenset[Any]:
    return attempt_clock(attempt, now=now).stopped_by


@audit_refusals("pause_attempt")
@transaction.atomic(durable=True)
def pause_attempt(
    *, actor: User, attempt: Attempt, note: str = "", now: dt.datetime | None = None
) -> Attempt:
    """Stop one candidate's clock (a question, a technical problem); the time is credited."""
    attempt = lock_attempt(attempt)
    require_invigilator(actor, lock_session(attempt.session))
    now = now or timezone.now()
    _open_attempt_for_clock(attempt, now)
    if StopReason.CANDIDATE in _stops(attempt, now):
        raise ExamsError("already_paused", _("The candidate is already paused."))
    record_clock_event(
        attempt, ClockEventKind.STOP, at=now, actor=actor, reason=StopReason.CANDIDATE, note=note
    )
    if attempt.status == AttemptStatus.IN_PROGRESS:
        attempt.pause()
    attempt.save(update_fields=["status", "deadline_at", "updated_at"])
    record_event(
        ExamsEvent.ATTEMPT_PAUSED, actor=actor, subject=attempt, related=[attempt.session],
        reason=note.strip(), actor_role=RoleCode.INVIGILATOR, data={"by": StopReason.CANDIDATE},
    )  # fmt: skip
    return attempt


@audit_refusals("resume_attempt")
@transaction.atomic(durable=True)
def resume_attempt(*, actor: User, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Run the candidate's clock again; the paused time is added to their deadline."""
    attempt = lock_attempt(attempt)
    require_invigilator(actor, lock_session(attempt.session))
    now = now or timezone.now()
    if attempt.status != AttemptStatus.PAUSED or StopReason.CANDIDATE not in _stops(attempt, now):
        raise ExamsError("not_paused", _("The invigilator has not paused this candidate."))
    state = record_clock_event(
        attempt, ClockEventKind.RESUME, at=now, actor=actor, reason=StopReason.CANDIDATE
    )
    if not state.stopped_by:
        attempt.resume()
    attempt.save(update_fields=["status", "deadline_at", "updated_at"])
    record_event(
        ExamsEvent.ATTEMPT_RESUMED, actor=actor, subject=attempt, related=[attempt.session],
        actor_role=RoleCode.INVIGILATOR,
        data={"by": StopReason.CANDIDATE, "deadline": attempt.deadline_at},
    )  # fmt: skip
    return attempt


@audit_refusals("add_time")
@transaction.atomic(durable=True)
def add_time(
    *, actor: User, attempt: Attempt, minutes: int, reason: str, now: dt.datetime | None = None
) -> Attempt:
    """Give a candidate more time (a lost connection, a disturbance), with the reason recorded."""
    attempt = lock_attempt(attempt)
    require_invigilator(actor, lock_session(attempt.session))
    if not reason.strip():
        raise ExamsInputError("reason_required", _("Say why time is added."))
    if not 1 <= minutes <= conf.max_added_minutes():
        raise ExamsInputError(
            "minutes_out_of_range",
            _("Add between 1 and %(max)s minutes.") % {"max": conf.max_added_minutes()},
        )
    now = now or timezone.now()
    if attempt.status not in (AttemptStatus.CHECKED_IN, *OPEN_ATTEMPT_STATUSES):
        raise ExamsError("attempt_not_running", _("The candidate is not sitting the exam."))
    if attempt.status != AttemptStatus.CHECKED_IN:
        _open_attempt_for_clock(attempt, now)
    record_clock_event(
        attempt, ClockEventKind.ADD_TIME, at=now, actor=actor, added_seconds=minutes * 60,
        note=reason.strip(),
    )  # fmt: skip
    attempt.save(update_fields=["deadline_at", "updated_at"])
    record_event(
        ExamsEvent.TIME_ADDED, actor=actor, subject=attempt, related=[attempt.session],
        reason=reason.strip(), actor_role=RoleCode.INVIGILATOR,
        data={"minutes": minutes, "deadline": attempt.deadline_at},
    )  # fmt: skip
    return attempt


@audit_refusals("end_attempt")
@transaction.atomic(durable=True)
def end_attempt(
    *, actor: User, attempt: Attempt, reason: str, now: dt.datetime | None = None
) -> Attempt:
    """End a candidate's attempt before their deadline (taken ill, left the room), with reasons."""
    attempt = lock_attempt(attempt)
    require_invigilator(actor, lock_session(attempt.session))
    if not reason.strip():
        raise ExamsInputError("reason_required", _("Say why the attempt ends."))
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        raise ExamsError("attempt_not_running", _("The candidate is not sitting the exam."))
    now = now or timezone.now()
    state = attempt_clock(attempt, now=now)
    if state.expired and state.expired_at is not None:
        return close_attempt(attempt, reason=CloseReason.DEADLINE, actor=None, at=state.expired_at)
    return close_attempt(
        attempt, reason=CloseReason.INVIGILATOR, actor=actor, at=now, note=reason.strip()
    )


@audit_refusals("record_incident")
@transaction.atomic(durable=True)
def record_incident(
    *,
    actor: User,
    session: ExamSession,
    kind: str,
    notes: str,
    attempt: Attempt | None = None,
    occurred_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Incident:
    """Record an irregularity, technical fault or suspected misconduct (for one or everyone)."""
    session = lock_session(session)
    require_invigilator(actor, session)
    if kind not in IncidentKind.values:
        raise ExamsInputError("unknown_incident_kind", _("Choose the kind of incident."))
    if not notes.strip():
        raise ExamsInputError("notes_required", _("Describe what happened and what was done."))
    if attempt is not None and attempt.session_id != session.pk:
        raise ExamsInputError("unknown_candidate", _("That candidate is not in this session."))
    now = now or timezone.now()
    when = occurred_at or now
    if when > now + dt.timedelta(minutes=1) or when < session.event.starts_at - dt.timedelta(
        hours=12
    ):
        raise ExamsInputError("occurred_at_out_of_range", _("Give a time during the session."))
    incident = Incident.objects.create(
        session=session, attempt=attempt, kind=kind, occurred_at=when, notes=notes.strip(),
        recorded_by=actor,
    )  # fmt: skip
    related: list[Any] = [session]
    if attempt is not None:
        related += [attempt, attempt.entry.application]
    record_event(
        ExamsEvent.INCIDENT_RECORDED, actor=actor, subject=incident, related=related,
        actor_role=RoleCode.INVIGILATOR,
        data={"kind": kind, "reference": incident.reference,
              "attempt": attempt.reference if attempt else None},
    )  # fmt: skip
    return incident


# Rest breaks (the candidate, under an approved accommodation) ------------------------------------


@transaction.atomic(durable=True)
def start_break(*, actor: User, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """The candidate takes a rest break: the clock stops, up to the break allowance."""
    attempt = lock_attempt(attempt)
    require_candidate(actor, attempt)
    if not attempt.rest_breaks:
        raise ExamsError("no_rest_breaks", _("Rest breaks are not among your accommodations."))
    now = now or timezone.now()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        raise ExamsError("attempt_not_running", _("Your exam is not running."))
    state = attempt_clock(attempt, now=now)
    if state.expired:
        raise ExamsError("attempt_expired", _("Your time is up."))
    if state.break_left <= dt.timedelta(0):
        raise ExamsError("break_allowance_used", _("You have used all your break time."))
    record_clock_event(attempt, ClockEventKind.STOP, at=now, actor=actor, reason=StopReason.BREAK)
    attempt.pause()
    attempt.save(update_fields=["status", "deadline_at", "updated_at"])
    record_event(
        ExamsEvent.ATTEMPT_PAUSED, actor=actor, subject=attempt, related=[attempt.session],
        actor_role="candidate", data={"by": StopReason.BREAK},
    )  # fmt: skip
    return attempt


@transaction.atomic(durable=True)
def end_break(*, actor: User, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Back from the break: the clock runs again (unless the invigilator paused the candidate)."""
    attempt = lock_attempt(attempt)
    require_candidate(actor, attempt)
    now = now or timezone.now()
    if attempt.status != AttemptStatus.PAUSED or StopReason.BREAK not in _stops(attempt, now):
        raise ExamsError("not_on_break", _("You are not on a break."))
    state = record_clock_event(
        attempt, ClockEventKind.RESUME, at=now, actor=actor, reason=StopReason.BREAK
    )
    if not state.stopped_by:
        attempt.resume()
    attempt.save(update_fields=["status", "deadline_at", "updated_at"])
    record_event(
        ExamsEvent.ATTEMPT_RESUMED, actor=actor, subject=attempt, related=[attempt.session],
        actor_role="candidate", data={"by": StopReason.BREAK, "deadline": attempt.deadline_at},
    )  # fmt: skip
    return attempt


# Closing at the deadline (a job; also when a late answer arrives) --------------------------------


def list_attempts_past_deadline(now: dt.datetime) -> list[int]:
    """Open attempts whose cached deadline has passed (the clock is checked again when closing)."""
    return list(
        Attempt.objects.filter(
            status__in=OPEN_ATTEMPT_STATUSES, deadline_at__lte=now - conf.deadline_grace()
        )
        .order_by("deadline_at", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def close_if_expired(*, attempt_id: int, now: dt.datetime) -> Attempt | None:
    """Close the attempt at its deadline if the server's clock says it has passed (idempotent)."""
    attempt = lock_attempt(Attempt(pk=attempt_id))
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        return None
    state = attempt_clock(attempt, now=now)
    if not state.expired or state.expired_at is None:
        if attempt.deadline_at != state.deadline:  # repair a stale cache; never close early
            attempt.deadline_at = state.deadline
            attempt.save(update_fields=["deadline_at", "updated_at"])
        return None
    if now < state.expired_at + conf.deadline_grace():
        return None
    return close_attempt(attempt, reason=CloseReason.DEADLINE, actor=None, at=state.expired_at)


def close_expired_attempts(*, now: dt.datetime) -> int:
    """Close every attempt whose deadline passed, even if the candidate's browser is gone."""
    closed = 0
    for attempt_id in list_attempts_past_deadline(now):
        if close_if_expired(attempt_id=attempt_id, now=now) is not None:
            closed += 1
    return closed


def running_sessions() -> list[int]:
    return list(
        ExamSession.objects.filter(status=SessionStatus.SCHEDULED).values_list("pk", flat=True)
    )
