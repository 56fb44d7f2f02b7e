"""The panel's decision and what follows from it (9.8, R22, R23): the outcome with reasons is
written to the appellant; a reversal becomes a task for a decision maker who took no part, and is
done once their new decision is linked; corrective actions go to the CAPA register (10.2.7)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.appeals import deadlines
from peritus.appeals.errors import (
    AppealsError,
    AppealsInputError,
    AppealsNotPermittedError,
    ImpartialityError,
)
from peritus.appeals.events import AppealsEvent
from peritus.appeals.independence import describe, panel_obstacles
from peritus.appeals.involvement import involvements_with, person_file
from peritus.appeals.models import (
    Appeal,
    AppealAction,
    AppealActionKind,
    AppealOutcome,
    AppealStatus,
    PanelMembership,
)
from peritus.appeals.selectors import duration_days
from peritus.appeals.services.common import (
    active_membership,
    lock,
    notify_appellant,
    notify_staff,
    require_appeals_staff,
    require_panel_or_quality,
    require_uninvolved,
)
from peritus.audit_trail.services import record_event
from peritus.certification.models import (
    CertificateStatus,
    CertificationDecision,
    LifecycleAction,
    LifecycleDecision,
)
from peritus.certification.services import reinstate_certificate
from peritus.impartiality.refusals import audit_refusals
from peritus.qms.models import ActionSource
from peritus.qms.services import record_corrective_action

UPHELD_OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.PARTLY_UPHELD)


@audit_refusals("decide_appeal")
@transaction.atomic(durable=True)
def decide_appeal(*, actor: User, appeal: Appeal, outcome: str, reasons: str) -> Appeal:
    """The panel decides: upheld, partly upheld or dismissed, with reasons (9.8, R23)."""
    require_role(actor, RoleCode.APPEALS_PANEL)
    appeal = lock(appeal)
    membership = active_membership(appeal, actor)
    if membership is None or not membership.has_declared:
        raise AppealsNotPermittedError(
            "not_on_panel",
            _("Only a member of this appeal's panel who declared no conflict decides it."),
        )
    require_uninvolved(actor, appeal)
    members = list(
        PanelMembership.objects.filter(appeal=appeal, ended_at__isnull=True).select_related(
            "member"
        )
    )
    if any(not member.has_declared for member in members):
        raise AppealsError(
            "declarations_missing",
            _("Every member of the panel declares their interests before the panel decides."),
        )
    if len(members) < deadlines.panel_size():
        raise AppealsError(
            "panel_incomplete",
            _("The panel needs %(size)s members who declared no conflict.")
            % {"size": deadlines.panel_size()},
        )
    for member in members:
        obstacles = panel_obstacles(member.member, appeal)
        if obstacles:
            raise ImpartialityError(
                "panel_not_independent",
                _("The panel is not independent: %(reason)s") % {"reason": obstacles[0].message},
                involvements=[obstacle.code for obstacle in obstacles],
            )
    if outcome not in AppealOutcome.values:
        raise AppealsInputError("invalid_outcome", _("Choose upheld, partly upheld or dismissed."))
    if not reasons.strip():
        raise AppealsInputError(
            "reasons_required", _("Give the reasons, as the appellant will read them.")
        )
    if not can_proceed(appeal.decide):
        raise AppealsError("not_under_review", _("Only an appeal under review can be decided."))
    now = timezone.now()
    appeal.decide()
    appeal.outcome = outcome
    appeal.outcome_reasons = reasons.strip()
    appeal.decided_at = now
    appeal.decided_by = actor
    appeal.last_update_at = now
    appeal.save(
        update_fields=[
            "status", "outcome", "outcome_reasons", "decided_at", "decided_by",
            "last_update_at", "updated_at",
        ]
    )  # fmt: skip
    record_event(
        AppealsEvent.DECIDED,
        actor=actor,
        actor_role=RoleCode.APPEALS_PANEL,
        subject=appeal,
        reason=appeal.outcome_reasons,
        related=[appeal.appellant, *(member.member for member in members)],
        data={
            "reference": appeal.reference,
            "outcome": outcome,
            "panel": sorted(member.member_id for member in members),
            "duration_days": duration_days(appeal),
            "late": timezone.localdate(now) > appeal.decision_due_on,
        },
        occurred_at=now,
    )
    notify_appellant(
        appeal,
        "appeals_outcome",
        outcome=appeal.get_outcome_display(),
        upheld=outcome in UPHELD_OUTCOMES,
        reasons=appeal.outcome_reasons,
    )
    return appeal


def _require_decided(appeal: Appeal) -> None:
    if appeal.status != AppealStatus.DECIDED:
        raise AppealsError(
            "not_decided", _("Actions follow the panel's decision; this appeal is not decided.")
        )


def _add_action(
    *,
    actor: User,
    appeal: Appeal,
    kind: str,
    description: str,
    assignee: User | None = None,
    due_on: dt.date | None = None,
    done: bool = False,
    **links: object,
) -> AppealAction:
    now = timezone.now()
    action = AppealAction.objects.create(
        appeal=appeal, kind=kind, description=description.strip(), assignee=assignee,
        due_on=due_on, created_by=actor, done_at=now if done else None,
        done_by=actor if done else None, **links,
    )  # fmt: skip
    record_event(
        AppealsEvent.ACTION_ADDED,
        actor=actor,
        subject=appeal,
        related=[action, *([assignee] if assignee is not None else [])],
        data={
            "reference": appeal.reference,
            "kind": kind,
            "assignee_id": assignee.pk if assignee is not None else None,
            "due_on": due_on,
        },
        occurred_at=now,
    )
    return action


def _check_due(due_on: dt.date | None) -> None:
    if due_on is not None and due_on < timezone.localdate():
        raise AppealsInputError("due_in_past", _("The due date cannot be in the past."))


@audit_refusals("request_new_decision")
@transaction.atomic(durable=True)
def request_new_decision(
    *,
    actor: User,
    appeal: Appeal,
    decision_maker: User,
    description: str,
    due_on: dt.date | None = None,
) -> AppealAction:
    """An upheld appeal reverses the decision: a decision maker who took no part in the
    appellant's file (nor in the appeal) takes a new decision, linked here once made."""
    appeal = lock(appeal)
    require_panel_or_quality(actor, appeal)
    _require_decided(appeal)
    if appeal.outcome not in UPHELD_OUTCOMES:
        raise AppealsError(
            "not_upheld", _("A new decision follows only an appeal upheld in whole or in part.")
        )
    if not has_role(decision_maker, RoleCode.DECISION_MAKER, scheme_id=appeal.scheme_id):
        raise AppealsInputError(
            "not_a_decision_maker",
            _("%(name)s does not hold the decision maker role for this scheme.")
            % {"name": decision_maker.full_name or decision_maker.email},
        )
    found = involvements_with(decision_maker, appeal.appellant)
    if found:
        raise ImpartialityError(
            "decision_maker_involved",
            _("%(reason)s Choose a decision maker who took no part.")
            % {"reason": describe(found[0], decision_maker).message},
            involvements=[involvement.kind for involvement in found],
        )
    if PanelMembership.objects.filter(appeal=appeal, member=decision_maker).exists():
        raise ImpartialityError(
            "decision_maker_on_panel",
            _("%(name)s heard this appeal: the new decision is someone else's.")
            % {"name": decision_maker.full_name},
        )
    if not description.strip():
        raise AppealsInputError("description_required", _("Say what is to be decided again."))
    _check_due(due_on)
    action = _add_action(
        actor=actor, appeal=appeal, kind=AppealActionKind.NEW_DECISION, description=description,
        assignee=decision_maker, due_on=due_on,
    )  # fmt: skip
    notify_staff(
        appeal,
        "appeals_new_decision_requested",
        [decision_maker],
        description=action.description,
        due_on=due_on,
        outcome_reasons=appeal.outcome_reasons,
    )
    return action


