"""The body's signing keys: publish the active one before it seals, revoke a compromised one."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import require_role
from peritus.audit_trail.services import record_event
from peritus.certification import credentials
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import SigningKey
from peritus.certification.selectors import forget_published_keys


def _active_signing_key(now: dt.datetime) -> tuple[Ed25519PrivateKey, str]:
    """The private key to seal with and its kid; its public half is published first (inside the
    caller's transaction), so no seal ever names a key the JWKS does not list."""
    private_key = credentials.active_private_key()
    public_key = private_key.public_key()
    kid = credentials.key_id(public_key)
    row = SigningKey.objects.filter(kid=kid).first()
    if row is None:
        row = SigningKey.objects.create(
            kid=kid,
            public_key=credentials.b64url(credentials.raw_public_bytes(public_key)),
            first_used_at=now,
        )
        record_event(
            CertificationEvent.SIGNING_KEY_PUBLISHED, actor=None, subject=row, data={"kid": kid}
        )
        transaction.on_commit(forget_published_keys)
    if row.revoked_at is not None:
        raise CertificationError(
            "signing_key_revoked",
            _("The configured signing key was revoked. Configure a new key before issuing."),
        )
    return private_key, kid


@transaction.atomic(durable=True)
def publish_active_signing_key(*, actor: User | None = None) -> SigningKey:
    """Publish the configured key's public half now (before a rotation goes live)."""
    if actor is not None:
        require_role(actor, RoleCode.ADMINISTRATOR)
    _key, kid = _active_signing_key(timezone.now())
    return SigningKey.objects.get(kid=kid)


@transaction.atomic(durable=True)
def revoke_signing_key(*, kid: str, actor: User | None, reason: str) -> SigningKey:
    """Withdraw a key from the published set: seals made with it no longer verify."""
    if actor is not None:
        require_role(actor, RoleCode.ADMINISTRATOR)
    if not reason.strip():
        raise CertificationInputError("reason_required", _("Say why the key is revoked."))
    row = SigningKey.objects.select_for_update().filter(kid=kid).first()
    if row is None:
        raise CertificationInputError("unknown_key", _("No published key has this id."))
    if row.revoked_at is not None:
        raise CertificationError("already_revoked", _("This key was already revoked."))
    row.revoked_at = timezone.now()
    row.revocation_reason = reason.strip()
    row.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
    record_event(
        CertificationEvent.SIGNING_KEY_REVOKED,
        actor=actor,
        subject=row,
        reason=row.revocation_reason,
        data={"kid": kid},
    )
    transaction.on_commit(forget_published_keys)
    return row
