from __future__ import annotations

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    CertificationNotPermittedError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    LifecycleAction,
    LifecycleDecision,
)
from peritus.certification.selectors import verify_certificate
from peritus.certification.services import surrender_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate, reload

pytestmark = pytest.mark.django_db


def holder_of(certificate: Certificate) -> User:
    user = certificate.holder.user
    assert user is not None
    return user


def test_the_holder_surrenders_and_the_certificate_shows_withdrawn_at_once() -> None:
    certificate = make_valid_certificate()
    holder = holder_of(certificate)

    surrender_certificate(
        certificate=certificate, actor=holder, reason="I have retired.", confirmed=True
    )

    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (
        CertificateStatus.WITHDRAWN,
        timezone.localdate(),
    )
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert (decision.action, decision.decided_by, decision.actor_role) == (
        LifecycleAction.SURRENDER,
        holder,
        "holder",
    )
    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_SURRENDERED)
    assert event.actor == holder
    assert getattr(verify_certificate(certificate.number), "status", None) == "withdrawn"
    notice = OutboxMessage.objects.get(template="certification_certificate_surrendered")
    assert "stop every claim" in notice.body


def test_surrender_must_be_confirmed() -> None:
    certificate = make_valid_certificate()

    with pytest.raises(CertificationInputError) as error:
        surrender_certificate(
            certificate=certificate, actor=holder_of(certificate), reason="", confirmed=False
        )

    assert error.value.code == "confirmation_required"
    assert reload(certificate).status == CertificateStatus.VALID


def test_nobody_but_the_holder_can_surrender(decision_maker: User, outsider: User) -> None:
    certificate = make_valid_certificate()

    for actor in (decision_maker, outsider):
        with pytest.raises(CertificationNotPermittedError) as error:
            surrender_certificate(certificate=certificate, actor=actor, reason="", confirmed=True)
        assert error.value.code == "not_holder"


def test_an_expired_certificate_cannot_be_surrendered() -> None:
    certificate = make_valid_certificate(status=CertificateStatus.EXPIRED)

    with pytest.raises(CertificationError) as error:
        surrender_certificate(
            certificate=certificate, actor=holder_of(certificate), reason="", confirmed=True
        )

    assert error.value.code == "certificate_expired"
