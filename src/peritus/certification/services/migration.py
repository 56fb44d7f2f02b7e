"""Moving a holder's certificate to a newer published version of its scheme (9.5; product §3).

The scheme manager moves the holders of a version in bulk (`services.bulk.prepare_migration`);
each certificate goes through `migrate_certificate`: the same number, reissued under the new
version with the same scope codes and expiry, a `LifecycleDecision` recording the transition, an
audit event and a notice to the holder. Its status does not change; a certificate that cannot move
(suspended, expired, a scope item the new version no longer has) is refused and stays as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.selectors import has_role
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.lifecycle_checks import status_allows
from peritus.certification.models import (
    BulkOperation,
    Certificate,
    LifecycleAction,
    ReissueReason,
)
from peritus.certification.services.lifecycle import (
    attach_notice,
    lock_certificate,
    record_decision,
)
from peritus.certification.services.revisions import new_revision, scope_codes
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus, ScopeItem


@dataclasses.dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def check_target_version(
    source: SchemeVersion | None, target: SchemeVersion, scheme_id: int
) -> None:
    """A move goes to the published version of the same scheme, from another version."""
    if target.scheme_id != scheme_id:
        raise CertificationInputError(
            "version_of_another_scheme",
            _("Holders can only move to a version of the same scheme."),
        )
    if source is not None and target.pk == source.pk:
        raise CertificationInputError(
            "same_version", _("The holders already hold this version; choose a newer one.")
        )
    if target.status != SchemeVersionStatus.PUBLISHED:
        raise CertificationInputError(
            "version_not_published", _("Holders can only move to the published version.")
        )


def _mapped_scope(certificate: Certificate, target: SchemeVersion) -> list[ScopeItem] | Refusal:
    """The target version's scope items with the codes the certificate carries."""
    held = scope_codes(certificate)
    available = {item.code: item for item in target.scope_items.all()}
    missing = [code for code in held if code not in available]
    if missing:
        return Refusal(
            "scope_not_in_version",
            _("The new version has no scope item %(codes)s: decide a scope reduction first.")
            % {"codes": ", ".join(missing)},
        )
    return sorted((available[code] for code in held), key=lambda item: (item.position, item.code))


def migration_refusal(
    actor: Any, certificate: Certificate, target: SchemeVersion, *, today: dt.date
) -> Refusal | None:
    """Why `certificate` cannot move to `target` now (the checks `migrate_certificate` makes)."""
    if not has_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=certificate.get_scheme_id()):
        return Refusal(
            "role_not_held",
            _("This needs the role %(role)s.") % {"role": RoleCode.SCHEME_MANAGER.label},
        )
    if certificate.scheme_version_id == target.pk:
        return Refusal("already_on_version", _("The certificate is already on this version."))
    check = status_allows(certificate, "migrate", today=today)
    if not check.allowed:
        return Refusal(check.code, check.message)
    mapped = _mapped_scope(certificate, target)
    return mapped if isinstance(mapped, Refusal) else None


@transaction.atomic(durable=True)
def migrate_certificate(
    *,
    certificate: Certificate,
    actor: User,
    target_version: SchemeVersion,
    reason: str,
    bulk_operation: BulkOperation | None = None,
) -> Certificate:
    """Reissue one certificate under `target_version`: same number, scope codes and expiry."""
    require_role(actor, RoleCode.SCHEME_MANAGER, scheme_id=certificate.get_scheme_id())
    reason = (reason or "").strip()
    if not reason:
        raise CertificationInputError("reason_required", _("Say why the holders move."))
    now = timezone.now()
    today = timezone.localdate(now)
    certificate = lock_certificate(certificate)
    target = SchemeVersion.objects.select_related("scheme").get(pk=target_version.pk)
    source = certificate.scheme_version
    check_target_version(None, target, certificate.get_scheme_id())
    refusal = migration_refusal(actor, certificate, target, today=today)
    if refusal is not None:
        raise CertificationError(refusal.code, refusal.message)
    mapped = _mapped_scope(certificate, target)
    assert not isinstance(mapped, Refusal)

    before, scope_before = certificate.status, scope_codes(certificate)
    version = new_revision(
        certificate,
        actor=actor,
        now=now,
        reason=ReissueReason.SCHEME_MIGRATION,
        note=reason,
        scope_items=mapped,
        scheme_version=target,
    )
    decision = record_decision(
        certificate,
        action=LifecycleAction.MIGRATE,
        actor=actor,
        actor_role=RoleCode.SCHEME_MANAGER,
        now=now,
        reason=reason,
        before=before,
        scope_before=scope_before,
        expires_before=certificate.expires_on,
        revision=version.revision,
        bulk_operation=bulk_operation,
        details={"from_version": source.version, "to_version": target.version},
    )
    attach_notice(
        decision,
        certificate,
        template="certification_certificate_migrated",
        from_version=source.version,
        to_version=target.version,
        revision=version.revision,
        change_summary=target.change_summary,
    )
    record_event(
        CertificationEvent.CERTIFICATE_MIGRATED,
        actor=actor,
        actor_role=RoleCode.SCHEME_MANAGER,
        subject=certificate,
        reason=reason,
        related=[
            decision,
            version,
            source,
            target,
            certificate.holder,
            *([bulk_operation] if bulk_operation is not None else []),
        ],
        data={
            "number": certificate.number,
            "decision": decision.reference,
            "from_version": source.version,
            "to_version": target.version,
            "revision": version.revision,
            "content_digest": version.content_digest,
        },
        occurred_at=now,
    )
    return certificate
