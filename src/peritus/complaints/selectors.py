"""Reads of the complaints register: lists, deadlines, the complaints on a certified person's
record, suspension proposals awaiting a decision maker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from peritus.complaints.models import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    Complaint,
    ComplaintStatus,
    ProposalStatus,
    SuspensionProposal,
)


def complaint_queryset() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "handler", "subject_person", "subject_staff", "subject_certificate__holder", "triaged_by"
    )


def overdue_filter(today: dt.date) -> Q:
    """A deadline passed: acknowledgement, validation (R24) or outcome (R23)."""
    open_ = Q(status__in=OPEN_STATUSES)
    return open_ & (
        Q(acknowledged_at__isnull=True, acknowledge_due_on__lt=today)
        | Q(status=ComplaintStatus.RECEIVED, triage_due_on__lt=today)
        | Q(resolution_due_on__lt=today)
    )


def overdue_deadlines(complaint: Complaint, *, on: dt.date | None = None) -> list[str]:
    """Which deadlines of `complaint` are missed: 'acknowledgement', 'validation', 'outcome'."""
    today = on or timezone.localdate()
    if complaint.status not in OPEN_STATUSES:
        return []
    missed = []
    if complaint.acknowledged_at is None and complaint.acknowledge_due_on < today:
        missed.append("acknowledgement")
    if complaint.status == ComplaintStatus.RECEIVED and complaint.triage_due_on < today:
        missed.append("validation")
    if complaint.resolution_due_on < today:
        missed.append("outcome")
    return missed


def list_complaints(
    *,
    status: str = "",
    about: str = "",
    overdue: bool = False,
    query: str = "",
    handler: Any = None,
    exclude_subject: Any = None,
    on: dt.date | None = None,
) -> QuerySet[Complaint]:
    """The register, newest first; `status` "open" means received or being handled.

    `exclude_subject` leaves out the complaints about that user (they never see them).
    """
    today = on or timezone.localdate()
    complaints = complaint_queryset()
    if status == "open":
        complaints = complaints.filter(status__in=OPEN_STATUSES)
    elif status == "finished":
        complaints = complaints.filter(status__in=FINISHED_STATUSES)
    elif status:
        complaints = complaints.filter(status=status)
    if about:
        complaints = complaints.filter(about=about)
    if overdue:
        complaints = complaints.filter(overdue_filter(today))
    if handler is not None:
        complaints = complaints.filter(handler_id=getattr(handler, "pk", handler))
    if exclude_subject is not None:
        user_id = getattr(exclude_subject, "pk", exclude_subject)
        complaints = complaints.exclude(subject_staff_id=user_id).exclude(
            subject_person__user_id=user_id
        )
    if query.strip():
        term = query.strip()
        complaints = complaints.filter(
            Q(reference__iexact=term)
            | Q(complainant_name__icontains=term)
            | Q(subject_description__icontains=term)
            | Q(subject_certificate__number__iexact=term)
        )
    return complaints.order_by("-received_at", "-pk")


def get_complaint_queryset() -> QuerySet[Complaint]:
    """One complaint with everything its page shows."""
    return complaint_queryset().prefetch_related(
        "notes__author", "updates__author", "suspension_proposals__certificate"
    )


def count_overdue_complaints(*, on: dt.date | None = None) -> int:
    return Complaint.objects.filter(overdue_filter(on or timezone.localdate())).count()


def count_awaiting_validation() -> int:
    return Complaint.objects.filter(status=ComplaintStatus.RECEIVED).count()


def list_complaints_about_person(person: Any) -> QuerySet[Complaint]:
    """Every complaint about a certified person (directly or about one of their certificates)."""
    person_id = getattr(person, "pk", person)
    return (
        complaint_queryset()
        .filter(Q(subject_person_id=person_id) | Q(subject_certificate__holder_id=person_id))
        .order_by("-received_at", "-pk")
        .distinct()
    )


def list_complaints_on_record(person: Any, viewer: Any) -> list[Complaint]:
    """The complaints about `person` that `viewer` may see on the person's record (9.9)."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    if getattr(person, "user_id", None) == viewer.pk:
        return []
    return [
        complaint
        for complaint in list_complaints_about_person(person)
        if viewer.has_perm("complaints.view_on_record", complaint)
    ]


def list_open_suspension_proposals() -> QuerySet[SuspensionProposal]:
    return (
        SuspensionProposal.objects.filter(status=ProposalStatus.PROPOSED)
        .select_related("complaint", "certificate__holder", "certificate__scheme", "proposed_by")
        .order_by("proposed_at", "pk")
    )


def list_complaints_handled_by(user: Any) -> QuerySet[Complaint]:
    return list_complaints(status="open", handler=user)


def list_complaints_of(user: Any) -> QuerySet[Complaint]:
    """The complaints a signed-in person made (the portal), with what was written to them."""
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return (
        Complaint.objects.filter(complainant_user_id=user.pk)
        .prefetch_related("updates")
        .order_by("-received_at", "-pk")
    )
