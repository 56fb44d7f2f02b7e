"""The times ISO/IEC 17024 leaves to the body (R23), read from settings with defaults, and
the pure date arithmetic of an appeal's deadlines."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

DEFAULT_ACKNOWLEDGE_DAYS = 5
DEFAULT_DECISION_DAYS = 60
DEFAULT_PROGRESS_DAYS = 30
DEFAULT_APPEAL_WINDOW_DAYS = 30
DEFAULT_PANEL_SIZE = 1


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def acknowledge_days() -> int:
    """Days within which an appeal must be acknowledged in writing."""
    return _setting("PERITUS_APPEALS_ACKNOWLEDGE_DAYS", DEFAULT_ACKNOWLEDGE_DAYS)


def decision_days() -> int:
    """Days from receipt within which the panel decides."""
    return _setting("PERITUS_APPEALS_DECISION_DAYS", DEFAULT_DECISION_DAYS)


def progress_days() -> int:
    """The appellant hears from the body at least this often while the appeal runs."""
    return _setting("PERITUS_APPEALS_PROGRESS_DAYS", DEFAULT_PROGRESS_DAYS)


def appeal_window_days() -> int:
    """Days after a decision within which it may be appealed (shared with applications)."""
    return _setting("PERITUS_APPEAL_WINDOW_DAYS", DEFAULT_APPEAL_WINDOW_DAYS)


def panel_size() -> int:
    """Panel members who must have declared no conflict before the panel decides."""
    return max(1, _setting("PERITUS_APPEALS_PANEL_SIZE", DEFAULT_PANEL_SIZE))


def acknowledge_by(received_on: dt.date, days: int) -> dt.date:
    return received_on + dt.timedelta(days=days)


def decide_by(received_on: dt.date, days: int) -> dt.date:
    return received_on + dt.timedelta(days=days)


def lodged_in_time(*, decided_on: dt.date | None, received_on: dt.date, window: int) -> bool | None:
    """True when received within `window` days of the decision; None when the date is unknown."""
    if decided_on is None:
        return None
    return received_on <= decided_on + dt.timedelta(days=window)


def is_past(due_on: dt.date | None, today: dt.date) -> bool:
    return due_on is not None and today > due_on
