"""Use cases of the corrective and preventive action register (10.2.7, 10.2.8; rule R29).

Other contexts raise an action from their own records (an upheld appeal, a complaint about the
body, an exam statistics review) with `record_corrective_action`, inside their own transaction;
the quality manager raises one directly with `raise_corrective_action`. An action closes only
after someone who implemented none of it checked that it worked: that is a hard rule here,
whoever calls, and a refusal is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role, role_grants
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event, record_label
from peritus.impartiality.refusals import audit_refusals
from peritus.notifications.services import queue_notification
from peritus.qms.errors import ImpartialityError, QmsError, QmsInputError
from peritus.qms.events import QmsEvent
from peritus.qms.models import (
    ActionKind,
    ActionSource,
    ActionStatus,
    ActionStep,
    CorrectiveAction,
    EffectivenessCheck,
)
from peritus.qms.selectors import implementer_ids

# Who raises an action directly; appeals and complaints raise theirs through their own services.
RAISING_ROLES = (
    RoleCode.QUALITY_MANAGER,
    RoleCode.INTERNAL_AUDITOR,
    RoleCode.TOP_MANAGEMENT,
    RoleCode.PSYCHOMETRICIAN,
)
# Who checks effectiveness (R29: never someone who implemented the actions).
CHECKING_ROLES = (RoleCode.QUALITY_MANAGER, RoleCode.INTERNAL_AUDITOR, RoleCode.TOP_MANAGEMENT)


def _require_one_of(actor: Any, *roles: RoleCode) -> None:
    if any(has_role(actor, role) for role in roles):
        return
    require_role(actor, roles[0])


def _require_personnel(user: Any, what: str) -> None:
    if user is None or not _is_active_personnel(user):
        raise QmsInputError(
            "owner_not_personnel",
            _("The %(what)s must be a member of the personnel with an active role.")
            % {"what": what},
        )


def _lock(corrective_action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=corrective_action.pk)
    )


def _is_active_personnel(user: Any) -> bool:
    return any(grant.active for grant in role_grants(user))


def _require_manager_or_owner(actor: Any, corrective_action: CorrectiveAction) -> None:
    """The owner of the action (while an active member of the personnel) or the quality manager."""
    if corrective_action.owner_id == getattr(actor, "pk", None) and _is_active_personnel(actor):
        return
    require_role(actor, RoleCode.QUALITY_MANAGER)


def _require_not_finished(corrective_action: CorrectiveAction) -> None:
    if corrective_action.is_finished:
        raise QmsError(
            "corrective_action_finished",
            _("This action is %(status)s: nothing more can be changed.")
            % {"status": corrective_action.get_status_display().lower()},
        )


def _notify_user(
    user: User, *, template: str, corrective_action: CorrectiveAction, **context: Any
) -> None:
    queue_notification(
        template=template,
        recipient_email=user.email,
        recipient_user=user,
        subject=corrective_action,
        context={
            "recipient_name": user.given_names or user.email,
            "reference": corrective_action.reference,
            "title": corrective_action.title,
            "due_on": corrective_action.due_on,
            **context,
        },
    )


# Raising -----------------------------------------------------------------------------------------


def record_corrective_action(
    *,
    actor: User,
    source: str,
    title: str,
    description: str,
    owner: User,
    due_on: dt.date,
    kind: str = ActionKind.CORRECTIVE,
    source_record: models.Model | None = None,
    source_label: str = "",
    containment: str = "",
) -> CorrectiveAction:
    """Enter an action in the register inside the caller's transaction (appeals, complaints …).

    The caller checks that the actor may raise it from their record; this checks the action.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_corrective_action runs inside the transaction of the caller")
    if kind not in ActionKind.values:
        raise QmsInputError("unknown_kind", _("Choose corrective or preventive."))
    if source not in ActionSource.values:
        raise QmsInputError("unknown_source", _("This source of actions is not known."))
    if not title.strip():
        raise QmsInputError("title_required", _("Give the action a title."))
    if not description.strip():
        raise QmsInputError(
            "description_required", _("Describe the nonconformity, actual or potential.")
        )
    if source == ActionSource.OTHER and not source_label.strip() and source_record is None:
        raise QmsInputError("source_required", _("Say where this action comes from."))
    if due_on < timezone.localdate():
        raise QmsInputError("due_in_past", _("The date to close by cannot be in the past."))
    _require_personnel(owner, _("owner"))
    now = timezone.now()
    corrective_action = CorrectiveAction.objects.create(
        kind=kind,
        source=source,
        source_type=(
            ContentType.objects.get_for_model(source_record, for_concrete_model=False)
            if source_record is not None
            else None
        ),
        source_id=source_record.pk if source_record is not None else None,
        source_label=(source_label.strip() or str(source_record or ""))[:200],
        title=title.strip()[:200],
        description=description.strip(),
        containment=containment.strip(),
        owner=owner,
        raised_by=actor,
        raised_at=now,
        due_on=due_on,
    )
    record_event(
        QmsEvent.CORRECTIVE_ACTION_RAISED,
        actor=actor,
        subject=corrective_action,
        related=[owner, *([source_record] if source_record is not None else [])],
        data={
            "reference": corrective_action.reference,
            "kind": kind,
            "source": source,
            "source_record": record_label(source_record) if source_record is not None else "",
            "source_id": source_record.pk if source_record is not None else None,
            "owner_id": owner.pk,
            "due_on": due_on,
        },
        occurred_at=now,
    )
    if owner.pk != actor.pk:
        _notify_user(
            owner, template="qms_corrective_action_assigned", corrective_action=corrective_action
        )
    return corrective_action


