from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    LifecycleAction,
    LifecycleDecision,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.selectors import verify_certificate
from peritus.certification.services import reinstate_certificate, suspend_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.impartiality.models import TrainingRecord
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate, reload

pytestmark = pytest.mark.django_db

RATIONALE = "The signed statement of continued activity was received on time."


def suspended(decision_maker: User, **fields: object) -> Certificate:
    certificate = make_valid_certificate(**fields)  # type: ignore[arg-type]
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Statement missing.",
        conditions="Send the statement.",
        deadline=min(timezone.localdate() + dt.timedelta(days=30), certificate.expires_on),
    )
    return reload(certificate)


def test_reinstatement_ends_the_suspension_by_a_recorded_decision(decision_maker: User) -> None:
    certificate = suspended(decision_maker)
    second = make_staff(RoleCode.DECISION_MAKER)

    reinstate_certificate(certificate=certificate, actor=second, rationale=RATIONALE)

    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (CertificateStatus.VALID, timezone.localdate())
    decision = LifecycleDecision.objects.get(
        certificate=certificate, action=LifecycleAction.REINSTATE
    )
    assert (decision.decided_by, decision.reason) == (second, RATIONALE)
    suspension = Suspension.objects.get(certificate=certificate)
    assert suspension.status == SuspensionStatus.REINSTATED
    assert (suspension.resolution, suspension.resolved_on) == (decision, timezone.localdate())
    change = CertificateStatusChange.objects.filter(certificate=certificate).latest("pk")
    assert (change.from_status, change.to_status) == (
        CertificateStatus.SUSPENDED,
        CertificateStatus.VALID,
    )
    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_REINSTATED)
    assert (event.actor, event.reason) == (second, RATIONALE)
    notice = OutboxMessage.objects.get(template="certification_certificate_reinstated")
    assert RATIONALE in notice.body
    assert decision.notice == notice
    verification = verify_certificate(certificate.number)
    assert getattr(verification, "status", None) == CertificateStatus.VALID


def test_an_imported_suspension_without_a_record_can_be_reinstated(decision_maker: User) -> None:
    certificate = make_certificate(status=CertificateStatus.SUSPENDED)

    reinstate_certificate(certificate=certificate, actor=decision_maker, rationale=RATIONALE)

    assert reload(certificate).status == CertificateStatus.VALID


def test_reinstatement_needs_a_rationale(decision_maker: User) -> None:
    certificate = suspended(decision_maker)

    with pytest.raises(CertificationInputError) as error:
        reinstate_certificate(certificate=certificate, actor=decision_maker, rationale=" ")

    assert error.value.code == "rationale_required"


def test_reinstatement_is_a_decision_makers_act(decision_maker: User, officer: User) -> None:
    certificate = suspended(decision_maker)

    with pytest.raises(RoleNotHeldError):
        reinstate_certificate(certificate=certificate, actor=officer, rationale=RATIONALE)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CertificateStatus.VALID, "not_suspended"),
        (CertificateStatus.WITHDRAWN, "certificate_withdrawn"),
        (CertificateStatus.EXPIRED, "certificate_expired"),
    ],
)
def test_only_a_suspended_certificate_is_reinstated(
    decision_maker: User, status: str, code: str
) -> None:
    certificate = make_certificate(status=status)

    with pytest.raises(CertificationError) as error:
        reinstate_certificate(certificate=certificate, actor=decision_maker, rationale=RATIONALE)

    assert error.value.code == code


def test_a_suspended_certificate_past_its_expiry_must_be_recertified(
    decision_maker: User,
) -> None:
    certificate = suspended(
        decision_maker, valid_from=timezone.localdate() - dt.timedelta(days=1080)
    )
    later = timezone.now() + dt.timedelta(days=20)

    with time_machine.travel(later, tick=False), pytest.raises(CertificationError) as error:
        reinstate_certificate(certificate=certificate, actor=decision_maker, rationale=RATIONALE)

    assert error.value.code == "certificate_expired"


def test_a_decider_who_trained_the_holder_cannot_reinstate(decision_maker: User) -> None:
    certificate = suspended(decision_maker)
    trainer = make_staff(RoleCode.DECISION_MAKER)
    TrainingRecord.objects.create(
        trainer=trainer,
        person=certificate.holder,
        course="Weld inspection refresher",
        started_on=timezone.localdate() - dt.timedelta(days=100),
        ended_on=timezone.localdate() - dt.timedelta(days=95),
        recorded_by=trainer,
    )

    with pytest.raises(ImpartialityError) as error:
        reinstate_certificate(certificate=certificate, actor=trainer, rationale=RATIONALE)

    assert error.value.code == "decider_trained_candidate"
