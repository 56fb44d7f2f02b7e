"""Read endpoints: a candidate's own applications; staff read those of their schemes.

Accommodations (restricted data) are included only for the person and eligibility reviewers.
Changes go through the portal and office pages, which call the same services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from peritus.applications import selectors
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.schemas import ApplicationOut, ApplicationSummaryOut
from peritus.core.access import get_object_for
from peritus.core.pagination import BoundedLimitOffsetPagination

router = Router(tags=["applications"])


def _summary(application: Application) -> dict[str, Any]:
    return {
        "reference": application.reference,
        "scheme": application.scheme.code,
        "scheme_version": application.scheme_version.version,
        "status": application.status,
        "created_at": application.created_at,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
    }


def _visible(request: HttpRequest) -> QuerySet[Application]:
    user: Any = request.user
    if user.has_perm("applications.view_application_queue"):
        return selectors.list_queue(
            scheme_ids=selectors.visible_scheme_ids(user), status="all"
        ).order_by("-created_at", "-pk")
    return (
        Application.objects.filter(person__user=user)
        .select_related("scheme", "scheme_version")
        .order_by("-created_at", "-pk")
    )


@router.get(
    "/applications",
    response=list[ApplicationSummaryOut],
    summary="Your own applications; for staff, the applications of their schemes",
)
@paginate(BoundedLimitOffsetPagination)
def list_applications(request: HttpRequest, status: str = "") -> QuerySet[Application]:
    applications = _visible(request)
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    return applications


@router.get(
    "/applications/{reference}",
    response=ApplicationOut,
    summary="One application with its evidence, requests and eligibility findings",
)
def get_application(request: HttpRequest, reference: str) -> dict[str, Any]:
    application = get_object_for(
        request.user,
        selectors.applications_with_parts(),
        view_perm="applications.view_application",
        reference=reference[:20],
    )
    restricted = request.user.has_perm("applications.view_accommodations", application)
    return {
        **_summary(application),
        **{
            field: getattr(application, field)
            for field in (
                "person_id", "employer", "education_summary", "experience_summary",
                "training_summary", "assessment_language", "register_consent",
                "attestation_version", "attestation_sha256", "attestation_signed_at",
                "code_of_conduct_version", "code_of_conduct_sha256",
                "code_of_conduct_accepted_at", "submission_sha256", "withdrawn_at",
            )
        },
        "requested_scope": [item.code for item in application.requested_scope.all()],
        "evidence": [
            {"id": e.pk, "prerequisite": e.prerequisite.code if e.prerequisite else None,
             "kind": e.kind, "original_name": e.original_name, "content_type": e.content_type,
             "size": e.size, "sha256": e.sha256, "uploaded_at": e.created_at}
            for e in selectors.list_evidence(application, include_restricted=False)
        ],
        "information_requests": [
            {"message": r.message, "requested_at": r.created_at, "due_on": r.due_on,
             "response": r.response, "responded_at": r.responded_at}
            for r in application.information_requests.all()
        ],
        "eligibility_reviews": [
            {"outcome": review.outcome, "reasons": review.reasons,
             "decided_at": review.decided_at,
             "findings": [{"prerequisite": f.prerequisite.code, "result": f.result, "note": f.note}
                          for f in review.findings.all()]}
            for review in selectors.list_reviews(application)
        ],
        "accommodations": list(application.accommodations.all()) if restricted else None,
    }  # fmt: skip
