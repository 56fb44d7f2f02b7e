"""Reads about applications, evidence, accommodations and eligibility."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from peritus.applications.models import (
    OPEN_STATUSES,
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    EligibilityReview,
    EvidenceFile,
)
from peritus.impartiality.models import ConflictDeclaration
from peritus.schemes.models import Prerequisite


def list_eligibility_reviewer_ids(application: Application) -> set[int]:
    """Users who reviewed this application's eligibility (they may not decide on it: rule 1).

    Everyone who recorded an outcome, holds the review, or ever took it: taking a review starts
    with a declaration of interests on the application, which the impartiality records keep.
    """
    reviewers = set(
        EligibilityReview.objects.filter(application=application).values_list(
            "reviewer_id", flat=True
        )
    )
    if application.assigned_reviewer_id is not None:
        reviewers.add(application.assigned_reviewer_id)
    reviewers |= set(
        ConflictDeclaration.objects.about(application)
        .filter(has_conflict=False)
        .values_list("declarant_id", flat=True)
    )
    return reviewers


def get_approved_accommodations(application: Application) -> QuerySet[Accommodation]:
    """The accommodations every assessment of this candidate must apply."""
    return Accommodation.objects.filter(
        application=application, status=AccommodationStatus.APPROVED
    ).order_by("created_at", "pk")


def is_eligible(application: Application) -> bool:
    """True when the application was found eligible (the applicant is a candidate)."""
    return Application.objects.filter(pk=application.pk, status=ApplicationStatus.ELIGIBLE).exists()


def list_applications_of_person(person: Any) -> QuerySet[Application]:
    return (
        Application.objects.filter(person=person)
        .select_related("scheme", "scheme_version")
        .order_by("-created_at", "-pk")
    )


def list_applicable_prerequisites(application: Application) -> list[Prerequisite]:
    """The version's prerequisites that apply to the scope applied for (all when unscoped)."""
    scope_ids = set(application.requested_scope.values_list("pk", flat=True))
    prerequisites = Prerequisite.objects.filter(
        scheme_version_id=application.scheme_version_id
    ).prefetch_related("scope_items")
    return [
        prerequisite
        for prerequisite in prerequisites
        if not prerequisite.scope_items.all()
        or not scope_ids
        or scope_ids & {item.pk for item in prerequisite.scope_items.all()}
    ]


def list_evidence(application: Application, *, include_restricted: bool) -> QuerySet[EvidenceFile]:
    files = EvidenceFile.objects.filter(application=application).select_related("prerequisite")
    if not include_restricted:
        files = files.filter(accommodation__isnull=True)
    return files.order_by("created_at", "pk")


def list_eligible_applications(*, scheme_version_id: int | None = None) -> QuerySet[Application]:
    """Candidates accepted for assessment (for exams to book onto assessment events)."""
    applications = Application.objects.filter(status=ApplicationStatus.ELIGIBLE).select_related(
        "person", "scheme_version"
    )
    if scheme_version_id is not None:
        applications = applications.filter(scheme_version_id=scheme_version_id)
    return applications


def has_open_application(*, person: Any, scheme_id: int) -> bool:
    return Application.objects.filter(
        Q(person=person) & Q(scheme_id=scheme_id) & Q(status__in=OPEN_STATUSES)
    ).exists()


# Statuses in which the body (not the applicant) must act next.
WAITING_FOR_BODY = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
STAFF_ROLES = (
    "certification_officer",
    "eligibility_reviewer",
    "decision_maker",
    "appeals_panel",
    "complaints_handler",
    "quality_manager",
    "assessor",
)


def visible_scheme_ids(user: Any, roles: tuple[str, ...] = STAFF_ROLES) -> set[int] | None:
    """The schemes whose applications `user` works on; None for every scheme."""
    from peritus.accounts.selectors import role_grants

    grants = [grant for grant in role_grants(user) if grant.active and grant.role in roles]
    if any(grant.scheme_id is None for grant in grants):
        return None
    return {grant.scheme_id for grant in grants if grant.scheme_id is not None}


def list_queue(
    *,
    scheme_ids: set[int] | None,
    status: str = "",
    scheme_id: int | None = None,
    assigned_to: int | None = None,
    unassigned: bool = False,
    search: str = "",
) -> QuerySet[Application]:
    """Applications for the office queue, oldest submission first (drafts are not the body's)."""
    applications = Application.objects.exclude(status=ApplicationStatus.DRAFT).select_related(
        "person", "scheme", "scheme_version", "assigned_reviewer"
    )
    if scheme_ids is not None:
        applications = applications.filter(scheme_id__in=scheme_ids)
    if status == "":
        applications = applications.filter(status__in=WAITING_FOR_BODY)
    elif status != "all":
        applications = applications.filter(status=status)
    if scheme_id is not None:
        applications = applications.filter(scheme_id=scheme_id)
    if assigned_to is not None:
        applications = applications.filter(assigned_reviewer_id=assigned_to)
    if unassigned:
        applications = applications.filter(assigned_reviewer__isnull=True)
    if search.strip():
        term = search.strip()
        applications = applications.filter(
            Q(reference__iexact=term)
            | Q(person__family_name__icontains=term)
            | Q(person__given_names__icontains=term)
        )
    return applications.annotate(
        open_accommodations=Count(
            "accommodations", filter=Q(accommodations__status=AccommodationStatus.REQUESTED)
        )
    ).order_by("submitted_at", "pk")


def count_by_status(*, scheme_ids: set[int] | None) -> dict[str, int]:
    applications = Application.objects.exclude(status=ApplicationStatus.DRAFT)
    if scheme_ids is not None:
        applications = applications.filter(scheme_id__in=scheme_ids)
    counts = {status: 0 for status in ApplicationStatus.values if status != ApplicationStatus.DRAFT}
    for row in applications.values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def applications_with_parts() -> QuerySet[Application]:
    """Applications with what their pages show, for `get_object_for(..., reference=…)`."""
    return Application.objects.select_related(
        "person", "person__user", "scheme", "scheme_version__scheme", "assigned_reviewer"
    ).prefetch_related("requested_scope", "information_requests__requested_by")


def list_pending_accommodations(*, scheme_ids: set[int] | None) -> QuerySet[Accommodation]:
    accommodations = (
        Accommodation.objects.filter(status=AccommodationStatus.REQUESTED)
        .exclude(application__status=ApplicationStatus.DRAFT)  # not the body's until submitted
        .select_related("application__person", "application__scheme")
    )
    if scheme_ids is not None:
        accommodations = accommodations.filter(application__scheme_id__in=scheme_ids)
    return accommodations.order_by("created_at", "pk")


def list_reviews(application: Application) -> QuerySet[EligibilityReview]:
    return (
        EligibilityReview.objects.filter(application=application)
        .select_related("reviewer")
        .prefetch_related("findings__prerequisite", "findings__evidence_files")
        .order_by("-decided_at")
    )
