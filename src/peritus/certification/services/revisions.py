"""A new revision of a certificate when its contents change after issue (9.4, 9.5, R6).

Scope reductions, recertifications and moves to a new scheme version all reissue the certificate
under the same number: new printed contents, seal and PDF; the previous revision is superseded
and still verifies as such. A building block: runs inside the caller's transaction, on a
certificate row the caller has locked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone

from peritus.accounts.models import User
from peritus.certification.credentials import verification_url
from peritus.certification.models import Certificate, CertificateVersion
from peritus.certification.rendering import render_all
from peritus.certification.sealing import build_content, scope_lines, seal_content
from peritus.certification.services.issuance import store_pdf
from peritus.certification.services.keys import _active_signing_key
from peritus.certification.validity import register_sort_name
from peritus.notifications.models import OutboxMessage
from peritus.notifications.services import Notice, queue_notifications
from peritus.schemes.models import SchemeVersion, ScopeItem


def new_revision(
    certificate: Certificate,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str,
    note: str,
    scope_items: Sequence[ScopeItem],
    scheme_version: SchemeVersion | None = None,
    expires_on: dt.date | None = None,
) -> CertificateVersion:
    """Reissue `certificate` (locked by the caller) with this scope, version and expiry."""
    version_rules = scheme_version or certificate.scheme_version
    expiry = expires_on or certificate.expires_on
    current = CertificateVersion.objects.select_for_update().get(
        certificate=certificate, revision=certificate.revision
    )
    revision = certificate.revision + 1
    holder = certificate.holder
    content = build_content(
        holder=holder,
        scheme_version=version_rules,
        scope=scope_lines(list(scope_items)),
        number=certificate.number,
        revision=revision,
        issued_on=timezone.localdate(now),
        valid_from=certificate.valid_from,
        expires_on=expiry,
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
        reason_note=note,
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
    certificate.scheme_version = version_rules
    certificate.expires_on = expiry
    certificate.save(
        update_fields=[
            "revision",
            "holder_name",
            "scope",
            "content_digest",
            "sort_name",
            "scheme_version",
            "expires_on",
            "updated_at",
        ]
    )
    certificate.scope_items.set(list(scope_items))
    return version


def scope_codes(certificate: Certificate) -> list[str]:
    """The codes of the scope the certificate carries now, as printed."""
    return [str(line.get("code", "")) for line in certificate.scope]


def notify_holder_of(
    certificate: Certificate, *, template: str, context: dict[str, Any]
) -> OutboxMessage | None:
    """Queue a notice to the holder (inside the caller's transaction); None without an address."""
    notice = holder_notice(certificate, template=template, context=context)
    return queue_notifications([notice])[0] if notice is not None else None


def notify_holders(
    certificates: Sequence[Certificate],
    *,
    template: str,
    context: Callable[[Certificate], dict[str, Any]],
) -> int:
    """The same notice to many holders at once (scheduled jobs); returns how many were queued."""
    notices = [
        notice
        for certificate in certificates
        if (notice := holder_notice(certificate, template=template, context=context(certificate)))
        is not None
    ]
    return len(queue_notifications(notices)) if notices else 0


def holder_notice(
    certificate: Certificate, *, template: str, context: dict[str, Any]
) -> Notice | None:
    """The notice to the holder of `certificate`; None when there is no address to write to."""
    holder = certificate.holder
    user = holder.user
    email = holder.email or (user.email if user is not None else "")
    if not email:
        return None
    base = settings.PERITUS["BASE_URL"].rstrip("/")
    return Notice(
        template=template,
        recipient_email=email,
        recipient_person=holder,
        recipient_user=user,
        subject=certificate,
        context={
            "holder_name": certificate.holder_name,
            "number": certificate.number,
            "scheme_name": certificate.scheme_version.scheme.name,
            "verification_url": verification_url(certificate.number),
            "portal_url": f"{base}/portal/certificates/{certificate.number}/",
            "appeals_url": f"{base}/portal/appeals/",
            **context,
        },
    )
