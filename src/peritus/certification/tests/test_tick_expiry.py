"""`peritus tick` expires certificates at the end of their validity, once (9.6, R7, R8)."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.verification import verify_chain
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.services import suspend_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_holder, make_valid_certificate, reload

pytestmark = pytest.mark.django_db

JOB = "certification-expiry"


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def tick(day: dt.date, *, force: bool = False) -> str:
    """`peritus tick --now <day, noon> --job certification-expiry`, with the clock there too."""
    output = io.StringIO()
    when = noon(day)
    arguments = ["--now", when.isoformat(), "--job", JOB, *(["--force"] if force else [])]
    with time_machine.travel(when, tick=False):
        call_command("tick", *arguments, stdout=output)
    return output.getvalue()


def trace(certificate: Certificate) -> tuple[int, int, int, int]:
    """What the job leaves behind: status rows, audit events, notices, history rows."""
    return (
        CertificateStatusChange.objects.filter(
            certificate=certificate, to_status=CertificateStatus.EXPIRED
        ).count(),
        AuditEvent.objects.filter(
            event_type=CertificationEvent.CERTIFICATE_EXPIRED, subject_id=str(certificate.pk)
        ).count(),
        OutboxMessage.objects.filter(
            template="certification_expiry_recorded", subject_id=str(certificate.pk)
        ).count(),
        certificate.history.count(),
    )


def verification(client: Client, number: str) -> dict[str, str]:
    response = client.get(f"/api/v1/certificates/{number}/verification")
    assert response.status_code == 200
    body: dict[str, str] = json.loads(response.content)
    return body


def test_a_certificate_expires_exactly_once_the_day_after_its_last_day() -> None:
    certificate = make_valid_certificate()
    last_day = certificate.expires_on
    history_before = trace(certificate)[3]

    on_last_day = tick(last_day)
    assert reload(certificate).status == CertificateStatus.VALID
    assert "0 certificates expired" in on_last_day

    next_day = tick(last_day + dt.timedelta(days=1))
    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (
        CertificateStatus.EXPIRED,
        last_day + dt.timedelta(days=1),
    )
    assert "1 certificates expired" in next_day
    assert trace(certificate) == (1, 1, 1, history_before + 1)
    change = CertificateStatusChange.objects.get(
        certificate=certificate, to_status=CertificateStatus.EXPIRED
    )
    assert (change.from_status, change.effective_on, change.actor) == (
        CertificateStatus.VALID,
        last_day + dt.timedelta(days=1),
        None,
    )
    notice = OutboxMessage.objects.get(template="certification_expiry_recorded")
    assert notice.recipient_email == "holder@peritus.example"
    assert certificate.number in notice.subject
    assert "stop using the certificate" in notice.body
    assert verify_chain().intact


def test_running_tick_twice_or_again_later_changes_nothing_more() -> None:
    certificate = make_valid_certificate()
    day = certificate.expires_on + dt.timedelta(days=1)
    tick(day)
    after_first = trace(certificate)
    events = AuditEvent.objects.count()
    notices = OutboxMessage.objects.count()

    assert "not due" in tick(day)
    assert "0 certificates expired" in tick(day, force=True)
    assert "0 certificates expired" in tick(day + dt.timedelta(days=3))

    assert trace(certificate) == after_first
    assert (AuditEvent.objects.count(), OutboxMessage.objects.count()) == (events, notices)
    assert reload(certificate).status_since == day


def test_a_late_run_expires_once_with_the_date_validity_ended_not_the_date_of_the_run() -> None:
    certificate = make_valid_certificate()
    other = make_valid_certificate(holder=make_holder("other@peritus.example"))
    Certificate.objects.filter(pk=other.pk).update(
        expires_on=certificate.expires_on - dt.timedelta(days=10)
    )
    tick(certificate.expires_on - dt.timedelta(days=30))

    output = tick(certificate.expires_on + dt.timedelta(days=40))  # tick was not run for 70 days

    assert "2 certificates expired" in output
    assert reload(certificate).status_since == certificate.expires_on + dt.timedelta(days=1)
    assert reload(other).status_since == certificate.expires_on - dt.timedelta(days=9)
    assert trace(certificate)[:3] == trace(other)[:3] == (1, 1, 1)
    event = AuditEvent.objects.get(
        event_type=CertificationEvent.CERTIFICATE_EXPIRED, subject_id=str(certificate.pk)
    )
    assert event.occurred_at == noon(certificate.expires_on + dt.timedelta(days=40))
    assert event.actor_id is None


def test_verification_shows_expired_before_and_after_the_job_alike_and_the_register_drops_it(
    client: Client,
) -> None:
    family = "Tickwell"
    certificate = make_valid_certificate(holder=make_holder(family_name=family))
    Certificate.objects.filter(pk=certificate.pk).update(register_listed=True)
    day = certificate.expires_on + dt.timedelta(days=1)

    with time_machine.travel(noon(certificate.expires_on), tick=False):
        register_last_day = client.get("/register/", {"q": family}).content.decode()
    with time_machine.travel(noon(day), tick=False):
        before = verification(client, certificate.number)
        register_before = client.get("/register/", {"q": family}).content.decode()
    assert reload(certificate).status == CertificateStatus.VALID
    tick(day)
    with time_machine.travel(noon(day), tick=False):
        after = verification(client, certificate.number)
        page = client.get(f"/verify/{certificate.number}/").content.decode()
        register_after = client.get("/register/", {"q": family}).content.decode()

    assert (before["status"], before["status_since"]) == ("expired", day.isoformat())
    assert (after["status"], after["status_since"]) == ("expired", day.isoformat())
    assert "status-expired" in page
    assert certificate.number in register_last_day
    assert certificate.number not in register_before
    assert certificate.number not in register_after


def test_a_suspended_certificate_expires_and_its_suspension_ends_with_it(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Yearly statement not received.",
        conditions="Send the signed statement.",
        deadline=certificate.issued_on + dt.timedelta(days=30),
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_on=reload(certificate).status_since + dt.timedelta(days=5)
    )
    expires_on = reload(certificate).expires_on

    tick(expires_on + dt.timedelta(days=1))

    stored = reload(certificate)
    suspension = Suspension.objects.get(certificate=certificate)
    assert stored.status == CertificateStatus.EXPIRED
    assert (suspension.status, suspension.resolved_on) == (
        SuspensionStatus.LAPSED,
        expires_on + dt.timedelta(days=1),
    )
    change = CertificateStatusChange.objects.get(
        certificate=certificate, to_status=CertificateStatus.EXPIRED
    )
    assert change.from_status == CertificateStatus.SUSPENDED
    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_EXPIRED)
    assert json.loads(event.payload)["data"]["suspension_lapsed"] == suspension.pk
    notice = OutboxMessage.objects.get(template="certification_expiry_recorded")
    assert "suspension ended" in notice.body


def test_withdrawn_and_already_expired_certificates_are_left_alone() -> None:
    withdrawn = make_valid_certificate()
    Certificate.objects.filter(pk=withdrawn.pk).update(status=CertificateStatus.WITHDRAWN)
    day = withdrawn.expires_on + dt.timedelta(days=1)

    assert "0 certificates expired" in tick(day)

    assert reload(withdrawn).status == CertificateStatus.WITHDRAWN
    assert trace(withdrawn)[:3] == (0, 0, 0)
