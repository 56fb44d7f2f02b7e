"""Use cases of the impartiality records: declare interests, mitigate conflicts, record training,
keep the impartiality risk register (clauses 4.3, 5.2, 6.1, 6.2; rules R12, R13, R15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, role_grants
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event, record_label
from peritus.impartiality.errors import (
    ImpartialityError,
    ImpartialityInputError,
    ImpartialityRuleError,
)
from peritus.impartiality.events import ImpartialityEvent
from peritus.impartiality.models import (
    ConflictDeclaration,
    ConflictMitigation,
    ConflictNature,
    ImpartialityRisk,
    MitigationKind,
    MitigationStatus,
    RiskReview,
    RiskStatus,
    ThreatSource,
    TrainingRecord,
)
from peritus.impartiality.refusals import audit_refusals
from peritus.impartiality.selectors import (
    DEFAULT_TRAINING_LOOKBACK_YEARS,
    get_latest_declaration,
    has_declared_conflict,
    trained_within,
)
from peritus.notifications.services import queue_notification


def require_active_personnel(actor: Any) -> None:
    """Raise unless `actor` holds a role whose personnel agreement is accepted (R12)."""
    grants = role_grants(actor)
    if any(grant.active for grant in grants):
        return
    if grants:
        raise RoleNotHeldError(
            "agreement_not_accepted",
            _("You must accept the current personnel agreement before you act for the body."),
        )
    raise RoleNotHeldError("role_not_held", _("Only the body's personnel can do this."))


def _require_one_of(actor: Any, *roles: RoleCode) -> None:
    if any(has_role(actor, role) for role in roles):
        return
    require_role(actor, roles[0])


# Declarations ------------------------------------------------------------------------------------


def record_declaration(
    *,
    actor: User,
    person: Person,
    has_conflict: bool,
    nature: str = "",
    details: str = "",
    context: models.Model | None = None,
    context_label: str = "",
    training_lookback_years: int = DEFAULT_TRAINING_LOOKBACK_YEARS,
) -> ConflictDeclaration:
    """Record one declaration inside the caller's transaction (other contexts compose this).

    The caller checks the actor may act in that context; this checks the declaration itself.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_declaration runs inside the transaction of the caller")
    nature = nature or ""
    details = details.strip()
    if has_conflict and not nature:
        raise ImpartialityInputError(
            "nature_required", _("Say what the interest is: employer, trainer, relative …")
        )
    if nature and nature not in ConflictNature.values:
        raise ImpartialityInputError("unknown_nature", _("This kind of interest is not known."))
    if not has_conflict and nature:
        raise ImpartialityInputError(
            "nature_without_conflict", _("An interest was named, but no conflict was declared.")
        )
    if nature == ConflictNature.OTHER and not details:
        raise ImpartialityInputError("details_required", _("Describe the interest."))
    if not has_conflict and trained_within(actor, person, years=training_lookback_years):
        raise ImpartialityError(
            "training_link_undeclared",
            _(
                "The body's records show you trained this person within %(years)s years: "
                "declare it as a conflict (trainer)."
            )
            % {"years": training_lookback_years},
        )
    if not has_conflict and has_declared_conflict(actor, person):
        raise ImpartialityRuleError(
            "conflict_already_declared",
            _(
                "You declared a conflict of interest with this person before. Declare it here "
                "too: a conflict is handled by an approved mitigation, never withdrawn."
            ),
        )
    latest = get_latest_declaration(actor, person, context=context)
    if latest is not None and latest.has_conflict:
        raise ImpartialityRuleError(
            "conflict_already_declared",
            _(
                "You already declared a conflict here. A conflict is not withdrawn; "
                "it is handled by an approved mitigation."
            ),
        )
    if latest is not None and not has_conflict:
        raise ImpartialityRuleError(
            "already_declared", _("You already declared that you have no conflict here.")
        )
    declaration = ConflictDeclaration.objects.create(
        declarant=actor,
        person=person,
        context=context,
        context_label=context_label[:200] or (str(context)[:200] if context is not None else ""),
        has_conflict=has_conflict,
        nature=nature,
        details=details,
    )
    record_event(
        ImpartialityEvent.DECLARATION_RECORDED,
        actor=actor,
        subject=declaration,
        related=[person, *([context] if context is not None else [])],
        data={
            "has_conflict": has_conflict,
            "nature": nature,
            "context": record_label(context) if context is not None else "",
            "context_id": context.pk if context is not None else None,
            "amends_declaration_id": latest.pk if latest is not None else None,
        },
    )
    return declaration


