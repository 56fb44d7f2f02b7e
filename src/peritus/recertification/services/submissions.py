"""The holder submits surveillance or recertification (9.6); the audit sample is drawn then."""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.audit_trail.services import record_event
from peritus.certification.models import Certificate, CertificateStatus
from peritus.recertification import sampling
from peritus.recertification.errors import RecertificationError, RecertificationInputError
from peritus.recertification.events import RecertificationEvent
from peritus.recertification.models import (
    Submission,
    SubmissionFile,
    SubmissionKind,
    SubmissionStatus,
)
from peritus.recertification.schedule import Due, cycle_activities, due_for
from peritus.recertification.services.common import (
    check_and_attach,
    lock_certificate,
    notify_holder,
    require_holder,
)


def _check_declaration(due: Due, declared: bool) -> str:
    text = due.rules.declaration_text
    if text and not declared:
        raise RecertificationInputError(
            "declaration_required", _("Confirm the declaration of continued practice.")
        )
    return text


def _check_work_log(due: Due, work_log: str, upload: IO[bytes] | None, file_kind: str) -> str:
    cleaned = (work_log or "").strip()
    if (
        due.rules.work_log_required
        and not cleaned
        and not (upload is not None and file_kind == SubmissionFile.Kind.WORK_LOG)
    ):
        raise RecertificationInputError(
            "work_log_required",
            _("The scheme asks for a work log: describe your work or attach it."),
        )
    return cleaned


def _refuse_open(certificate: Certificate, kind: str) -> None:
    if Submission.objects.filter(
        certificate=certificate,
        kind=kind,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.REVIEWED],
    ).exists():
        raise RecertificationError(
            "already_submitted", _("A submission of this kind is already being reviewed.")
        )


def _create(
    *,
    kind: str,
    role: str,
    certificate: Certificate,
    due: Due,
    due_on: dt.date,
    actor: User,
    now: dt.datetime,
    declaration: str,
    work_log: str,
    statement: str,
    upload: IO[bytes] | None,
    file_name: str,
    file_kind: str,
) -> Submission:
    activities = cycle_activities(certificate, due.cycle_starts_on)
    key = sampling.sample_key(certificate.number, kind, due_on)
    sampled_before = Submission.objects.filter(sample_key=key, selected_for_audit=True).exists()
    drawn = sampling.draw(key, due.rules.spot_check_percent, already_selected=sampled_before)
    submission = Submission.objects.create(
        kind=kind,
        certificate=certificate,
        scheme_version=certificate.scheme_version,
        due_on=due_on,
        cycle_starts_on=due.cycle_starts_on,
        submitted_at=now,
        submitted_by=actor,
        declaration=declaration,
        work_log=work_log,
        statement=(statement or "").strip(),
        cpd_hours={row.code: str(row.logged) for row in due.hours},
        sample_key=drawn.key,
        sample_draw=drawn.value,
        sample_percent=drawn.percent,
        selected_for_audit=drawn.selected,
    )
    submission.cpd_activities.set(activities)
    stored: SubmissionFile | None = None
    if upload is not None:
        if file_kind not in SubmissionFile.Kind.values:
            raise RecertificationInputError("invalid_kind", _("Say what the file shows."))
        stored = SubmissionFile(submission=submission, kind=file_kind, uploaded_by=actor)
        check_and_attach(stored, upload, file_name)
    try:
        if stored is not None:
            stored.save()
        record_event(
            RecertificationEvent.SUBMITTED,
            actor=actor,
            actor_role=role,
            subject=submission,
            related=[certificate, *activities, *([stored] if stored else [])],
            data={
                "reference": submission.reference,
                "kind": kind,
                "number": certificate.number,
                "due_on": due_on,
                "cpd_hours": submission.cpd_hours,
                "file_sha256": stored.sha256 if stored else None,
            },
            occurred_at=now,
        )
        record_event(
            RecertificationEvent.SAMPLE_DRAWN,
            actor=None,
            subject=submission,
            related=[certificate],
            data={
                "key": drawn.key,
                "draw": str(drawn.value),
                "percent": str(drawn.percent),
                "selected": drawn.selected,
                "sampled_before": sampled_before,
            },
            occurred_at=now,
        )
        notify_holder(
            certificate,
            template="recertification_submission_received",
            subject=submission,
            context={
                "reference": submission.reference,
                "kind": submission.get_kind_display(),
                "due_on": due_on,
            },
        )
    except BaseException:
        if stored is not None:
            stored.file.delete(save=False)
        raise
    return submission


