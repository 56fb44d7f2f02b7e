from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, ImpartialityError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateVersion,
    LifecycleAction,
)
from peritus.certification.services import renew_certificate, suspend_certificate
from peritus.certification.services.renewal import renewed_expiry
from peritus.recertification.tests.factories import make_valid_certificate, reload

pytestmark = pytest.mark.django_db

ISSUED = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC), tick=False)


def decider() -> User:
    """A decision maker whose yearly agreement is current on the (travelled) day."""
    return make_staff(RoleCode.DECISION_MAKER)


def issued_certificate() -> Certificate:
    with time_machine.travel(ISSUED, tick=False):
        return make_valid_certificate(valid_from=ISSUED.date())


def test_the_next_cycle_runs_from_the_day_after_the_previous_expiry() -> None:
    assert renewed_expiry(dt.date(2029, 2, 28), 36) == dt.date(2032, 2, 29)
    assert renewed_expiry(dt.date(2029, 3, 31), 12) == dt.date(2030, 3, 31)


def test_recertified_in_the_window_validity_runs_on_from_the_previous_expiry() -> None:
    certificate = issued_certificate()
    assert certificate.expires_on == dt.date(2029, 2, 28)

    with at(dt.date(2028, 11, 15)):
        decision = renew_certificate(
            certificate=certificate, actor=decider(), rationale="CPD and work log complete."
        )

    renewed = reload(certificate)
    assert renewed.expires_on == dt.date(2032, 2, 29)  # not three years from 15 November 2028
    assert renewed.number == certificate.number
    assert renewed.revision == 2
    assert renewed.status == CertificateStatus.VALID
    assert renewed.status_since == certificate.status_since  # no break in validity
    assert decision.action == LifecycleAction.RECERTIFY
    assert (decision.expires_before, decision.expires_after) == (
        dt.date(2029, 2, 28),
        dt.date(2032, 2, 29),
    )
    first, second = CertificateVersion.objects.filter(certificate=certificate).order_by("revision")
    assert first.superseded_at is not None
    assert second.reason == "recertification"
    assert second.content["expires_on"] == "2032-02-29"
    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_RECERTIFIED)
    assert event.data["expires_after"] == "2032-02-29"
    assert event.data["late"] is False


def test_the_public_verification_shows_the_new_validity_at_once(client: Client) -> None:
    certificate = issued_certificate()
    with at(dt.date(2029, 1, 10)):
        before = client.get(f"/verify/{certificate.number}/")
        renew_certificate(certificate=certificate, actor=decider(), rationale="Complete.")
        after = client.get(f"/verify/{certificate.number}/")
        api = client.get(f"/api/v1/certificates/{certificate.number}/verification")

    assert "2029-02-28" in before.content.decode() or "28 February 2029" in before.content.decode()
    page = after.content.decode()
    assert "2032-02-29" in page or "29 February 2032" in page
    assert api.json()["expires_on"] == "2032-02-29"
    assert api.json()["status"] == "valid"


def test_late_recertification_in_the_grace_period_keeps_the_gap_and_gains_no_time() -> None:
    certificate = issued_certificate()

    with at(dt.date(2029, 3, 20)):
        renew_certificate(
            certificate=certificate, actor=decider(), rationale="Late.", grace_days=30
        )

    renewed = reload(certificate)
    assert renewed.expires_on == dt.date(2032, 2, 29)  # as if recertified on time
    assert renewed.status == CertificateStatus.VALID
    assert renewed.status_since == dt.date(2029, 3, 20)
    changes = list(
        CertificateStatusChange.objects.filter(certificate=certificate)
        .order_by("recorded_at", "pk")
        .values_list("to_status", "effective_on")
    )
    assert changes[-2:] == [
        (CertificateStatus.EXPIRED, dt.date(2029, 3, 1)),
        (CertificateStatus.VALID, dt.date(2029, 3, 20)),
    ]


def test_after_the_grace_period_recertification_is_refused() -> None:
    certificate = issued_certificate()

    with at(dt.date(2029, 4, 1)), pytest.raises(CertificationError) as refused:
        renew_certificate(
            certificate=certificate, actor=decider(), rationale="Late.", grace_days=30
        )

    assert refused.value.code == "grace_period_over"
    assert reload(certificate).expires_on == dt.date(2029, 2, 28)


def test_a_suspended_certificate_is_not_recertified() -> None:
    certificate = issued_certificate()
    with at(dt.date(2028, 10, 1)):
        other = make_staff(RoleCode.DECISION_MAKER)
        suspend_certificate(
            certificate=certificate,
            actor=other,
            reason="Surveillance refused.",
            conditions="Submit the work log.",
            deadline=dt.date(2028, 12, 1),
        )
        with pytest.raises(CertificationError) as refused:
            renew_certificate(certificate=certificate, actor=decider(), rationale="Complete.")

    assert refused.value.code == "certificate_suspended"


def test_only_a_decision_maker_recertifies() -> None:
    certificate = issued_certificate()
    with at(dt.date(2028, 11, 15)):
        officer = make_staff(RoleCode.CERTIFICATION_OFFICER)
        with pytest.raises(RoleNotHeldError) as refused:
            renew_certificate(certificate=certificate, actor=officer, rationale="Complete.")
    assert refused.value.code == "role_not_held"


def test_the_reviewer_of_the_file_may_not_decide() -> None:
    certificate = issued_certificate()
    with at(dt.date(2028, 11, 15)):
        reviewer_decider = decider()
        with pytest.raises(ImpartialityError) as refused:
            renew_certificate(
                certificate=certificate,
                actor=reviewer_decider,
                rationale="Complete.",
                not_by=[reviewer_decider.pk],
            )

    assert refused.value.code == "decider_reviewed_recertification"
    assert reload(certificate).revision == 1


def test_the_holder_may_not_recertify_themself() -> None:
    certificate = issued_certificate()
    holder_user = certificate.holder.user
    assert holder_user is not None
    from peritus.accounts.tests.factories import grant_role

    with at(dt.date(2028, 11, 15)):
        grant_role(holder_user, RoleCode.DECISION_MAKER)
        with pytest.raises(ImpartialityError) as refused:
            renew_certificate(certificate=certificate, actor=holder_user, rationale="Mine.")

    assert refused.value.code == "decider_is_candidate"


def test_a_certificate_the_expiry_job_expired_comes_back_within_the_grace_period() -> None:
    from peritus.certification.services import expire_certificates

    certificate = issued_certificate()
    with at(dt.date(2029, 3, 2)):
        expire_certificates(now=dt.datetime(2029, 3, 2, 2, tzinfo=dt.UTC))
    assert reload(certificate).status == CertificateStatus.EXPIRED

    with at(dt.date(2029, 3, 10)):
        renew_certificate(
            certificate=certificate, actor=decider(), rationale="Late.", grace_days=30
        )

    renewed = reload(certificate)
    assert (renewed.status, renewed.status_since) == (CertificateStatus.VALID, dt.date(2029, 3, 10))
    assert renewed.expires_on == dt.date(2032, 2, 29)
    statuses = list(
        CertificateStatusChange.objects.filter(certificate=certificate)
        .order_by("recorded_at", "pk")
        .values_list("to_status", flat=True)
    )
    assert statuses == ["valid", "expired", "valid"]  # the expiry recorded once
