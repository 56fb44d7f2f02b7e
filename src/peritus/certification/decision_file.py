"""The file a certification decision rests on (9.4, R1, R3, R4): who may not decide, what is
missing, and the evidence snapshot kept with the decision.

These reads serve both the service (which is what blocks) and the decision screen (which shows
the same reasons before anyone clicks).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.applications.models import (
    Application,
    ApplicationStatus,
    EligibilityOutcome,
    EligibilityReview,
)
from peritus.applications.selectors import (
    get_approved_accommodations,
    is_eligible,
    list_eligibility_reviewer_ids,
    list_evidence,
)
from peritus.certification import credentials
from peritus.certification.models import DecisionOutcome
from peritus.exams.selectors import (
    AssessmentOutcome,
    get_assessment_outcome,
    list_examiner_ids_for,
    list_invigilator_ids_for,
)
from peritus.impartiality.models import ConflictDeclaration
from peritus.impartiality.selectors import has_declared_conflict, trained_within


def training_lookback_years() -> int:
    """R1's look-back for training (scheme practice, not a clause; shared with exams)."""
    return int(getattr(settings, "PERITUS_TRAINING_LOOKBACK_YEARS", 2))


@dataclasses.dataclass(frozen=True)
class Obstacle:
    """One reason the decision cannot be taken (now, or by this person): a stable code and words."""

    code: str
    message: str


def involvements(
    user: Any, application: Application, *, on: dt.date | None = None
) -> list[Obstacle]:
    """Why `user` may not decide on `application`: every way they were involved (R1, 4.2).

    Empty when the user is independent of the candidate.
    """
    person = application.person
    user_id = getattr(user, "pk", None)
    found: list[Obstacle] = []
    if person.user_id is not None and person.user_id == user_id:
        found.append(
            Obstacle("decider_is_candidate", _("You cannot decide on your own certification."))
        )
    if user_id in list_examiner_ids_for(application):
        found.append(
            Obstacle(
                "decider_examined_candidate",
                _("You examined or marked this candidate; someone independent must decide."),
            )
        )
    if user_id in list_invigilator_ids_for(application):
        found.append(
            Obstacle(
                "decider_invigilated_candidate",
                _("You invigilated this candidate's assessment; someone independent must decide."),
            )
        )
    years = training_lookback_years()
    if trained_within(user, person, years=years, on=on or timezone.localdate()):
        found.append(
            Obstacle(
                "decider_trained_candidate",
                _("You trained this candidate within the last %(years)s years.") % {"years": years},
            )
        )
    if user_id in list_eligibility_reviewer_ids(application):
        found.append(
            Obstacle(
                "decider_reviewed_eligibility",
                _("You reviewed this candidate's eligibility; someone independent must decide."),
            )
        )
    if has_declared_conflict(user, person):
        found.append(
            Obstacle(
                "decider_declared_conflict",
                _("You declared a conflict of interest with this candidate."),
            )
        )
    return found