@transaction.atomic(durable=True)
def submit_surveillance(
    *,
    actor: User,
    certificate: Certificate,
    declared: bool,
    work_log: str = "",
    statement: str = "",
    upload: IO[bytes] | None = None,
    file_name: str = "",
    file_kind: str = SubmissionFile.Kind.WORK_LOG,
) -> Submission:
    """Answer the next surveillance: the declaration, the work log and the CPD logged so far."""
    certificate = lock_certificate(certificate)
    role = require_holder(actor, certificate)
    now = timezone.now()
    today = timezone.localdate(now)
    if certificate.public_status(today).status not in (
        CertificateStatus.VALID,
        CertificateStatus.SUSPENDED,
    ):
        raise RecertificationError(
            "certificate_not_current",
            _("Surveillance is for a valid or suspended certificate."),
        )
    due = due_for(certificate, today=today)
    if due.next_surveillance_on is None:
        raise RecertificationError(
            "no_surveillance_due", _("No surveillance is due in this cycle.")
        )
    if not due.surveillance_open:
        raise RecertificationError(
            "surveillance_not_open",
            _("Surveillance can be submitted from %(date)s.")
            % {"date": due.surveillance_opens_on.isoformat() if due.surveillance_opens_on else ""},
        )
    _refuse_open(certificate, SubmissionKind.SURVEILLANCE)
    declaration = _check_declaration(due, declared)
    cleaned_log = _check_work_log(due, work_log, upload, file_kind)
    return _create(
        kind=SubmissionKind.SURVEILLANCE,
        role=role,
        certificate=certificate,
        due=due,
        due_on=due.next_surveillance_on,
        actor=actor,
        now=now,
        declaration=declaration,
        work_log=cleaned_log,
        statement=statement,
        upload=upload,
        file_name=file_name,
        file_kind=file_kind,
    )


@transaction.atomic(durable=True)
def submit_recertification(
    *,
    actor: User,
    certificate: Certificate,
    declared: bool,
    work_log: str = "",
    statement: str = "",
    upload: IO[bytes] | None = None,
    file_name: str = "",
    file_kind: str = SubmissionFile.Kind.OTHER,
) -> Submission:
    """Apply for recertification in the window (or the grace period) with the cycle's CPD."""
    certificate = lock_certificate(certificate)
    role = require_holder(actor, certificate)
    now = timezone.now()
    today = timezone.localdate(now)
    status = certificate.status
    if status == CertificateStatus.WITHDRAWN:
        raise RecertificationError(
            "certificate_withdrawn", _("A withdrawn certificate cannot be recertified.")
        )
    if status == CertificateStatus.SUSPENDED:
        raise RecertificationError(
            "certificate_suspended",
            _("The certificate is suspended: the suspension must end before recertification."),
        )
    due = due_for(certificate, today=today)
    if today < due.window_opens_on:
        raise RecertificationError(
            "window_not_open",
            _("Recertification opens on %(date)s.") % {"date": due.window_opens_on.isoformat()},
        )
    if today > due.grace_ends_on:
        raise RecertificationError(
            "grace_period_over",
            _("The certificate expired on %(date)s and the grace period is over: apply again.")
            % {"date": certificate.expires_on.isoformat()},
        )
    _refuse_open(certificate, SubmissionKind.RECERTIFICATION)
    declaration = _check_declaration(due, declared)
    cleaned_log = _check_work_log(due, work_log, upload, file_kind)
    if not due.hours_met:
        short = [f"{row.name}: {row.short}" for row in due.hours if row.short > 0]
        raise RecertificationError(
            "cpd_hours_short",
            _("The cycle needs more CPD hours: %(short)s.")
            % {"short": "; ".join(short) or str(due.rules.total_hours - due.total_logged)},
            short={row.code: str(row.short) for row in due.hours if row.short > 0},
        )
    if due.rules.reexamination_required and not (
        upload is not None and file_kind == SubmissionFile.Kind.REEXAMINATION
    ):
        raise RecertificationInputError(
            "reexamination_required", _("Attach the result of your re-examination.")
        )
    return _create(
        kind=SubmissionKind.RECERTIFICATION,
        role=role,
        certificate=certificate,
        due=due,
        due_on=certificate.expires_on,
        actor=actor,
        now=now,
        declaration=declaration,
        work_log=cleaned_log,
        statement=statement,
        upload=upload,
        file_name=file_name,
        file_kind=file_kind,
    )
