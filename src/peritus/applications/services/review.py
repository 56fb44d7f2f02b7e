"""The eligibility reviewer's part: take, ask, and find eligible or not, with reasons (9.1)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.applications.eligibility import Requirement, unmet_requirements
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    ApplicationNotPermittedError,
    EligibilityImpartialityError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import (
    Application,
    EligibilityOutcome,
    EligibilityReview,
    EvidenceKind,
    FindingResult,
    InformationRequest,
    PrerequisiteFinding,
)
from peritus.applications.selectors import list_applicable_prerequisites
from peritus.applications.services.common import (
    appeal_window_days,
    lock_application,
    notify_person,
    notify_staff,
    refuse_status,
    require_applicant,
)
from peritus.applications.services.evidence import store_evidence
from peritus.audit_trail.services import record_event
from peritus.impartiality.selectors import has_declaration, has_unmitigated_conflict
from peritus.impartiality.services import record_declaration

REVIEWER = RoleCode.ELIGIBILITY_REVIEWER


@dataclasses.dataclass(frozen=True)
class Finding:
    """The reviewer's tick for one prerequisite."""

    result: str
    note: str = ""
    evidence_ids: tuple[int, ...] = ()


def require_impartial_reviewer(actor: User, application: Application) -> None:
    """R13: the reviewer is not the applicant, declared on this application, has no open conflict."""
    if application.person.user_id == actor.pk:
        raise EligibilityImpartialityError(
            "own_application", _("Nobody reviews their own application.")
        )
    if has_unmitigated_conflict(actor, application.person, context=application):
        raise EligibilityImpartialityError(
            "conflict_of_interest",
            _("You declared a conflict of interest with this applicant; another reviewer acts."),
        )


@transaction.atomic(durable=True)
def start_review(
    *,
    actor: User,
    application: Application,
    has_conflict: bool,
    nature: str = "",
    details: str = "",
) -> Application:
    """The reviewer declares their interests in the applicant, then takes the review.

    With a declared conflict the declaration is kept and the application stays in the queue for
    another reviewer (nothing is refused: declaring is the right thing to do).
    """
    require_role(actor, REVIEWER, scheme_id=application.scheme_id)
    application = lock_application(application)
    if not can_proceed(application.start_review):
        raise refuse_status(application, _("taken for review"))
    if application.person.user_id == actor.pk:
        raise EligibilityImpartialityError(
            "own_application", _("Nobody reviews their own application.")
        )
    if not has_declaration(actor, application.person, context=application):
        record_declaration(
            actor=actor, person=application.person, has_conflict=has_conflict, nature=nature,
            details=details, context=application,
            context_label=_("Eligibility review of %(reference)s") % {"reference": application.reference},
        )  # fmt: skip
    if has_unmitigated_conflict(actor, application.person, context=application):
        record_event(
            ApplicationsEvent.REVIEW_DECLINED, actor=actor, subject=application, actor_role=REVIEWER
        )
        return application
    application.start_review()
    application.assigned_reviewer = actor
    application.review_started_at = timezone.now()
    application.save(
        update_fields=["status", "assigned_reviewer", "review_started_at", "updated_at"]
    )
    record_event(
        ApplicationsEvent.REVIEW_STARTED, actor=actor, subject=application, actor_role=REVIEWER
    )
    notify_person(application, template="applications_review_started")
    return application


def _require_assigned_reviewer(actor: User, application: Application) -> None:
    if application.assigned_reviewer_id != actor.pk:
        raise ApplicationNotPermittedError(
            "not_assigned_reviewer", _("Another reviewer holds this review.")
        )
    require_impartial_reviewer(actor, application)
    if not has_declaration(actor, application.person, context=application):
        raise EligibilityImpartialityError(
            "declaration_required", _("Declare your interests in this applicant first.")
        )


@transaction.atomic(durable=True)
def request_more_information(
    *, actor: User, application: Application, message: str, due_on: dt.date | None = None
) -> InformationRequest:
    """Ask the applicant for something; they see exactly what is asked."""
    application = lock_application(application)
    as_officer = application.assigned_reviewer_id != actor.pk and has_role(
        actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=application.scheme_id
    )
    if not as_officer:
        require_role(actor, REVIEWER, scheme_id=application.scheme_id)
    if not can_proceed(application.request_information):
        raise refuse_status(application, _("sent a request"))
    if as_officer:
        if application.person.user_id == actor.pk:
            raise EligibilityImpartialityError(
                "own_application", _("Nobody handles their own application.")
            )
    else:
        _require_assigned_reviewer(actor, application)
    if not message.strip():
        raise ApplicationInputError("required", _("Say what the applicant must provide."))
    if due_on is not None and due_on < timezone.localdate():
        raise ApplicationInputError("required", _("The answer date is in the past."))
    request = InformationRequest.objects.create(
        application=application, requested_by=actor, message=message.strip(), due_on=due_on
    )
    application.request_information()
    application.save(update_fields=["status", "updated_at"])
    record_event(
        ApplicationsEvent.INFORMATION_REQUESTED, actor=actor, subject=application,
        related=[request], data={"due_on": due_on},
        actor_role=RoleCode.CERTIFICATION_OFFICER if as_officer else REVIEWER,
    )  # fmt: skip
    notify_person(application, template="applications_information_requested", request=request)
    return request


