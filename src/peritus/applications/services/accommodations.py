"""Accommodation requests and their reasoned decisions (clause 9.2.4; restricted data, 7.3)."""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.applications.errors import ApplicationError, ApplicationInputError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import (
    Accommodation,
    AccommodationKind,
    Application,
    ApplicationStatus,
    EvidenceKind,
)
from peritus.applications.services.common import (
    lock_application,
    notify_person,
    refuse_status,
    require_applicant,
)
from peritus.applications.services.evidence import store_evidence
from peritus.applications.services.review import require_impartial_reviewer
from peritus.audit_trail.services import record_event

# An accommodation can be asked for until the candidate has sat the assessment.
REQUEST_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.MORE_INFORMATION_REQUESTED,
    ApplicationStatus.ELIGIBLE,
)


@transaction.atomic(durable=True)
def request_accommodation(
    *,
    actor: User,
    application: Application,
    kind: str,
    need: str,
    extra_time_percent: int | None = None,
    document: IO[bytes] | None = None,
    document_name: str = "",
) -> Accommodation:
    """The applicant asks for an adjustment, with an optional supporting document."""
    application = lock_application(application)
    require_applicant(actor, application)
    if application.status not in REQUEST_STATUSES:
        raise refuse_status(application, _("given an accommodation request"))
    if kind not in AccommodationKind.values:
        raise ApplicationInputError("required", _("Choose the kind of accommodation."))
    if not need.strip():
        raise ApplicationInputError("required", _("Say what you need and why."))
    if kind == AccommodationKind.EXTRA_TIME and not extra_time_percent:
        raise ApplicationInputError(
            "extra_time_percent_required", _("Say how much extra time you ask for, in percent.")
        )
    if extra_time_percent is not None and not 5 <= extra_time_percent <= 200:
        raise ApplicationInputError(
            "extra_time_percent_required", _("Extra time lies between 5 and 200 percent.")
        )
    accommodation = Accommodation.objects.create(
        application=application,
        kind=kind,
        need=need.strip(),
        extra_time_percent=extra_time_percent if kind == AccommodationKind.EXTRA_TIME else None,
        requested_by=actor,
    )
    related = []
    if document is not None:
        related.append(
            store_evidence(
                actor=actor,
                application=application,
                upload=document,
                name=document_name or "supporting-document",
                kind=EvidenceKind.ACCOMMODATION_SUPPORT,
                accommodation=accommodation,
            )
        )
    # The need may hold health data: the audit trail keeps only the kind (clause 7.3).
    record_event(
        ApplicationsEvent.ACCOMMODATION_REQUESTED, actor=actor, subject=accommodation,
        related=[application, *related], data={"kind": kind, "documents": len(related)},
    )  # fmt: skip
    return accommodation


def _lock_for_decision(actor: User, accommodation: Accommodation) -> Accommodation:
    require_role(actor, RoleCode.ELIGIBILITY_REVIEWER, scheme_id=accommodation.get_scheme_id())
    application = lock_application(accommodation.application)
    require_impartial_reviewer(actor, application)
    return Accommodation.objects.select_related("application__person", "application__scheme").get(
        pk=accommodation.pk
    )


@transaction.atomic(durable=True)
def approve_accommodation(
    *,
    actor: User,
    accommodation: Accommodation,
    arrangements: str,
    reasons: str,
    extra_time_percent: int | None = None,
) -> Accommodation:
    """Grant the adjustment as it will be applied at every assessment of the candidate."""
    accommodation = _lock_for_decision(actor, accommodation)
    if not can_proceed(accommodation.approve):
        raise ApplicationError("invalid_status", _("This request was already decided."))
    if not arrangements.strip() or not reasons.strip():
        raise ApplicationInputError(
            "required", _("Describe the arrangements granted and the reasons.")
        )
    if accommodation.kind == AccommodationKind.EXTRA_TIME:
        granted = extra_time_percent or accommodation.extra_time_percent
        if not granted or not 5 <= granted <= 200:
            raise ApplicationInputError(
                "extra_time_percent_required", _("Give the extra time granted, in percent.")
            )
        accommodation.extra_time_percent = granted
    accommodation.approve()
    _decided(accommodation, actor=actor, reasons=reasons, arrangements=arrangements)
    record_event(
        ApplicationsEvent.ACCOMMODATION_APPROVED, actor=actor, subject=accommodation,
        related=[accommodation.application],
        data={"kind": accommodation.kind, "extra_time_percent": accommodation.extra_time_percent},
        actor_role=RoleCode.ELIGIBILITY_REVIEWER,
    )  # fmt: skip
    notify_person(
        accommodation.application,
        template="applications_accommodation_decided",
        accommodation=accommodation,
    )
    return accommodation


@transaction.atomic(durable=True)
def refuse_accommodation(
    *, actor: User, accommodation: Accommodation, reasons: str
) -> Accommodation:
    """Refuse the adjustment, with reasons the person can appeal."""
    accommodation = _lock_for_decision(actor, accommodation)
    if not can_proceed(accommodation.refuse):
        raise ApplicationError("invalid_status", _("This request was already decided."))
    if not reasons.strip():
        raise ApplicationInputError("required", _("Give the reasons for the refusal."))
    accommodation.refuse()
    _decided(accommodation, actor=actor, reasons=reasons, arrangements="")
    record_event(
        ApplicationsEvent.ACCOMMODATION_REFUSED, actor=actor, subject=accommodation,
        related=[accommodation.application], data={"kind": accommodation.kind},
        actor_role=RoleCode.ELIGIBILITY_REVIEWER,
    )  # fmt: skip
    notify_person(
        accommodation.application,
        template="applications_accommodation_decided",
        accommodation=accommodation,
    )
    return accommodation


def _decided(accommodation: Accommodation, *, actor: User, reasons: str, arrangements: str) -> None:
    accommodation.decided_by = actor
    accommodation.decided_at = timezone.now()
    accommodation.reasons = reasons.strip()
    accommodation.arrangements = arrangements.strip()
    accommodation.save(
        update_fields=[
            "status", "decided_by", "decided_at", "reasons", "arrangements",
            "extra_time_percent", "updated_at",
        ]
    )  # fmt: skip
