"""Decisions about an issued certificate: suspension, reinstatement, withdrawal, scope reduction,
and the holder's voluntary surrender (ISO/IEC 17024 9.5, 9.7; R7, R9, R10).

Each is one transaction: the rule checks (role, independence from the holder, status, inputs),
the change of status, the `LifecycleDecision`, the `CertificateStatusChange`, a reissue where the
scope changes, the audit event and the notice to the holder. The public status (verification
page and API, register) reads the certificate row, so it changes with the commit (R7).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    CertificationNotPermittedError,
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.lifecycle_checks import (
    appeal_window_days,
    holder_involvements,
    status_allows,
    suspension_max_days,
)
from peritus.certification.models import (
    BulkOperation,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    LifecycleAction,
    LifecycleDecision,
    ReissueReason,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.services.revisions import new_revision, notify_holder_of, scope_codes
from peritus.impartiality.refusals import audit_refusals
from peritus.schemes.models import ScopeItem

HOLDER_ROLE = "holder"


# Building blocks (inside the caller's transaction) ------------------------------------------------


def lock_certificate(certificate: Certificate) -> Certificate:
    """The certificate row, locked for the rest of the transaction, with what notices need."""
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related(
            "holder__user", "scheme", "scheme_version__scheme", "decision__application__person"
        )
        .get(pk=certificate.pk)
    )


def _required(text: str, code: str, message: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise CertificationInputError(code, message)
    return cleaned


def _require_decider(actor: User, certificate: Certificate) -> None:
    require_role(actor, RoleCode.DECISION_MAKER, scheme_id=certificate.get_scheme_id())


def _require_independent(actor: User, certificate: Certificate, today: dt.date) -> None:
    found = holder_involvements(actor, certificate, on=today)
    if found:
        raise ImpartialityError(
            found[0].code, found[0].message, involvements=[obstacle.code for obstacle in found]
        )


def _require_status(certificate: Certificate, action: str, today: dt.date) -> None:
    check = status_allows(certificate, action, today=today)
    if not check.allowed:
        raise CertificationError(
            check.code, check.message, status=certificate.public_status(today).status
        )


def _check_deadline(
    deadline: dt.date | None, *, certificate: Certificate, starts_on: dt.date, today: dt.date
) -> dt.date:
    if deadline is None:
        raise CertificationInputError(
            "deadline_required", _("Set the deadline by which the conditions must be met.")
        )
    if deadline <= today:
        raise CertificationInputError("deadline_in_past", _("The deadline must be a future date."))
    longest = suspension_max_days()
    if (deadline - starts_on).days > longest:
        raise CertificationInputError(
            "deadline_too_far",
            _("A suspension may last at most %(days)s days.") % {"days": longest},
        )
    if deadline > certificate.expires_on:
        raise CertificationInputError(
            "deadline_after_expiry",
            _("The deadline cannot be after the certificate expires (%(date)s).")
            % {"date": certificate.expires_on.isoformat()},
        )
    return deadline


def _open_suspension(certificate: Certificate) -> Suspension | None:
    return (
        Suspension.objects.select_for_update()
        .filter(certificate=certificate, status=SuspensionStatus.OPEN)
        .first()
    )


def _record_status(
    certificate: Certificate,
    *,
    before: str,
    actor: User | None,
    now: dt.datetime,
    effective_on: dt.date,
    reason: str,
) -> CertificateStatusChange:
    return CertificateStatusChange.objects.create(
        certificate=certificate,
        from_status=before,
        to_status=certificate.status,
        effective_on=effective_on,
        recorded_at=now,
        actor=actor,
        reason=reason,
    )


def record_decision(
    certificate: Certificate,
    *,
    action: str,
    actor: User,
    actor_role: str,
    now: dt.datetime,
    reason: str,
    before: str,
    scope_before: list[str],
    expires_before: dt.date,
    conditions: str = "",
    deadline: dt.date | None = None,
    revision: int | None = None,
    details: dict[str, Any] | None = None,
    bulk_operation: BulkOperation | None = None,
) -> LifecycleDecision:
    """The decision row, with the certificate as it stands after the change."""
    return LifecycleDecision.objects.create(
        certificate=certificate,
        action=action,
        decided_by=actor,
        actor_role=actor_role,
        decided_at=now,
        effective_on=timezone.localdate(now),
        reason=reason,
        conditions=conditions,
        deadline=deadline,
        from_status=before,
        to_status=certificate.status,
        scope_before=scope_before,
        scope_after=scope_codes(certificate),
        expires_before=expires_before,
        expires_after=certificate.expires_on,
        revision=revision,
        details=details or {},
        bulk_operation=bulk_operation,
    )


def attach_notice(
    decision: LifecycleDecision, certificate: Certificate, *, template: str, **context: Any
) -> None:
    notice = notify_holder_of(
        certificate,
        template=template,
        context={
            "reference": decision.reference,
            "reason": decision.reason,
            "effective_on": decision.effective_on,
            "appeal_days": appeal_window_days(),
            **context,
        },
    )
    if notice is not None:
        decision.notice = notice
        decision.save(update_fields=["notice", "updated_at"])


def _facts(certificate: Certificate, decision: LifecycleDecision, **more: Any) -> dict[str, Any]:
    return {
        "number": certificate.number,
        "decision": decision.reference,
        "from_status": decision.from_status,
        "to_status": decision.to_status,
        "effective_on": decision.effective_on,
        **more,
    }


def _end_suspension(
    suspension: Suspension | None, *, outcome: str, decision: LifecycleDecision, today: dt.date
) -> None:
    if suspension is None:
        return
    getattr(suspension, outcome)()
    suspension.resolved_on = today
    suspension.resolution = decision
    suspension.save(update_fields=["status", "resolved_on", "resolution", "updated_at"])


# Suspension ---------------------------------------------------------------------------------------


@audit_refusals("suspend_certificate")
@transaction.atomic(durable=True)
def suspend_certificate(
    *,
    certificate: Certificate,
    actor: User,
    reason: str,
    conditions: str,
    deadline: dt.date | None,
    bulk_operation: BulkOperation | None = None,
) -> Certificate:
    """Suspend a valid certificate with reasons, conditions for reinstatement and a deadline (R9)."""
    _require_decider(actor, certificate)
    reason = _required(reason, "reason_required", _("Give the reasons for the suspension."))
    conditions = _required(
        conditions, "conditions_required", _("Say what the holder must do to be reinstated.")
    )
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    _require_independent(actor, certificate, today)
    _require_status(certificate, "suspend", today)
    deadline = _check_deadline(deadline, certificate=certificate, starts_on=today, today=today)

    before, scope_before = certificate.status, scope_codes(certificate)
    certificate.suspend()
    certificate.status_since = today
    certificate.save(update_fields=["status", "status_since", "updated_at"])
    decision = record_decision(
        certificate,
        action=LifecycleAction.SUSPEND,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        now=now,
        reason=reason,
        conditions=conditions,
        deadline=deadline,
        before=before,
        scope_before=scope_before,
        expires_before=certificate.expires_on,
        bulk_operation=bulk_operation,
    )
    suspension = Suspension.objects.create(
        certificate=certificate,
        decision=decision,
        reason=reason,
        conditions=conditions,
        starts_on=today,
        deadline=deadline,
    )
    _record_status(
        certificate, before=before, actor=actor, now=now, effective_on=today, reason=reason
    )
    attach_notice(
        decision,
        certificate,
        template="certification_certificate_suspended",
        conditions=conditions,
        deadline=deadline,
        duration_days=(deadline - today).days,
    )
    record_event(
        CertificationEvent.CERTIFICATE_SUSPENDED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=certificate,
        reason=reason,
        related=[decision, suspension, certificate.holder],
        data=_facts(certificate, decision, deadline=deadline),
        occurred_at=now,
    )
    return certificate


@audit_refusals("extend_suspension")
@transaction.atomic(durable=True)
def extend_suspension(
    *, certificate: Certificate, actor: User, deadline: dt.date | None, reason: str
) -> Suspension:
    """Move the deadline of an open suspension (the holder needs more time to meet the
    conditions); the withdrawal proposal, if one was made, is withdrawn with it."""
    _require_decider(actor, certificate)
    reason = _required(reason, "reason_required", _("Say why the deadline moves."))
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    _require_independent(actor, certificate, today)
    _require_status(certificate, "extend_suspension", today)
    suspension = _open_suspension(certificate)
    if suspension is None:
        raise CertificationError(
            "no_open_suspension", _("This suspension was not recorded with a deadline.")
        )
    deadline = _check_deadline(
        deadline, certificate=certificate, starts_on=suspension.starts_on, today=today
    )
    if deadline <= suspension.deadline:
        raise CertificationInputError(
            "deadline_not_later", _("The new deadline must be later than the current one.")
        )
    previous = suspension.deadline
    suspension.deadline = deadline
    suspension.proposed_at = None
    suspension.escalated_at = None
    suspension.save(update_fields=["deadline", "proposed_at", "escalated_at", "updated_at"])
    decision = record_decision(
        certificate,
        action=LifecycleAction.EXTEND_SUSPENSION,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        now=now,
        reason=reason,
        conditions=suspension.conditions,
        deadline=deadline,
        before=certificate.status,
        scope_before=scope_codes(certificate),
        expires_before=certificate.expires_on,
        details={"previous_deadline": previous.isoformat()},
    )
    attach_notice(
        decision,
        certificate,
        template="certification_suspension_extended",
        conditions=suspension.conditions,
        deadline=deadline,
        previous_deadline=previous,
    )
    record_event(
        CertificationEvent.SUSPENSION_EXTENDED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=suspension,
        reason=reason,
        related=[certificate, decision],
        data=_facts(certificate, decision, deadline=deadline, previous_deadline=previous),
        occurred_at=now,
    )
    return suspension


def _end_status(
    certificate: Certificate,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
    action: str,
    suspension_outcome: str,
    notice: str,
    event: str,
    bulk_operation: BulkOperation | None = None,
) -> Certificate:
    """Reinstatement and withdrawal alike, once the checks passed: the transition, the decision,
    the end of an open suspension, the status row, the notice and the audit event."""
    today = timezone.localdate(now)
    before, scope_before = certificate.status, scope_codes(certificate)
    suspension = _open_suspension(certificate)
    getattr(certificate, action)()  # the protected transition: reinstate() or withdraw()
    certificate.status_since = today
    certificate.save(update_fields=["status", "status_since", "updated_at"])
    decision = record_decision(
        certificate,
        action=LifecycleAction(action),
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        now=now,
        reason=reason,
        before=before,
        scope_before=scope_before,
        expires_before=certificate.expires_on,
        bulk_operation=bulk_operation,
        details={"suspension": suspension.decision.reference} if suspension else {},
    )
    _end_suspension(suspension, outcome=suspension_outcome, decision=decision, today=today)
    _record_status(
        certificate, before=before, actor=actor, now=now, effective_on=today, reason=reason
    )
    attach_notice(decision, certificate, template=notice)
    record_event(
        event,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=certificate,
        reason=reason,
        related=[decision, certificate.holder, *([suspension] if suspension else [])],
        data=_facts(certificate, decision),
        occurred_at=now,
    )
    return certificate


@audit_refusals("reinstate_certificate")
@transaction.atomic(durable=True)
def reinstate_certificate(*, certificate: Certificate, actor: User, rationale: str) -> Certificate:
    """End a suspension because its conditions are met: a decision, by someone independent (R9)."""
    _require_decider(actor, certificate)
    rationale = _required(
        rationale, "rationale_required", _("Say how the conditions for reinstatement were met.")
    )
    now = timezone.now()
    certificate = lock_certificate(certificate)
    _require_independent(actor, certificate, timezone.localdate(now))
    _require_status(certificate, "reinstate", timezone.localdate(now))
    return _end_status(
        certificate, actor=actor, reason=rationale, now=now, action=LifecycleAction.REINSTATE,
        suspension_outcome="end_by_reinstatement",
        notice="certification_certificate_reinstated", event=CertificationEvent.CERTIFICATE_REINSTATED,
    )  # fmt: skip


# Withdrawal and reduction -----------------------------------------------------------------------


@audit_refusals("withdraw_certificate")
@transaction.atomic(durable=True)
def withdraw_certificate(
    *,
    certificate: Certificate,
    actor: User,
    reason: str,
    bulk_operation: BulkOperation | None = None,
) -> Certificate:
    """Withdraw a valid or suspended certificate: final; every claim and mark must stop (R10)."""
    _require_decider(actor, certificate)
    reason = _required(reason, "reason_required", _("Give the reasons for the withdrawal."))
    now = timezone.now()
    certificate = lock_certificate(certificate)
    _require_independent(actor, certificate, timezone.localdate(now))
    _require_status(certificate, "withdraw", timezone.localdate(now))
    return _end_status(
        certificate, actor=actor, reason=reason, now=now, action=LifecycleAction.WITHDRAW,
        suspension_outcome="end_by_withdrawal", notice="certification_certificate_withdrawn",
        event=CertificationEvent.CERTIFICATE_WITHDRAWN, bulk_operation=bulk_operation,
    )  # fmt: skip


def _kept_scope(certificate: Certificate, kept: Sequence[ScopeItem]) -> list[ScopeItem]:
    if not kept:
        raise CertificationInputError(
            "scope_required",
            _("Keep at least one scope item; to end the whole certificate, withdraw it."),
        )
    held = {item.pk: item for item in certificate.scope_items.all()}
    chosen = {item.pk for item in kept}
    if not chosen <= set(held):
        raise CertificationInputError(
            "scope_not_held", _("Only scope the certificate carries can be kept.")
        )
    if chosen == set(held):
        raise CertificationInputError(
            "scope_unchanged", _("Remove at least one scope item, or use another action.")
        )
    return sorted((held[pk] for pk in chosen), key=lambda item: (item.position, item.code))


@audit_refusals("reduce_scope")
@transaction.atomic(durable=True)
def reduce_scope(
    *,
    certificate: Certificate,
    actor: User,
    scope_items_kept: Sequence[ScopeItem],
    reason: str,
) -> Certificate:
    """Remove scope items and reissue the certificate with the rest (9.5, R10).

    On a suspended certificate the reduction ends the suspension: what the holder still meets is
    valid again, on the reduced certificate.
    """
    _require_decider(actor, certificate)
    reason = _required(reason, "reason_required", _("Give the reasons for the reduction."))
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    _require_independent(actor, certificate, today)
    _require_status(certificate, "reduce_scope", today)
    kept = _kept_scope(certificate, scope_items_kept)

    before, scope_before = certificate.status, scope_codes(certificate)
    suspension = _open_suspension(certificate) if before == CertificateStatus.SUSPENDED else None
    version = new_revision(
        certificate,
        actor=actor,
        now=now,
        reason=ReissueReason.SCOPE_REDUCTION,
        note=reason,
        scope_items=kept,
    )
    if before == CertificateStatus.SUSPENDED:
        certificate.reinstate()
        certificate.status_since = today
        certificate.save(update_fields=["status", "status_since", "updated_at"])
    removed = [code for code in scope_before if code not in scope_codes(certificate)]
    decision = record_decision(
        certificate,
        action=LifecycleAction.REDUCE_SCOPE,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        now=now,
        reason=reason,
        before=before,
        scope_before=scope_before,
        expires_before=certificate.expires_on,
        revision=version.revision,
        details={"removed": removed},
    )
    _end_suspension(suspension, outcome="end_by_reduction", decision=decision, today=today)
    _record_status(
        certificate,
        before=before,
        actor=actor,
        now=now,
        effective_on=today,
        reason=_("Scope reduced (removed %(codes)s): %(reason)s")
        % {"codes": ", ".join(removed), "reason": reason},
    )
    attach_notice(
        decision,
        certificate,
        template="certification_certificate_scope_reduced",
        removed=removed,
        kept=scope_codes(certificate),
        revision=version.revision,
    )
    record_event(
        CertificationEvent.CERTIFICATE_SCOPE_REDUCED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=certificate,
        reason=reason,
        related=[decision, version, certificate.holder, *([suspension] if suspension else [])],
        data=_facts(
            certificate,
            decision,
            removed=removed,
            kept=scope_codes(certificate),
            revision=version.revision,
            content_digest=version.content_digest,
        ),
        occurred_at=now,
    )
    return certificate


# The holder's own act ---------------------------------------------------------------------------


@transaction.atomic(durable=True)
def surrender_certificate(
    *, certificate: Certificate, actor: User, reason: str, confirmed: bool
) -> Certificate:
    """The holder gives the certificate up: it shows as withdrawn from today, at their request."""
    holder_user_id = (
        Certificate.objects.filter(pk=certificate.pk)
        .values_list("holder__user_id", flat=True)
        .first()
    )
    if holder_user_id is None or holder_user_id != actor.pk:
        raise CertificationNotPermittedError(
            "not_holder", _("Only the holder can surrender a certificate.")
        )
    if not confirmed:
        raise CertificationInputError(
            "confirmation_required",
            _("Confirm that you give up the certificate; this cannot be undone."),
        )
    reason = (reason or "").strip() or _("At the holder's request")
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    _require_status(certificate, "surrender", today)

    before, scope_before = certificate.status, scope_codes(certificate)
    suspension = _open_suspension(certificate)
    certificate.withdraw()
    certificate.status_since = today
    certificate.save(update_fields=["status", "status_since", "updated_at"])
    decision = record_decision(
        certificate,
        action=LifecycleAction.SURRENDER,
        actor=actor,
        actor_role=HOLDER_ROLE,
        now=now,
        reason=reason,
        before=before,
        scope_before=scope_before,
        expires_before=certificate.expires_on,
    )
    _end_suspension(suspension, outcome="end_by_surrender", decision=decision, today=today)
    _record_status(
        certificate,
        before=before,
        actor=actor,
        now=now,
        effective_on=today,
        reason=_("Surrendered by the holder: %(reason)s") % {"reason": reason},
    )
    attach_notice(decision, certificate, template="certification_certificate_surrendered")
    record_event(
        CertificationEvent.CERTIFICATE_SURRENDERED,
        actor=actor,
        actor_role=HOLDER_ROLE,
        subject=certificate,
        reason=reason,
        related=[decision, certificate.holder],
        data=_facts(certificate, decision),
        occurred_at=now,
    )
    return certificate
