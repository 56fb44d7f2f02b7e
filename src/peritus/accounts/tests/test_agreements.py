from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import AgreementAcceptance, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import (
    agreements_awaiting,
    current_agreement_for,
    has_role,
    list_personnel_active_without_agreement,
)
from peritus.accounts.services import accept_agreement, publish_agreement, require_role
from peritus.accounts.tests.factories import grant_role, make_user
from peritus.audit_trail.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_unaccepted_agreement_blocks_the_role() -> None:
    examiner = make_user()
    grant_role(examiner, RoleCode.EXAMINER, accept_agreement=False)

    with pytest.raises(RoleNotHeldError) as error:
        require_role(examiner, RoleCode.EXAMINER)

    assert error.value.code == "agreement_not_accepted"
    assert not has_role(examiner, RoleCode.EXAMINER)


def test_accepting_the_agreement_activates_the_role_and_records_version_time_and_address() -> None:
    examiner = make_user()
    grant_role(examiner, RoleCode.EXAMINER, accept_agreement=False)
    agreement = current_agreement_for(RoleCode.EXAMINER)
    assert agreement is not None

    accept_agreement(
        actor=examiner, agreement=agreement, ip_address="192.0.2.7", user_agent="Firefox"
    )

    require_role(examiner, RoleCode.EXAMINER)
    acceptance = AgreementAcceptance.objects.get(user=examiner)
    assert (acceptance.agreement, acceptance.ip_address) == (agreement, "192.0.2.7")
    assert AuditEvent.objects.filter(
        event_type="accounts.agreement.accepted", actor=examiner
    ).exists()


def test_a_new_agreement_version_deactivates_the_role_until_accepted(administrator: User) -> None:
    examiner = make_user()
    grant_role(examiner, RoleCode.EXAMINER)
    assert has_role(examiner, RoleCode.EXAMINER)

    new_version = publish_agreement(
        actor=administrator, title="Confidentiality, impartiality and interests agreement", version="2.0",
        body="Updated undertakings.", roles=["examiner"],
    )  # fmt: skip

    examiner = User.objects.get(pk=examiner.pk)
    assert not has_role(examiner, RoleCode.EXAMINER)
    assert agreements_awaiting(examiner) == [new_version]


def test_an_acceptance_lapses_after_a_year() -> None:
    examiner = make_user()
    grant_role(examiner, RoleCode.EXAMINER)
    with time_machine.travel(timezone.now() + dt.timedelta(days=366)):
        examiner = User.objects.get(pk=examiner.pk)
        assert not has_role(examiner, RoleCode.EXAMINER)


def test_the_report_of_personnel_acting_without_an_agreement_names_them() -> None:
    waiting = make_user()
    grant_role(waiting, RoleCode.DECISION_MAKER, accept_agreement=False)
    grant_role(make_user(), RoleCode.DECISION_MAKER)

    missing = list_personnel_active_without_agreement()

    assert [(user.pk, role) for user, role in missing] == [(waiting.pk, "decision_maker")]
