"""The certification decision (4.2, 9.4): a separate step, on the complete file, by someone who
holds the decision-maker role for the scheme and was not involved with the candidate.

R1 is a hard rule here, whoever calls (UI, API, command): an involved decider is refused with an
`ImpartialityError` naming the involvement, and the refusal is audited. A pass never certifies
anyone by itself (R3): only a grant recorded here can lead to a certificate.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.applications.models import Application
from peritus.audit_trail.services import record_event
from peritus.certification.decision_file import (
    evidence_snapshot,
    involvements,
    missing_items,
    snapshot_digest,
)
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    ImpartialityError,
)
from peritus.certification.events import CertificationEvent
from peritus.certification.models import CertificationDecision, DecisionKind, DecisionOutcome
from peritus.exams.selectors import get_assessment_outcome
from peritus.impartiality.refusals import audit_refusals
from peritus.notifications.services import queue_notification
from peritus.schemes.models import ScopeItem


@audit_refusals("decide_certification")
@transaction.atomic(durable=True)
def decide_certification(
    *,
    application: Application,
    actor: User,
    outcome: str,
    rationale: str,
    scope_items: Sequence[ScopeItem] = (),
) -> CertificationDecision:
    """Grant or refuse certification on a complete file, with reasons (9.4)."""
    require_role(actor, RoleCode.DECISION_MAKER, scheme_id=application.get_scheme_id())
    if outcome not in DecisionOutcome.values:
        raise CertificationInputError("invalid_outcome", _("Choose to grant or to refuse."))
    if not rationale.strip():
        raise CertificationInputError("rationale_required", _("Give the reasons for the decision."))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "scheme_version__scheme")
        .get(pk=application.pk)
    )
    found = involvements(actor, application)
    if found:
        raise ImpartialityError(
            found[0].code,
            found[0].message,
            involvements=[obstacle.code for obstacle in found],
        )
    if CertificationDecision.objects.filter(
        application=application, outcome=DecisionOutcome.GRANT
    ).exists():
        raise CertificationError(
            "already_decided", _("Certification was already granted on this application.")
        )
    assessment = get_assessment_outcome(application)
    missing = missing_items(application, outcome=outcome, assessment=assessment)
    if missing:
        raise CertificationError(
            "incomplete_file",
            _("The file is not complete: %(missing)s")
            % {"missing": " ".join(obstacle.message for obstacle in missing)},
            missing=[obstacle.code for obstacle in missing],
        )
    granted: list[ScopeItem] = []
    if outcome == DecisionOutcome.GRANT:
        granted = _granted_scope(application, scope_items)

    snapshot = evidence_snapshot(application, assessment=assessment)
    snapshot["scope_granted"] = sorted(item.code for item in granted)
    now = timezone.now()
    decision = CertificationDecision.objects.create(
        kind=DecisionKind.ASSESSED,
        application=application,
        person=application.person,
        scheme_version=application.scheme_version,
        outcome=outcome,
        rationale=rationale.strip(),
        decided_by=actor,
        decided_at=now,
        evidence_snapshot=snapshot,
        evidence_digest=snapshot_digest(snapshot),
    )
    if granted:
        decision.scope_items.set(granted)
    record_event(
        CertificationEvent.DECISION_RECORDED,
        actor=actor,
        actor_role=RoleCode.DECISION_MAKER,
        subject=decision,
        reason=decision.rationale,
        related=[application, application.person, application.scheme_version],
        data={
            "reference": decision.reference,
            "outcome": outcome,
            "scope": snapshot["scope_granted"],
            "evidence_digest": decision.evidence_digest,
        },
        occurred_at=now,
    )
    _notify_person(decision)
    return decision


def _granted_scope(application: Application, scope_items: Sequence[ScopeItem]) -> list[ScopeItem]:
    if not scope_items:
        raise CertificationInputError(
            "scope_required", _("Name the scope granted: at least one scope item.")
        )
    requested = set(application.requested_scope.values_list("pk", flat=True)) or set(
        application.scheme_version.scope_items.values_list("pk", flat=True)
    )
    chosen = {item.pk for item in scope_items}
    if not chosen <= requested:
        raise CertificationInputError(
            "scope_not_requested",
            _("Certification can be granted only for scope the candidate applied for."),
        )
    return list(ScopeItem.objects.filter(pk__in=chosen).order_by("position", "code"))


def _notify_person(decision: CertificationDecision) -> None:
    person = decision.person
    user = person.user
    email = person.email or (user.email if user is not None else "")
    if not email:
        return
    base = settings.PERITUS["BASE_URL"].rstrip("/")
    queue_notification(
        template=(
            "certification_decision_granted"
            if decision.outcome == DecisionOutcome.GRANT
            else "certification_decision_refused"
        ),
        recipient_email=email,
        recipient_person=person,
        recipient_user=user,
        subject=decision,
        context={
            "person_name": person.full_name,
            "scheme_name": decision.scheme_version.scheme.name,
            "reference": decision.reference,
            "rationale": decision.rationale,
            "portal_url": f"{base}/portal/certificates/",
        },
    )
