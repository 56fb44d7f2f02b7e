"""Periodic work of exam delivery for `peritus tick` (each job idempotent, time as a parameter)."""

from __future__ import annotations

import datetime as dt

from peritus.exams.delivery.handover import hand_over_pending
from peritus.exams.delivery.invigilation import close_expired_attempts
from peritus.exams.delivery.sessions import (
    end_finished_session,
    list_sessions_to_end,
    send_session_reminders,
)
from peritus.exams.models import ExamSession
from peritus.scheduling.registry import register_job


@register_job("exams-close-at-deadline", every=dt.timedelta(minutes=1))
def close_at_deadline(now: dt.datetime) -> str:
    """Close every exam attempt whose server deadline has passed, browser or not."""
    return f"{close_expired_attempts(now=now)} attempt(s) closed at the deadline"


@register_job("exams-end-sessions", every=dt.timedelta(minutes=5))
def end_sessions(now: dt.datetime) -> str:
    """End sessions nobody can still sit; who never started is recorded absent, the rest scored."""
    ended = 0
    for session_id in list_sessions_to_end(now):
        if end_finished_session(session=ExamSession(pk=session_id), now=now) is not None:
            ended += 1
    return f"{ended} session(s) ended"


@register_job("exams-session-reminders", every=dt.timedelta(hours=1))
def remind_candidates(now: dt.datetime) -> str:
    """Remind booked candidates of their online exam the day before."""
    return f"{send_session_reminders(now=now)} reminder(s) sent"


@register_job("exams-hand-over-responses", every=dt.timedelta(hours=1))
def hand_over_responses(now: dt.datetime) -> str:
    """Hand the responses of released sessions to the item bank's statistics (once each)."""
    return f"{hand_over_pending(now=now)} session(s) handed over"