def missing_items(
    application: Application, *, outcome: str, assessment: AssessmentOutcome | None = None
) -> list[Obstacle]:
    """What the file lacks for `outcome` (R4): empty when the decision may be taken.

    A grant needs every prerequisite verified (an eligible finding), every component passed and
    released, and the attestation and code of conduct signed. A refusal needs the assessment
    concluded (every result released), so nobody is refused while still being assessed.
    """
    missing: list[Obstacle] = []
    if application.status == ApplicationStatus.WITHDRAWN:
        missing.append(
            Obstacle("application_withdrawn", _("The candidate withdrew the application."))
        )
    elif (
        not is_eligible(application)
        or not EligibilityReview.objects.filter(
            application=application, outcome=EligibilityOutcome.ELIGIBLE
        ).exists()
    ):
        missing.append(
            Obstacle(
                "prerequisites_not_verified",
                _("The prerequisites have not been verified: the application is not eligible."),
            )
        )
    if application.attestation_signed_at is None:
        missing.append(Obstacle("attestation_not_signed", _("The attestation is not signed.")))
    if application.code_of_conduct_accepted_at is None:
        missing.append(
            Obstacle("code_of_conduct_not_accepted", _("The code of conduct is not accepted."))
        )
    assessment = assessment or get_assessment_outcome(application)
    if not assessment.complete:
        missing.append(
            Obstacle("assessment_incomplete", _("Not every required component has a result."))
        )
    elif not assessment.all_released:
        missing.append(Obstacle("results_not_released", _("Not every result has been released.")))
    elif outcome == DecisionOutcome.GRANT and not assessment.passed:
        missing.append(
            Obstacle(
                "assessment_not_passed",
                _("The assessment was not passed under the scheme's rule: it cannot be granted."),
            )
        )
    return missing


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def evidence_snapshot(
    application: Application, *, assessment: AssessmentOutcome | None = None
) -> dict[str, Any]:
    """References and facts of the file as it stands: what the decision rested on (9.4, 7.1).

    Identifiers, codes, hashes, dates and outcomes only; no copies of personal data.
    """
    assessment = assessment or get_assessment_outcome(application)
    reviews = (
        EligibilityReview.objects.filter(application=application)
        .prefetch_related("findings__prerequisite")
        .order_by("decided_at", "pk")
    )
    declarations = ConflictDeclaration.objects.filter(person_id=application.person_id).order_by(
        "declared_at", "pk"
    )
    return {
        "application": {
            "id": application.pk,
            "reference": application.reference,
            "status": application.status,
            "scheme_version": application.scheme_version_id,
            "submitted_at": _iso(application.submitted_at),
            "submission_sha256": application.submission_sha256,
            "attestation_version": application.attestation_version,
            "attestation_sha256": application.attestation_sha256,
            "attestation_signed_at": _iso(application.attestation_signed_at),
            "code_of_conduct_version": application.code_of_conduct_version,
            "code_of_conduct_accepted_at": _iso(application.code_of_conduct_accepted_at),
            "scope_requested": sorted(application.requested_scope.values_list("code", flat=True)),
        },
        "evidence_files": [
            {"id": evidence.pk, "kind": evidence.kind, "sha256": evidence.sha256}
            for evidence in list_evidence(application, include_restricted=True)
        ],
        "accommodations": [
            {"id": accommodation.pk, "kind": accommodation.kind}
            for accommodation in get_approved_accommodations(application)
        ],
        "eligibility_reviews": [
            {
                "id": review.pk,
                "reviewer": review.reviewer_id,
                "outcome": review.outcome,
                "decided_at": _iso(review.decided_at),
                "findings": [
                    {"prerequisite": finding.prerequisite.code, "result": finding.result}
                    for finding in review.findings.all()
                ],
            }
            for review in reviews
        ],
        "assessment": {
            "passed": assessment.passed,
            "complete": assessment.complete,
            "all_released": assessment.all_released,
            "total": str(assessment.total) if assessment.total is not None else None,
            "components": [
                {
                    "code": line.component.code,
                    "required": line.component.required,
                    "result": line.result.pk if line.result else None,
                    "event": line.result.event_id if line.result else None,
                    "score": str(line.result.score) if line.result else None,
                    "passed": line.result.passed if line.result else None,
                    "status": line.result.status if line.result else None,
                    "released_at": _iso(line.result.released_at) if line.result else None,
                    "markers": sorted(
                        marker
                        for marker in (
                            line.result.first_marker_id,
                            line.result.second_marker_id,
                            line.result.reconciled_by_id,
                        )
                        if marker
                    )
                    if line.result
                    else [],
                }
                for line in assessment.lines
            ],
        },
        "declarations": [
            {
                "id": declaration.pk,
                "declarant": declaration.declarant_id,
                "has_conflict": declaration.has_conflict,
                "context": declaration.context_label,
            }
            for declaration in declarations
        ],
    }


def snapshot_digest(snapshot: dict[str, Any]) -> str:
    return credentials.content_digest(snapshot)


@dataclasses.dataclass(frozen=True)
class DecisionReadiness:
    """What the decision screen shows: the assessment, and why the viewer may or may not decide."""

    assessment: AssessmentOutcome
    involvements: list[Obstacle]
    missing_for_grant: list[Obstacle]
    missing_for_refusal: list[Obstacle]

    @property
    def may_grant(self) -> bool:
        return not self.involvements and not self.missing_for_grant

    @property
    def may_refuse(self) -> bool:
        return not self.involvements and not self.missing_for_refusal


def decision_readiness(user: Any, application: Application) -> DecisionReadiness:
    assessment = get_assessment_outcome(application)
    return DecisionReadiness(
        assessment=assessment,
        involvements=involvements(user, application),
        missing_for_grant=missing_items(
            application, outcome=DecisionOutcome.GRANT, assessment=assessment
        ),
        missing_for_refusal=missing_items(
            application, outcome=DecisionOutcome.REFUSE, assessment=assessment
        ),
    )


def list_files_awaiting_decision(*, scheme_ids: set[int] | None) -> list[Application]:
    """Eligible applications whose every result is released and that have no decision yet.

    Passed and failed files alike: a failed assessment needs a recorded refusal too.
    """
    from peritus.applications.selectors import list_eligible_applications
    from peritus.exams.models import ResultStatus

    applications = (
        list_eligible_applications()
        .filter(component_results__status=ResultStatus.RELEASED)
        .exclude(certification_decisions__isnull=False)
        .select_related("person", "scheme_version__scheme")
        .distinct()
        .order_by("decided_at", "pk")
    )
    if scheme_ids is not None:
        applications = applications.filter(scheme_id__in=scheme_ids)
    return [
        application
        for application in applications[:500]
        if get_assessment_outcome(application).all_released
    ]
