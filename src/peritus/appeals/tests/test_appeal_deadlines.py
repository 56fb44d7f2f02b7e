from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.tests.factories import make_person
from peritus.appeals.events import AppealsEvent
from peritus.appeals.models import Appeal, AppealChannel, AppealSubject
from peritus.appeals.selectors import count_overdue, lateness, list_appeals
from peritus.appeals.services import record_acknowledgement, record_appeal
from peritus.appeals.tests.factories import GROUNDS, RefusedFile, lodged
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def by_letter(actor: User) -> Appeal:
    """An appeal by letter from a person with no email address: nobody is acknowledged
    automatically."""
    person = make_person(given_names="Lena", family_name="Brief", email="")
    return record_appeal(
        actor=actor,
        appellant=person,
        subject_kind=AppealSubject.OTHER,
        grounds=GROUNDS,
        channel=AppealChannel.LETTER,
    )


def tick(now: dt.datetime) -> None:
    call_command("tick", "--now", now.isoformat(), "--job", "appeals-deadlines", "--force")


def test_an_unacknowledged_appeal_is_flagged_once_when_its_deadline_passes(
    panel_member: User, quality_manager: User
) -> None:
    appeal = by_letter(panel_member)
    assert appeal.acknowledged_at is None
    due = appeal.acknowledge_due_on

    tick(timezone.now() + dt.timedelta(days=4))
    assert not AuditEvent.objects.filter(event_type=AppealsEvent.OVERDUE).exists()
    assert count_overdue(on=due) == 0

    later = timezone.now() + dt.timedelta(days=6)
    tick(later)
    tick(later + dt.timedelta(hours=2))

    assert AuditEvent.objects.filter(event_type=AppealsEvent.OVERDUE).count() == 1
    assert (
        OutboxMessage.objects.filter(
            template="appeals_overdue", recipient_email="quality@peritus.example"
        ).count()
        == 1
    )
    assert count_overdue(on=due + dt.timedelta(days=1)) == 1
    assert list(list_appeals(overdue=True, on=due + dt.timedelta(days=1))) == [appeal]
    assert lateness(appeal, on=due + dt.timedelta(days=1)).acknowledgement


def test_an_acknowledgement_by_post_is_recorded_by_staff(panel_member: User) -> None:
    appeal = by_letter(panel_member)

    record_acknowledgement(actor=panel_member, appeal=appeal, note="Letter posted on 3 March.")

    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.acknowledged_at is not None
    assert not lateness(stored).acknowledgement
    tick(timezone.now() + dt.timedelta(days=6))
    assert not AuditEvent.objects.filter(event_type=AppealsEvent.OVERDUE).exists()


def test_a_late_decision_is_flagged_once_and_the_appellant_is_told(
    candidate: User, refused: RefusedFile, quality_manager: User
) -> None:
    appeal = lodged(candidate, refused.decision)
    later = timezone.now() + dt.timedelta(days=61)

    tick(later)
    tick(later + dt.timedelta(hours=1))

    overdue = AuditEvent.objects.filter(event_type=AppealsEvent.OVERDUE)
    assert overdue.count() == 1
    assert '"stage":"decision"' in overdue.get().payload.replace(" ", "")
    assert (
        OutboxMessage.objects.filter(
            template="appeals_progress", recipient_email="candidate@peritus.example"
        ).count()
        == 1
    )
    assert Appeal.objects.get(pk=appeal.pk).updates.count() == 1
