from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    CertificateStatus,
    CertificateStatusChange,
    LifecycleAction,
    LifecycleDecision,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.selectors import Verification, verify_certificate
from peritus.certification.services import suspend_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import ConflictDeclaration
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate, reload

pytestmark = pytest.mark.django_db

REASON = "Yearly statement of continued activity not received."
CONDITIONS = "Send the statement signed by your employer."


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_a_suspension_changes_the_status_and_records_who_why_and_until_when(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason=REASON,
        conditions=CONDITIONS,
        deadline=in_days(60),
    )

    stored = reload(certificate)
    assert (stored.status, stored.status_since) == (
        CertificateStatus.SUSPENDED,
        timezone.localdate(),
    )
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert decision.action == LifecycleAction.SUSPEND
    assert (decision.decided_by, decision.reason, decision.conditions, decision.deadline) == (
        decision_maker,
        REASON,
        CONDITIONS,
        in_days(60),
    )
    suspension = Suspension.objects.get(certificate=certificate)
    assert suspension.status == SuspensionStatus.OPEN
    assert (suspension.starts_on, suspension.deadline) == (timezone.localdate(), in_days(60))
    change = CertificateStatusChange.objects.filter(certificate=certificate).latest("pk")
    assert (change.from_status, change.to_status, change.actor, change.reason) == (
        CertificateStatus.VALID,
        CertificateStatus.SUSPENDED,
        decision_maker,
        REASON,
    )


def test_the_suspension_is_audited_with_the_decision_and_its_deadline(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason=REASON,
        conditions=CONDITIONS,
        deadline=in_days(60),
    )

    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_SUSPENDED)
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert (event.actor, event.actor_role, event.reason) == (
        decision_maker,
        RoleCode.DECISION_MAKER,
        REASON,
    )
    assert event.data["decision"] == decision.reference
    assert event.data["deadline"] == in_days(60).isoformat()
    assert {"type": "certification.lifecycledecision", "id": str(decision.pk)} in event.related


def test_the_notice_gives_reasons_duration_conditions_what_to_stop_and_how_to_appeal(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()

    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason=REASON,
        conditions=CONDITIONS,
        deadline=in_days(60),
    )

    notice = OutboxMessage.objects.get(template="certification_certificate_suspended")
    assert notice.recipient_email == certificate.holder.email
    assert certificate.number in notice.subject
    assert REASON in notice.body
    assert CONDITIONS in notice.body
    assert "60 days" in notice.body
    assert "stop presenting yourself as certified" in notice.body
    assert "certification marks" in notice.body
    assert "How to be reinstated" in notice.body
    assert "appeal against this decision within 30 days" in notice.body
    assert LifecycleDecision.objects.get(certificate=certificate).notice == notice


def test_the_public_status_shows_suspended_at_once_with_its_date(
    decision_maker: User, client: Client
) -> None:
    certificate = make_valid_certificate()

    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason=REASON,
        conditions=CONDITIONS,
        deadline=in_days(60),
    )

    verification = verify_certificate(certificate.number)
    assert isinstance(verification, Verification)
    assert verification.status == CertificateStatus.SUSPENDED
    assert verification.status_since == timezone.localdate()
    body = client.get(f"/api/v1/certificates/{certificate.number}/verification").json()
    assert (body["status"], body["status_since"]) == (
        "suspended",
        timezone.localdate().isoformat(),
    )
    page = client.get(f"/verify/{certificate.number}/")
    assert "Suspended" in page.content.decode()


def test_someone_without_the_decision_role_is_refused(officer: User) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(RoleNotHeldError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=officer,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(60),
        )

    assert error.value.code == "role_not_held"
    assert reload(certificate).status == CertificateStatus.VALID


def test_a_decision_maker_for_another_scheme_is_refused() -> None:
    certificate = make_valid_certificate()
    other = make_certificate()
    decider = make_staff(with_totp=False)
    grant_role(decider, RoleCode.DECISION_MAKER, scheme=other.scheme)

    with pytest.raises(RoleNotHeldError):
        suspend_certificate(
            certificate=certificate,
            actor=decider,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(60),
        )


@pytest.mark.parametrize(
    ("field", "code"),
    [("reason", "reason_required"), ("conditions", "conditions_required")],
)
def test_reasons_and_conditions_are_required(decision_maker: User, field: str, code: str) -> None:
    certificate = make_valid_certificate()
    values = {"reason": REASON, "conditions": CONDITIONS, field: "  "}

    with pytest.raises(CertificationInputError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            deadline=in_days(60),
            reason=values["reason"],
            conditions=values["conditions"],
        )

    assert error.value.code == code


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (None, "deadline_required"),
        (0, "deadline_in_past"),
        (-3, "deadline_in_past"),
        (366, "deadline_too_far"),
    ],
)
def test_the_deadline_must_be_a_future_date_within_the_longest_suspension(
    decision_maker: User, days: int | None, code: str
) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(CertificationInputError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=None if days is None else in_days(days),
        )

    assert error.value.code == code


def test_the_deadline_cannot_fall_after_the_expiry(decision_maker: User) -> None:
    certificate = make_valid_certificate(valid_from=timezone.localdate() - dt.timedelta(days=1070))

    with pytest.raises(CertificationInputError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(120),
        )

    assert error.value.code == "deadline_after_expiry"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (CertificateStatus.SUSPENDED, "already_suspended"),
        (CertificateStatus.WITHDRAWN, "certificate_withdrawn"),
        (CertificateStatus.EXPIRED, "certificate_expired"),
    ],
)
def test_only_a_valid_certificate_is_suspended(
    decision_maker: User, status: str, code: str
) -> None:
    certificate = make_certificate(status=status)

    with pytest.raises(CertificationError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(30),
        )

    assert error.value.code == code


def test_a_certificate_past_its_date_counts_as_expired_before_the_job_records_it(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate(valid_from=timezone.localdate() - dt.timedelta(days=1200))

    with pytest.raises(CertificationError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(30),
        )

    assert error.value.code == "certificate_expired"


def test_the_holder_cannot_decide_on_their_own_certificate() -> None:
    certificate = make_valid_certificate()
    holder_user = certificate.holder.user
    assert holder_user is not None
    grant_role(holder_user, RoleCode.DECISION_MAKER)

    with pytest.raises(ImpartialityError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=holder_user,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(30),
        )

    assert error.value.code == "decider_is_candidate"


def test_a_decider_with_a_declared_conflict_is_refused_and_the_refusal_is_logged(
    decision_maker: User,
) -> None:
    certificate = make_valid_certificate()
    ConflictDeclaration.objects.create(
        declarant=decision_maker,
        person=certificate.holder,
        has_conflict=True,
        nature="relative",
        details="My cousin.",
    )

    with pytest.raises(ImpartialityError) as error:
        suspend_certificate(
            certificate=certificate,
            actor=decision_maker,
            reason=REASON,
            conditions=CONDITIONS,
            deadline=in_days(30),
        )

    assert error.value.code == "decider_declared_conflict"
    refusal = AuditEvent.objects.get(event_type=ImpartialityEvent.ACTION_REFUSED)
    assert refusal.data == {"action": "suspend_certificate", "code": "decider_declared_conflict"}
    assert reload(certificate).status == CertificateStatus.VALID
