from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peritus.accounts.models import User
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application
from peritus.applications.services import (
    request_more_information,
    send_information_reminders,
    start_review,
)
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2027, 3, 1, 8, 0, tzinfo=dt.UTC)


@time_machine.travel(MONDAY, tick=False)
def test_applicants_are_reminded_once_when_an_answer_is_nearly_due(
    submitted: Application, reviewer: User
) -> None:
    start_review(actor=reviewer, application=submitted, has_conflict=False)
    request_more_information(
        actor=reviewer, application=submitted, message="Dated letter please",
        due_on=dt.date(2027, 3, 10),
    )  # fmt: skip

    assert send_information_reminders(now=MONDAY) == 0
    eight_days_later = MONDAY + dt.timedelta(days=8)
    assert send_information_reminders(now=eight_days_later) == 1
    assert send_information_reminders(now=eight_days_later) == 0

    notice = OutboxMessage.objects.get(template="applications_information_reminder")
    assert "Dated letter please" in notice.body
    assert "10 March 2027" in notice.body
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.INFORMATION_REMINDER_SENT)
    assert event.actor_id is None


@time_machine.travel(MONDAY, tick=False)
def test_answered_requests_are_not_reminded(
    submitted: Application, reviewer: User, candidate: User
) -> None:
    from peritus.applications.services import respond_to_information_request

    start_review(actor=reviewer, application=submitted, has_conflict=False)
    request_more_information(
        actor=reviewer, application=submitted, message="Dated letter please",
        due_on=dt.date(2027, 3, 2),
    )  # fmt: skip
    respond_to_information_request(actor=candidate, application=submitted, response="Attached.")

    assert send_information_reminders(now=MONDAY) == 0
