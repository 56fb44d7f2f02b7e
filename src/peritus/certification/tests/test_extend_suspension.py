from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    LifecycleAction,
    LifecycleDecision,
    Suspension,
)
from peritus.certification.services import extend_suspension, suspend_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate

pytestmark = pytest.mark.django_db


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def suspended(decision_maker: User) -> Certificate:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Statement missing.",
        conditions="Send it.",
        deadline=in_days(20),
    )
    return certificate


def test_a_later_deadline_is_recorded_notified_and_clears_the_proposal(
    decision_maker: User,
) -> None:
    certificate = suspended(decision_maker)
    Suspension.objects.filter(certificate=certificate).update(proposed_at=timezone.now())

    extend_suspension(
        certificate=certificate,
        actor=decision_maker,
        deadline=in_days(50),
        reason="The employer's letter is on its way.",
    )

    suspension = Suspension.objects.get(certificate=certificate)
    assert (suspension.deadline, suspension.proposed_at) == (in_days(50), None)
    decision = LifecycleDecision.objects.get(
        certificate=certificate, action=LifecycleAction.EXTEND_SUSPENSION
    )
    assert decision.details == {"previous_deadline": in_days(20).isoformat()}
    assert AuditEvent.objects.filter(event_type=CertificationEvent.SUSPENSION_EXTENDED).exists()
    notice = OutboxMessage.objects.get(template="certification_suspension_extended")
    assert "The employer's letter is on its way." in notice.body


def test_the_new_deadline_must_be_later(decision_maker: User) -> None:
    certificate = suspended(decision_maker)

    with pytest.raises(CertificationInputError) as error:
        extend_suspension(
            certificate=certificate, actor=decision_maker, deadline=in_days(10), reason="Why"
        )

    assert error.value.code == "deadline_not_later"


def test_a_suspension_without_a_record_cannot_be_extended(decision_maker: User) -> None:
    certificate = make_certificate(status=CertificateStatus.SUSPENDED)

    with pytest.raises(CertificationError) as error:
        extend_suspension(
            certificate=certificate, actor=decision_maker, deadline=in_days(10), reason="Why"
        )

    assert error.value.code == "no_open_suspension"


def test_only_a_suspended_certificate_has_a_deadline_to_extend(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(CertificationError) as error:
        extend_suspension(
            certificate=certificate, actor=decision_maker, deadline=in_days(10), reason="Why"
        )

    assert error.value.code == "not_suspended"