@transaction.atomic(durable=True)
def raise_corrective_action(
    *,
    actor: User,
    source: str,
    title: str,
    description: str,
    owner: User,
    due_on: dt.date,
    kind: str = ActionKind.CORRECTIVE,
    source_label: str = "",
    containment: str = "",
    source_record: models.Model | None = None,
) -> CorrectiveAction:
    """The quality manager (or an auditor, top management, the psychometrician) raises an action.

    Manually, or from a record (an audit finding, a review …) given as `source_record`. Other
    contexts raising from their own record inside their own transaction call
    `record_corrective_action` instead, after checking that their actor may.
    """
    _require_one_of(actor, *RAISING_ROLES)
    return record_corrective_action(
        actor=actor, source=source, title=title, description=description, owner=owner,
        due_on=due_on, kind=kind, source_label=source_label, containment=containment,
        source_record=source_record,
    )  # fmt: skip


# Cause and actions -------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def record_root_cause(
    *, actor: User, corrective_action: CorrectiveAction, root_cause: str
) -> CorrectiveAction:
    """Record (or revise, until the actions are done) why the nonconformity happened."""
    corrective_action = _lock(corrective_action)
    _require_manager_or_owner(actor, corrective_action)
    _require_not_finished(corrective_action)
    if corrective_action.status not in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        raise QmsError(
            "actions_already_done",
            _("The actions are done: the cause can no longer be revised. Check effectiveness."),
        )
    if not root_cause.strip():
        raise QmsInputError("root_cause_required", _("Describe the root cause."))
    corrective_action.root_cause = root_cause.strip()
    corrective_action.save(update_fields=["root_cause", "updated_at"])
    record_event(
        QmsEvent.ROOT_CAUSE_RECORDED,
        actor=actor,
        subject=corrective_action,
        data={"reference": corrective_action.reference},
    )
    return corrective_action


@transaction.atomic(durable=True)
def add_action_step(
    *,
    actor: User,
    corrective_action: CorrectiveAction,
    description: str,
    owner: User,
    due_on: dt.date,
) -> ActionStep:
    """Plan one action with its owner and due date; the first one starts the implementation."""
    corrective_action = _lock(corrective_action)
    _require_manager_or_owner(actor, corrective_action)
    _require_not_finished(corrective_action)
    if corrective_action.status in (ActionStatus.IMPLEMENTED, ActionStatus.VERIFIED):
        raise QmsError(
            "awaiting_effectiveness_check",
            _("The actions are done and wait for the effectiveness check."),
        )
    if not can_proceed(corrective_action.plan):
        raise QmsError(
            "root_cause_missing", _("Find and record the root cause before planning actions.")
        )
    if not description.strip():
        raise QmsInputError("description_required", _("Describe the action."))
    if due_on < timezone.localdate():
        raise QmsInputError("due_in_past", _("The due date cannot be in the past."))
    _require_personnel(owner, _("owner of the action"))
    corrective_action.plan()
    corrective_action.save(update_fields=["status", "updated_at"])
    step = ActionStep.objects.create(
        corrective_action=corrective_action,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
        added_by=actor,
    )
    record_event(
        QmsEvent.STEP_ADDED,
        actor=actor,
        subject=corrective_action,
        related=[step, owner],
        data={"reference": corrective_action.reference, "owner_id": owner.pk, "due_on": due_on},
    )
    if owner.pk != actor.pk:
        _notify_user(
            owner,
            template="qms_action_step_assigned",
            corrective_action=corrective_action,
            step=step,
        )
    return step


