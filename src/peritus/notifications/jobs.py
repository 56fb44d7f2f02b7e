from __future__ import annotations

import datetime as dt

from peritus.notifications.services import deliver_due_messages
from peritus.scheduling.registry import register_job


@register_job("outbox-retry", every=dt.timedelta(minutes=1))
def retry_outbox(now: dt.datetime) -> str:
    """Send queued notices the worker has not delivered yet (worker down, mailer failure)."""
    sent, pending = deliver_due_messages(now=now)
    return f"{sent} sent, {pending} still pending"
