from __future__ import annotations

import datetime as dt

from peritus.appeals.services import watch_appeal_deadlines
from peritus.scheduling.registry import register_job


@register_job("appeals-deadlines", every=dt.timedelta(hours=1))
def appeal_deadlines(now: dt.datetime) -> str:
    """Flag late acknowledgements and decisions of appeals, and keep appellants informed."""
    return str(watch_appeal_deadlines(now=now))
