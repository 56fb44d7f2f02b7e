from __future__ import annotations

import datetime as dt

from peritus.applications.services import send_information_reminders
from peritus.scheduling.registry import register_job


@register_job("applications-information-reminders", every=dt.timedelta(hours=12))
def remind_applicants(now: dt.datetime) -> str:
    """Remind applicants whose answer to a reviewer's request is due within two days."""
    return f"{send_information_reminders(now=now)} reminders sent"
