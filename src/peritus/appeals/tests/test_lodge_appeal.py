from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from peritus.accounts.models import User
from peritus.appeals.errors import AppealsError, AppealsInputError
from peritus.appeals.events import AppealsEvent
from peritus.appeals.models import Appeal, AppealStatus, AppealSubject
from peritus.appeals.services import lodge_appeal
from peritus.appeals.subjects import list_appealable_records
from peritus.appeals.tests.factories import GROUNDS, RefusedFile, lodged, refused_file
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_candidate_appeals_their_refused_decision_and_is_acknowledged_at_once(
    candidate: User, refused: RefusedFile
) -> None:
    appeal = lodged(candidate, refused.decision)

    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.status == AppealStatus.RECEIVED
    assert stored.decision == refused.decision
    assert stored.lodged_in_time is True
    assert stored.acknowledged_at is not None
    assert stored.acknowledge_due_on == timezone.localdate() + dt.timedelta(days=5)
    assert stored.decision_due_on == timezone.localdate() + dt.timedelta(days=60)
    notice = OutboxMessage.objects.get(template="appeals_acknowledged")
    assert notice.recipient_email == "candidate@peritus.example"
    assert appeal.reference in notice.subject
    assert AuditEvent.objects.filter(event_type=AppealsEvent.RECEIVED).count() == 1
    assert AuditEvent.objects.filter(event_type=AppealsEvent.ACKNOWLEDGED).count() == 1


@override_settings(PERITUS_APPEALS_ACKNOWLEDGE_DAYS=2, PERITUS_APPEALS_DECISION_DAYS=20)
def test_the_deadlines_follow_the_settings(candidate: User, refused: RefusedFile) -> None:
    appeal = lodged(candidate, refused.decision)

    assert appeal.acknowledge_due_on == timezone.localdate() + dt.timedelta(days=2)
    assert appeal.decision_due_on == timezone.localdate() + dt.timedelta(days=20)


@override_settings(PERITUS_APPEAL_WINDOW_DAYS=30)
def test_an_appeal_after_the_window_is_received_but_marked_late(
    candidate: User, refused: RefusedFile
) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=31), tick=False):
        appeal = lodged(candidate, refused.decision)

    assert appeal.lodged_in_time is False
    notice = OutboxMessage.objects.get(template="appeals_acknowledged")
    assert "more than 30 days after the decision" in notice.body


@override_settings(PERITUS_APPEAL_WINDOW_DAYS=30)
def test_an_appeal_on_the_last_day_of_the_window_is_in_time(
    candidate: User, refused: RefusedFile
) -> None:
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        appeal = lodged(candidate, refused.decision)

    assert appeal.lodged_in_time is True


def test_a_decision_cannot_be_appealed_twice(candidate: User, refused: RefusedFile) -> None:
    lodged(candidate, refused.decision)

    with pytest.raises(AppealsError) as refusal:
        lodged(candidate, refused.decision)

    assert refusal.value.code == "already_appealed"
    assert Appeal.objects.count() == 1


def test_nobody_appeals_a_decision_about_someone_else(
    candidate: User, outsider: User, refused: RefusedFile
) -> None:
    with pytest.raises(AppealsInputError) as refusal:
        lodged(outsider, refused.decision)

    assert refusal.value.code == "record_not_found"
    assert not Appeal.objects.exists()


def test_an_appeal_needs_grounds(candidate: User, refused: RefusedFile) -> None:
    with pytest.raises(AppealsInputError) as refusal:
        lodge_appeal(
            actor=candidate,
            subject_kind=AppealSubject.CERTIFICATION_DECISION,
            subject_key=refused.decision.reference,
            grounds="   ",
        )

    assert refusal.value.code == "grounds_required"


def test_the_portal_offers_the_persons_own_decisions_not_yet_appealed(
    candidate: User, outsider: User, refused: RefusedFile
) -> None:
    other = refused_file(outsider)

    offered = [record.key for record in list_appealable_records(refused.person)]
    assert refused.decision.reference in offered
    assert other.decision.reference not in offered

    lodged(candidate, refused.decision)
    offered = [record.key for record in list_appealable_records(refused.person)]
    assert refused.decision.reference not in offered


def test_another_decision_of_the_body_can_be_appealed_without_a_record(
    candidate: User, refused: RefusedFile
) -> None:
    appeal = lodge_appeal(actor=candidate, subject_kind=AppealSubject.OTHER, grounds=GROUNDS)

    assert appeal.subject_kind == AppealSubject.OTHER
    assert appeal.lodged_in_time is None
