"""The database side of the exam clock: record clock events and keep the cached deadline current.

Building blocks for the services, inside their transaction (the attempt row is locked by the
caller). The deadline cached on the attempt serves the answer save and the closing job; it is
always recomputed by the pure `clock` module from every recorded event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from peritus.exams.delivery import clock, conf
from peritus.exams.models import Attempt, ClockEvent, ClockEventKind


def to_clock_entries(events: Any) -> list[clock.ClockEntry]:
    return [
        clock.ClockEntry(
            kind=clock.ClockEventKind(event.kind),
            at=event.at,
            reason=clock.StopReason(event.reason) if event.reason else None,
            added=dt.timedelta(seconds=event.added_seconds),
        )
        for event in events
    ]


def clock_entries(attempt: Attempt) -> list[clock.ClockEntry]:
    return to_clock_entries(ClockEvent.objects.filter(attempt=attempt).order_by("at", "pk"))


def attempt_clock(
    attempt: Attempt, *, now: dt.datetime, entries: list[clock.ClockEntry] | None = None
) -> clock.ClockState:
    """The attempt's clock at `now` (allotted time from the attempt, events from the log)."""
    allotted = dt.timedelta(seconds=attempt.allotted_seconds or 0)
    if attempt.allotted_seconds is None:
        allotted = clock.allotted_time(
            attempt.session.event.duration_minutes, attempt.extra_time_percent
        )
    return clock.clock_state(
        clock_entries(attempt) if entries is None else entries,
        allotted=allotted,
        break_allowance=conf.break_allowance() if attempt.rest_breaks else dt.timedelta(0),
        now=now,
    )


def record_clock_event(
    attempt: Attempt,
    kind: ClockEventKind,
    *,
    at: dt.datetime,
    actor: Any | None,
    reason: str = "",
    added_seconds: int = 0,
    note: str = "",
) -> clock.ClockState:
    """Append a clock event, recompute the clock at `at`, cache the deadline on the attempt."""
    ClockEvent.objects.create(
        attempt=attempt, kind=kind, reason=reason, at=at, added_seconds=added_seconds,
        actor=actor, note=note[:2000],
    )  # fmt: skip
    state = attempt_clock(attempt, now=at)
    attempt.deadline_at = state.deadline
    if state.deadline is not None and not state.expired:
        attempt_id, deadline = attempt.pk, state.deadline
        transaction.on_commit(lambda: _schedule_close(attempt_id, deadline))
    return state


def _schedule_close(attempt_id: int, deadline: dt.datetime) -> None:
    from peritus.exams.tasks import schedule_close  # the task module imports the services

    schedule_close(attempt_id, deadline)
