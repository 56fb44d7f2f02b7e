from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.appeals.errors import AppealsNotPermittedError
from peritus.appeals.models import Appeal, AppealOutcome, AppealSubject
from peritus.appeals.services import lodge_appeal, reinstate_after_appeal, request_new_decision
from peritus.appeals.tests.factories import GROUNDS, decided
from peritus.certification.models import Certificate, CertificateStatus, LifecycleDecision
from peritus.certification.services import suspend_certificate
from peritus.recertification.tests.factories import make_valid_certificate

pytestmark = pytest.mark.django_db


def test_an_upheld_appeal_against_a_suspension_reinstates_the_certificate(
    decision_maker: User, panel_member: User
) -> None:
    certificate = make_valid_certificate()
    suspend_certificate(
        certificate=certificate,
        actor=decision_maker,
        reason="Statement of continued practice missing.",
        conditions="Send the statement.",
        deadline=min(timezone.localdate() + dt.timedelta(days=30), certificate.expires_on),
    )
    holder = certificate.holder.user
    assert holder is not None
    appeal = lodge_appeal(
        actor=holder,
        subject_kind=AppealSubject.CERTIFICATE_STATUS,
        subject_key=certificate.number,
        grounds=GROUNDS,
    )
    assert appeal.certificate == certificate
    appeal = decided(appeal, panel_member, AppealOutcome.UPHELD)
    fresh = make_staff(RoleCode.DECISION_MAKER)
    action = request_new_decision(
        actor=panel_member,
        appeal=appeal,
        decision_maker=fresh,
        description="Reinstate: the statement was sent on time to the wrong address.",
    )

    with pytest.raises(AppealsNotPermittedError):
        reinstate_after_appeal(actor=panel_member, action=action, rationale="Upheld on appeal.")
    reinstate_after_appeal(
        actor=fresh, action=action, rationale=f"Appeal {appeal.reference} upheld."
    )

    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.status == CertificateStatus.VALID
    lifecycle = LifecycleDecision.objects.filter(certificate=certificate).latest("decided_at")
    done = Appeal.objects.get(pk=appeal.pk).actions.get()
    assert done.is_done
    assert done.certification_record == lifecycle.reference
