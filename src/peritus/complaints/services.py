"""Use cases of complaint handling (ISO/IEC 17024 clause 9.9; rules R23, R24).

Anyone complains through the public form; staff record complaints received by email, letter or
phone. Each complaint is acknowledged (automatically by email when there is an address), validated
as a complaint or rejected with reasons (R24), handled by someone independent of its subject — a
hard rule here, whoever calls, with the stable code `handler_not_independent` — reported on,
decided, and formally closed (R23). It may lead to a suspension proposal for a decision maker and
to a corrective action for the body (qms).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role, list_users_with_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.models import Certificate, CertificateStatus
from peritus.certification.services.lifecycle import suspend_certificate
from peritus.complaints.deadlines import deadlines_from
from peritus.complaints.errors import ComplaintError, ComplaintInputError, ImpartialityError
from peritus.complaints.events import ComplaintEvent
from peritus.complaints.models import (
    Complaint,
    ComplaintAbout,
    ComplaintChannel,
    ComplaintNote,
    ComplaintOutcome,
    ComplaintStatus,
    ComplaintUpdate,
    ProposalStatus,
    Publicity,
    SuspensionProposal,
    TriageCategory,
)
from peritus.complaints.subjects import is_subject_of
from peritus.impartiality.refusals import audit_refusals
from peritus.impartiality.selectors import has_declared_conflict
from peritus.notifications.services import queue_notification
from peritus.qms.models import ActionSource, CorrectiveAction
from peritus.qms.services import record_corrective_action

# Who records, validates and assigns complaints.
INTAKE_ROLES = (RoleCode.QUALITY_MANAGER, RoleCode.COMPLAINTS_HANDLER)
# The same complaint sent again within this time is the same complaint, not a second one.
RESUBMISSION_WINDOW = dt.timedelta(minutes=30)
STAFF_CHANNELS = (
    ComplaintChannel.EMAIL,
    ComplaintChannel.LETTER,
    ComplaintChannel.PHONE,
    ComplaintChannel.PORTAL,
)


# Building blocks ---------------------------------------------------------------------------------


def _has_one_of(actor: Any, *roles: RoleCode) -> bool:
    return any(has_role(actor, role) for role in roles)


def _require_one_of(actor: Any, *roles: RoleCode) -> None:
    if not _has_one_of(actor, *roles):
        require_role(actor, roles[0])


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("subject_person", "subject_staff", "handler", "subject_certificate")
        .get(pk=complaint.pk)
    )


def _required(value: str, code: str, message: str) -> str:
    if not value or not value.strip():
        raise ComplaintInputError(code, message)
    return value.strip()


def _require_not_subject(actor: Any, complaint: Complaint) -> None:
    if is_subject_of(actor, complaint):
        raise ImpartialityError(
            "subject_may_not_act",
            _("The complaint is about you: someone else must deal with it."),
        )


def _independence_problem(user: User, complaint: Complaint) -> str:
    """Why `user` may not handle `complaint`, or "" when they may."""
    if complaint.subject_staff_id == user.pk:
        return _("The complaint is about this person: they cannot handle it.")
    if is_subject_of(user, complaint):
        return _("The complaint is about this person's own certification.")
    if complaint.complainant_user_id == user.pk or (
        complaint.complainant_email and complaint.complainant_email.lower() == user.email.lower()
    ):
        return _("This person made the complaint.")
    certificate = complaint.subject_certificate
    if certificate is not None and certificate.decision.decided_by_id == user.pk:
        return _("This person decided the certification the complaint is about.")
    subject_person = complaint.subject_person or (certificate.holder if certificate else None)
    if subject_person is not None and has_declared_conflict(user, subject_person):
        return _("This person declared a conflict of interest with the person complained about.")
    return ""


def _require_independent(user: User, complaint: Complaint) -> None:
    problem = _independence_problem(user, complaint)
    if problem:
        raise ImpartialityError(
            "handler_not_independent",
            _("%(name)s cannot handle %(reference)s: %(problem)s")
            % {"name": user.full_name, "reference": complaint.reference, "problem": problem},
        )


def _require_handler(actor: Any, complaint: Complaint) -> None:
    """The assigned handler, while still a complaints handler and still independent."""
    if complaint.handler_id is None or complaint.handler_id != getattr(actor, "pk", None):
        raise ComplaintError(
            "not_the_handler", _("Only the handler assigned to this complaint may do this.")
        )
    require_role(actor, RoleCode.COMPLAINTS_HANDLER)
    _require_independent(actor, complaint)


def _require_handler_or_manager(actor: Any, complaint: Complaint) -> None:
    if complaint.handler_id is not None and complaint.handler_id == getattr(actor, "pk", None):
        _require_handler(actor, complaint)
        return
    require_role(actor, RoleCode.QUALITY_MANAGER)
    _require_not_subject(actor, complaint)


def _require_status(complaint: Complaint, *statuses: str, code: str, message: str) -> None:
    if complaint.status not in statuses:
        raise ComplaintError(code, message)


def _notify_complainant(complaint: Complaint, *, template: str, **context: Any) -> bool:
    """Write to the complainant (who may have no account); False when there is no address."""
    if not complaint.complainant_email:
        return False
    queue_notification(
        template=template,
        recipient_email=complaint.complainant_email,
        recipient_user=complaint.complainant_user,
        subject=complaint,
        context={
            "recipient_name": complaint.complainant_name,
            "reference": complaint.reference,
            "received_on": timezone.localdate(complaint.received_at),
            "resolution_due_on": complaint.resolution_due_on,
            **context,
        },
    )
    return True


def _notify_staff(user: User, complaint: Complaint, *, template: str, **context: Any) -> None:
    queue_notification(
        template=template,
        recipient_email=user.email,
        recipient_user=user,
        subject=complaint,
        context={
            "recipient_name": user.given_names or user.email,
            "reference": complaint.reference,
            **context,
        },
    )


# Intake ------------------------------------------------------------------------------------------


def _check_intake(
    *, name: str, email: str, about: str, description: str, occurred_on: dt.date | None
) -> tuple[str, str, str]:
    name = _required(name, "name_required", _("Give your name."))
    description = _required(description, "description_required", _("Say what happened."))
    if about not in ComplaintAbout.values:
        raise ComplaintInputError("unknown_subject", _("Choose what the complaint is about."))
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ComplaintInputError("email_invalid", _("Enter a valid email address.")) from None
    if occurred_on is not None and occurred_on > timezone.localdate():
        raise ComplaintInputError("occurred_in_future", _("The date cannot be in the future."))
    return name, email, description


def _create(
    *,
    actor: User | None,
    channel: str,
    name: str,
    email: str,
    about: str,
    description: str,
    received_at: dt.datetime,
    complainant_user: User | None = None,
    complainant_person: Person | None = None,
    **fields: Any,
) -> Complaint:
    complaint = Complaint.objects.create(
        channel=channel,
        complainant_name=name[:200],
        complainant_email=email,
        complainant_user=complainant_user,
        complainant_person=complainant_person,
        about=about,
        description=description,
        received_at=received_at,
        recorded_by=actor,
        **deadlines_from(timezone.localdate(received_at)),
        **fields,
    )
    record_event(
        ComplaintEvent.RECEIVED,
        actor=actor,
        subject=complaint,
        data={"reference": complaint.reference, "channel": channel, "about": about},
    )
    if email:
        _acknowledge(actor, complaint, note=_("Acknowledged automatically by email"))
    return complaint


def _acknowledge(actor: User | None, complaint: Complaint, *, note: str) -> None:
    now = timezone.now()
    complaint.acknowledged_at = now
    complaint.acknowledgement_note = note[:200]
    complaint.save(update_fields=["acknowledged_at", "acknowledgement_note", "updated_at"])
    sent = _notify_complainant(complaint, template="complaints_acknowledgement")
    record_event(
        ComplaintEvent.ACKNOWLEDGED,
        actor=actor,
        subject=complaint,
        reason=note,
        data={"reference": complaint.reference, "emailed": sent},
        occurred_at=now,
    )


@transaction.atomic(durable=True)
def submit_complaint(
    *,
    name: str,
    email: str,
    about: str,
    description: str,
    subject_description: str = "",
    desired_outcome: str = "",
    phone: str = "",
    organisation: str = "",
    occurred_on: dt.date | None = None,
    user: User | None = None,
) -> Complaint:
    """Anyone complains through the public form (or signed in, through the portal).

    No account is needed; an email address is, for the acknowledgement, progress reports and the
    outcome. The complaint is acknowledged at once (R23). Spam protection is the interface's job.
    """
    name, email, description = _check_intake(
        name=name, email=email, about=about, description=description, occurred_on=occurred_on
    )
    if not email:
        raise ComplaintInputError(
            "email_required", _("Give an email address: we write to you there.")
        )
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    repeated = (
        Complaint.objects.filter(
            complainant_email__iexact=email,
            description=description,
            received_at__gte=timezone.now() - RESUBMISSION_WINDOW,
        )
        .order_by("-received_at")
        .first()
    )
    if repeated is not None:
        return repeated  # the same form sent twice (a double click, a reload): one complaint
    return _create(
        actor=user if signed_in else None,
        channel=ComplaintChannel.PORTAL if signed_in else ComplaintChannel.PUBLIC_FORM,
        name=name, email=email, about=about, description=description,
        received_at=timezone.now(),
        complainant_user=user if signed_in else None,
        complainant_person=getattr(user, "person", None) if signed_in else None,
        subject_description=subject_description.strip()[:300],
        desired_outcome=desired_outcome.strip(), complainant_phone=phone.strip()[:40],
        complainant_organisation=organisation.strip()[:200], occurred_on=occurred_on,
    )  # fmt: skip


@transaction.atomic(durable=True)
def record_complaint(
    *,
    actor: User,
    channel: str,
    name: str,
    about: str,
    description: str,
    email: str = "",
    phone: str = "",
    organisation: str = "",
    subject_description: str = "",
    desired_outcome: str = "",
    occurred_on: dt.date | None = None,
    received_on: dt.date | None = None,
) -> Complaint:
    """Staff record a complaint received by email, letter or phone (deadlines run from receipt).

    With an email address it is acknowledged at once; otherwise the acknowledgement (by letter or
    phone) is recorded with `acknowledge_complaint`.
    """
    _require_one_of(actor, *INTAKE_ROLES)
    if channel not in STAFF_CHANNELS:
        raise ComplaintInputError("unknown_channel", _("Say how the complaint was received."))
    name, email, description = _check_intake(
        name=name, email=email, about=about, description=description, occurred_on=occurred_on
    )
    if channel == ComplaintChannel.EMAIL and not email:
        raise ComplaintInputError("email_required", _("Give the address the complaint came from."))
    if not email and not phone.strip() and channel == ComplaintChannel.PHONE:
        raise ComplaintInputError(
            "contact_required", _("Give a phone number or an email address to answer to.")
        )
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        raise ComplaintInputError("received_in_future", _("The date cannot be in the future."))
    if (today - received_on).days > 30:
        raise ComplaintInputError(
            "received_too_long_ago", _("Record complaints within 30 days of receipt.")
        )
    now = timezone.now()
    received_at = (
        now
        if received_on == today
        else timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))
    )
    return _create(
        actor=actor, channel=channel, name=name, email=email, about=about,
        description=description, received_at=received_at,
        subject_description=subject_description.strip()[:300],
        desired_outcome=desired_outcome.strip(), complainant_phone=phone.strip()[:40],
        complainant_organisation=organisation.strip()[:200], occurred_on=occurred_on,
    )  # fmt: skip


@transaction.atomic(durable=True)
def acknowledge_complaint(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    """Record an acknowledgement made by letter or phone (email ones are automatic)."""
    _require_one_of(actor, *INTAKE_ROLES)
    complaint = _lock(complaint)
    _require_not_subject(actor, complaint)
    if complaint.acknowledged_at is not None:
        raise ComplaintError("already_acknowledged", _("This complaint is already acknowledged."))
    note = _required(note, "note_required", _("Say how the complaint was acknowledged."))
    _acknowledge(actor, complaint, note=note)
    return complaint


# Validation (R24) --------------------------------------------------------------------------------


@audit_refusals("accept_complaint")
@transaction.atomic(durable=True)
def accept_complaint(
    *,
    actor: User,
    complaint: Complaint,
    category: str,
    reasons: str,
    subject_person: Person | None = None,
    subject_certificate: Certificate | None = None,
    subject_staff: User | None = None,
) -> Complaint:
    """Validate: this is a complaint the body handles, about itself or a certified person (R24).

    The records it is about are identified here, so that independence can be checked.
    """
    _require_one_of(actor, *INTAKE_ROLES)
    complaint = _lock(complaint)
    _require_status(
        complaint, ComplaintStatus.RECEIVED,
        code="already_triaged", message=_("This complaint was already validated or rejected."),
    )  # fmt: skip
    if category not in (TriageCategory.ABOUT_BODY, TriageCategory.ABOUT_CERTIFIED_PERSON):
        raise ComplaintInputError(
            "unknown_category", _("Say whether it is about the body or a certified person.")
        )
    reasons = _required(reasons, "reasons_required", _("Give the reasons of the validation."))
    if subject_certificate is not None:
        if subject_person is not None and subject_certificate.holder_id != subject_person.pk:
            raise ComplaintInputError(
                "certificate_of_another_person",
                _("The certificate belongs to someone else than the person complained about."),
            )
        subject_person = subject_certificate.holder
    if category == TriageCategory.ABOUT_CERTIFIED_PERSON and subject_person is None:
        raise ComplaintInputError(
            "subject_person_required", _("Identify the certified person complained about.")
        )
    if complaint.about == ComplaintAbout.EXAMINER and subject_staff is None:
        raise ComplaintInputError(
            "subject_staff_required", _("Identify the examiner or member of staff concerned.")
        )
    complaint.subject_person = subject_person
    complaint.subject_certificate = subject_certificate
    complaint.subject_staff = subject_staff
    _require_not_subject(actor, complaint)
    now = timezone.now()
    complaint.accept()
    complaint.triage_category = category
    complaint.triage_reasons = reasons
    complaint.triaged_at = now
    complaint.triaged_by = actor
    complaint.save()
    record_event(
        ComplaintEvent.ACCEPTED,
        actor=actor,
        subject=complaint,
        reason=reasons,
        related=[r for r in (subject_person, subject_certificate, subject_staff) if r is not None],
        data={"reference": complaint.reference, "category": category},
        occurred_at=now,
    )
    _notify_complainant(complaint, template="complaints_accepted")
    return complaint


@transaction.atomic(durable=True)
def reject_complaint(*, actor: User, complaint: Complaint, reasons: str) -> Complaint:
    """Not a complaint the body handles (out of scope): closed, reasons written to the complainant."""
    _require_one_of(actor, *INTAKE_ROLES)
    complaint = _lock(complaint)
    _require_not_subject(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.RECEIVED,
        code="already_triaged", message=_("This complaint was already validated or rejected."),
    )  # fmt: skip
    reasons = _required(reasons, "reasons_required", _("Give the reasons for rejecting it."))
    now = timezone.now()
    complaint.dismiss_as_out_of_scope()
    complaint.triage_category = TriageCategory.OUT_OF_SCOPE
    complaint.triage_reasons = reasons
    complaint.triaged_at = now
    complaint.triaged_by = actor
    complaint.closed_at = now
    complaint.closed_by = actor
    complaint.save()
    record_event(
        ComplaintEvent.REJECTED,
        actor=actor,
        subject=complaint,
        reason=reasons,
        data={"reference": complaint.reference},
        occurred_at=now,
    )
    _notify_complainant(complaint, template="complaints_rejected", reasons=reasons)
    return complaint


# Independent handling ----------------------------------------------------------------------------


@audit_refusals("assign_complaint_handler")
@transaction.atomic(durable=True)
def assign_handler(*, actor: User, complaint: Complaint, handler: User) -> Complaint:
    """Give the complaint to a complaints handler independent of its subject (hard rule).

    Never the examiner or staff member complained about, the certified person concerned, the
    complainant, whoever decided the certification concerned, or anyone who declared a conflict
    of interest with the person concerned.
    """
    _require_one_of(actor, *INTAKE_ROLES)
    complaint = _lock(complaint)
    _require_not_subject(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.IN_PROGRESS,
        code="not_accepted",
        message=_("A handler is assigned once the complaint is validated and until its outcome."),
    )  # fmt: skip
    if not has_role(handler, RoleCode.COMPLAINTS_HANDLER):
        raise ComplaintInputError(
            "handler_role_missing", _("The handler must be an active complaints handler.")
        )
    _require_independent(handler, complaint)
    previous = complaint.handler
    if previous is not None and previous.pk == handler.pk:
        raise ComplaintError("already_the_handler", _("This person already handles it."))
    now = timezone.now()
    complaint.handler = handler
    complaint.handler_assigned_at = now
    complaint.handler_declared_at = None
    complaint.save(
        update_fields=["handler", "handler_assigned_at", "handler_declared_at", "updated_at"]
    )
    record_event(
        ComplaintEvent.HANDLER_ASSIGNED,
        actor=actor,
        subject=complaint,
        related=[handler, *([previous] if previous is not None else [])],
        data={
            "reference": complaint.reference,
            "handler_id": handler.pk,
            "previous_handler_id": previous.pk if previous is not None else None,
        },
        occurred_at=now,
    )
    _notify_staff(
        handler, complaint, template="complaints_handler_assigned",
        resolution_due_on=complaint.resolution_due_on,
    )  # fmt: skip
    return complaint


@audit_refusals("declare_complaint_independence")
@transaction.atomic(durable=True)
def declare_independence(*, actor: User, complaint: Complaint) -> Complaint:
    """The handler declares no involvement in the subject and no conflict of interest."""
    complaint = _lock(complaint)
    _require_handler(actor, complaint)
    if complaint.handler_declared_at is not None:
        raise ComplaintError("already_declared", _("You already declared your independence."))
    complaint.handler_declared_at = timezone.now()
    complaint.save(update_fields=["handler_declared_at", "updated_at"])
    record_event(
        ComplaintEvent.HANDLER_DECLARED,
        actor=actor,
        subject=complaint,
        data={"reference": complaint.reference},
    )
    return complaint


def _require_declared_handler(actor: Any, complaint: Complaint) -> None:
    _require_handler(actor, complaint)
    if complaint.handler_declared_at is None:
        raise ComplaintError(
            "independence_not_declared",
            _("Declare that you are independent of the subject before handling the complaint."),
        )


@transaction.atomic(durable=True)
def add_note(*, actor: User, complaint: Complaint, body: str) -> ComplaintNote:
    """An investigation note, for the handler and the quality manager only."""
    complaint = _lock(complaint)
    _require_handler_or_manager(actor, complaint)
    if complaint.is_finished:
        raise ComplaintError("complaint_finished", _("This complaint is closed."))
    note = ComplaintNote.objects.create(
        complaint=complaint, author=actor, body=_required(body, "note_required", _("Write a note."))
    )
    record_event(
        ComplaintEvent.NOTE_ADDED,
        actor=actor,
        subject=complaint,
        related=[note],
        data={"reference": complaint.reference},
    )
    return note


@transaction.atomic(durable=True)
def report_progress(*, actor: User, complaint: Complaint, message: str) -> ComplaintUpdate:
    """Tell the complainant how the complaint progresses (R23); emailed when there is an address."""
    complaint = _lock(complaint)
    _require_handler_or_manager(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS,
        code="not_open", message=_("Progress is reported while the complaint is open."),
    )  # fmt: skip
    message = _required(message, "message_required", _("Write the message."))
    now = timezone.now()
    update = ComplaintUpdate.objects.create(complaint=complaint, author=actor, message=message)
    complaint.last_update_at = now
    complaint.save(update_fields=["last_update_at", "updated_at"])
    sent = _notify_complainant(complaint, template="complaints_progress", message=message)
    record_event(
        ComplaintEvent.PROGRESS_REPORTED,
        actor=actor,
        subject=complaint,
        related=[update],
        data={"reference": complaint.reference, "emailed": sent},
        occurred_at=now,
    )
    return update


@transaction.atomic(durable=True)
def resolve_complaint(
    *,
    actor: User,
    complaint: Complaint,
    outcome: str,
    findings: str,
    publicity: str = Publicity.NOT_PUBLISHED,
    publicity_agreement: str = "",
) -> Complaint:
    """The independent handler gives the outcome with findings; the complainant is told."""
    complaint = _lock(complaint)
    _require_declared_handler(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.IN_PROGRESS,
        code="not_in_progress", message=_("The outcome is given while the complaint is handled."),
    )  # fmt: skip
    if outcome not in ComplaintOutcome.values:
        raise ComplaintInputError("unknown_outcome", _("Choose the outcome."))
    if publicity not in Publicity.values:
        raise ComplaintInputError("unknown_publicity", _("Choose how far it is made public."))
    findings = _required(findings, "findings_required", _("Give the findings and reasons."))
    if publicity != Publicity.NOT_PUBLISHED and not publicity_agreement.strip():
        raise ComplaintInputError(
            "publicity_not_agreed",
            _("Say how publishing was agreed with the complainant and the subject (9.9)."),
        )
    now = timezone.now()
    complaint.resolve()
    complaint.outcome = outcome
    complaint.findings = findings
    complaint.publicity = publicity
    complaint.publicity_agreement = publicity_agreement.strip()
    complaint.resolved_at = now
    complaint.resolved_by = actor
    complaint.save()
    record_event(
        ComplaintEvent.RESOLVED,
        actor=actor,
        subject=complaint,
        reason=findings,
        data={"reference": complaint.reference, "outcome": outcome, "publicity": publicity},
        occurred_at=now,
    )
    _notify_complainant(
        complaint, template="complaints_outcome",
        outcome=complaint.get_outcome_display(), findings=findings,
    )  # fmt: skip
    return complaint


@transaction.atomic(durable=True)
def close_complaint(*, actor: User, complaint: Complaint, note: str) -> Complaint:
    """Formal closure once the outcome is given: the closure notice is sent (R23)."""
    complaint = _lock(complaint)
    _require_handler_or_manager(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.RESOLVED,
        code="no_outcome_yet", message=_("A complaint is closed once its outcome is given."),
    )  # fmt: skip
    note = _required(note, "note_required", _("Write the closure note."))
    now = timezone.now()
    complaint.close()
    complaint.closed_at = now
    complaint.closed_by = actor
    complaint.closure_note = note
    complaint.save()
    record_event(
        ComplaintEvent.CLOSED,
        actor=actor,
        subject=complaint,
        reason=note,
        data={"reference": complaint.reference},
        occurred_at=now,
    )
    _notify_complainant(complaint, template="complaints_closed", note=note)
    return complaint


@transaction.atomic(durable=True)
def withdraw_complaint(*, actor: User, complaint: Complaint, reason: str) -> Complaint:
    """Record that the complainant withdrew the complaint before its outcome."""
    _require_one_of(actor, *INTAKE_ROLES)
    complaint = _lock(complaint)
    _require_not_subject(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS,
        code="not_open", message=_("Only an open complaint can be withdrawn."),
    )  # fmt: skip
    reason = _required(reason, "reason_required", _("Say how and why it was withdrawn."))
    now = timezone.now()
    complaint.withdraw()
    complaint.withdrawn_at = now
    complaint.withdrawal_reason = reason
    complaint.closed_at = now
    complaint.closed_by = actor
    complaint.save()
    record_event(
        ComplaintEvent.WITHDRAWN,
        actor=actor,
        subject=complaint,
        reason=reason,
        data={"reference": complaint.reference},
        occurred_at=now,
    )
    _notify_complainant(complaint, template="complaints_withdrawn")
    return complaint


# Links to actions --------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def propose_suspension(
    *,
    actor: User,
    complaint: Complaint,
    certificate: Certificate,
    reasons: str,
    conditions: str,
    deadline: dt.date | None = None,
) -> SuspensionProposal:
    """The handler proposes to suspend a certificate of the person complained about (9.9 → 9.5).

    Suspending is a certification decision: a decision maker decides the proposal.
    """
    complaint = _lock(complaint)
    _require_declared_handler(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.IN_PROGRESS,
        code="not_in_progress", message=_("A suspension is proposed while the complaint is handled."),
    )  # fmt: skip
    if complaint.triage_category != TriageCategory.ABOUT_CERTIFIED_PERSON:
        raise ComplaintError(
            "not_about_a_certified_person",
            _("Only a complaint about a certified person can lead to a suspension."),
        )
    if certificate.holder_id != complaint.subject_person_id:
        raise ComplaintInputError(
            "certificate_of_another_person",
            _("The certificate belongs to someone else than the person complained about."),
        )
    if certificate.status != CertificateStatus.VALID:
        raise ComplaintError(
            "certificate_not_valid", _("Only a valid certificate can be suspended.")
        )
    reasons = _required(reasons, "reasons_required", _("Give the reasons for the suspension."))
    conditions = _required(
        conditions, "conditions_required", _("Say what the holder must do to be reinstated.")
    )
    if deadline is None:
        raise ComplaintInputError(
            "deadline_required", _("Propose the deadline by which the conditions must be met.")
        )
    if deadline <= timezone.localdate():
        raise ComplaintInputError("deadline_in_past", _("The deadline must be in the future."))
    if SuspensionProposal.objects.filter(
        complaint=complaint, certificate=certificate, status=ProposalStatus.PROPOSED
    ).exists():
        raise ComplaintError(
            "already_proposed", _("A suspension of this certificate is already proposed.")
        )
    now = timezone.now()
    proposal = SuspensionProposal.objects.create(
        complaint=complaint, certificate=certificate, proposed_by=actor, proposed_at=now,
        reasons=reasons, conditions=conditions, deadline=deadline,
    )  # fmt: skip
    record_event(
        ComplaintEvent.SUSPENSION_PROPOSED,
        actor=actor,
        subject=complaint,
        related=[proposal, certificate],
        reason=reasons,
        data={"reference": complaint.reference, "certificate": certificate.number},
        occurred_at=now,
    )
    for decider in list_users_with_role(RoleCode.DECISION_MAKER, scheme_id=certificate.scheme_id):
        if decider.pk != actor.pk:
            _notify_staff(
                decider, complaint, template="complaints_suspension_proposed",
                certificate=certificate.number, reasons=reasons,
            )  # fmt: skip
    return proposal


def decide_suspension_proposal(
    *, actor: User, proposal: SuspensionProposal, suspend: bool, note: str = ""
) -> SuspensionProposal:
    """A decision maker suspends the certificate as proposed, or declines with a note.

    Suspending goes through `certification.services.lifecycle.suspend_certificate` (its own
    transaction, with every rule of a suspension: role, independence from the holder, status);
    the proposal is then marked in a second transaction.
    """
    if proposal.status != ProposalStatus.PROPOSED:
        raise ComplaintError("proposal_decided", _("This proposal was already decided."))
    if suspend:
        suspend_certificate(
            certificate=proposal.certificate, actor=actor, reason=proposal.reasons,
            conditions=proposal.conditions, deadline=proposal.deadline,
        )  # fmt: skip
        return _settle_proposal(
            actor=actor, proposal=proposal, status=ProposalStatus.SUSPENDED, note=note
        )
    require_role(actor, RoleCode.DECISION_MAKER, scheme_id=proposal.certificate.scheme_id)
    note = _required(note, "note_required", _("Say why the suspension is declined."))
    return _settle_proposal(
        actor=actor, proposal=proposal, status=ProposalStatus.DECLINED, note=note
    )


@transaction.atomic(durable=True)
def _settle_proposal(
    *, actor: User, proposal: SuspensionProposal, status: str, note: str
) -> SuspensionProposal:
    proposal = (
        SuspensionProposal.objects.select_for_update(of=("self",))
        .select_related("complaint", "certificate")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.PROPOSED:
        raise ComplaintError("proposal_decided", _("This proposal was already decided."))
    now = timezone.now()
    proposal.status = status
    proposal.decided_by = actor
    proposal.decided_at = now
    proposal.decision_note = note.strip()
    proposal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )
    record_event(
        ComplaintEvent.SUSPENSION_DECIDED,
        actor=actor,
        subject=proposal.complaint,
        related=[proposal, proposal.certificate],
        reason=proposal.decision_note,
        data={
            "reference": proposal.complaint.reference,
            "certificate": proposal.certificate.number,
            "decision": status,
        },
        occurred_at=now,
    )
    if proposal.complaint.handler is not None:
        _notify_staff(
            proposal.complaint.handler, proposal.complaint,
            template="complaints_suspension_decided", certificate=proposal.certificate.number,
            decision=proposal.get_status_display(), note=proposal.decision_note,
        )  # fmt: skip
    return proposal


@transaction.atomic(durable=True)
def raise_corrective_action(
    *,
    actor: User,
    complaint: Complaint,
    title: str,
    description: str,
    owner: User,
    due_on: dt.date,
) -> CorrectiveAction:
    """The handler (or the quality manager) raises a corrective action for the body (10.2.7)."""
    complaint = _lock(complaint)
    _require_handler_or_manager(actor, complaint)
    _require_status(
        complaint, ComplaintStatus.IN_PROGRESS, ComplaintStatus.RESOLVED,
        code="not_accepted",
        message=_("Corrective actions are raised from a validated complaint."),
    )  # fmt: skip
    corrective_action = record_corrective_action(
        actor=actor, source=ActionSource.COMPLAINT, source_record=complaint,
        source_label=_("Complaint %(reference)s") % {"reference": complaint.reference},
        title=title, description=description, owner=owner, due_on=due_on,
    )  # fmt: skip
    record_event(
        ComplaintEvent.CORRECTIVE_ACTION_RAISED,
        actor=actor,
        subject=complaint,
        related=[corrective_action],
        data={"reference": complaint.reference, "corrective_action": corrective_action.reference},
    )
    return corrective_action


# Deadlines ---------------------------------------------------------------------------------------


def _overdue_recipients(complaint: Complaint) -> list[User]:
    if complaint.handler is not None:
        return [complaint.handler]
    people = list(list_users_with_role(RoleCode.QUALITY_MANAGER)) + list(
        list_users_with_role(RoleCode.COMPLAINTS_HANDLER)
    )
    unique = {user.pk: user for user in people if not is_subject_of(user, complaint)}
    return list(unique.values())


def notify_overdue_complaints(*, now: dt.datetime) -> int:
    """Tell the handler (or, before one is assigned, intake staff) once about each missed deadline.

    Run by `peritus tick`; idempotent: each deadline of each complaint is announced at most once.
    """
    today = timezone.localdate(now)
    told = 0
    checks = (
        ("acknowledgement", "acknowledge_due_on", "acknowledgement_overdue_notified",
         {"acknowledged_at__isnull": True, "status__in": [ComplaintStatus.RECEIVED,
                                                          ComplaintStatus.IN_PROGRESS]}),
        ("triage", "triage_due_on", "triage_overdue_notified",
         {"status": ComplaintStatus.RECEIVED}),
        ("outcome", "resolution_due_on", "resolution_overdue_notified",
         {"status__in": [ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS]}),
    )  # fmt: skip
    with transaction.atomic():
        for deadline, due_field, flag_field, where in checks:
            late = (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("handler", "subject_person", "subject_certificate__holder")
                .filter(**where, **{f"{due_field}__lt": today, flag_field: False})
                .order_by(due_field, "pk")
            )
            for complaint in late:
                setattr(complaint, flag_field, True)
                complaint.save(update_fields=[flag_field, "updated_at"])
                due_on = getattr(complaint, due_field)
                record_event(
                    ComplaintEvent.OVERDUE,
                    actor=None,
                    subject=complaint,
                    data={"reference": complaint.reference, "deadline": deadline, "due_on": due_on},
                    occurred_at=now,
                )
                for user in _overdue_recipients(complaint):
                    _notify_staff(
                        user, complaint, template="complaints_overdue",
                        deadline=deadline, due_on=due_on,
                    )  # fmt: skip
                told += 1
    return told
