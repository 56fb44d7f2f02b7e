from __future__ import annotations

import datetime as dt

from peritus.qms.services import notify_overdue_corrective_actions
from peritus.scheduling.registry import register_job


@register_job("qms-corrective-action-deadlines", every=dt.timedelta(hours=12))
def corrective_action_deadlines(now: dt.datetime) -> str:
    """Tell owners once about each corrective action or action step past its due date."""
    return f"{notify_overdue_corrective_actions(now=now)} overdue due dates announced"