@audit_refusals("declare_interests")
@transaction.atomic(durable=True)
def declare_interests(
    *,
    actor: User,
    person: Person,
    has_conflict: bool,
    nature: str = "",
    details: str = "",
    context: models.Model | None = None,
    context_label: str = "",
) -> ConflictDeclaration:
    """A member of the personnel declares whether they have an interest in `person`'s case (R13)."""
    require_active_personnel(actor)
    return record_declaration(
        actor=actor, person=person, has_conflict=has_conflict, nature=nature, details=details,
        context=context, context_label=context_label,
    )  # fmt: skip


# Mitigations -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def propose_mitigation(
    *, actor: User, declaration: ConflictDeclaration, kind: str, description: str
) -> ConflictMitigation:
    """Propose a measure (a second examiner, a recorded session …) that would contain a conflict."""
    if declaration.declarant_id != actor.pk:
        _require_one_of(
            actor,
            RoleCode.QUALITY_MANAGER,
            RoleCode.IMPARTIALITY_COMMITTEE,
            RoleCode.CERTIFICATION_OFFICER,
        )
    else:
        require_active_personnel(actor)
    declaration = ConflictDeclaration.objects.select_for_update().get(pk=declaration.pk)
    if not declaration.has_conflict:
        raise ImpartialityRuleError(
            "no_conflict_to_mitigate",
            _("No conflict was declared, so there is nothing to mitigate."),
        )
    if kind not in MitigationKind.values:
        raise ImpartialityInputError("unknown_measure", _("This kind of measure is not known."))
    if not description.strip():
        raise ImpartialityInputError(
            "description_required", _("Describe the measure and how it protects impartiality.")
        )
    open_statuses = [MitigationStatus.PROPOSED, MitigationStatus.APPROVED]
    if declaration.mitigations.filter(status__in=open_statuses).exists():
        raise ImpartialityRuleError(
            "mitigation_exists",
            _("A measure for this conflict is already proposed or approved."),
        )
    mitigation = ConflictMitigation.objects.create(
        declaration=declaration, kind=kind, description=description.strip(), proposed_by=actor
    )
    record_event(
        ImpartialityEvent.MITIGATION_PROPOSED,
        actor=actor,
        subject=mitigation,
        related=[declaration, declaration.person],
        data={"declaration_id": declaration.pk, "kind": kind},
    )
    return mitigation


def _check_decider(actor: User, mitigation: ConflictMitigation) -> None:
    _require_one_of(actor, RoleCode.QUALITY_MANAGER, RoleCode.IMPARTIALITY_COMMITTEE)
    declaration = mitigation.declaration
    if declaration.declarant_id == actor.pk:
        raise ImpartialityError(
            "own_conflict",
            _("You declared this conflict: another person must decide on its mitigation."),
        )
    if mitigation.proposed_by_id == actor.pk:
        raise ImpartialityError(
            "own_proposal", _("You proposed this measure: another person must decide on it.")
        )
    if has_declared_conflict(actor, declaration.person_id):
        raise ImpartialityError(
            "approver_has_conflict",
            _("You declared a conflict with this person yourself, so you cannot decide."),
        )


def _notify_declarant(mitigation: ConflictMitigation) -> None:
    declarant = mitigation.declaration.declarant
    queue_notification(
        template="impartiality_mitigation_decided",
        recipient_email=declarant.email,
        recipient_user=declarant,
        subject=mitigation,
        context={
            "declarant_name": declarant.given_names,
            "approved": mitigation.status == MitigationStatus.APPROVED,
            "context_label": mitigation.declaration.context_label,
            "measure": mitigation.get_kind_display(),
            "reason": mitigation.decision_reason,
        },
    )


