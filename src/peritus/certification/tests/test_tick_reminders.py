"""`peritus tick` reminds holders before expiry, once per threshold, even late or twice (R8)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification.events import CertificationEvent
from peritus.certification.models import Certificate, CertificateStatus, ExpiryReminder
from peritus.certification.services import send_expiry_reminder
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate

pytestmark = pytest.mark.django_db

JOB = "certification-expiry-reminders"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def tick(day: dt.date, *, force: bool = False) -> str:
    """`peritus tick --now <day, noon> --job certification-expiry-reminders`, clock there too."""
    output = io.StringIO()
    when = noon(day)
    arguments = ["--now", when.isoformat(), "--job", JOB, *(["--force"] if force else [])]
    with time_machine.travel(when, tick=False):
        call_command("tick", *arguments, stdout=output)
    return output.getvalue()


def before(certificate: Certificate, days: int) -> dt.date:
    return certificate.expires_on - dt.timedelta(days=days)


def reminded(certificate: Certificate) -> list[int]:
    """The thresholds the holder was reminded at, in the order sent."""
    return list(
        ExpiryReminder.objects.filter(certificate=certificate, manual=False)
        .order_by("sent_at")
        .values_list("days_before", flat=True)
    )


def notices(certificate: Certificate) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(
            template="certification_expiry_reminder", subject_id=str(certificate.pk)
        ).order_by("pk")
    )


def events(certificate: Certificate) -> list[dict[str, object]]:
    return [
        json.loads(payload)["data"]
        for payload in AuditEvent.objects.filter(
            event_type=CertificationEvent.EXPIRY_REMINDER_SENT, subject_id=str(certificate.pk)
        )
        .order_by("sequence")
        .values_list("payload", flat=True)
    ]


def test_a_daily_tick_reminds_at_90_30_and_7_days_once_each() -> None:
    certificate = make_valid_certificate()

    for days in (120, 91, 90, 89, 60, 31, 30, 29, 8, 7, 6, 1, 0):
        tick(before(certificate, days))

    assert reminded(certificate) == [90, 30, 7]
    sent = notices(certificate)
    assert [message.recipient_email for message in sent] == ["holder@peritus.example"] * 3
    assert f"{certificate.number} expires in 90 days" in sent[0].subject
    assert "recertify" in sent[2].body
    assert [event["threshold_days"] for event in events(certificate)] == [90, 30, 7]


def test_running_tick_twice_sends_nothing_more() -> None:
    certificate = make_valid_certificate()
    day = before(certificate, 30)
    assert "1 expiry reminders sent" in tick(day)
    counts = (
        ExpiryReminder.objects.count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.count(),
    )

    assert "not due" in tick(day)
    assert "0 expiry reminders sent" in tick(day, force=True)
    assert "0 expiry reminders sent" in tick(day + dt.timedelta(days=1))

    assert (
        ExpiryReminder.objects.count(),
        OutboxMessage.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_a_tick_40_days_late_sends_only_the_reminder_still_relevant() -> None:
    certificate = make_valid_certificate()
    tick(before(certificate, 70))  # the 90-day reminder
    assert reminded(certificate) == [90]

    output = tick(before(certificate, 25))  # no tick for 45 days

    assert "1 expiry reminders sent" in output
    assert reminded(certificate) == [90, 30]
    assert notices(certificate)[-1].subject.endswith("expires in 25 days")
    assert events(certificate)[-1] == {
        "number": certificate.number,
        "expires_on": certificate.expires_on.isoformat(),
        "threshold_days": 30,
        "days_left": 25,
    }


def test_a_holder_never_reminded_five_days_before_gets_one_reminder_not_three() -> None:
    certificate = make_valid_certificate()

    tick(before(certificate, 5))
    tick(before(certificate, 4))

    assert reminded(certificate) == [7]
    assert len(notices(certificate)) == 1


def test_no_reminder_once_validity_has_passed_or_for_a_withdrawn_certificate() -> None:
    late = make_valid_certificate()
    withdrawn = make_valid_certificate(holder=make_holder("withdrawn@peritus.example"))
    Certificate.objects.filter(pk=withdrawn.pk).update(
        status=CertificateStatus.WITHDRAWN, expires_on=late.expires_on + dt.timedelta(days=100)
    )
    withdrawn = Certificate.objects.get(pk=withdrawn.pk)

    tick(late.expires_on + dt.timedelta(days=1))
    tick(before(withdrawn, 7))

    assert reminded(late) == reminded(withdrawn) == []
    assert OutboxMessage.objects.filter(template="certification_expiry_reminder").count() == 0


def test_the_thresholds_are_configurable(settings: Any) -> None:
    settings.PERITUS = {**settings.PERITUS, "EXPIRY_REMINDER_DAYS": [60, 14]}
    certificate = make_valid_certificate()

    for days in (90, 60, 30, 14, 7):
        tick(before(certificate, days))

    assert reminded(certificate) == [60, 14]


def test_a_new_expiry_date_starts_the_reminders_again() -> None:
    certificate = make_valid_certificate()
    tick(before(certificate, 7))
    new_expiry = certificate.expires_on + dt.timedelta(days=3 * 365)
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=new_expiry)

    tick(new_expiry - dt.timedelta(days=90))

    assert list(
        ExpiryReminder.objects.filter(certificate=certificate)
        .order_by("sent_at")
        .values_list("expires_on", "days_before")
    ) == [(certificate.expires_on, 7), (new_expiry, 90)]


def test_an_officer_can_remind_a_holder_now_and_the_scheduled_ones_still_follow(
    officer: User, candidate: User
) -> None:
    certificate = make_valid_certificate()

    send_expiry_reminder(certificate=certificate, actor=officer)
    with pytest.raises(RoleNotHeldError):
        send_expiry_reminder(certificate=certificate, actor=candidate)
    tick(before(certificate, 30))

    manual = ExpiryReminder.objects.get(certificate=certificate, manual=True)
    days_left = (certificate.expires_on - timezone.localdate()).days
    assert (manual.days_before, manual.sent_by) == (days_left, officer)
    assert reminded(certificate) == [30]
    assert len(notices(certificate)) == 2
    assert events(certificate)[0]["manual"] is True