@transaction.atomic(durable=True)
def release_review(*, actor: User, application: Application, reason: str) -> Application:
    """Put a review back in the queue (the reviewer is away, or a conflict surfaced late).

    The reviewer themselves or a certification officer may do it; the reason is recorded.
    """
    application = lock_application(application)
    if application.assigned_reviewer_id != actor.pk:
        require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=application.scheme_id)
    if not can_proceed(application.release_review):
        raise refuse_status(application, _("released"))
    if not reason.strip():
        raise ApplicationInputError("required", _("Say why the review goes back to the queue."))
    previous = application.assigned_reviewer
    application.release_review()
    application.assigned_reviewer = None
    application.save(update_fields=["status", "assigned_reviewer", "updated_at"])
    record_event(
        ApplicationsEvent.REVIEW_RELEASED, actor=actor, subject=application, reason=reason.strip(),
        related=[previous] if previous is not None else [],
    )  # fmt: skip
    if previous is not None and previous.pk != actor.pk:
        notify_staff(application, previous, template="applications_review_released", reason=reason)
    return application


@dataclasses.dataclass(frozen=True)
class ResponseFile:
    upload: IO[bytes]
    name: str
    kind: str = EvidenceKind.OTHER
    prerequisite_id: int | None = None


@transaction.atomic(durable=True)
def respond_to_information_request(
    *,
    actor: User,
    application: Application,
    response: str,
    files: Iterable[ResponseFile] = (),
) -> InformationRequest:
    """The applicant answers the open request (text and files); the reviewer is told."""
    application = lock_application(application)
    require_applicant(actor, application)
    if not can_proceed(application.respond):
        raise refuse_status(application, _("answered"))
    request = (
        InformationRequest.objects.select_for_update()
        .filter(application=application, responded_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if request is None:
        raise ApplicationError("no_open_request", _("Nothing is being asked of you."))
    if not response.strip():
        raise ApplicationInputError("required", _("Write your answer."))
    prerequisites = {p.pk: p for p in application.scheme_version.prerequisites.all()}
    stored = [
        store_evidence(
            actor=actor,
            application=application,
            upload=item.upload,
            name=item.name,
            kind=item.kind,
            prerequisite=prerequisites.get(item.prerequisite_id or 0),
        )
        for item in files
    ]
    request.response = response.strip()
    request.responded_by = actor
    request.responded_at = timezone.now()
    request.save(update_fields=["response", "responded_by", "responded_at", "updated_at"])
    application.respond()
    application.save(update_fields=["status", "updated_at"])
    record_event(
        ApplicationsEvent.INFORMATION_PROVIDED, actor=actor, subject=application,
        related=[request, *stored], data={"files": len(stored)},
    )  # fmt: skip
    notify_person(application, template="applications_response_received")
    notify_staff(
        application, application.assigned_reviewer, template="applications_response_to_reviewer"
    )
    return request


def _record_review(
    *,
    actor: User,
    application: Application,
    outcome: str,
    findings: Mapping[int, Finding],
    reasons: str,
) -> EligibilityReview:
    if not reasons.strip():
        raise ApplicationInputError("required", _("Give the reasons for the outcome."))
    applicable = list_applicable_prerequisites(application)
    applicable_ids = {prerequisite.pk for prerequisite in applicable}
    unknown = set(findings) - applicable_ids
    if unknown:
        raise ApplicationInputError(
            "unknown_prerequisite",
            _("A finding names a requirement this application does not have."),
        )
    absent = [p.code for p in applicable if p.pk not in findings]
    if absent:
        raise ApplicationInputError(
            "findings_incomplete",
            _("Record a finding for every requirement: %(codes)s.") % {"codes": ", ".join(absent)},
            missing=absent,
        )
    if any(finding.result not in FindingResult.values for finding in findings.values()):
        raise ApplicationInputError("required", _("A finding is met, not met or not applicable."))
    unmet = unmet_requirements(
        [Requirement(p.pk, p.code, p.alternative_group) for p in applicable],
        {pk: finding.result for pk, finding in findings.items()},
    )
    if outcome == EligibilityOutcome.ELIGIBLE and unmet:
        raise ApplicationError(
            "findings_contradict_outcome",
            _("Requirements not met: %(codes)s. The applicant cannot be found eligible.")
            % {"codes": ", ".join(unmet)},
            unmet=unmet,
        )
    if outcome == EligibilityOutcome.NOT_ELIGIBLE and not unmet:
        raise ApplicationError(
            "findings_contradict_outcome",
            _("Every requirement is met: record which one is not, and why."),
        )
    evidence_ids = set(application.evidence_files.values_list("pk", flat=True))
    review = EligibilityReview.objects.create(
        application=application, reviewer=actor, outcome=outcome, reasons=reasons.strip(),
        decided_at=timezone.now(),
    )  # fmt: skip
    for prerequisite in applicable:
        finding = findings[prerequisite.pk]
        row = PrerequisiteFinding.objects.create(
            review=review, prerequisite=prerequisite, result=finding.result,
            note=finding.note.strip(),
        )  # fmt: skip
        relied_on = [pk for pk in finding.evidence_ids if pk in evidence_ids]
        if relied_on:
            row.evidence_files.set(relied_on)
    return review


@transaction.atomic(durable=True)
def find_eligible(
    *, actor: User, application: Application, findings: Mapping[int, Finding], reasons: str
) -> EligibilityReview:
    """Every prerequisite is met: the applicant becomes a candidate for assessment."""
    application = lock_application(application)
    require_role(actor, REVIEWER, scheme_id=application.scheme_id)
    if not can_proceed(application.find_eligible):
        raise refuse_status(application, _("found eligible"))
    _require_assigned_reviewer(actor, application)
    review = _record_review(
        actor=actor, application=application, outcome=EligibilityOutcome.ELIGIBLE,
        findings=findings, reasons=reasons,
    )  # fmt: skip
    application.find_eligible()
    application.decided_at = review.decided_at
    application.save(update_fields=["status", "decided_at", "updated_at"])
    record_event(
        ApplicationsEvent.FOUND_ELIGIBLE, actor=actor, subject=application, related=[review],
        reason=review.reasons, actor_role=REVIEWER,
    )  # fmt: skip
    notify_person(application, template="applications_found_eligible", review=review)
    return review


@transaction.atomic(durable=True)
def find_not_eligible(
    *, actor: User, application: Application, findings: Mapping[int, Finding], reasons: str
) -> EligibilityReview:
    """A requirement is not met: a reasoned refusal that tells the person how to appeal."""
    application = lock_application(application)
    require_role(actor, REVIEWER, scheme_id=application.scheme_id)
    if not can_proceed(application.find_not_eligible):
        raise refuse_status(application, _("found not eligible"))
    _require_assigned_reviewer(actor, application)
    review = _record_review(
        actor=actor, application=application, outcome=EligibilityOutcome.NOT_ELIGIBLE,
        findings=findings, reasons=reasons,
    )  # fmt: skip
    application.find_not_eligible()
    application.decided_at = review.decided_at
    application.save(update_fields=["status", "decided_at", "updated_at"])
    record_event(
        ApplicationsEvent.FOUND_NOT_ELIGIBLE, actor=actor, subject=application, related=[review],
        reason=review.reasons, actor_role=REVIEWER,
    )  # fmt: skip
    unmet = review.findings.filter(result=FindingResult.NOT_MET).select_related("prerequisite")
    notify_person(
        application,
        template="applications_found_not_eligible",
        review=review,
        unmet_findings=list(unmet),
        appeal_days=appeal_window_days(),
        appeal_deadline=timezone.localdate(review.decided_at)
        + dt.timedelta(days=appeal_window_days()),
    )
    return review


REMINDER_DAYS_BEFORE_DUE = 2


@transaction.atomic(durable=True)
def send_information_reminders(*, now: dt.datetime) -> int:
    """Remind applicants once when an answer the reviewer asked for is due within two days.

    Run by `peritus tick`; idempotent (each request is reminded at most once).
    """
    horizon = timezone.localdate(now) + dt.timedelta(days=REMINDER_DAYS_BEFORE_DUE)
    due = (
        InformationRequest.objects.select_for_update(of=("self",))
        .filter(responded_at__isnull=True, reminded_at__isnull=True, due_on__lte=horizon)
        .select_related("application__person__user", "application__scheme",
                        "application__scheme_version")
        .order_by("due_on", "pk")
    )  # fmt: skip
    sent = 0
    for request in due:
        request.reminded_at = now
        request.save(update_fields=["reminded_at", "updated_at"])
        record_event(
            ApplicationsEvent.INFORMATION_REMINDER_SENT, actor=None, subject=request.application,
            related=[request], data={"due_on": request.due_on},
        )  # fmt: skip
        notify_person(
            request.application, template="applications_information_reminder", request=request
        )
        sent += 1
    return sent