@audit_refusals("approve_mitigation")
@transaction.atomic(durable=True)
def approve_mitigation(
    *, actor: User, mitigation: ConflictMitigation, reason: str = ""
) -> ConflictMitigation:
    """Another person approves the measure (R13); the declarant may then act with it in place."""
    mitigation = (
        ConflictMitigation.objects.select_for_update()
        .select_related("declaration__declarant")
        .get(pk=mitigation.pk)
    )
    _check_decider(actor, mitigation)
    if not can_proceed(mitigation.approve):
        raise ImpartialityRuleError("not_proposed", _("This measure was already decided."))
    mitigation.approve()
    mitigation.decided_by = actor
    mitigation.decided_at = timezone.now()
    mitigation.decision_reason = reason.strip()
    mitigation.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    record_event(
        ImpartialityEvent.MITIGATION_APPROVED,
        actor=actor,
        subject=mitigation,
        reason=mitigation.decision_reason,
        related=[mitigation.declaration, mitigation.declaration.person],
        data={"declaration_id": mitigation.declaration_id, "kind": mitigation.kind},
    )
    _notify_declarant(mitigation)
    return mitigation


@audit_refusals("reject_mitigation")
@transaction.atomic(durable=True)
def reject_mitigation(
    *, actor: User, mitigation: ConflictMitigation, reason: str
) -> ConflictMitigation:
    """Another person rejects the measure; the conflict keeps blocking the declarant."""
    mitigation = (
        ConflictMitigation.objects.select_for_update()
        .select_related("declaration__declarant")
        .get(pk=mitigation.pk)
    )
    _check_decider(actor, mitigation)
    if not reason.strip():
        raise ImpartialityInputError("reason_required", _("Give the reason for the rejection."))
    if not can_proceed(mitigation.reject):
        raise ImpartialityRuleError("not_proposed", _("This measure was already decided."))
    mitigation.reject()
    mitigation.decided_by = actor
    mitigation.decided_at = timezone.now()
    mitigation.decision_reason = reason.strip()
    mitigation.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"]
    )
    record_event(
        ImpartialityEvent.MITIGATION_REJECTED,
        actor=actor,
        subject=mitigation,
        reason=mitigation.decision_reason,
        related=[mitigation.declaration, mitigation.declaration.person],
        data={"declaration_id": mitigation.declaration_id, "kind": mitigation.kind},
    )
    _notify_declarant(mitigation)
    return mitigation


# Training ----------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def record_training(
    *,
    actor: User,
    trainer: User,
    person: Person,
    course: str,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    provider: str = "",
) -> TrainingRecord:
    """Record that `trainer` trained `person` (5.2); trainers record their own, or the quality manager."""
    if actor.pk == trainer.pk:
        require_active_personnel(actor)
    else:
        require_role(actor, RoleCode.QUALITY_MANAGER)
    if not course.strip():
        raise ImpartialityInputError("course_required", _("Name the course."))
    if ended_on is not None and ended_on < started_on:
        raise ImpartialityInputError("end_before_start", _("The course ends before it starts."))
    if TrainingRecord.objects.filter(
        trainer=trainer, person=person, course=course.strip(), started_on=started_on
    ).exists():
        raise ImpartialityRuleError("already_recorded", _("This training is already recorded."))
    record = TrainingRecord.objects.create(
        trainer=trainer, person=person, course=course.strip(), provider=provider.strip(),
        started_on=started_on, ended_on=ended_on, recorded_by=actor,
    )  # fmt: skip
    record_event(
        ImpartialityEvent.TRAINING_RECORDED,
        actor=actor,
        subject=record,
        related=[trainer, person],
        data={"trainer_id": trainer.pk, "started_on": started_on, "ended_on": ended_on},
    )
    return record


# The impartiality risk register -----------------------------------------------------------------


def _check_rating(likelihood: int, impact: int) -> None:
    if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
        raise ImpartialityInputError(
            "rating_out_of_range", _("Likelihood and impact are rated from 1 to 5.")
        )


def _next_risk_reference() -> str:
    numbers = [
        int(reference.split("-")[-1])
        for reference in ImpartialityRisk.objects.values_list("reference", flat=True)
        if reference.split("-")[-1].isdigit()
    ]
    return f"IR-{max(numbers, default=0) + 1:03d}"


