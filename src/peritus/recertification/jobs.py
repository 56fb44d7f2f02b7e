"""Scheduled work of surveillance and recertification for `peritus tick` (idempotent)."""

from __future__ import annotations

import datetime as dt

from peritus.recertification.services import send_surveillance_notices, send_window_opened_notices
from peritus.scheduling.registry import register_job


@register_job("recertification-surveillance-notices", every=dt.timedelta(hours=12))
def surveillance_notices(now: dt.datetime) -> str:
    """Tell holders their surveillance is due soon, or overdue (once per date)."""
    counts = send_surveillance_notices(now=now)
    return f"{counts['surveillance_due']} due and {counts['surveillance_overdue']} overdue notices"


@register_job("recertification-window-notices", every=dt.timedelta(hours=12))
def window_notices(now: dt.datetime) -> str:
    """Tell holders their recertification window has opened (once per expiry date)."""
    return f"{send_window_opened_notices(now=now)} recertification window notices"
