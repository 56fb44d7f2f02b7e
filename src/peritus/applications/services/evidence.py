"""Evidence files: checked on the way in, stored outside the web root, never run."""

from __future__ import annotations

from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.applications.errors import ApplicationError, ApplicationInputError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import (
    Accommodation,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    EvidenceFile,
    EvidenceKind,
)
from peritus.applications.services.common import (
    lock_application,
    refuse_status,
    require_applicant,
)
from peritus.applications.uploads import ALLOWED_CONTENT_TYPES, inspect, max_upload_bytes
from peritus.audit_trail.services import record_event
from peritus.schemes.models import Prerequisite

DEFAULT_MAX_FILES = 30
# Evidence can be added while the applicant prepares the application or answers a request.
UPLOAD_STATUSES = (ApplicationStatus.DRAFT, ApplicationStatus.MORE_INFORMATION_REQUESTED)


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "evidence"
    return "".join(ch for ch in base if ch.isprintable())[:200]


def store_evidence(
    *,
    actor: User,
    application: Application,
    upload: IO[bytes],
    name: str,
    kind: str,
    prerequisite: Prerequisite | None = None,
    accommodation: Accommodation | None = None,
    description: str = "",
) -> EvidenceFile:
    """Check and store one file inside the caller's transaction (the application is locked)."""
    if kind not in EvidenceKind.values:
        raise ApplicationInputError("required", _("Say what the file shows."))
    if prerequisite is not None and prerequisite.scheme_version_id != application.scheme_version_id:
        raise ApplicationInputError(
            "wrong_application", _("That requirement is not one of this scheme version.")
        )
    if accommodation is not None and accommodation.application_id != application.pk:
        raise ApplicationInputError(
            "wrong_application", _("That accommodation request is not one of this application.")
        )
    limit = int(getattr(settings, "PERITUS_EVIDENCE_MAX_FILES", DEFAULT_MAX_FILES))
    if application.evidence_files.count() >= limit:
        raise ApplicationError(
            "too_many_files",
            _("An application holds at most %(count)s files.") % {"count": limit},
        )
    inspection = inspect(upload)
    if inspection.size == 0:
        raise ApplicationInputError("file_empty", _("The file is empty."))
    if inspection.size > max_upload_bytes():
        raise ApplicationInputError(
            "file_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": max_upload_bytes() // (1024 * 1024)},
        )
    if inspection.content_type not in ALLOWED_CONTENT_TYPES:
        raise ApplicationInputError(
            "file_type_not_allowed",
            _("Upload a PDF, PNG or JPEG file; this file is none of those, whatever its name."),
        )
    if inspection.active_content:
        raise ApplicationInputError(
            "file_active_content",
            _("This PDF contains scripts, actions or attachments. Print it to a plain PDF first."),
        )
    evidence = EvidenceFile(
        application=application,
        prerequisite=prerequisite,
        accommodation=accommodation,
        kind=kind,
        description=description.strip()[:200],
        original_name=_safe_name(name),
        content_type=str(inspection.content_type),
        size=inspection.size,
        sha256=inspection.sha256,
        uploaded_by=actor,
    )
    evidence.file.save("evidence", File(upload), save=False)
    try:
        evidence.save()
        record_event(
            ApplicationsEvent.EVIDENCE_UPLOADED, actor=actor, subject=evidence,
            related=[application, *([prerequisite] if prerequisite is not None else [])],
            data={"sha256": evidence.sha256, "content_type": evidence.content_type,
                  "size": evidence.size, "restricted": accommodation is not None,
                  "prerequisite": prerequisite.code if prerequisite is not None else None},
        )  # fmt: skip
    except BaseException:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic(durable=True)
def upload_evidence(
    *,
    actor: User,
    application: Application,
    upload: IO[bytes],
    name: str,
    kind: str,
    prerequisite: Prerequisite | None = None,
    accommodation: Accommodation | None = None,
    description: str = "",
) -> EvidenceFile:
    """Add a file to an application (or to one of its accommodation requests)."""
    application = lock_application(application)
    require_applicant(actor, application)
    if accommodation is not None:
        accommodation = Accommodation.objects.get(pk=accommodation.pk)
        if accommodation.status != AccommodationStatus.REQUESTED:
            raise ApplicationError(
                "invalid_status", _("This accommodation request was already decided.")
            )
    elif application.status not in UPLOAD_STATUSES:
        raise refuse_status(application, _("given new files"))
    return store_evidence(
        actor=actor, application=application, upload=upload, name=name, kind=kind,
        prerequisite=prerequisite, accommodation=accommodation, description=description,
    )  # fmt: skip


@transaction.atomic(durable=True)
def remove_evidence(*, actor: User, evidence: EvidenceFile) -> None:
    """Remove a file from a draft; once submitted, evidence is part of the record."""
    application = lock_application(evidence.application)
    require_applicant(actor, application)
    if application.status != ApplicationStatus.DRAFT:
        raise refuse_status(application, _("stripped of its evidence"))
    evidence = EvidenceFile.objects.get(pk=evidence.pk)
    stored_name = str(evidence.file.name)
    reference: Any = ("applications.evidencefile", evidence.pk)
    data = {"sha256": evidence.sha256}
    evidence.delete()
    record_event(
        ApplicationsEvent.EVIDENCE_REMOVED, actor=actor, subject=application, related=[reference],
        data=data,
    )  # fmt: skip
    storage = evidence.file.storage
    transaction.on_commit(lambda: storage.delete(stored_name))


@transaction.atomic
def record_restricted_view(*, actor: User, evidence: EvidenceFile) -> None:
    """Access to restricted documents is logged (clause 7.3)."""
    record_event(
        ApplicationsEvent.RESTRICTED_EVIDENCE_VIEWED, actor=actor, subject=evidence,
        related=[evidence.application],
    )  # fmt: skip