@transaction.atomic(durable=True)
def record_risk(
    *,
    actor: User,
    threat: str,
    source: str,
    likelihood: int,
    impact: int,
    owner: User,
    review_due_on: dt.date,
    controls: str = "",
    description: str = "",
) -> ImpartialityRisk:
    """Enter a threat to impartiality in the register (4.3)."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    if not threat.strip():
        raise ImpartialityInputError("threat_required", _("Name the threat."))
    if source not in ThreatSource.values:
        raise ImpartialityInputError("unknown_source", _("This source of threat is not known."))
    _check_rating(likelihood, impact)
    risk = ImpartialityRisk.objects.create(
        reference=_next_risk_reference(), threat=threat.strip(), source=source,
        description=description.strip(), likelihood=likelihood, impact=impact,
        controls=controls.strip(), owner=owner, review_due_on=review_due_on,
    )  # fmt: skip
    record_event(
        ImpartialityEvent.RISK_RECORDED,
        actor=actor,
        subject=risk,
        data={"reference": risk.reference, "source": source, "rating": risk.rating},
    )
    return risk


RISK_FIELDS = (
    "threat",
    "source",
    "description",
    "likelihood",
    "impact",
    "controls",
    "owner",
    "review_due_on",
)


@transaction.atomic(durable=True)
def update_risk(
    *, actor: User, risk: ImpartialityRisk, reason: str = "", **changes: Any
) -> ImpartialityRisk:
    """Change the assessment or the controls of a risk that is not closed."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    risk = ImpartialityRisk.objects.select_for_update().get(pk=risk.pk)
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise ImpartialityInputError("unknown_field", _("These fields cannot be changed here."))
    if risk.status == RiskStatus.CLOSED:
        raise ImpartialityRuleError("risk_closed", _("Reopen the risk before changing it."))
    for name, value in changes.items():
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    _check_rating(risk.likelihood, risk.impact)
    if not risk.threat:
        raise ImpartialityInputError("threat_required", _("Name the threat."))
    if risk.source not in ThreatSource.values:
        raise ImpartialityInputError("unknown_source", _("This source of threat is not known."))
    if risk.status == RiskStatus.CONTROLLED and not risk.controls:
        raise ImpartialityRuleError(
            "control_required", _("A controlled risk keeps its controls; reopen it first.")
        )
    risk.save(update_fields=[*changes, "updated_at"])
    record_event(
        ImpartialityEvent.RISK_UPDATED,
        actor=actor,
        subject=risk,
        reason=reason,
        data={"fields": sorted(changes), "rating": risk.rating},
    )
    return risk


def _transition_risk(
    actor: User, risk: ImpartialityRisk, name: str, event: str, reason: str
) -> ImpartialityRisk:
    risk = ImpartialityRisk.objects.select_for_update().get(pk=risk.pk)
    method = getattr(risk, name)
    if name in {"control", "close"} and not risk.controls.strip():
        raise ImpartialityRuleError(
            "control_required",
            _("A risk cannot be controlled or closed until its controls are recorded."),
        )
    if not can_proceed(method):
        raise ImpartialityRuleError(
            "invalid_transition",
            _("A %(status)s risk cannot be changed this way.")
            % {"status": risk.get_status_display().lower()},
        )
    method()
    update_fields = ["status", "updated_at"]
    if name == "close":
        risk.closed_at = timezone.now()
        update_fields.append("closed_at")
    elif name == "reopen":
        risk.closed_at = None
        update_fields.append("closed_at")
    risk.save(update_fields=update_fields)
    record_event(event, actor=actor, subject=risk, reason=reason, data={"status": risk.status})
    return risk


@transaction.atomic(durable=True)
def mark_risk_controlled(
    *, actor: User, risk: ImpartialityRisk, reason: str = ""
) -> ImpartialityRisk:
    """The recorded controls are in place."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    return _transition_risk(actor, risk, "control", ImpartialityEvent.RISK_CONTROLLED, reason)


@transaction.atomic(durable=True)
def close_risk(*, actor: User, risk: ImpartialityRisk, reason: str) -> ImpartialityRisk:
    """Close a risk: never without a control (4.3)."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    if not reason.strip():
        raise ImpartialityInputError("reason_required", _("Give the reason for closing the risk."))
    return _transition_risk(actor, risk, "close", ImpartialityEvent.RISK_CLOSED, reason)