@audit_refusals("link_new_decision")
@transaction.atomic(durable=True)
def link_new_decision(
    *, actor: User, action: AppealAction, decision: CertificationDecision
) -> AppealAction:
    """The new decision taken after the appeal is linked; the task is done."""
    appeal = lock(action.appeal)
    action = AppealAction.objects.select_for_update().get(pk=action.pk)
    if action.assignee_id != actor.pk:
        require_panel_or_quality(actor, appeal)
    if action.kind != AppealActionKind.NEW_DECISION:
        raise AppealsInputError("not_a_decision_task", _("This action is not a new decision."))
    if action.is_done:
        raise AppealsError("action_done", _("This action is already done."))
    if decision.person_id != appeal.appellant_id:
        raise AppealsInputError(
            "decision_of_another_person", _("That decision is about someone else.")
        )
    if appeal.decided_at is None or decision.decided_at <= appeal.decided_at:
        raise AppealsInputError(
            "decision_before_appeal", _("That decision was taken before the appeal was decided.")
        )
    decider = decision.decided_by
    earlier = person_file(appeal.appellant, ignore_decision_ids={decision.pk})
    if decider is None:
        raise AppealsInputError("decision_without_maker", _("That decision names no maker."))
    if (
        involvements_with(decider, appeal.appellant, file=earlier)
        or PanelMembership.objects.filter(appeal=appeal, member=decider).exists()
    ):
        raise ImpartialityError(
            "new_decision_not_independent",
            _("That decision was taken by someone involved in the appellant's file or the appeal."),
        )
    now = timezone.now()
    action.new_decision = decision
    action.certification_record = decision.reference
    action.done_at = now
    action.done_by = actor
    action.done_note = _("New decision %(reference)s: %(outcome)s") % {
        "reference": decision.reference,
        "outcome": decision.get_outcome_display(),
    }
    action.save(
        update_fields=[
            "new_decision", "certification_record", "done_at", "done_by", "done_note",
            "updated_at",
        ]
    )  # fmt: skip
    record_event(
        AppealsEvent.ACTION_DONE,
        actor=actor,
        subject=appeal,
        related=[action, decision],
        data={"reference": appeal.reference, "kind": action.kind, "decision": decision.reference},
        occurred_at=now,
    )
    return action


