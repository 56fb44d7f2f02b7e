"""Raising an action: directly by the quality manager, or from another record (appeal, complaint,
audit finding) inside that record's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from peritus.accounts.models import User
from peritus.accounts.selectors import get_person_of_user
from peritus.audit_trail.selectors import list_events_for
from peritus.core.errors import DomainError
from peritus.notifications.models import OutboxMessage
from peritus.qms.events import QmsEvent
from peritus.qms.models import ActionSource, ActionStatus, CorrectiveAction
from peritus.qms.selectors import list_corrective_actions, list_corrective_actions_for
from peritus.qms.services import record_corrective_action
from peritus.qms.tests.factories import in_days, raised_action

pytestmark = pytest.mark.django_db


def test_the_quality_manager_raises_an_action_owned_by_an_auditor_who_is_told(
    quality_manager: User, auditor: User
) -> None:
    action = raised_action(quality_manager, owner=auditor)

    assert action.status == ActionStatus.OPEN
    assert action.reference.startswith("CA-")
    assert list(list_corrective_actions(status="open")) == [action]
    assert [event.event_type for event in list_events_for(action)] == [
        QmsEvent.CORRECTIVE_ACTION_RAISED
    ]
    notice = OutboxMessage.objects.get(template="qms_corrective_action_assigned")
    assert notice.recipient_email == auditor.email
    assert action.reference in notice.body


def test_an_examiner_may_not_raise_an_action(examiner: User, quality_manager: User) -> None:
    with pytest.raises(DomainError) as refused:
        raised_action(examiner, owner=quality_manager)

    assert refused.value.code == "role_not_held"
    assert not CorrectiveAction.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"due_on": in_days(-1)}, "due_in_past"),
        ({"title": "  "}, "title_required"),
        ({"description": ""}, "description_required"),
        ({"source": ActionSource.OTHER, "source_label": ""}, "source_required"),
        ({"source": "gossip"}, "unknown_source"),
    ],
)
def test_an_incomplete_action_is_refused_and_nothing_is_stored(
    quality_manager: User, fields: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        raised_action(quality_manager, **fields)

    assert refused.value.code == code
    assert not CorrectiveAction.objects.exists()


def test_the_owner_must_be_a_member_of_the_personnel(
    quality_manager: User, candidate: User
) -> None:
    with pytest.raises(DomainError) as refused:
        raised_action(quality_manager, owner=candidate)

    assert refused.value.code == "owner_not_personnel"
    assert not CorrectiveAction.objects.exists()


def test_another_context_links_the_action_to_its_own_record(
    quality_manager: User, candidate: User
) -> None:
    finding = get_person_of_user(candidate)
    assert finding is not None
    with transaction.atomic():
        action = record_corrective_action(
            actor=quality_manager, source=ActionSource.COMPLAINT, source_record=finding,
            title="Slow answers", description="Letters went unanswered for weeks.",
            owner=quality_manager, due_on=in_days(30),
        )  # fmt: skip

    assert list(list_corrective_actions_for(finding)) == [action]
    assert action.source_label == str(finding)
    assert [event.event_type for event in list_events_for(finding)] == [
        QmsEvent.CORRECTIVE_ACTION_RAISED
    ]
    assert not OutboxMessage.objects.filter(template="qms_corrective_action_assigned").exists()


def test_the_quality_manager_links_an_action_to_the_finding_it_answers(
    quality_manager: User, candidate: User
) -> None:
    finding = get_person_of_user(candidate)
    assert finding is not None

    action = raised_action(quality_manager, source_record=finding, source_label="")

    assert list(list_corrective_actions_for(finding)) == [action]
    assert action.source_label == str(finding)
