"""Reads about certificates after issue: a person's certificates, suspensions, decisions,
reminders, and the lifecycle dashboard's lists (expiring soon, suspensions near their deadline,
withdrawal proposals)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from peritus.certification.models import (
    BulkOperation,
    BulkOperationItem,
    Certificate,
    ExpiryReminder,
    LifecycleDecision,
    Suspension,
    SuspensionStatus,
)
from peritus.certification.selectors.records import certificate_queryset
from peritus.certification.status import LAPSING_STATUSES


def list_certificates_of_person(person: Any) -> QuerySet[Certificate]:
    """Every certificate the person holds or held, newest first (for appeals and complaints)."""
    if person is None:
        return Certificate.objects.none()
    return certificate_queryset().filter(holder=person).order_by("-issued_on", "-pk")


def list_lifecycle_decisions(certificate: Certificate) -> QuerySet[LifecycleDecision]:
    return (
        LifecycleDecision.objects.filter(certificate=certificate)
        .select_related("decided_by", "notice")
        .order_by("-decided_at", "-pk")
    )


def get_open_suspension(certificate: Certificate) -> Suspension | None:
    return (
        Suspension.objects.filter(certificate=certificate, status=SuspensionStatus.OPEN)
        .select_related("decision__decided_by")
        .first()
    )


def list_suspensions(certificate: Certificate) -> QuerySet[Suspension]:
    return (
        Suspension.objects.filter(certificate=certificate)
        .select_related("decision__decided_by", "resolution")
        .order_by("-starts_on", "-pk")
    )


def list_expiry_reminders(certificate: Certificate) -> QuerySet[ExpiryReminder]:
    return ExpiryReminder.objects.filter(certificate=certificate).order_by("-sent_at", "-pk")


def _within(scheme_ids: set[int] | None) -> QuerySet[Certificate]:
    certificates = certificate_queryset()
    if scheme_ids is not None:
        certificates = certificates.filter(scheme_id__in=scheme_ids)
    return certificates


def list_expiring(
    *, today: dt.date, days: int, scheme_ids: set[int] | None = None
) -> QuerySet[Certificate]:
    """Valid or suspended certificates whose last day falls within the next `days` days."""
    return (
        _within(scheme_ids)
        .filter(
            status__in=list(LAPSING_STATUSES),
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=days),
        )
        .order_by("expires_on", "pk")
    )


def list_open_suspensions(
    *, scheme_ids: set[int] | None = None, proposed: bool | None = None
) -> QuerySet[Suspension]:
    """Open suspensions, nearest deadline first; `proposed` keeps only those whose deadline passed
    (withdrawal or reduction proposed) or only those still running."""
    suspensions = Suspension.objects.filter(status=SuspensionStatus.OPEN).select_related(
        "certificate__scheme", "certificate__holder", "decision__decided_by"
    )
    if scheme_ids is not None:
        suspensions = suspensions.filter(certificate__scheme_id__in=scheme_ids)
    if proposed is not None:
        suspensions = suspensions.filter(proposed_at__isnull=not proposed)
    return suspensions.order_by("deadline", "pk")


def list_bulk_operations(*, scheme_ids: set[int] | None = None) -> QuerySet[BulkOperation]:
    operations = BulkOperation.objects.select_related(
        "created_by", "confirmed_by", "scheme", "target_version"
    )
    if scheme_ids is not None:
        operations = operations.filter(scheme_id__in=scheme_ids) | operations.filter(
            scheme__isnull=True, created_by__isnull=False
        )
    return operations.order_by("-created_at", "-pk")


def list_bulk_items(operation: BulkOperation) -> QuerySet[BulkOperationItem]:
    return (
        BulkOperationItem.objects.filter(operation=operation)
        .select_related("certificate__scheme")
        .order_by("position")
    )
