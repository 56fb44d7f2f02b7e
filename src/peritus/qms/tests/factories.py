"""Typed helpers that build corrective actions through the services (tests only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.qms.models import ActionSource, ActionStep, CorrectiveAction
from peritus.qms.services import (
    add_action_step,
    complete_action_step,
    raise_corrective_action,
    record_root_cause,
)


def make_quality_manager(**fields: Any) -> User:
    return make_staff(RoleCode.QUALITY_MANAGER, **fields)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def raised_action(actor: User, *, owner: User | None = None, **fields: Any) -> CorrectiveAction:
    values: dict[str, Any] = {
        "source": ActionSource.INTERNAL_AUDIT,
        "source_label": "Internal audit 2026-1, finding 3",
        "title": "Exam papers left unattended",
        "description": "Papers were left in an unlocked room before the session.",
        "owner": owner or actor,
        "due_on": in_days(60),
        **fields,
    }
    return raise_corrective_action(actor=actor, **values)


def planned_action(
    actor: User, *, step_owner: User, owner: User | None = None
) -> tuple[CorrectiveAction, ActionStep]:
    action = raised_action(actor, owner=owner)
    record_root_cause(actor=actor, corrective_action=action, root_cause="No key procedure.")
    step = add_action_step(
        actor=actor,
        corrective_action=action,
        description="Write and train a key procedure",
        owner=step_owner,
        due_on=in_days(20),
    )
    return CorrectiveAction.objects.get(pk=action.pk), step


def implemented_action(actor: User, *, step_owner: User) -> CorrectiveAction:
    action, step = planned_action(actor, step_owner=step_owner)
    complete_action_step(actor=step_owner, step=step, note="Procedure written, staff trained.")
    return CorrectiveAction.objects.get(pk=action.pk)
