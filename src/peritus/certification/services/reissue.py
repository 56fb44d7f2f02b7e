"""Reissuing a certificate after a legal name change or a correction (9.4, R6).

The number stays; the new revision gets a revision suffix (`WI-0001234-K-R2`), its own seal and
PDF, and the previous revision is marked superseded: it still verifies, as superseded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateVersion,
    ReissueReason,
)
from peritus.certification.rendering import render_all
from peritus.certification.sealing import build_content, scope_lines, seal_content
from peritus.certification.services.issuance import notify_holder, store_pdf
from peritus.certification.services.keys import _active_signing_key
from peritus.certification.validity import register_sort_name

REISSUABLE = (CertificateStatus.VALID, CertificateStatus.SUSPENDED)


@transaction.atomic(durable=True)
def reissue_certificate(
    *, certificate: Certificate, actor: User, reason: str, note: str
) -> Certificate:
    """A new revision with the holder's current legal name and the certificate's scope."""
    require_role(actor, RoleCode.CERTIFICATION_OFFICER, scheme_id=certificate.get_scheme_id())
    if reason not in (ReissueReason.NAME_CHANGE, ReissueReason.CORRECTION):
        raise CertificationInputError(
            "invalid_reason", _("A reissue is for a legal name change or a correction.")
        )
    if not note.strip():
        raise CertificationInputError("reason_required", _("Say what is changed and why."))
    now = timezone.now()
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("holder", "scheme_version__scheme")
        .get(pk=certificate.pk)
    )
    public = certificate.public_status(timezone.localdate(now))
    if public.status not in REISSUABLE:
        raise CertificationError(
            "not_reissuable",
            _("A %(status)s certificate cannot be reissued.")
            % {"status": CertificateStatus(public.status).label.lower()},
        )
    holder = certificate.holder
    if reason == ReissueReason.NAME_CHANGE and holder.full_name == certificate.holder_name:
        raise CertificationError(
            "name_unchanged",
            _("The holder's legal name is the one already printed. Record the change first."),
        )
    current = CertificateVersion.objects.select_for_update().get(
        certificate=certificate, revision=certificate.revision
    )
    revision = certificate.revision + 1
    content = build_content(
        holder=holder,
        scheme_version=certificate.scheme_version,
        scope=scope_lines(list(certificate.scope_items.all())),
        number=certificate.number,
        revision=revision,
        issued_on=timezone.localdate(now),
        valid_from=certificate.valid_from,
        expires_on=certificate.expires_on,
    )
    private_key, kid = _active_signing_key(now)
    sealed = seal_content(content, private_key=private_key, kid=kid)
    (pdf,) = render_all([sealed.job], parallel=False)

    current.superseded_at = now
    current.save(update_fields=["superseded_at", "updated_at"])
    version = CertificateVersion(
        certificate=certificate,
        revision=revision,
        reason=reason,
        reason_note=note.strip(),
        content=sealed.job.snapshot,
        content_digest=sealed.digest,
        key_id=kid,
        seal=sealed.token,
        issued_at=now,
        issued_by=actor,
    )
    store_pdf(version, pdf)
    version.save()
    certificate.revision = revision
    certificate.holder_name = content.holder_name
    certificate.scope = [line.as_dict() for line in content.scope]
    certificate.content_digest = sealed.digest
    certificate.sort_name = register_sort_name(holder.given_names, holder.family_name)
    certificate.save(
        update_fields=[
            "revision",
            "holder_name",
            "scope",
            "content_digest",
            "sort_name",
            "updated_at",
        ]
    )
    record_event(
        CertificationEvent.CERTIFICATE_REISSUED,
        actor=actor,
        actor_role=RoleCode.CERTIFICATION_OFFICER,
        subject=certificate,
        reason=version.reason_note,
        related=[version, current, holder],
        data={
            "number": certificate.number,
            "revision": revision,
            "superseded_revision": current.revision,
            "reason": reason,
            "content_digest": version.content_digest,
            "pdf_sha256": version.pdf_sha256,
            "key_id": kid,
        },
        occurred_at=now,
    )
    notify_holder(
        certificate,
        template="certification_certificate_reissued",
        context={"number": certificate.number, "revision": revision},
    )
    return certificate
