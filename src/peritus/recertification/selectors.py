"""Reads for the pages: the holder's certificates with what is due, the office queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from peritus.accounts.selectors import get_person_of_user
from peritus.certification.models import Certificate, CertificateStatus
from peritus.recertification.models import (
    OPEN_STATUSES,
    CpdActivity,
    Submission,
    SubmissionFile,
    SubmissionStatus,
)
from peritus.recertification.schedule import Due, due_for

CURRENT = (CertificateStatus.VALID, CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED)


def certificates_of_user(user: Any) -> list[Certificate]:
    """The signed-in person's certificates that surveillance or recertification concern."""
    person = get_person_of_user(user)
    if person is None:
        return []
    return list(
        Certificate.objects.filter(holder=person, status__in=CURRENT)
        .select_related("holder__user", "scheme", "scheme_version__scheme")
        .order_by("expires_on", "pk")
    )


def own_certificate(user: Any, number: str) -> Certificate | None:
    return next((c for c in certificates_of_user(user) if c.number == number), None)


def dues_of_user(user: Any, *, today: dt.date) -> list[Due]:
    return [due_for(certificate, today=today) for certificate in certificates_of_user(user)]


def submissions_of(certificate: Certificate) -> QuerySet[Submission]:
    return Submission.objects.filter(certificate=certificate).order_by("-submitted_at", "-pk")


def activities_of(certificate: Certificate, *, since: dt.date) -> QuerySet[CpdActivity]:
    return CpdActivity.objects.filter(certificate=certificate, completed_on__gte=since).order_by(
        "-completed_on", "-pk"
    )


def submission_queryset() -> QuerySet[Submission]:
    return Submission.objects.select_related(
        "certificate__holder__user",
        "certificate__scheme",
        "certificate__scheme_version__scheme",
        "scheme_version",
        "reviewed_by",
        "decided_by",
        "lifecycle_decision",
        "suspension_decision",
    )


def review_queue(user: Any, *, status: str = "") -> list[Submission]:
    """Open submissions (or those of `status`) of the schemes where `user` may act."""
    wanted = [status] if status in SubmissionStatus.values else list(OPEN_STATUSES)
    rows = submission_queryset().filter(status__in=wanted).order_by("submitted_at", "pk")[:500]
    return [row for row in rows if user.has_perm("recertification.view_submission", row)]


def files_of(submission: Submission) -> QuerySet[SubmissionFile]:
    return SubmissionFile.objects.filter(submission=submission).order_by("pk")