def reinstate_after_appeal(*, actor: User, action: AppealAction, rationale: str) -> AppealAction:
    """The appeal against a suspension was upheld: the decision maker assigned to the new
    decision reinstates the certificate through the certification lifecycle (which checks their
    role and independence and updates the public status at once), and the action is done.

    Two transactions: the lifecycle's own, then the action's. If the second fails, the
    certificate is reinstated and the assignee records the action done by hand.
    """
    appeal = action.appeal
    if action.kind != AppealActionKind.NEW_DECISION:
        raise AppealsInputError("not_a_decision_task", _("This action is not a new decision."))
    if action.is_done:
        raise AppealsError("action_done", _("This action is already done."))
    if action.assignee_id != actor.pk:
        raise AppealsNotPermittedError(
            "not_the_assignee", _("Only the decision maker assigned to this action can do it.")
        )
    certificate = appeal.certificate
    if certificate is None or certificate.status != CertificateStatus.SUSPENDED:
        raise AppealsError(
            "nothing_to_reinstate", _("This appeal is not about a suspended certificate.")
        )
    reinstate_certificate(certificate=certificate, actor=actor, rationale=rationale)
    lifecycle = (
        LifecycleDecision.objects.filter(
            certificate=certificate, action=LifecycleAction.REINSTATE, decided_by=actor
        )
        .order_by("-decided_at", "-pk")
        .first()
    )
    return _record_reinstatement(
        actor=actor,
        action=action,
        record=lifecycle.reference if lifecycle is not None else certificate.number,
    )


@transaction.atomic(durable=True)
def _record_reinstatement(*, actor: User, action: AppealAction, record: str) -> AppealAction:
    appeal = lock(action.appeal)
    action = AppealAction.objects.select_for_update().get(pk=action.pk)
    now = timezone.now()
    action.certification_record = record
    action.done_at = now
    action.done_by = actor
    action.done_note = _("Certificate reinstated (%(record)s).") % {"record": record}
    action.save(
        update_fields=["certification_record", "done_at", "done_by", "done_note", "updated_at"]
    )
    record_event(
        AppealsEvent.ACTION_DONE,
        actor=actor,
        subject=appeal,
        related=[action],
        data={"reference": appeal.reference, "kind": action.kind, "record": record},
        occurred_at=now,
    )
    return action


@transaction.atomic(durable=True)
def raise_corrective_action_from_appeal(
    *,
    actor: User,
    appeal: Appeal,
    title: str,
    description: str,
    owner: User,
    due_on: dt.date,
) -> AppealAction:
    """The appeal revealed a weakness of the body: a corrective action enters the CAPA register
    (10.2.7), which tracks it to its effectiveness check; the appeal records the link."""
    appeal = lock(appeal)
    require_panel_or_quality(actor, appeal)
    if appeal.status not in (AppealStatus.UNDER_REVIEW, AppealStatus.DECIDED):
        raise AppealsError(
            "not_under_review",
            _("Corrective actions are raised while the appeal is heard or after."),
        )
    corrective_action = record_corrective_action(
        actor=actor, source=ActionSource.APPEAL, source_record=appeal,
        source_label=_("Appeal %(reference)s") % {"reference": appeal.reference}, title=title,
        description=description, owner=owner, due_on=due_on,
    )  # fmt: skip
    return _add_action(
        actor=actor, appeal=appeal, kind=AppealActionKind.CORRECTIVE_ACTION,
        description=_("%(reference)s: %(title)s")
        % {"reference": corrective_action.reference, "title": corrective_action.title},
        assignee=owner, due_on=due_on, done=True, corrective_action=corrective_action,
        done_note=_("Entered in the CAPA register, which tracks it to its effectiveness check."),
    )  # fmt: skip


