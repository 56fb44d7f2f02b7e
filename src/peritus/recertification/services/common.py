"""Building blocks of the recertification services (inside the caller's transaction)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.applications.uploads import ALLOWED_CONTENT_TYPES, inspect, max_upload_bytes
from peritus.certification.credentials import verification_url
from peritus.certification.decision_file import training_lookback_years
from peritus.certification.models import Certificate
from peritus.impartiality.selectors import has_declared_conflict, trained_within
from peritus.notifications.models import OutboxMessage
from peritus.notifications.services import queue_notification
from peritus.recertification.errors import (
    ImpartialityError,
    RecertificationInputError,
    RecertificationNotPermittedError,
)
from peritus.recertification.models import StoredFile, Submission


def lock_certificate(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder__user", "scheme", "scheme_version__scheme")
        .get(pk=certificate.pk)
    )


def lock_submission(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related(
            "certificate__holder__user", "certificate__scheme_version__scheme", "scheme_version"
        )
        .get(pk=submission.pk)
    )


HOLDER_ROLE = "holder"


def require_holder(actor: User, certificate: Certificate) -> str:
    """The holder, or a certification officer of the scheme recording what the holder sent by
    post or email (holders brought in from a previous register often have no portal account).

    Returns the role acted in."""
    if certificate.holder.user_id is not None and certificate.holder.user_id == actor.pk:
        return HOLDER_ROLE
    if has_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=certificate.get_scheme_id()):
        return str(RoleCode.CERTIFICATION_OFFICER)
    raise RecertificationNotPermittedError(
        "not_holder", _("Only the holder of the certificate can do this.")
    )


def required_text(text: str, code: str, message: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise RecertificationInputError(code, message)
    return cleaned


def require_reviewer(actor: User, certificate: Certificate, today: dt.date) -> str:
    """A reviewer of the scheme (eligibility reviewer or certification officer), independent of
    the holder. Returns the role acted in."""
    scheme_id = certificate.get_scheme_id()
    role = RoleCode.ELIGIBILITY_REVIEWER
    if not has_role(actor, role, scheme_id=scheme_id):
        role = RoleCode.CERTIFICATION_OFFICER
        require_role(actor, role, scheme_id=scheme_id)
    person = certificate.holder
    if person.user_id is not None and person.user_id == actor.pk:
        raise ImpartialityError(
            "reviewer_is_holder", _("You cannot review your own surveillance or recertification.")
        )
    years = training_lookback_years()
    if trained_within(actor, person, years=years, on=today):
        raise ImpartialityError(
            "reviewer_trained_holder",
            _("You trained this holder within the last %(years)s years.") % {"years": years},
        )
    if has_declared_conflict(actor, person):
        raise ImpartialityError(
            "reviewer_declared_conflict", _("You declared a conflict of interest with this holder.")
        )
    return str(role)


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip() or "evidence"
    return "".join(ch for ch in base if ch.isprintable())[:200]


def check_and_attach(record: StoredFile, upload: IO[bytes], name: str) -> None:
    """Check an upload as applications' evidence is checked, and attach it to `record` (unsaved).

    The caller saves the record, and deletes the stored file if that fails."""
    inspection = inspect(upload)
    if inspection.size == 0:
        raise RecertificationInputError("file_empty", _("The file is empty."))
    if inspection.size > max_upload_bytes():
        raise RecertificationInputError(
            "file_too_large",
            _("The file is larger than %(mb)s MB.") % {"mb": max_upload_bytes() // (1024 * 1024)},
        )
    if inspection.content_type not in ALLOWED_CONTENT_TYPES:
        raise RecertificationInputError(
            "file_type_not_allowed",
            _("Upload a PDF, PNG or JPEG file; this file is none of those, whatever its name."),
        )
    if inspection.active_content:
        raise RecertificationInputError(
            "file_active_content",
            _("This PDF contains scripts, actions or attachments. Print it to a plain PDF first."),
        )
    record.original_name = _safe_name(name)
    record.content_type = str(inspection.content_type)
    record.size = inspection.size
    record.sha256 = inspection.sha256
    record.file.save("evidence", File(upload), save=False)


def notify_holder(
    certificate: Certificate, *, template: str, subject: Any, context: dict[str, Any]
) -> OutboxMessage | None:
    """Queue a notice to the holder (inside the caller's transaction); None without an address."""
    holder = certificate.holder
    user = holder.user
    email = holder.email or (user.email if user is not None else "")
    if not email:
        return None
    base = settings.PERITUS["BASE_URL"].rstrip("/")
    return queue_notification(
        template=template,
        recipient_email=email,
        recipient_person=holder,
        recipient_user=user,
        subject=subject,
        context={
            "holder_name": certificate.holder_name,
            "number": certificate.number,
            "scheme_name": certificate.scheme_version.scheme.name,
            "verification_url": verification_url(certificate.number),
            "portal_url": f"{base}/portal/renewals/{certificate.number}/",
            **context,
        },
    )
