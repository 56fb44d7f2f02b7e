"""Queue notices inside the caller's transaction; deliver them after commit, with retries."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from peritus.notifications.models import OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 8
DELIVERY_CHUNK = 200  # messages handed to the worker in one task


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: 1, 2, 4 … minutes, capped at six hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


@dataclasses.dataclass(frozen=True)
class Notice:
    """One message to queue with `queue_notifications` (the arguments of `queue_notification`)."""

    template: str
    recipient_email: str
    context: dict[str, Any]
    recipient_user: Any | None = None
    recipient_person: Any | None = None
    subject: models.Model | None = None
    language: str | None = None


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
    notice = Notice(
        template, recipient_email, context, recipient_user, recipient_person, subject, language
    )
    return queue_notifications([notice])[0]


def queue_notifications(notices: Sequence[Notice]) -> list[OutboxMessage]:
    """Queue many messages at once (scheduled jobs over thousands of certificates).

    The same rendering and the same transaction rule as `queue_notification`, but the rows are
    written with bulk inserts and delivery is handed to the worker in chunks after the commit.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "queue_notification must run inside the transaction of the change it announces"
        )
    now = timezone.now()
    messages = [_render(notice, now) for notice in notices]
    if len(messages) == 1:
        messages[0].save(force_insert=True)
    elif messages:
        messages = OutboxMessage.objects.bulk_create(messages, batch_size=1000)
        if any(message.pk is None for message in messages):  # backends that return no ids
            raise RuntimeError("the database did not return the ids of the queued messages")
    ids = [message.pk for message in messages]
    for start in range(0, len(ids), DELIVERY_CHUNK):
        chunk = ids[start : start + DELIVERY_CHUNK]
        transaction.on_commit(functools.partial(_enqueue_delivery, chunk))
    return messages


def _render(notice: Notice, now: dt.datetime) -> OutboxMessage:
    language = (
        notice.language
        or getattr(notice.recipient_person, "preferred_language", None)
        or getattr(notice.recipient_user, "preferred_language", None)
        or settings.LANGUAGE_CODE
    )
    full_context = {
        "body_name": settings.PERITUS["BODY_NAME"],
        "base_url": settings.PERITUS["BASE_URL"],
        **notice.context,
    }
    with translation.override(language):
        subject_line = render_to_string(
            f"notifications/{notice.template}.subject.txt", full_context
        ).strip()
        body = (
            render_to_string(f"notifications/{notice.template}.body.txt", full_context).strip()
            + "\n"
        )
    subject = notice.subject
    return OutboxMessage(
        template=notice.template,
        recipient_email=notice.recipient_email,
        recipient_user=notice.recipient_user,
        recipient_person=notice.recipient_person,
        language=language,
        subject=" ".join(subject_line.split())[:250],
        body=body,
        subject_type=f"{subject._meta.app_label}.{subject._meta.model_name}"
        if subject is not None
        else "",
        subject_id=str(subject.pk) if subject is not None else "",
        next_attempt_at=now,
    )


def _enqueue_delivery(message_ids: list[int]) -> None:
    """Hand the messages to the worker; if that fails, the outbox job sends them anyway."""
    from peritus.notifications.tasks import deliver_outbox_message, deliver_outbox_messages

    try:
        if len(message_ids) == 1:
            deliver_outbox_message.enqueue(message_id=message_ids[0])
        else:
            deliver_outbox_messages.enqueue(message_ids=message_ids)
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
