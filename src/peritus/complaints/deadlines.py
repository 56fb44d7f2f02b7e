"""The times ISO/IEC 17024 leaves to the body (R23), read from settings with defaults."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

DEFAULT_ACKNOWLEDGE_DAYS = 5
DEFAULT_TRIAGE_DAYS = 10
DEFAULT_RESOLUTION_DAYS = 60
DEFAULT_FORM_MIN_SECONDS = 3
DEFAULT_FORM_MAX_AGE_SECONDS = 24 * 3600
DEFAULT_FORM_RATE = "5/h"


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def acknowledge_days() -> int:
    """Days within which a complaint is acknowledged in writing."""
    return _setting("PERITUS_COMPLAINTS_ACKNOWLEDGE_DAYS", DEFAULT_ACKNOWLEDGE_DAYS)


def triage_days() -> int:
    """Days within which the body decides whether it is a complaint it handles (R24)."""
    return _setting("PERITUS_COMPLAINTS_TRIAGE_DAYS", DEFAULT_TRIAGE_DAYS)


def resolution_days() -> int:
    """Days from receipt within which the complainant gets the outcome."""
    return _setting("PERITUS_COMPLAINTS_RESOLUTION_DAYS", DEFAULT_RESOLUTION_DAYS)


def form_min_seconds() -> int:
    """A person takes at least this long to fill in the public form; robots are faster."""
    return _setting("PERITUS_COMPLAINTS_FORM_MIN_SECONDS", DEFAULT_FORM_MIN_SECONDS)


def form_max_age_seconds() -> int:
    """A public form older than this is stale and must be reloaded."""
    return _setting("PERITUS_COMPLAINTS_FORM_MAX_AGE_SECONDS", DEFAULT_FORM_MAX_AGE_SECONDS)


def form_rate() -> str:
    """Submissions of the public form allowed per address (rate-limit syntax, e.g. '5/h')."""
    return str(getattr(settings, "PERITUS_COMPLAINTS_FORM_RATE", DEFAULT_FORM_RATE))


def deadlines_from(received_on: dt.date) -> dict[str, dt.date]:
    return {
        "acknowledge_due_on": received_on + dt.timedelta(days=acknowledge_days()),
        "triage_due_on": received_on + dt.timedelta(days=triage_days()),
        "resolution_due_on": received_on + dt.timedelta(days=resolution_days()),
    }
