"""Root cause first, then actions with owners and due dates; the last done action makes the CAPA
implemented and tells the quality managers who implemented none of it."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.core.errors import DomainError
from peritus.notifications.models import OutboxMessage
from peritus.qms.models import ActionStatus, CorrectiveAction
from peritus.qms.services import add_action_step, complete_action_step, record_root_cause
from peritus.qms.tests.factories import in_days, planned_action, raised_action

pytestmark = pytest.mark.django_db


def test_actions_are_planned_only_once_the_root_cause_is_known(
    quality_manager: User, auditor: User
) -> None:
    action = raised_action(quality_manager)

    with pytest.raises(DomainError) as refused:
        add_action_step(
            actor=quality_manager, corrective_action=action, description="Lock the room",
            owner=auditor, due_on=in_days(5),
        )  # fmt: skip

    assert refused.value.code == "root_cause_missing"
    assert not action.steps.exists()


def test_planning_the_first_action_starts_the_work_and_tells_its_owner(
    quality_manager: User, auditor: User
) -> None:
    action, step = planned_action(quality_manager, step_owner=auditor)

    assert action.status == ActionStatus.IN_PROGRESS
    assert step.owner == auditor
    notice = OutboxMessage.objects.get(template="qms_action_step_assigned")
    assert notice.recipient_email == auditor.email


def test_the_owner_of_the_action_plans_it_but_someone_else_may_not(
    quality_manager: User, auditor: User, examiner: User
) -> None:
    action = raised_action(quality_manager, owner=auditor)

    record_root_cause(actor=auditor, corrective_action=action, root_cause="No checklist.")
    with pytest.raises(DomainError) as refused:
        record_root_cause(actor=examiner, corrective_action=action, root_cause="Bad luck.")

    assert refused.value.code == "role_not_held"
    assert CorrectiveAction.objects.get(pk=action.pk).root_cause == "No checklist."


def test_only_the_owner_of_a_step_or_the_quality_manager_records_it_done(
    quality_manager: User, auditor: User
) -> None:
    action, step = planned_action(quality_manager, step_owner=auditor)
    bystander = make_staff(RoleCode.EXAMINER)

    with pytest.raises(DomainError):
        complete_action_step(actor=bystander, step=step, note="Done it")
    complete_action_step(actor=auditor, step=step, note="Procedure written")

    action.refresh_from_db()
    assert action.status == ActionStatus.IMPLEMENTED
    assert action.implemented_at is not None


def test_the_action_is_implemented_only_when_every_step_is_done(
    quality_manager: User, auditor: User
) -> None:
    action, first = planned_action(quality_manager, step_owner=auditor)
    second = add_action_step(
        actor=quality_manager, corrective_action=action, description="Install a lock",
        owner=quality_manager, due_on=in_days(10),
    )  # fmt: skip

    complete_action_step(actor=auditor, step=first, note="Procedure written")
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS

    complete_action_step(actor=quality_manager, step=second, note="Lock fitted")
    action.refresh_from_db()
    assert action.status == ActionStatus.IMPLEMENTED


def test_quality_managers_who_implemented_nothing_are_asked_to_check(
    quality_manager: User, auditor: User
) -> None:
    other_manager = make_staff(RoleCode.QUALITY_MANAGER, email="qm2@peritus.example")
    action, step = planned_action(quality_manager, step_owner=auditor)

    complete_action_step(actor=auditor, step=step, note="Procedure written")

    asked = set(
        OutboxMessage.objects.filter(template="qms_ready_for_check").values_list(
            "recipient_email", flat=True
        )
    )
    assert asked == {quality_manager.email, other_manager.email}
    assert action.reference in OutboxMessage.objects.filter(template="qms_ready_for_check")[0].body


def test_a_step_cannot_be_recorded_done_twice(quality_manager: User, auditor: User) -> None:
    _action, step = planned_action(quality_manager, step_owner=auditor)
    complete_action_step(actor=auditor, step=step, note="Procedure written")

    with pytest.raises(DomainError) as refused:
        complete_action_step(actor=auditor, step=step, note="Again")

    assert refused.value.code == "step_already_done"
