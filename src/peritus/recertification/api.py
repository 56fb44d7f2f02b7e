"""The holder's side of surveillance and recertification over the API: what is due, the CPD log
of the current cycle, and logging an activity with its evidence (the same service as the portal).

Only the holder's own certificates are reachable; someone else's number is a 404, as in the
portal. Training providers and apps that keep a person's CPD use a token with the `write` scope.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from peritus.accounts.requests import actor_of
from peritus.accounts.services import require_api_scope
from peritus.certification.models import Certificate
from peritus.recertification import selectors
from peritus.recertification.models import CpdActivity
from peritus.recertification.schedule import Due, due_for
from peritus.recertification.services.cpd import log_cpd_activity

router = Router(tags=["recertification"])


class HoursOut(Schema):
    category: str
    name: str
    logged: Decimal
    required: Decimal
    short: Decimal


class OpenSubmissionOut(Schema):
    reference: str
    kind: str
    status: str
    submitted_at: dt.datetime


class RenewalOut(Schema):
    certificate_number: str
    scheme: str
    status: str
    expires_on: dt.date
    cycle_starts_on: dt.date
    next_surveillance_on: dt.date | None
    surveillance_opens_on: dt.date | None
    surveillance_overdue: bool
    recertification_window_opens_on: dt.date
    recertification_window_open: bool
    grace_ends_on: dt.date
    hours: list[HoursOut]
    total_logged: Decimal
    total_required: Decimal
    hours_met: bool
    open_submissions: list[OpenSubmissionOut]


class CpdActivityOut(Schema):
    id: int
    category: str
    title: str
    provider: str
    completed_on: dt.date
    hours: Decimal
    description: str
    evidence_name: str
    evidence_sha256: str
    audit_verdict: str
    logged_at: dt.datetime


class CpdActivityIn(Schema):
    category: str
    title: str
    completed_on: dt.date
    hours: Decimal
    provider: str = ""
    description: str = ""


def _renewal(due: Due) -> dict[str, Any]:
    certificate = due.certificate
    return {
        "certificate_number": certificate.number,
        "scheme": certificate.scheme_version.scheme.code,
        "status": certificate.public_status(due.today).status,
        "expires_on": certificate.expires_on,
        "cycle_starts_on": due.cycle_starts_on,
        "next_surveillance_on": due.next_surveillance_on,
        "surveillance_opens_on": due.surveillance_opens_on,
        "surveillance_overdue": due.surveillance_overdue,
        "recertification_window_opens_on": due.window_opens_on,
        "recertification_window_open": due.window_open,
        "grace_ends_on": due.grace_ends_on,
        "hours": [
            {
                "category": row.code,
                "name": row.name,
                "logged": row.logged,
                "required": row.required,
                "short": row.short,
            }
            for row in due.hours
        ],
        "total_logged": due.total_logged,
        "total_required": due.rules.total_hours,
        "hours_met": due.hours_met,
        "open_submissions": [
            {
                "reference": s.reference,
                "kind": s.kind,
                "status": s.status,
                "submitted_at": s.submitted_at,
            }
            for s in due.open_submissions
        ],
    }


def _activity(activity: CpdActivity) -> dict[str, Any]:
    return {
        "id": activity.pk,
        "category": activity.category,
        "title": activity.title,
        "provider": activity.provider,
        "completed_on": activity.completed_on,
        "hours": activity.hours,
        "description": activity.description,
        "evidence_name": activity.original_name,
        "evidence_sha256": activity.sha256,
        "audit_verdict": activity.verdict,
        "logged_at": activity.created_at,
    }


def _own(request: HttpRequest, number: str) -> Certificate:
    certificate = selectors.own_certificate(request.user, number[:40])
    if certificate is None:
        raise Http404
    return certificate


@router.get(
    "/renewals",
    response=list[RenewalOut],
    summary="My certificates: surveillance and recertification dates, CPD hours by category",
)
def list_renewals(request: HttpRequest) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [_renewal(due) for due in selectors.dues_of_user(request.user, today=today)]


@router.get(
    "/renewals/{number}/cpd",
    response=list[CpdActivityOut],
    summary="The CPD activities I logged in the current cycle of one of my certificates",
)
def list_cpd(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    certificate = _own(request, number)
    due = due_for(certificate, today=timezone.localdate())
    activities = selectors.activities_of(certificate, since=due.cycle_starts_on)
    return [_activity(activity) for activity in activities]


@router.post(
    "/renewals/{number}/cpd",
    response={201: CpdActivityOut},
    summary="Log a CPD activity with its evidence file (multipart form; the holder only)",
)
def log_cpd(
    request: HttpRequest,
    number: str,
    payload: Form[CpdActivityIn],
    evidence: File[UploadedFile],
) -> Status[Any]:
    require_api_scope(request.user, "write")
    certificate = _own(request, number)
    activity = log_cpd_activity(
        actor=actor_of(request),
        certificate=certificate,
        category=payload.category,
        title=payload.title,
        completed_on=payload.completed_on,
        hours=payload.hours,
        provider=payload.provider,
        description=payload.description,
        upload=evidence,
        name=evidence.name or "evidence",
    )
    return Status(201, _activity(activity))