@transaction.atomic(durable=True)
def add_appeal_action(
    *,
    actor: User,
    appeal: Appeal,
    kind: str,
    description: str,
    assignee: User | None = None,
    due_on: dt.date | None = None,
) -> AppealAction:
    """Another action resulting from the decision (a re-marking, a reinstatement …)."""
    appeal = lock(appeal)
    require_panel_or_quality(actor, appeal)
    _require_decided(appeal)
    if kind not in (AppealActionKind.REASSESSMENT, AppealActionKind.REINSTATEMENT,
                    AppealActionKind.OTHER):  # fmt: skip
        raise AppealsInputError(
            "invalid_action", _("New decisions and corrective actions have their own forms.")
        )
    if not description.strip():
        raise AppealsInputError("description_required", _("Describe the action."))
    _check_due(due_on)
    action = _add_action(
        actor=actor, appeal=appeal, kind=kind, description=description, assignee=assignee,
        due_on=due_on,
    )  # fmt: skip
    if assignee is not None and assignee.pk != actor.pk:
        notify_staff(
            appeal,
            "appeals_action_assigned",
            [assignee],
            description=action.description,
            due_on=due_on,
        )
    return action


@transaction.atomic(durable=True)
def complete_appeal_action(*, actor: User, action: AppealAction, note: str) -> AppealAction:
    """The person assigned (or the panel, the quality manager) records the action done."""
    appeal = lock(action.appeal)
    action = AppealAction.objects.select_for_update().get(pk=action.pk)
    if action.assignee_id != actor.pk:
        require_panel_or_quality(actor, appeal)
    if action.is_done:
        raise AppealsError("action_done", _("This action is already done."))
    if action.kind == AppealActionKind.NEW_DECISION:
        raise AppealsError(
            "link_the_decision", _("This action is done when the new decision is linked to it.")
        )
    if not note.strip():
        raise AppealsInputError("note_required", _("Say what was done."))
    now = timezone.now()
    action.done_at = now
    action.done_by = actor
    action.done_note = note.strip()
    action.save(update_fields=["done_at", "done_by", "done_note", "updated_at"])
    record_event(
        AppealsEvent.ACTION_DONE,
        actor=actor,
        subject=appeal,
        related=[action],
        reason=action.done_note,
        data={"reference": appeal.reference, "kind": action.kind},
        occurred_at=now,
    )
    return action


@transaction.atomic(durable=True)
def close_appeal(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    """Close a decided appeal once every action resulting from it is done."""
    appeal = lock(appeal)
    require_panel_or_quality(actor, appeal)
    if appeal.actions.filter(done_at__isnull=True).exists():
        raise AppealsError(
            "actions_open", _("Some actions resulting from the appeal are not done yet.")
        )
    if not can_proceed(appeal.close):
        raise AppealsError("not_decided", _("Only a decided appeal can be closed."))
    now = timezone.now()
    appeal.close()
    appeal.closed_at = now
    appeal.closed_by = actor
    appeal.closure_note = note.strip()
    appeal.save(update_fields=["status", "closed_at", "closed_by", "closure_note", "updated_at"])
    record_event(
        AppealsEvent.CLOSED,
        actor=actor,
        subject=appeal,
        reason=appeal.closure_note,
        data={"reference": appeal.reference, "duration_days": duration_days(appeal)},
        occurred_at=now,
    )
    return appeal


@transaction.atomic(durable=True)
def withdraw_appeal(*, actor: User, appeal: Appeal, reason: str = "") -> Appeal:
    """The appellant withdraws (from the portal, or staff record a withdrawal sent in writing)."""
    appeal = lock(appeal)
    if appeal.appellant.user_id != actor.pk:
        require_appeals_staff(actor)
        if not reason.strip():
            raise AppealsInputError(
                "reason_required", _("Say how the appellant withdrew (their email of …).")
            )
    if not can_proceed(appeal.withdraw):
        raise AppealsError(
            "not_withdrawable", _("Only an appeal not yet decided can be withdrawn.")
        )
    now = timezone.now()
    appeal.withdraw()
    appeal.withdrawn_at = now
    appeal.withdrawal_reason = reason.strip()
    appeal.closed_at = now
    appeal.last_update_at = now
    appeal.save(
        update_fields=[
            "status", "withdrawn_at", "withdrawal_reason", "closed_at", "last_update_at",
            "updated_at",
        ]
    )  # fmt: skip
    record_event(
        AppealsEvent.WITHDRAWN,
        actor=actor,
        subject=appeal,
        reason=appeal.withdrawal_reason,
        data={"reference": appeal.reference},
        occurred_at=now,
    )
    notify_appellant(appeal, "appeals_withdrawn")
    return appeal