@transaction.atomic(durable=True)
def reopen_risk(*, actor: User, risk: ImpartialityRisk, reason: str) -> ImpartialityRisk:
    _require_one_of(actor, RoleCode.QUALITY_MANAGER, RoleCode.IMPARTIALITY_COMMITTEE)
    if not reason.strip():
        raise ImpartialityInputError(
            "reason_required", _("Give the reason for reopening the risk.")
        )
    return _transition_risk(actor, risk, "reopen", ImpartialityEvent.RISK_REOPENED, reason)


@transaction.atomic(durable=True)
def review_risk(
    *,
    actor: User,
    risk: ImpartialityRisk,
    conclusion: str,
    notes: str,
    next_review_on: dt.date,
) -> RiskReview:
    """The impartiality committee reviews a risk; inadequate controls reopen it."""
    require_role(actor, RoleCode.IMPARTIALITY_COMMITTEE)
    risk = ImpartialityRisk.objects.select_for_update().get(pk=risk.pk)
    if conclusion not in RiskReview.Conclusion.values:
        raise ImpartialityInputError("unknown_conclusion", _("This conclusion is not known."))
    if not notes.strip():
        raise ImpartialityInputError("notes_required", _("Record what the committee found."))
    today = timezone.localdate()
    if next_review_on <= today:
        raise ImpartialityInputError(
            "next_review_in_past", _("The next review must be after today.")
        )
    review = RiskReview.objects.create(
        risk=risk, reviewer=actor, reviewed_on=today, conclusion=conclusion, notes=notes.strip(),
        next_review_on=next_review_on,
    )  # fmt: skip
    risk.review_due_on = next_review_on
    risk.save(update_fields=["review_due_on", "updated_at"])
    if conclusion == RiskReview.Conclusion.INADEQUATE and risk.status == RiskStatus.CONTROLLED:
        risk.reopen()
        risk.save(update_fields=["status", "updated_at"])
    record_event(
        ImpartialityEvent.RISK_REVIEWED,
        actor=actor,
        subject=risk,
        related=[review],
        data={"conclusion": conclusion, "next_review_on": next_review_on, "status": risk.status},
    )
    return review


def remind_overdue_risk_reviews(*, now: dt.datetime) -> int:
    """Tell the impartiality committee and each owner of the risks whose review is due (4.3).

    Once per risk and review date, so running it again sends nothing new. Returns the count.
    """
    from peritus.accounts.selectors import list_users_with_role

    today = timezone.localdate(now)
    due = (
        ImpartialityRisk.objects.exclude(status=RiskStatus.CLOSED)
        .filter(review_due_on__lte=today)
        .exclude(review_reminded_for=models.F("review_due_on"))
        .values_list("pk", flat=True)
    )
    reminded = 0
    for risk_id in list(due):
        with transaction.atomic(durable=True):
            risk = (
                ImpartialityRisk.objects.select_for_update().select_related("owner").get(pk=risk_id)
            )
            if risk.review_reminded_for == risk.review_due_on or risk.status == RiskStatus.CLOSED:
                continue
            recipients = {
                user.pk: user for user in list_users_with_role(RoleCode.IMPARTIALITY_COMMITTEE)
            }
            recipients.setdefault(risk.owner_id, risk.owner)
            for user in recipients.values():
                queue_notification(
                    template="impartiality_risk_review_due",
                    recipient_email=user.email,
                    recipient_user=user,
                    subject=risk,
                    context={"name": user.given_names, "reference": risk.reference,
                             "threat": risk.threat, "due_on": risk.review_due_on},
                )  # fmt: skip
            risk.review_reminded_for = risk.review_due_on
            risk.save(update_fields=["review_reminded_for", "updated_at"])
            record_event(
                ImpartialityEvent.RISK_REVIEW_REMINDED,
                actor=None,
                subject=risk,
                data={"review_due_on": risk.review_due_on, "recipients": len(recipients)},
            )
            reminded += 1
    return reminded
