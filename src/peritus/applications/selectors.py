"""Reads about applications, evidence, accommodations and eligibility."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from peritus.applications.models import (
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    EligibilityReview,
    EvidenceFile,
)
from peritus.schemes.models import Prerequisite


def list_eligibility_reviewer_ids(application: Application) -> set[int]:
    """Users who reviewed this application's eligibility (they may not decide on it: rule 1)."""
    reviewers = set(
        EligibilityReview.objects.filter(application=application).values_list(
            "reviewer_id", flat=True
        )
    )
    if application.assigned_reviewer_id is not None:
        reviewers.add(application.assigned_reviewer_id)
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
        .prefetch_related("information_requests")
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
    from peritus.applications.models import OPEN_STATUSES

    return Application.objects.filter(
        Q(person=person) & Q(scheme_id=scheme_id) & Q(status__in=OPEN_STATUSES)
    ).exists()
