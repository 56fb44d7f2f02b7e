"""Review of a submission's evidence, the audit of sampled CPD claims, and decisions (9.6, R1, R21).

* Surveillance: the reviewer accepts or refuses it. A refusal does not suspend anyone by itself:
  a decision maker may then open suspension proceedings (`suspend_after_surveillance`), which
  goes through `certification.services.suspend_certificate` with its own rules.
* Recertification: the reviewer checks the evidence and recommends; an independent decision maker
  (not the reviewer, not involved with the holder: the same segregation of duties as the first
  decision) grants it, which extends validity and reissues the certificate
  (`certification.services.renew_certificate`), or refuses it.
* A sampled submission needs a verdict on the evidence of every CPD activity it counts; rejected
  activities no longer count, and hours that then fall short cannot be accepted or recommended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.lifecycle_checks import holder_involvements
from peritus.certification.models import Certificate, LifecycleAction, LifecycleDecision
from peritus.certification.services import renew_certificate, suspend_certificate
from peritus.impartiality.refusals import audit_refusals
from peritus.recertification.errors import (
    ImpartialityError,
    RecertificationError,
    RecertificationInputError,
)
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import (
    AuditVerdict,
    Recommendation,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from peritus.recertification.schedule import hours_by_category, rules_for
from peritus.recertification.services.common import (
    lock_submission,
    notify_holder,
    require_reviewer,
    required_text,
)
from peritus.schemes.selectors import get_current_version


def _record_verdicts(
    submission: Submission, verdicts: Mapping[int, str], notes: Mapping[int, str]
) -> dict[str, str]:
    activities = list(submission.cpd_activities.select_for_update().order_by("pk"))
    recorded: dict[str, str] = {}
    for activity in activities:
        verdict = verdicts.get(activity.pk, "")
        if verdict not in (AuditVerdict.ACCEPTED, AuditVerdict.REJECTED):
            if submission.selected_for_audit:
                raise RecertificationInputError(
                    "audit_incomplete",
                    _(
                        "This submission was sampled for audit: record a verdict on the evidence "
                        "of every CPD activity."
                    ),
                    activity=activity.pk,
                )
            continue
        activity.verdict = verdict
        activity.verdict_note = (notes.get(activity.pk) or "").strip()
        activity.save(update_fields=["verdict", "verdict_note", "updated_at"])
        recorded[str(activity.pk)] = verdict
    return recorded


def _hours_after_audit(submission: Submission) -> tuple[bool, dict[str, str]]:
    rules = rules_for(submission.scheme_version)
    rows = hours_by_category(rules, list(submission.cpd_activities.all()))
    total = sum((row.logged for row in rows), Decimal(0))
    met = all(row.short == 0 for row in rows) and total >= rules.total_hours
    return met, {row.code: str(row.logged) for row in rows}


@audit_refusals("review_submission")
@transaction.atomic(durable=True)
def review_submission(
    *,
    actor: User,
    submission: Submission,
    positive: bool,
    findings: str,
    verdicts: Mapping[int, str] | None = None,
    notes: Mapping[int, str] | None = None,
) -> Submission:
    """Check the evidence: surveillance accepted or refused; recertification (not) recommended."""
    submission = lock_submission(submission)
    certificate = submission.certificate
    now = timezone.now()
    today = timezone.localdate(now)
    role = require_reviewer(actor, certificate, today)
    findings = required_text(findings, "findings_required", _("Record what you checked and found."))
    if submission.status != SubmissionStatus.SUBMITTED:
        raise RecertificationError(
            "not_awaiting_review", _("This submission is not awaiting review.")
        )
    recorded = _record_verdicts(submission, verdicts or {}, notes or {})
    hours_met, hours = _hours_after_audit(submission)
    if positive and submission.kind == SubmissionKind.RECERTIFICATION and not hours_met:
        raise RecertificationError(
            "cpd_hours_short",
            _(
                "After the audit the CPD hours fall short: the recertification cannot be recommended."
            ),
        )
    submission.reviewed_by = actor
    submission.reviewed_at = now
    submission.review_findings = findings
    if submission.kind == SubmissionKind.SURVEILLANCE:
        if positive:
            submission.accept()
            event, template = RecertificationEvent.SURVEILLANCE_ACCEPTED, "accepted"
        else:
            submission.refuse()
            event, template = RecertificationEvent.SURVEILLANCE_REFUSED, "refused"
        template = f"recertification_surveillance_{template}"
    else:
        submission.review()
        submission.recommendation = (
            Recommendation.RECOMMEND if positive else Recommendation.NOT_RECOMMEND
        )
        event, template = RecertificationEvent.REVIEWED, "recertification_submission_reviewed"
    submission.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_findings",
            "recommendation",
            "updated_at",
        ]
    )
    record_event(
        event,
        actor=actor,
        actor_role=role,
        subject=submission,
        reason=findings,
        related=[certificate],
        data={
            "reference": submission.reference,
            "positive": positive,
            "selected_for_audit": submission.selected_for_audit,
            "verdicts": recorded,
            "hours_after_audit": hours,
        },
        occurred_at=now,
    )
    notify_holder(
        certificate,
        template=template,
        subject=submission,
        context={"reference": submission.reference, "findings": findings, "positive": positive},
    )
    return submission


def decision_obstacles(actor: User, submission: Submission, *, on: dt.date) -> list[str]:
    """Why `actor` may not decide on this recertification (shown before anyone clicks)."""
    found = [o.message for o in holder_involvements(actor, submission.certificate, on=on)]
    if submission.reviewed_by_id == actor.pk:
        found.insert(0, _("You reviewed this recertification; someone independent must decide."))
    return found


def superseded_rules(certificate: Certificate) -> str:
    """Why the certificate cannot be recertified on its version (R21), or ""."""
    current = get_current_version(certificate.get_scheme_id())
    if current is None or current.pk == certificate.scheme_version_id:
        return ""
    return _(
        "The certificate is on version %(old)s, but the scheme's current version is %(new)s: "
        "recertification is on current rules (R21). Move the holder to the current version "
        "first."
    ) % {"old": certificate.scheme_version.version, "new": current.version}


def _grace_for(submission: Submission, certificate: Certificate, today: dt.date) -> int:
    """The grace the decision gets: the policy's, stretched to today for a submission that was
    made in time (the holder does not lose the cycle because the review took long; the status
    history still shows the certificate expired from its date until the decision)."""
    grace = rules_for(submission.scheme_version).grace_period_days
    submitted_on = timezone.localdate(submission.submitted_at)
    if submitted_on <= certificate.expires_on + dt.timedelta(days=grace):
        grace = max(grace, (today - certificate.expires_on).days)
    return grace


@audit_refusals("decide_recertification")
@transaction.atomic(durable=True)
def decide_recertification(
    *, actor: User, submission: Submission, grant: bool, rationale: str
) -> Submission:
    """Grant recertification (validity extended, certificate reissued) or refuse it, with reasons."""
    require_role(actor, RoleCode.DECISION_MAKER, scheme_id=submission.get_scheme_id())
    rationale = required_text(
        rationale, "rationale_required", _("Give the reasons for the decision.")
    )
    submission = lock_submission(submission)
    if submission.kind != SubmissionKind.RECERTIFICATION:
        raise RecertificationError(
            "not_recertification", _("Only a recertification is decided this way.")
        )
    if submission.status != SubmissionStatus.REVIEWED:
        raise RecertificationError(
            "not_reviewed", _("The evidence must be reviewed before a decision.")
        )
    now = timezone.now()
    today = timezone.localdate(now)
    if submission.reviewed_by_id == actor.pk:
        raise ImpartialityError(
            "decider_reviewed_recertification",
            _("You reviewed this recertification; someone independent must decide."),
        )
    certificate = submission.certificate
    found = holder_involvements(actor, certificate, on=today)
    if found:
        raise ImpartialityError(
            found[0].code, found[0].message, involvements=[o.code for o in found]
        )
    superseded = superseded_rules(certificate) if grant else ""
    if superseded:
        raise RecertificationError("scheme_version_superseded", superseded)
    if grant and submission.recommendation != Recommendation.RECOMMEND:
        raise RecertificationError(
            "not_recommended",
            _("The reviewer did not recommend recertification: the evidence is insufficient."),
        )
    submission.decided_by = actor
    submission.decided_at = now
    submission.decision_rationale = rationale
    submission.expires_before = certificate.expires_on
    if grant:
        decision = renew_certificate(
            certificate=certificate,
            actor=actor,
            rationale=rationale,
            grace_days=_grace_for(submission, certificate, today),
            not_by=[submission.reviewed_by_id] if submission.reviewed_by_id else [],
            details={"submission": submission.reference},
        )
        certificate = Certificate.objects.select_related(
            "holder__user", "scheme_version__scheme"
        ).get(pk=certificate.pk)
        submission.lifecycle_decision = decision
        submission.expires_after = certificate.expires_on
        submission.accept()
        event, template = RecertificationEvent.RECERTIFIED, "recertification_granted"
    else:
        submission.refuse()
        event, template = (
            RecertificationEvent.RECERTIFICATION_REFUSED,
            "recertification_refused",
        )
    submission.save(
        update_fields=[
            "status",
            "decided_by",
            "decided_at",
            "decision_rationale",
            "lifecycle_decision",
            "expires_before",
            "expires_after",
            "updated_at",
        ]
    )
    record_event(
        event,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=submission,
        reason=rationale,
        related=[
            certificate,
            *([submission.lifecycle_decision] if submission.lifecycle_decision else []),
        ],
        data={
            "reference": submission.reference,
            "number": certificate.number,
            "granted": grant,
            "expires_before": submission.expires_before,
            "expires_after": submission.expires_after,
            "revision": certificate.revision,
        },
        occurred_at=now,
    )
    notice = notify_holder(
        certificate,
        template=template,
        subject=submission,
        context={
            "reference": submission.reference,
            "rationale": rationale,
            "expires_on": certificate.expires_on,
            "revision": certificate.revision,
        },
    )
    if grant and notice is not None and submission.lifecycle_decision is not None:
        submission.lifecycle_decision.notice = notice
        submission.lifecycle_decision.save(update_fields=["notice", "updated_at"])
    return submission


def suspend_after_surveillance(
    *,
    actor: User,
    submission: Submission,
    reason: str,
    conditions: str,
    deadline: dt.date | None,
) -> Submission:
    """A decision maker opens suspension proceedings after refused surveillance.

    The suspension is `certification.services.suspend_certificate` (its rules, its transaction,
    its notice); the link from the submission is recorded right after, in a transaction of its
    own. Nothing here suspends without a decision maker's act.
    """
    submission = Submission.objects.select_related("certificate").get(pk=submission.pk)
    if submission.kind != SubmissionKind.SURVEILLANCE or (
        submission.status != SubmissionStatus.REFUSED
    ):
        raise RecertificationError(
            "surveillance_not_refused",
            _("Suspension proceedings follow a refused surveillance only."),
        )
    if submission.suspension_decision_id is not None:
        raise RecertificationError(
            "already_suspended", _("Suspension proceedings were already opened on this refusal.")
        )
    suspend_certificate(
        certificate=submission.certificate,
        actor=actor,
        reason=reason,
        conditions=conditions,
        deadline=deadline,
    )
    return _link_suspension(actor=actor, submission=submission)


@transaction.atomic(durable=True)
def _link_suspension(*, actor: User, submission: Submission) -> Submission:
    submission = lock_submission(submission)
    decision = (
        LifecycleDecision.objects.filter(
            certificate=submission.certificate, action=LifecycleAction.SUSPEND
        )
        .order_by("-decided_at", "-pk")
        .first()
    )
    submission.suspension_decision = decision
    submission.save(update_fields=["suspension_decision", "updated_at"])
    record_event(
        RecertificationEvent.SUSPENSION_OPENED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=submission,
        related=[submission.certificate, *([decision] if decision else [])],
        data={
            "reference": submission.reference,
            "suspension": decision.reference if decision else None,
        },
    )
    return submission
