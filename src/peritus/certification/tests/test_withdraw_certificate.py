from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    CertificateStatus,
    CertificateStatusChange,
    LifecycleAction,
    LifecycleDecision,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.selectors import search_register, verify_certificate
from peritus.certification.services import suspend_certificate, withdraw_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate, reload

pytestmark = pytest.mark.django_db

REASON = "Fraudulent statement of continued activity (complaint C-2026-014 founded)."


def test_withdrawal_is_final_and_public_at_once(decision_maker: User, client: Client) -> None:
    certificate = make_valid_certificate()

    withdraw_certificate(certificate=certificate, actor=decision_maker, reason=REASON)

    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (
        CertificateStatus.WITHDRAWN,
        timezone.localdate(),
    )
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert (decision.action, decision.reason) == (LifecycleAction.WITHDRAW, REASON)
    change = CertificateStatusChange.objects.filter(certificate=certificate).latest("pk")
    assert (change.from_status, change.to_status) == (
        CertificateStatus.VALID,
        CertificateStatus.WITHDRAWN,
    )
    assert AuditEvent.objects.filter(
        event_type=CertificationEvent.CERTIFICATE_WITHDRAWN, subject_id=str(certificate.pk)
    ).exists()
    verification = verify_certificate(certificate.number)
    assert getattr(verification, "status", None) == CertificateStatus.WITHDRAWN
    body = client.get(f"/api/v1/certificates/{certificate.number}/verification").json()
    assert (body["status"], body["status_since"]) == ("withdrawn", timezone.localdate().isoformat())


def test_a_withdrawn_certificate_leaves_the_public_register(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    certificate.__class__.objects.filter(pk=certificate.pk).update(register_listed=True)
    assert search_register(query=certificate.number).entries

    withdraw_certificate(certificate=certificate, actor=decision_maker, reason=REASON)

    assert not search_register(query=certificate.number).entries


def test_the_notice_says_stop_every_claim_and_return_the_certificate(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    withdraw_certificate(certificate=certificate, actor=decision_maker, reason=REASON)

    notice = OutboxMessage.objects.get(template="certification_certificate_withdrawn")
    assert REASON in notice.body
    assert "stop every claim" in notice.body
    assert "return the certificate" in notice.body
    assert "certification marks" in notice.body
    assert "appeal against this decision within 30 days" in notice.body


def test_withdrawing_a_suspended_certificate_ends_its_suspension(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Statement missing.",
        conditions="Send it.",
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )

    withdraw_certificate(certificate=certificate, actor=decision_maker, reason=REASON)

    suspension = Suspension.objects.get(certificate=certificate)
    assert suspension.status == SuspensionStatus.WITHDRAWN
    assert suspension.resolution == LifecycleDecision.objects.get(
        certificate=certificate, action=LifecycleAction.WITHDRAW
    )


def test_withdrawal_needs_reasons(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(CertificationInputError) as error:
        withdraw_certificate(certificate=certificate, actor=decision_maker, reason="")

    assert error.value.code == "reason_required"


def test_withdrawal_is_a_decision_makers_act(officer: User) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(RoleNotHeldError):
        withdraw_certificate(certificate=certificate, actor=officer, reason=REASON)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CertificateStatus.WITHDRAWN, "certificate_withdrawn"),
        (CertificateStatus.EXPIRED, "certificate_expired"),
    ],
)
def test_a_withdrawn_or_expired_certificate_cannot_be_withdrawn(
    decision_maker: User, status: str, code: str
) -> None:
    certificate = make_certificate(status=status)

    with pytest.raises(CertificationError) as error:
        withdraw_certificate(certificate=certificate, actor=decision_maker, reason=REASON)

    assert error.value.code == code
