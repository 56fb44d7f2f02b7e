"""Validating an appeal and forming its panel (9.8, R22): only people who took no part in the
appellant's file validate it or sit on its panel, and each panel member declares their interests
for the case before the panel decides."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.appeals.errors import AppealsError, AppealsInputError, AppealsNotPermittedError
from peritus.appeals.events import AppealsEvent
from peritus.appeals.independence import panel_obstacles
from peritus.appeals.models import Appeal, AppealNote, AppealStatus, AppealUpdate, PanelMembership
from peritus.appeals.services.common import (
    active_membership,
    lock,
    notify_appellant,
    notify_staff,
    refuse,
    require_appeals_staff,
    require_uninvolved,
)
from peritus.audit_trail.services import record_event
from peritus.impartiality.refusals import audit_refusals
from peritus.impartiality.services import record_declaration


def _context_label(appeal: Appeal) -> str:
    return _("Appeal %(reference)s") % {"reference": appeal.reference}


@audit_refusals("admit_appeal")
@transaction.atomic(durable=True)
def admit_appeal(*, actor: User, appeal: Appeal, note: str = "") -> Appeal:
    """Validated: the appeal is about a decision of the body and goes to a panel (9.8)."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    require_uninvolved(actor, appeal)
    if not can_proceed(appeal.admit):
        raise AppealsError("already_validated", _("This appeal was already validated."))
    now = timezone.now()
    appeal.admit()
    appeal.admitted_at = now
    appeal.admitted_by = actor
    appeal.admission_note = note.strip()
    appeal.last_update_at = now
    appeal.save(
        update_fields=[
            "status", "admitted_at", "admitted_by", "admission_note", "last_update_at",
            "updated_at",
        ]
    )  # fmt: skip
    record_event(
        AppealsEvent.ADMITTED,
        actor=actor,
        actor_role=RoleCode.APPEALS_PANEL if has_role(actor, RoleCode.APPEALS_PANEL) else "",
        subject=appeal,
        reason=appeal.admission_note,
        data={"reference": appeal.reference},
        occurred_at=now,
    )
    notify_appellant(appeal, "appeals_admitted")
    return appeal


@audit_refusals("reject_appeal")
@transaction.atomic(durable=True)
def reject_appeal(*, actor: User, appeal: Appeal, reasons: str) -> Appeal:
    """Not admissible (out of time, not a decision of the body …), with reasons (9.8)."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    require_uninvolved(actor, appeal)
    if not reasons.strip():
        raise AppealsInputError(
            "reasons_required", _("Give the reasons why the appeal is not admissible.")
        )
    if not can_proceed(appeal.reject):
        raise AppealsError("already_validated", _("This appeal was already validated."))
    now = timezone.now()
    appeal.reject()
    appeal.admitted_by = actor
    appeal.admission_note = reasons.strip()
    appeal.closed_at = now
    appeal.closed_by = actor
    appeal.last_update_at = now
    appeal.save(
        update_fields=[
            "status", "admitted_by", "admission_note", "closed_at", "closed_by",
            "last_update_at", "updated_at",
        ]
    )  # fmt: skip
    record_event(
        AppealsEvent.NOT_ADMISSIBLE,
        actor=actor,
        subject=appeal,
        reason=appeal.admission_note,
        data={"reference": appeal.reference},
        occurred_at=now,
    )
    notify_appellant(appeal, "appeals_not_admissible", reasons=appeal.admission_note)
    return appeal


@audit_refusals("assign_panel_member")
@transaction.atomic(durable=True)
def assign_panel_member(
    *, actor: User, appeal: Appeal, member: User, declare_no_conflict: bool = False
) -> PanelMembership:
    """Put `member` on the appeal's panel; refused if they took any part in the appellant's file
    (R22). A member who joins themselves may declare no conflict in the same step."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    if appeal.status != AppealStatus.UNDER_REVIEW:
        raise AppealsError(
            "not_under_review",
            _("A panel is formed once the appeal is admitted, and until it is decided."),
        )
    if not has_role(member, RoleCode.APPEALS_PANEL):
        raise AppealsInputError(
            "not_an_appeals_panel_member",
            _("%(name)s does not hold the appeals panel role (with an accepted agreement).")
            % {"name": member.full_name or member.email},
        )
    refuse(panel_obstacles(member, appeal))
    if active_membership(appeal, member) is not None:
        raise AppealsError(
            "already_on_panel",
            _("%(name)s is already on this panel.") % {"name": member.full_name},
        )
    if declare_no_conflict and member.pk != actor.pk:
        raise AppealsInputError(
            "declare_for_yourself", _("Each member declares their own interests.")
        )
    now = timezone.now()
    membership = PanelMembership.objects.create(
        appeal=appeal, member=member, assigned_by=actor, assigned_at=now
    )
    record_event(
        AppealsEvent.PANEL_MEMBER_ASSIGNED,
        actor=actor,
        subject=appeal,
        related=[membership, member],
        data={"reference": appeal.reference, "member_id": member.pk},
        occurred_at=now,
    )
    if declare_no_conflict:
        _declare(membership, appeal=appeal, has_conflict=False)
    elif member.pk != actor.pk:
        notify_staff(appeal, "appeals_panel_assigned", [member])
    return membership


