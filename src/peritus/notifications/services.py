"""Queue notices inside the caller's transaction; deliver them after commit, with retries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from peritus.notifications.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: 1, 2, 4 … minutes, capped at six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def queue_notification(
    *,
    template: str,
    recipient_email: str,
    context: dict[str, Any],
    recipient_user: Any | None = None,
    recipient_person: Any | None = None,
    subject: models.Model | None = None,
    language: str | None = None,
) -> OutboxMessage:
    """Render `notifications/<template>.subject.txt` and `.body.txt` and queue the message.

    Must run inside the transaction of the change it announces: if that change rolls back, so
    does the message. Delivery is scheduled for after the commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "queue_notification must run inside the transaction of the change it announces"
        )
    language = (
        language
        or getattr(recipient_person, "preferred_language", None)
        or getattr(recipient_user, "preferred_language", None)
        or settings.LANGUAGE_CODE
    )
    full_context = {
        "body_name": settings.PERITUS["BODY_NAME"],
        "base_url": settings.PERITUS["BASE_URL"],
        **context,
    }
    with translation.override(language):
        subject_line = render_to_string(
            f"notifications/{template}.subject.txt", full_context
        ).strip()
        body = render_to_string(f"notifications/{template}.body.txt", full_context).strip() + "\n"
    message = OutboxMessage.objects.create(
        template=template,
        recipient_email=recipient_email,
        recipient_user=recipient_user,
        recipient_person=recipient_person,
        language=language,
        subject=" ".join(subject_line.split())[:250],
        body=body,
        subject_type=f"{subject._meta.app_label}.{subject._meta.model_name}"
        if subject is not None
        else "",
        subject_id=str(subject.pk) if subject is not None else "",
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: _enqueue_delivery(message.pk))
    return message


def _enqueue_delivery(message_id: int) -> None:
    from peritus.notifications.tasks import deliver_outbox_message

    try:
        deliver_outbox_message.enqueue(message_id=message_id)
    except Exception:
        return


def deliver_message(*, message_id: int, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Send one pending message; on failure schedule the next attempt. Safe to call twice."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, status=OutboxStatus.PENDING)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            email = EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[message.recipient_email],
            )
            email.send()
        except Exception as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED
            message.next_attempt_at = now + retry_delay(message.attempts)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = now
            message.last_error = ""
        message.save(
            update_fields=[
                "attempts",
                "status",
                "sent_at",
                "last_error",
                "next_attempt_at",
                "updated_at",
            ]
        )
        return message


def deliver_due_messages(*, now: dt.datetime, limit: int = 500) -> tuple[int, int]:
    """The outbox job: send what is pending and due. Returns (sent, still pending)."""
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in due:
        message = deliver_message(message_id=message_id, now=now)
        if message is not None and message.status == OutboxStatus.SENT:
            sent += 1
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count()
    return sent, pending
