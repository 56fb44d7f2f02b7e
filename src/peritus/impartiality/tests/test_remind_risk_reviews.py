from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import ImpartialityRisk
from peritus.impartiality.services import (
    close_risk,
    record_risk,
    remind_overdue_risk_reviews,
    review_risk,
)
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def risk_due_in(quality_manager: User, days: int, *, controls: str = "") -> ImpartialityRisk:
    return record_risk(
        actor=quality_manager, threat="Shared directors", source="governance", likelihood=2,
        impact=3, owner=quality_manager, controls=controls,
        review_due_on=timezone.localdate() + dt.timedelta(days=days),
    )  # fmt: skip


def test_the_committee_and_the_owner_are_reminded_once_per_review_date(
    quality_manager: User, committee_member: User
) -> None:
    due = risk_due_in(quality_manager, -1)
    risk_due_in(quality_manager, 10)

    first = remind_overdue_risk_reviews(now=timezone.now())
    second = remind_overdue_risk_reviews(now=timezone.now())

    assert (first, second) == (1, 0)
    recipients = set(
        OutboxMessage.objects.filter(template="impartiality_risk_review_due").values_list(
            "recipient_user", flat=True
        )
    )
    assert recipients == {quality_manager.pk, committee_member.pk}
    event = AuditEvent.objects.get(event_type=ImpartialityEvent.RISK_REVIEW_REMINDED)
    assert (event.actor_id, event.subject_id) == (None, str(due.pk))


def test_a_new_review_date_is_reminded_again_when_it_comes(
    quality_manager: User, committee_member: User
) -> None:
    risk = risk_due_in(quality_manager, -1)
    remind_overdue_risk_reviews(now=timezone.now())
    next_review = timezone.localdate() + dt.timedelta(days=30)
    review_risk(
        actor=committee_member, risk=risk, conclusion="adequate", notes="Fine",
        next_review_on=next_review,
    )  # fmt: skip

    later = timezone.now() + dt.timedelta(days=31)

    assert remind_overdue_risk_reviews(now=timezone.now()) == 0
    assert remind_overdue_risk_reviews(now=later) == 1


def test_closed_risks_need_no_review(quality_manager: User, committee_member: User) -> None:
    risk = risk_due_in(quality_manager, -3, controls="Board separated")
    close_risk(actor=quality_manager, risk=risk, reason="Directors no longer shared")

    assert remind_overdue_risk_reviews(now=timezone.now()) == 0


def test_the_job_is_registered_for_tick() -> None:
    from peritus.scheduling.registry import get_job

    job = get_job("impartiality-risk-reviews")

    assert job.every == dt.timedelta(days=1)
    assert job.description.startswith("Remind the impartiality committee")
