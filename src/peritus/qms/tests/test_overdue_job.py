"""The tick job tells owners once about each missed due date (of the action or of a step)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.notifications.models import OutboxMessage
from peritus.qms.selectors import count_overdue_corrective_actions, list_corrective_actions
from peritus.qms.services import (
    close_corrective_action,
    complete_action_step,
    notify_overdue_corrective_actions,
    record_effectiveness_check,
)
from peritus.qms.tests.factories import planned_action, raised_action

pytestmark = pytest.mark.django_db


def test_a_missed_date_to_close_by_is_announced_once(quality_manager: User, auditor: User) -> None:
    action = raised_action(quality_manager, owner=auditor)
    later = timezone.now() + dt.timedelta(days=61)

    assert notify_overdue_corrective_actions(now=timezone.now()) == 0
    assert notify_overdue_corrective_actions(now=later) == 1
    assert notify_overdue_corrective_actions(now=later) == 0

    notice = OutboxMessage.objects.get(template="qms_overdue")
    assert notice.recipient_email == auditor.email
    assert action.reference in notice.body


def test_a_late_step_makes_the_action_overdue_and_its_owner_is_told(
    quality_manager: User, auditor: User
) -> None:
    action, step = planned_action(quality_manager, step_owner=auditor)
    day_after_step = timezone.localdate() + dt.timedelta(days=21)

    assert count_overdue_corrective_actions(on=day_after_step) == 1
    assert list(list_corrective_actions(overdue=True, on=day_after_step)) == [action]
    told = notify_overdue_corrective_actions(now=timezone.now() + dt.timedelta(days=21))

    assert told == 1
    notice = OutboxMessage.objects.get(template="qms_overdue")
    assert notice.recipient_email == auditor.email
    assert step.description in notice.body


def test_closed_actions_are_never_overdue(quality_manager: User, auditor: User) -> None:
    action, step = planned_action(quality_manager, step_owner=auditor)
    complete_action_step(actor=auditor, step=step, note="Done")
    record_effectiveness_check(
        actor=quality_manager, corrective_action=action, effective=True, evidence="Checked"
    )
    close_corrective_action(actor=quality_manager, corrective_action=action, summary="Works")

    assert notify_overdue_corrective_actions(now=timezone.now() + dt.timedelta(days=400)) == 0


def test_the_job_is_registered_for_tick() -> None:
    from peritus.scheduling.registry import get_job

    job = get_job("qms-corrective-action-deadlines")

    assert job.every == dt.timedelta(hours=12)
