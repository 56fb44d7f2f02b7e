from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    CertificateStatus,
    CertificateStatusChange,
    CertificateVersion,
    LifecycleAction,
    LifecycleDecision,
    ReissueReason,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.selectors import verify_certificate
from peritus.certification.services import reduce_scope, suspend_certificate
from peritus.certification.tests.factories import make_certificate
from peritus.notifications.models import OutboxMessage
from peritus.recertification.tests.factories import make_valid_certificate, reload
from peritus.schemes.models import ScopeItem
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db

REASON = "Level 2 practice not shown since 2025; complaint C-2026-019 founded for level 2."


def level(certificate_version_id: int, code: str) -> ScopeItem:
    return ScopeItem.objects.get(scheme_version_id=certificate_version_id, code=code)


def test_a_reduction_reissues_the_certificate_with_the_scope_kept(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    kept = [level(certificate.scheme_version_id, "L1")]

    reduce_scope(
        certificate=certificate, actor=decision_maker, scope_items_kept=kept, reason=REASON
    )

    stored = reload(certificate)
    assert [line["code"] for line in stored.scope] == ["L1"]
    assert list(stored.scope_items.values_list("code", flat=True)) == ["L1"]
    assert (stored.number, stored.revision, stored.status) == (
        certificate.number,
        2,
        CertificateStatus.VALID,
    )
    first, second = CertificateVersion.objects.filter(certificate=certificate).order_by("revision")
    assert first.superseded_at is not None
    assert second.reason == ReissueReason.SCOPE_REDUCTION
    assert [line["code"] for line in second.content["scope"]] == ["L1"]
    decision = LifecycleDecision.objects.get(certificate=certificate)
    assert (decision.action, decision.scope_before, decision.scope_after, decision.revision) == (
        LifecycleAction.REDUCE_SCOPE,
        ["L1", "L2"],
        ["L1"],
        2,
    )
    change = CertificateStatusChange.objects.filter(certificate=certificate).latest("pk")
    assert "L2" in change.reason
    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_SCOPE_REDUCED)
    assert (event.data["removed"], event.data["kept"]) == (["L2"], ["L1"])


def test_the_public_verification_shows_the_reduced_scope_at_once(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    reduce_scope(
        certificate=certificate,
        actor=decision_maker,
        scope_items_kept=[level(certificate.scheme_version_id, "L1")],
        reason=REASON,
    )

    verification = verify_certificate(certificate.number)
    assert [line["code"] for line in getattr(verification, "scope", [])] == ["L1"]
    old = verify_certificate(f"{certificate.number}-R1")
    assert getattr(old, "status", None) == "superseded"


def test_the_notice_says_stop_claiming_the_removed_scope(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    reduce_scope(
        certificate=certificate,
        actor=decision_maker,
        scope_items_kept=[level(certificate.scheme_version_id, "L1")],
        reason=REASON,
    )

    notice = OutboxMessage.objects.get(template="certification_certificate_scope_reduced")
    assert "Removed from the scope: L2" in notice.body
    assert "stop every claim beyond the new scope" in notice.body
    assert "revision 2" in notice.body


def test_reducing_a_suspended_certificate_reinstates_the_rest(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Complaint about level 2 work.",
        conditions="Show level 2 competence.",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )

    reduce_scope(
        certificate=certificate,
        actor=decision_maker,
        scope_items_kept=[level(certificate.scheme_version_id, "L1")],
        reason=REASON,
    )

    stored = reload(certificate)
    assert stored.status == CertificateStatus.VALID
    suspension = Suspension.objects.get(certificate=certificate)
    assert suspension.status == SuspensionStatus.REDUCED


@pytest.mark.parametrize(
    ("kept_codes", "code"),
    [([], "scope_required"), (["L1", "L2"], "scope_unchanged")],
)
def test_a_reduction_keeps_some_but_not_all_of_the_scope(
    decision_maker: User, kept_codes: list[str], code: str
) -> None:
    certificate = make_valid_certificate()
    kept = [level(certificate.scheme_version_id, value) for value in kept_codes]

    with pytest.raises(CertificationInputError) as error:
        reduce_scope(
            certificate=certificate, actor=decision_maker, scope_items_kept=kept, reason=REASON
        )

    assert error.value.code == code


def test_scope_the_certificate_does_not_carry_cannot_be_kept(decision_maker: User) -> None:
    certificate = make_valid_certificate()
    foreign = make_published_version().scope_items.get(code="L1")

    with pytest.raises(CertificationInputError) as error:
        reduce_scope(
            certificate=certificate,
            actor=decision_maker,
            scope_items_kept=[foreign],
            reason=REASON,
        )

    assert error.value.code == "scope_not_held"


def test_a_reduction_needs_reasons(decision_maker: User) -> None:
    certificate = make_valid_certificate()

    with pytest.raises(CertificationInputError) as error:
        reduce_scope(
            certificate=certificate,
            actor=decision_maker,
            scope_items_kept=[level(certificate.scheme_version_id, "L1")],
            reason="",
        )

    assert error.value.code == "reason_required"


def test_a_withdrawn_certificate_cannot_be_reduced(decision_maker: User) -> None:
    certificate = make_certificate(status=CertificateStatus.WITHDRAWN)

    with pytest.raises(CertificationError) as error:
        reduce_scope(
            certificate=certificate,
            actor=decision_maker,
            scope_items_kept=list(certificate.scope_items.all()[:1]),
            reason=REASON,
        )

    assert error.value.code == "certificate_withdrawn"