@transaction.atomic(durable=True)
def complete_action_step(*, actor: User, step: ActionStep, note: str) -> ActionStep:
    """The owner of an action (or the quality manager) records it done, and what was done."""
    corrective_action = _lock(step.corrective_action)
    step = ActionStep.objects.select_for_update().get(pk=step.pk)
    if step.owner_id != actor.pk or not _is_active_personnel(actor):
        require_role(actor, RoleCode.QUALITY_MANAGER)
    if step.completed_at is not None:
        raise QmsError("step_already_done", _("This action is already recorded as done."))
    if corrective_action.status != ActionStatus.IN_PROGRESS:
        raise QmsError("not_in_progress", _("This corrective action is not in progress."))
    if not note.strip():
        raise QmsInputError("note_required", _("Say what was done."))
    now = timezone.now()
    step.completed_at = now
    step.completed_by = actor
    step.completion_note = note.strip()
    step.save(update_fields=["completed_at", "completed_by", "completion_note", "updated_at"])
    record_event(
        QmsEvent.STEP_COMPLETED,
        actor=actor,
        subject=corrective_action,
        related=[step],
        reason=step.completion_note,
        data={"reference": corrective_action.reference, "step_id": step.pk},
        occurred_at=now,
    )
    if not corrective_action.steps.filter(completed_at__isnull=True).exists():
        corrective_action.implement()
        corrective_action.implemented_at = now
        corrective_action.save(update_fields=["status", "implemented_at", "updated_at"])
        record_event(
            QmsEvent.IMPLEMENTED,
            actor=actor,
            subject=corrective_action,
            data={"reference": corrective_action.reference},
            occurred_at=now,
        )
        implementers = implementer_ids(corrective_action)
        for manager in list_users_with_role(RoleCode.QUALITY_MANAGER).exclude(pk__in=implementers):
            _notify_user(
                manager, template="qms_ready_for_check", corrective_action=corrective_action
            )
    return step


# Effectiveness and closure -----------------------------------------------------------------------


@audit_refusals("check_corrective_action")
@transaction.atomic(durable=True)
def record_effectiveness_check(
    *, actor: User, corrective_action: CorrectiveAction, effective: bool, evidence: str
) -> EffectivenessCheck:
    """Someone who implemented none of the actions checks whether they worked (R29).

    Effective: the action may be closed. Not effective: it goes back to implementation, where
    more actions are planned.
    """
    _require_one_of(actor, *CHECKING_ROLES)
    corrective_action = _lock(corrective_action)
    if actor.pk in implementer_ids(corrective_action):
        raise ImpartialityError(
            "checker_implemented_actions",
            _(
                "You implemented actions of %(reference)s: someone who implemented none of them "
                "must check their effectiveness."
            )
            % {"reference": corrective_action.reference},
        )
    if corrective_action.status != ActionStatus.IMPLEMENTED:
        raise QmsError(
            "not_implemented",
            _("Effectiveness is checked once every planned action is done."),
        )
    if not evidence.strip():
        raise QmsInputError(
            "evidence_required", _("Say what was checked and what the check found.")
        )
    now = timezone.now()
    check = EffectivenessCheck.objects.create(
        corrective_action=corrective_action,
        checked_by=actor,
        checked_at=now,
        effective=effective,
        evidence=evidence.strip(),
    )
    if effective:
        corrective_action.verify()
    else:
        corrective_action.reopen()
        corrective_action.implemented_at = None
    corrective_action.save(update_fields=["status", "implemented_at", "updated_at"])
    record_event(
        QmsEvent.EFFECTIVENESS_CHECKED,
        actor=actor,
        subject=corrective_action,
        related=[check],
        reason=check.evidence,
        data={"reference": corrective_action.reference, "effective": effective},
        occurred_at=now,
    )
    return check


