"""R29: someone who implemented none of the actions checks that they worked; only then may the
quality manager close the action. A refusal is audited."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.impartiality.events import ImpartialityEvent
from peritus.qms.models import ActionStatus, CorrectiveAction, EffectivenessCheck
from peritus.qms.services import (
    add_action_step,
    cancel_corrective_action,
    close_corrective_action,
    record_effectiveness_check,
    record_root_cause,
)
from peritus.qms.tests.factories import implemented_action, in_days, planned_action, raised_action

pytestmark = pytest.mark.django_db


def test_someone_who_implemented_an_action_may_not_check_it(
    quality_manager: User, auditor: User
) -> None:
    action = implemented_action(quality_manager, step_owner=auditor)

    with pytest.raises(DomainError) as refused:
        record_effectiveness_check(
            actor=auditor, corrective_action=action, effective=True, evidence="All fine."
        )

    assert refused.value.code == "checker_implemented_actions"
    assert refused.value.http_status == 403
    assert not EffectivenessCheck.objects.exists()
    assert AuditEvent.objects.filter(event_type=ImpartialityEvent.ACTION_REFUSED).count() == 1


def test_an_effective_check_lets_the_quality_manager_close(
    quality_manager: User, auditor: User
) -> None:
    action = implemented_action(quality_manager, step_owner=auditor)

    record_effectiveness_check(
        actor=quality_manager, corrective_action=action, effective=True,
        evidence="Three spot checks: rooms locked.",
    )  # fmt: skip
    closed = close_corrective_action(
        actor=quality_manager, corrective_action=action, summary="Procedure works."
    )

    assert closed.status == ActionStatus.CLOSED
    assert closed.closed_by == quality_manager


def test_an_ineffective_check_sends_the_action_back_for_more_work(
    quality_manager: User, auditor: User
) -> None:
    action = implemented_action(quality_manager, step_owner=auditor)

    record_effectiveness_check(
        actor=quality_manager, corrective_action=action, effective=False,
        evidence="Room found open twice.",
    )  # fmt: skip

    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    add_action_step(
        actor=quality_manager, corrective_action=action, description="Fit a self-closing door",
        owner=auditor, due_on=in_days(10),
    )  # fmt: skip
    assert action.steps.count() == 2


def test_an_action_is_never_closed_before_a_check_found_it_effective(
    quality_manager: User, auditor: User
) -> None:
    action = implemented_action(quality_manager, step_owner=auditor)

    with pytest.raises(DomainError) as refused:
        close_corrective_action(actor=quality_manager, corrective_action=action, summary="Done.")

    assert refused.value.code == "effectiveness_not_verified"
    assert CorrectiveAction.objects.get(pk=action.pk).status == ActionStatus.IMPLEMENTED


def test_effectiveness_is_checked_only_once_everything_is_done(
    quality_manager: User, auditor: User
) -> None:
    action, _step = planned_action(quality_manager, step_owner=auditor)

    with pytest.raises(DomainError) as refused:
        record_effectiveness_check(
            actor=quality_manager, corrective_action=action, effective=True, evidence="Looks ok."
        )

    assert refused.value.code == "not_implemented"


def test_only_the_quality_manager_closes(quality_manager: User, auditor: User) -> None:
    action = implemented_action(quality_manager, step_owner=quality_manager)
    record_effectiveness_check(
        actor=auditor, corrective_action=action, effective=True, evidence="Checked."
    )

    with pytest.raises(DomainError) as refused:
        close_corrective_action(actor=auditor, corrective_action=action, summary="Done.")

    assert refused.value.code == "role_not_held"


def test_an_action_raised_in_error_is_cancelled_with_a_reason_and_is_then_frozen(
    quality_manager: User,
) -> None:
    action = raised_action(quality_manager)

    cancelled = cancel_corrective_action(
        actor=quality_manager, corrective_action=action, reason="Duplicate of another action."
    )

    assert cancelled.status == ActionStatus.CANCELLED
    with pytest.raises(DomainError) as refused:
        record_root_cause(actor=quality_manager, corrective_action=action, root_cause="x")
    assert refused.value.code == "corrective_action_finished"


def test_done_work_cannot_be_cancelled(quality_manager: User, auditor: User) -> None:
    action = implemented_action(quality_manager, step_owner=auditor)

    with pytest.raises(DomainError) as refused:
        cancel_corrective_action(actor=quality_manager, corrective_action=action, reason="Oops")

    assert refused.value.code == "not_cancellable"
