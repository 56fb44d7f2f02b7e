from __future__ import annotations

from django.tasks import task

from peritus.notifications.services import deliver_message


@task()
def deliver_outbox_message(*, message_id: int) -> None:
    """Worker entry point: send one queued message (idempotent; the outbox job retries)."""
    deliver_message(message_id=message_id)