@transaction.atomic(durable=True)
def close_corrective_action(
    *, actor: User, corrective_action: CorrectiveAction, summary: str
) -> CorrectiveAction:
    """The quality manager closes an action found effective (R29: never before the check)."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    corrective_action = _lock(corrective_action)
    if not can_proceed(corrective_action.close):
        raise QmsError(
            "effectiveness_not_verified",
            _("An action closes only after a check found that it worked (R29)."),
        )
    if not summary.strip():
        raise QmsInputError("summary_required", _("Summarise what was done and found."))
    now = timezone.now()
    corrective_action.close()
    corrective_action.closed_at = now
    corrective_action.closed_by = actor
    corrective_action.closure_summary = summary.strip()
    corrective_action.save(
        update_fields=["status", "closed_at", "closed_by", "closure_summary", "updated_at"]
    )
    record_event(
        QmsEvent.CLOSED,
        actor=actor,
        subject=corrective_action,
        reason=corrective_action.closure_summary,
        data={"reference": corrective_action.reference},
        occurred_at=now,
    )
    return corrective_action


@transaction.atomic(durable=True)
def cancel_corrective_action(
    *, actor: User, corrective_action: CorrectiveAction, reason: str
) -> CorrectiveAction:
    """The quality manager cancels an action raised in error (or merged into another)."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    corrective_action = _lock(corrective_action)
    if not can_proceed(corrective_action.cancel):
        raise QmsError(
            "not_cancellable",
            _("Only an action whose planned work is not done yet can be cancelled."),
        )
    if not reason.strip():
        raise QmsInputError("reason_required", _("Give the reason for cancelling."))
    corrective_action.cancel()
    corrective_action.cancellation_reason = reason.strip()
    corrective_action.closed_at = timezone.now()
    corrective_action.closed_by = actor
    corrective_action.save(
        update_fields=["status", "cancellation_reason", "closed_at", "closed_by", "updated_at"]
    )
    record_event(
        QmsEvent.CANCELLED,
        actor=actor,
        subject=corrective_action,
        reason=corrective_action.cancellation_reason,
        data={"reference": corrective_action.reference},
    )
    return corrective_action


# Deadlines ---------------------------------------------------------------------------------------


def notify_overdue_corrective_actions(*, now: dt.datetime) -> int:
    """Tell owners once about each missed due date (of an action or one of its steps).

    Run by `peritus tick`; idempotent: each due date is announced at most once.
    """
    today = timezone.localdate(now)
    told = 0
    with transaction.atomic():
        actions = (
            CorrectiveAction.objects.select_for_update(of=("self",))
            .select_related("owner")
            .exclude(status__in=[ActionStatus.CLOSED, ActionStatus.CANCELLED])
            .filter(due_on__lt=today)
            .exclude(overdue_notified_on=models.F("due_on"))
            .order_by("due_on", "pk")
        )
        for corrective_action in actions:
            corrective_action.overdue_notified_on = corrective_action.due_on
            corrective_action.save(update_fields=["overdue_notified_on", "updated_at"])
            record_event(
                QmsEvent.OVERDUE,
                actor=None,
                subject=corrective_action,
                data={"reference": corrective_action.reference, "due_on": corrective_action.due_on},
                occurred_at=now,
            )
            _notify_user(
                corrective_action.owner,
                template="qms_overdue",
                corrective_action=corrective_action,
                step=None,
            )
            told += 1
        steps = (
            ActionStep.objects.select_for_update(of=("self",))
            .select_related("owner", "corrective_action")
            .filter(completed_at__isnull=True, due_on__lt=today)
            .exclude(corrective_action__status__in=[ActionStatus.CLOSED, ActionStatus.CANCELLED])
            .exclude(overdue_notified_on=models.F("due_on"))
            .order_by("due_on", "pk")
        )
        for step in steps:
            step.overdue_notified_on = step.due_on
            step.save(update_fields=["overdue_notified_on", "updated_at"])
            record_event(
                QmsEvent.OVERDUE,
                actor=None,
                subject=step.corrective_action,
                related=[step],
                data={
                    "reference": step.corrective_action.reference,
                    "step_id": step.pk,
                    "due_on": step.due_on,
                },
                occurred_at=now,
            )
            _notify_user(
                step.owner,
                template="qms_overdue",
                corrective_action=step.corrective_action,
                step=step,
            )
            told += 1
    return told