def _declare(
    membership: PanelMembership,
    *,
    appeal: Appeal,
    has_conflict: bool,
    nature: str = "",
    details: str = "",
) -> PanelMembership:
    member = membership.member
    declaration = record_declaration(
        actor=member, person=appeal.appellant, has_conflict=has_conflict, nature=nature,
        details=details, context=appeal, context_label=_context_label(appeal),
    )  # fmt: skip
    now = timezone.now()
    membership.declaration = declaration
    if has_conflict:
        membership.ended_at = now
        membership.end_reason = _("Declared a conflict of interest with the appellant.")
        membership.save(update_fields=["declaration", "ended_at", "end_reason", "updated_at"])
        record_event(
            AppealsEvent.PANEL_MEMBER_RECUSED,
            actor=member,
            subject=appeal,
            related=[membership, declaration],
            reason=membership.end_reason,
            data={"reference": appeal.reference, "member_id": member.pk},
            occurred_at=now,
        )
        return membership
    membership.declared_at = now
    membership.save(update_fields=["declaration", "declared_at", "updated_at"])
    record_event(
        AppealsEvent.PANEL_MEMBER_DECLARED,
        actor=member,
        subject=appeal,
        related=[membership, declaration],
        data={"reference": appeal.reference, "member_id": member.pk},
        occurred_at=now,
    )
    return membership


@audit_refusals("declare_panel_interests")
@transaction.atomic(durable=True)
def declare_panel_interests(
    *, actor: User, appeal: Appeal, has_conflict: bool, nature: str = "", details: str = ""
) -> PanelMembership:
    """A panel member declares their interests for this appeal (R13, R22). A conflict takes them
    off the panel; the declaration is kept in the impartiality records either way."""
    appeal = lock(appeal)
    membership = active_membership(appeal, actor)
    if membership is None:
        raise AppealsNotPermittedError("not_on_panel", _("You are not on this appeal's panel."))
    if membership.has_declared:
        raise AppealsError("already_declared", _("You already declared for this appeal."))
    if not has_conflict:
        require_uninvolved(actor, appeal)
    return _declare(
        membership, appeal=appeal, has_conflict=has_conflict, nature=nature, details=details
    )


@transaction.atomic(durable=True)
def add_appeal_note(*, actor: User, appeal: Appeal, body: str) -> AppealNote:
    """An investigation note, for the panel and the quality manager only."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    require_uninvolved(actor, appeal)
    if appeal.is_finished:
        raise AppealsError("appeal_finished", _("This appeal is finished."))
    if not body.strip():
        raise AppealsInputError("note_required", _("Write the note."))
    note = AppealNote.objects.create(appeal=appeal, author=actor, body=body.strip())
    record_event(
        AppealsEvent.NOTE_ADDED,
        actor=actor,
        subject=appeal,
        related=[note],
        data={"reference": appeal.reference, "note_id": note.pk},
    )
    return note


@transaction.atomic(durable=True)
def send_appeal_update(*, actor: User, appeal: Appeal, message: str) -> AppealUpdate:
    """Tell the appellant how their appeal progresses (R23), in writing."""
    require_appeals_staff(actor)
    appeal = lock(appeal)
    if appeal.is_finished:
        raise AppealsError("appeal_finished", _("This appeal is finished."))
    if not message.strip():
        raise AppealsInputError("message_required", _("Write the message to the appellant."))
    now = timezone.now()
    update = AppealUpdate.objects.create(appeal=appeal, author=actor, message=message.strip())
    appeal.last_update_at = now
    appeal.save(update_fields=["last_update_at", "updated_at"])
    record_event(
        AppealsEvent.UPDATE_SENT,
        actor=actor,
        subject=appeal,
        related=[update],
        data={"reference": appeal.reference, "automatic": False},
        occurred_at=now,
    )
    notify_appellant(appeal, "appeals_progress", message=update.message)
    return update
