"""Values of online delivery the body sets (settings `PERITUS_EXAMS_*`), with their defaults."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_in_opens_before() -> dt.timedelta:
    """How long before the start candidates may check in."""
    return dt.timedelta(minutes=_int("PERITUS_EXAMS_CHECK_IN_MINUTES", 60))


def break_allowance() -> dt.timedelta:
    """Rest-break time that stops the clock, per attempt (approved rest-break accommodation)."""
    return dt.timedelta(minutes=_int("PERITUS_EXAMS_REST_BREAK_MINUTES", 30))


def deadline_grace() -> dt.timedelta:
    """A save received this long after the deadline is still taken: it was sent before it."""
    return dt.timedelta(seconds=_int("PERITUS_EXAMS_DEADLINE_GRACE_SECONDS", 2))


def reminder_before() -> dt.timedelta:
    return dt.timedelta(hours=_int("PERITUS_EXAMS_REMINDER_HOURS", 24))


def max_answer_chars() -> int:
    return _int("PERITUS_EXAMS_MAX_ANSWER_CHARS", 20000)


def max_added_minutes() -> int:
    return _int("PERITUS_EXAMS_MAX_ADDED_MINUTES", 120)
