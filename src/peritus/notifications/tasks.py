from __future__ import annotations

from django.tasks import task

from peritus.notifications.services import deliver_message


@task()
def deliver_outbox_message(*, message_id: int) -> None:
    """Worker entry point: send one queued message (idempotent; the outbox job retries)."""
    deliver_message(message_id=message_id)


@task()
def deliver_outbox_messages(*, message_ids: list[int]) -> None:
    """Worker entry point for a batch queued by a scheduled job: send each (idempotent)."""
    for message_id in message_ids:
        deliver_message(message_id=message_id)
