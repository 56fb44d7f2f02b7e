"""Recertification of an issued certificate: validity extended, certificate reissued (9.6, R8, R21).

Only a recertification decision extends validity (R8). The decider is held to the segregation of
duties of the first decision (R1: `lifecycle_checks.holder_involvements`, plus any people the
caller names, such as the reviewer of the recertification file).

Which date the new validity runs from:

* The new cycle always starts the day after the previous expiry date, whatever the date of the
  decision, and runs for the validity period of the scheme version: a holder recertified early
  loses nothing, one recertified late gains nothing.
* Recertified on or before the previous expiry date (in the window): the certificate stays valid
  without a break.
* Recertified late, within the grace period (`grace_days` after the expiry date, set by the
  scheme's recertification policy): the certificate was expired from the day after the previous
  expiry until the decision; the status history keeps that gap (expired, then valid again from the
  decision date) and the new expiry is the same as if recertified on time.
* After the grace period, or for a suspended or withdrawn certificate, it is refused: a new
  application is needed (or the suspension must be ended first).

This module is a building block: it runs inside the caller's transaction (the recertification
decision of the `recertification` context), which records its own event and queues the notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.lifecycle_checks import holder_involvements
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    LifecycleAction,
    LifecycleDecision,
    ReissueReason,
)
from peritus.certification.services.lifecycle import lock_certificate, record_decision
from peritus.certification.services.revisions import new_revision, scope_codes
from peritus.certification.status import expiry_effective_on
from peritus.certification.validity import expiry_date


def renewed_expiry(previous_expiry: dt.date, validity_months: int) -> dt.date:
    """The last day of the next cycle: it starts the day after `previous_expiry`."""
    return expiry_date(expiry_effective_on(previous_expiry), validity_months)


def grace_ends_on(expires_on: dt.date, grace_days: int) -> dt.date:
    """The last day a lapsed certificate can still be recertified."""
    return expires_on + dt.timedelta(days=max(grace_days, 0))


def _check_renewable(certificate: Certificate, *, today: dt.date, grace_days: int) -> bool:
    """Whether the certificate may be recertified today; True when it is past its expiry."""
    status = certificate.status
    if status == CertificateStatus.WITHDRAWN:
        raise CertificationError(
            "certificate_withdrawn",
            _("The certificate is withdrawn: nothing can change it."),
            status=status,
        )
    if status == CertificateStatus.SUSPENDED and today <= certificate.expires_on:
        raise CertificationError(
            "certificate_suspended",
            _("The certificate is suspended: end the suspension before recertifying."),
            status=status,
        )
    lapsed = today > certificate.expires_on
    if status == CertificateStatus.SUSPENDED and lapsed:
        raise CertificationError(
            "certificate_expired",
            _("The certificate expired while suspended: a new application is needed."),
            status=CertificateStatus.EXPIRED,
        )
    if lapsed and today > grace_ends_on(certificate.expires_on, grace_days):
        raise CertificationError(
            "grace_period_over",
            _("The certificate expired on %(date)s and the grace period is over.")
            % {"date": certificate.expires_on.isoformat()},
            status=CertificateStatus.EXPIRED,
        )
    return lapsed


@transaction.atomic
def renew_certificate(
    *,
    certificate: Certificate,
    actor: User,
    rationale: str,
    grace_days: int = 0,
    not_by: Iterable[int] = (),
    details: dict[str, Any] | None = None,
) -> LifecycleDecision:
    """Recertify: extend validity by one cycle from the previous expiry and reissue (R8, R21).

    `not_by` names users who may not decide on this recertification (its reviewers): refused with
    `decider_reviewed_recertification`. Returns the lifecycle decision, with the new revision.
    """
    require_role(actor, RoleCode.DECISION_MAKER, scheme_id=certificate.get_scheme_id())
    rationale = (rationale or "").strip()
    if not rationale:
        raise CertificationInputError(
            "rationale_required", _("Give the reasons for the recertification.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    found = holder_involvements(actor, certificate, on=today)
    if actor.pk in set(not_by):
        raise ImpartialityError(
            "decider_reviewed_recertification",
            _("You reviewed this recertification; someone independent must decide."),
            involvements=["decider_reviewed_recertification", *(o.code for o in found)],
        )
    if found:
        raise ImpartialityError(
            found[0].code, found[0].message, involvements=[obstacle.code for obstacle in found]
        )
    version_rules = certificate.scheme_version
    if not version_rules.validity_months:
        raise CertificationError(
            "missing_contents",
            _("Scheme version %(version)s has no validity period.")
            % {"version": version_rules.label},
            missing=["validity_period"],
        )
    lapsed = _check_renewable(certificate, today=today, grace_days=grace_days)

    before, scope_before = certificate.status, scope_codes(certificate)
    expires_before = certificate.expires_on
    expires_after = renewed_expiry(expires_before, version_rules.validity_months)
    if lapsed and before != CertificateStatus.EXPIRED:
        # The expiry job has not run yet: record the lapse the public already saw, then the return.
        certificate.expire()
        certificate.status_since = expiry_effective_on(expires_before)
        CertificateStatusChange.objects.create(
            certificate=certificate,
            from_status=before,
            to_status=CertificateStatus.EXPIRED,
            effective_on=expiry_effective_on(expires_before),
            recorded_at=now,
            actor=None,
            reason=_("Expired at the end of its validity"),
        )
        before = CertificateStatus.EXPIRED
    version = new_revision(
        certificate,
        actor=actor,
        now=now,
        reason=ReissueReason.RECERTIFICATION,
        note=rationale,
        scope_items=list(certificate.scope_items.order_by("position", "code")),
        expires_on=expires_after,
    )
    certificate.recertify()
    if lapsed:
        certificate.status_since = today
    certificate.save(update_fields=["status", "status_since", "updated_at"])
    if lapsed:
        CertificateStatusChange.objects.create(
            certificate=certificate,
            from_status=CertificateStatus.EXPIRED,
            to_status=CertificateStatus.VALID,
            effective_on=today,
            recorded_at=now,
            actor=actor,
            reason=_("Recertified within the grace period: %(reason)s") % {"reason": rationale},
        )
    decision = record_decision(
        certificate,
        action=LifecycleAction.RECERTIFY,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        now=now,
        reason=rationale,
        before=before,
        scope_before=scope_before,
        expires_before=expires_before,
        revision=version.revision,
        details={
            "cycle_starts_on": expiry_effective_on(expires_before).isoformat(),
            "late": lapsed,
            **(details or {}),
        },
    )
    record_event(
        CertificationEvent.CERTIFICATE_RECERTIFIED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=certificate,
        reason=rationale,
        related=[decision, version, certificate.holder],
        data={
            "number": certificate.number,
            "decision": decision.reference,
            "revision": version.revision,
            "expires_before": expires_before,
            "expires_after": expires_after,
            "late": lapsed,
            "content_digest": version.content_digest,
        },
        occurred_at=now,
    )
    return decision
