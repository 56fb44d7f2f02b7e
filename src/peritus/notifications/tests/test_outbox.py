from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from peritus.notifications.models import OutboxMessage, OutboxStatus
from peritus.notifications.services import (
    DELIVERY_CHUNK,
    MAX_ATTEMPTS,
    Notice,
    deliver_due_messages,
    deliver_message,
    queue_notification,
    queue_notifications,
)

pytestmark = pytest.mark.django_db


def queue(**overrides: Any) -> OutboxMessage:
    arguments: dict[str, Any] = {
        "template": "test_notice",
        "recipient_email": "ada@peritus.example",
        "context": {"name": "Ada", "message": "Your application was received."},
    }
    arguments.update(overrides)
    return queue_notification(**arguments)


def test_a_queued_notice_is_sent_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()

    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("A notice from")
    assert "Your application was received." in mail.outbox[0].body


class ChangeRefusedError(Exception):
    pass


def queue_then_refuse() -> None:
    with transaction.atomic():
        queue()
        raise ChangeRefusedError


def test_a_rolled_back_change_takes_its_notice_with_it() -> None:
    with pytest.raises(ChangeRefusedError):
        queue_then_refuse()

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_the_rendered_text_is_kept_as_the_record_of_what_was_said() -> None:
    message = queue()

    assert "Hello Ada," in message.body
    assert message.subject == "A notice from Peritus Certification Body"


def test_a_failing_mailer_is_retried_later_then_given_up(settings: Any) -> None:
    settings.MAILERS = {
        "default": {"BACKEND": "peritus.notifications.tests.broken_mailer.EmailBackend"}
    }
    message = queue()
    now = timezone.now()

    for attempt in range(1, MAX_ATTEMPTS + 1):
        deliver_message(message_id=message.pk, now=now)
        message = OutboxMessage.objects.get(pk=message.pk)
        assert message.attempts == attempt
        assert "SMTP server unreachable" in message.last_error

    assert message.status == OutboxStatus.FAILED
    assert message.next_attempt_at > now


def test_the_outbox_job_sends_what_the_worker_missed() -> None:
    queue()
    queue(recipient_email="malik@peritus.example")

    sent, pending = deliver_due_messages(now=timezone.now() + dt.timedelta(seconds=1))

    assert (sent, pending) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@peritus.example", "malik@peritus.example"]


def test_a_message_is_never_sent_twice() -> None:
    message = queue()

    deliver_message(message_id=message.pk)
    deliver_message(message_id=message.pk)

    assert len(mail.outbox) == 1


def test_a_batch_of_notices_is_queued_in_one_go_and_each_is_sent_after_commit(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    notices = [
        Notice(
            template="test_notice",
            recipient_email=f"holder{n}@peritus.example",
            context={"name": f"Holder {n}", "message": f"Certificate {n} expired."},
        )
        for n in range(DELIVERY_CHUNK + 5)
    ]

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        messages = queue_notifications(notices)

    assert len(callbacks) == 2  # the worker gets the batch in two chunks, not one task each
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == DELIVERY_CHUNK + 5
    assert sorted(sent.to[0] for sent in mail.outbox) == sorted(
        message.recipient_email for message in messages
    )
    assert "Certificate 7 expired." in next(
        m.body for m in mail.outbox if m.to == ["holder7@peritus.example"]
    )


def queue_three_then_refuse() -> None:
    with transaction.atomic():
        queue_notifications(
            [Notice("test_notice", "ada@peritus.example", {"name": "Ada", "message": "x"})] * 3
        )
        raise ChangeRefusedError


def test_a_batch_rolled_back_with_its_change_leaves_nothing_to_send() -> None:
    with pytest.raises(ChangeRefusedError):
        queue_three_then_refuse()

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []
