from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.appeals.errors import AppealsInputError
from peritus.appeals.models import Appeal, AppealChannel, AppealSubject
from peritus.appeals.services import record_appeal
from peritus.appeals.tests.factories import GROUNDS, RefusedFile
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_staff_record_an_appeal_received_by_email_on_the_day_it_arrived(
    refused: RefusedFile, panel_member: User
) -> None:
    received_at = timezone.now() - dt.timedelta(days=3)

    appeal = record_appeal(
        actor=panel_member,
        appellant=refused.person,
        subject_kind=AppealSubject.CERTIFICATION_DECISION,
        subject_key=refused.decision.reference.lower(),
        grounds=GROUNDS,
        channel=AppealChannel.EMAIL,
        received_at=received_at,
    )

    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.channel, stored.recorded_by, stored.decision) == (
        AppealChannel.EMAIL,
        panel_member,
        refused.decision,
    )
    assert stored.acknowledge_due_on == timezone.localdate(received_at) + dt.timedelta(days=5)
    assert OutboxMessage.objects.filter(template="appeals_acknowledged").count() == 1


def test_a_candidate_cannot_record_an_appeal_for_someone_else(
    refused: RefusedFile, outsider: User
) -> None:
    with pytest.raises(RoleNotHeldError):
        record_appeal(
            actor=outsider,
            appellant=refused.person,
            subject_kind=AppealSubject.OTHER,
            grounds=GROUNDS,
        )

    assert not Appeal.objects.exists()


def test_the_day_received_cannot_be_in_the_future(refused: RefusedFile, panel_member: User) -> None:
    with pytest.raises(AppealsInputError) as refusal:
        record_appeal(
            actor=panel_member,
            appellant=refused.person,
            subject_kind=AppealSubject.OTHER,
            grounds=GROUNDS,
            received_at=timezone.now() + dt.timedelta(days=1),
        )

    assert refusal.value.code == "received_in_future"
