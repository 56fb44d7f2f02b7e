"""R25, no retaliation: an adverse decision about someone who appealed or complained in the
window before it (default 183 days) is flagged, and a quality manager who took no part in the
decision reviews it with reasons, raising a corrective action if there is a concern.

The scan reads the other contexts' records (it changes none of them): certification refused,
application found not eligible, certificate suspended, withdrawn or scope reduced. It is
idempotent — one flag per decision record, enforced by a unique constraint — and looks back
`PERITUS_RETALIATION_SCAN_DAYS` (default 90) so a late or missed run catches up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role
from peritus.accounts.services import require_role
from peritus.appeals.models import Appeal
from peritus.applications.models import EligibilityOutcome, EligibilityReview
from peritus.audit_trail.services import record_event
from peritus.certification.models import (
    CertificationDecision,
    DecisionOutcome,
    LifecycleAction,
    LifecycleDecision,
)
from peritus.complaints.models import Complaint
from peritus.compliance.errors import ComplianceError, ComplianceInputError, ImpartialityError
from peritus.compliance.events import ComplianceEvent
from peritus.compliance.models import AdverseKind, Conclusion, FlagStatus, RetaliationFlag
from peritus.compliance.selectors import took_part_in_decision
from peritus.exams.models import ComponentResult, ResultStatus
from peritus.impartiality.refusals import audit_refusals
from peritus.notifications.services import queue_notification
from peritus.qms.models import ActionSource, CorrectiveAction
from peritus.qms.services import record_corrective_action
from peritus.recertification.models import Submission, SubmissionStatus

LIFECYCLE_KINDS = {
    LifecycleAction.SUSPEND: AdverseKind.SUSPENDED,
    LifecycleAction.WITHDRAW: AdverseKind.WITHDRAWN,
    LifecycleAction.REDUCE_SCOPE: AdverseKind.SCOPE_REDUCED,
}


def window_days() -> int:
    return int(getattr(settings, "PERITUS_RETALIATION_WINDOW_DAYS", 183))


def scan_days() -> int:
    return int(getattr(settings, "PERITUS_RETALIATION_SCAN_DAYS", 90))


@dataclasses.dataclass(frozen=True)
class AdverseDecision:
    record: models.Model
    kind: str
    reference: str
    person_id: int
    decided_at: dt.datetime
    decided_by_id: int | None
    involved: tuple[int, ...]


def _adverse_decisions(
    since: dt.datetime, until: dt.datetime, person_ids: set[int]
) -> Iterator[AdverseDecision]:
    refusals = CertificationDecision.objects.filter(
        outcome=DecisionOutcome.REFUSE,
        decided_at__gte=since,
        decided_at__lte=until,
        person_id__in=person_ids,
    )
    for refusal in refusals:
        yield AdverseDecision(
            refusal, AdverseKind.CERTIFICATION_REFUSED, refusal.reference, refusal.person_id,
            refusal.decided_at, refusal.decided_by_id,
            tuple(pk for pk in (refusal.decided_by_id, refusal.recorded_by_id) if pk),
        )  # fmt: skip
    reviews = EligibilityReview.objects.filter(
        outcome=EligibilityOutcome.NOT_ELIGIBLE,
        decided_at__gte=since,
        decided_at__lte=until,
        application__person_id__in=person_ids,
    ).select_related("application")
    for review in reviews:
        yield AdverseDecision(
            review, AdverseKind.NOT_ELIGIBLE, review.application.reference,
            review.application.person_id, review.decided_at, review.reviewer_id,
            (review.reviewer_id,),
        )  # fmt: skip
    lifecycle = LifecycleDecision.objects.filter(
        action__in=list(LIFECYCLE_KINDS),
        decided_at__gte=since,
        decided_at__lte=until,
        certificate__holder_id__in=person_ids,
    ).select_related("certificate")
    for decision in lifecycle:
        yield AdverseDecision(
            decision, LIFECYCLE_KINDS[LifecycleAction(decision.action)], decision.reference,
            decision.certificate.holder_id, decision.decided_at, decision.decided_by_id,
            (decision.decided_by_id,),
        )  # fmt: skip

    failures = ComponentResult.objects.filter(
        status=ResultStatus.RELEASED,
        passed=False,
        released_at__gte=since,
        released_at__lte=until,
        application__person_id__in=person_ids,
    ).select_related("application", "component")
    for result in failures:
        assert result.released_at is not None
        yield AdverseDecision(
            result, AdverseKind.EXAM_FAILED,
            f"{result.application.reference}/{result.component.code}",
            result.application.person_id, result.released_at, result.released_by_id,
            tuple(
                pk
                for pk in (
                    result.first_marker_id, result.second_marker_id, result.reconciled_by_id,
                    result.released_by_id,
                )
                if pk
            ),
        )  # fmt: skip
    refused_renewals = Submission.objects.filter(
        status=SubmissionStatus.REFUSED,
        decided_at__gte=since,
        decided_at__lte=until,
        certificate__holder_id__in=person_ids,
    ).select_related("certificate")
    for submission in refused_renewals:
        assert submission.decided_at is not None
        yield AdverseDecision(
            submission, AdverseKind.RECERTIFICATION_REFUSED, submission.reference,
            submission.certificate.holder_id, submission.decided_at, submission.decided_by_id,
            tuple(pk for pk in (submission.decided_by_id, submission.reviewed_by_id) if pk),
        )  # fmt: skip


def _complaints_of(person_ids: Any) -> Q:
    return Q(complainant_person_id__in=person_ids) | Q(complainant_user__person__in=person_ids)


def _protected_activity(
    decision: AdverseDecision, window: int
) -> tuple[Appeal | None, Complaint | None, dt.datetime] | None:
    """The latest appeal or complaint by the person received in the window before the decision."""
    start = decision.decided_at - dt.timedelta(days=window)
    appeal = (
        Appeal.objects.filter(
            appellant_id=decision.person_id,
            received_at__gte=start,
            received_at__lt=decision.decided_at,
        )
        .order_by("-received_at", "-pk")
        .first()
    )
    complaint = (
        Complaint.objects.filter(
            _complaints_of([decision.person_id]),
            received_at__gte=start,
            received_at__lt=decision.decided_at,
        )
        .order_by("-received_at", "-pk")
        .first()
    )
    if appeal is not None and (complaint is None or appeal.received_at >= complaint.received_at):
        return appeal, None, appeal.received_at
    if complaint is not None:
        return None, complaint, complaint.received_at
    return None


def _persons_with_protected_activity(since: dt.datetime, until: dt.datetime) -> set[int]:
    appellants = Appeal.objects.filter(received_at__gte=since, received_at__lt=until).values_list(
        "appellant_id", flat=True
    )
    complaints = Complaint.objects.filter(received_at__gte=since, received_at__lt=until)
    complainants = set(
        complaints.filter(complainant_person__isnull=False).values_list(
            "complainant_person_id", flat=True
        )
    ) | set(
        complaints.filter(complainant_user__person__isnull=False).values_list(
            "complainant_user__person__id", flat=True
        )
    )
    return set(appellants) | complainants


def _flag_one(
    decision: AdverseDecision,
    *,
    appeal: Appeal | None,
    complaint: Complaint | None,
    activity_at: dt.datetime,
    window: int,
    now: dt.datetime,
) -> RetaliationFlag | None:
    decision_type = ContentType.objects.get_for_model(decision.record)
    with transaction.atomic():
        flag, created = RetaliationFlag.objects.get_or_create(
            decision_type=decision_type,
            decision_id=decision.record.pk,
            defaults={
                "kind": decision.kind,
                "decision_reference": decision.reference,
                "decided_at": decision.decided_at,
                "decided_by_id": decision.decided_by_id,
                "involved_user_ids": sorted(set(decision.involved)),
                "person_id": decision.person_id,
                "appeal": appeal,
                "complaint": complaint,
                "activity_at": activity_at,
                "window_days": window,
                "raised_at": now,
            },
        )
        if not created:
            return None
        record_event(
            ComplianceEvent.RETALIATION_FLAGGED,
            actor=None,
            subject=flag,
            related=[decision.record, *[r for r in (appeal, complaint) if r is not None]],
            data={
                "reference": flag.reference,
                "kind": decision.kind,
                "decision": decision.reference,
                "appeal": appeal.reference if appeal is not None else "",
                "complaint": complaint.reference if complaint is not None else "",
                "window_days": window,
            },
            occurred_at=now,
        )
        for manager in list_users_with_role(RoleCode.QUALITY_MANAGER):
            queue_notification(
                template="compliance_retaliation_flagged",
                recipient_email=manager.email,
                recipient_user=manager,
                subject=flag,
                context={
                    "recipient_name": manager.given_names or manager.email,
                    "reference": flag.reference,
                    "kind": flag.get_kind_display(),
                    "decision": decision.reference,
                    "protected": appeal.reference
                    if appeal is not None
                    else complaint.reference
                    if complaint is not None
                    else "",
                    "window_days": window,
                },
            )
    return flag


def flag_possible_retaliation(*, now: dt.datetime) -> list[RetaliationFlag]:
    """Flag every adverse decision of the last scan period that follows, within the window, an
    appeal or complaint by the same person. Idempotent: a decision is flagged at most once."""
    window = window_days()
    since = now - dt.timedelta(days=scan_days())
    persons = _persons_with_protected_activity(since - dt.timedelta(days=window), now)
    if not persons:
        return []
    flagged: list[RetaliationFlag] = []
    for decision in _adverse_decisions(since, now, persons):
        activity = _protected_activity(decision, window)
        if activity is None:
            continue
        appeal, complaint, activity_at = activity
        flag = _flag_one(
            decision, appeal=appeal, complaint=complaint, activity_at=activity_at,
            window=window, now=now,
        )  # fmt: skip
        if flag is not None:
            flagged.append(flag)
    return flagged


# Review ------------------------------------------------------------------------------------------


@audit_refusals("review_retaliation_flag")
@transaction.atomic(durable=True)
def review_retaliation_flag(
    *,
    actor: User,
    flag: RetaliationFlag,
    conclusion: str,
    reasons: str,
    raise_action: bool = False,
    action_due_on: dt.date | None = None,
) -> RetaliationFlag:
    """A quality manager who took no part in the adverse decision records the conclusion of the
    review, with reasons; on a concern they may raise a corrective action from the flag."""
    require_role(actor, RoleCode.QUALITY_MANAGER)
    flag = RetaliationFlag.objects.select_for_update().get(pk=flag.pk)
    if took_part_in_decision(actor, flag):
        raise ImpartialityError(
            "reviewer_took_part",
            _("You took part in the decision under review: another quality manager reviews it."),
        )
    if not flag.is_open:
        raise ComplianceError("flag_reviewed", _("This flag has already been reviewed."))
    if conclusion not in Conclusion.values:
        raise ComplianceInputError("unknown_conclusion", _("Choose a conclusion."))
    reasons = reasons.strip()
    if not reasons:
        raise ComplianceInputError("reasons_required", _("Give the reasons for the conclusion."))
    if raise_action and conclusion != Conclusion.CONCERN:
        raise ComplianceInputError(
            "action_without_concern", _("A corrective action is raised only on a concern.")
        )
    now = timezone.now()
    corrective_action: CorrectiveAction | None = None
    if raise_action:
        corrective_action = record_corrective_action(
            actor=actor,
            source=ActionSource.APPEAL if flag.appeal_id else ActionSource.COMPLAINT,
            title=_("Possible retaliation: %(decision)s") % {"decision": flag.decision_reference},
            description=reasons,
            owner=actor,
            due_on=action_due_on or timezone.localdate(now) + dt.timedelta(days=30),
            source_record=flag,
            source_label=flag.reference,
        )
    flag.status = FlagStatus.REVIEWED
    flag.conclusion = conclusion
    flag.reasons = reasons
    flag.reviewed_by = actor
    flag.reviewed_at = now
    flag.corrective_action = corrective_action
    flag.save(
        update_fields=[
            "status", "conclusion", "reasons", "reviewed_by", "reviewed_at",
            "corrective_action", "updated_at",
        ]
    )  # fmt: skip
    record_event(
        ComplianceEvent.RETALIATION_REVIEWED,
        actor=actor,
        subject=flag,
        reason=reasons,
        related=[corrective_action] if corrective_action is not None else [],
        data={
            "reference": flag.reference,
            "conclusion": conclusion,
            "corrective_action": corrective_action.reference if corrective_action else "",
        },
        occurred_at=now,
    )
    return flag


def may_review(user: Any, flag: RetaliationFlag) -> bool:
    return has_role(user, RoleCode.QUALITY_MANAGER) and not took_part_in_decision(user, flag)
