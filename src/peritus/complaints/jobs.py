from __future__ import annotations

import datetime as dt

from peritus.complaints.services import notify_overdue_complaints
from peritus.scheduling.registry import register_job


@register_job("complaints-deadlines", every=dt.timedelta(hours=12))
def complaint_deadlines(now: dt.datetime) -> str:
    """Tell handlers (or intake staff) once about each missed deadline of an open complaint."""
    return f"{notify_overdue_complaints(now=now)} missed complaint deadlines announced"
