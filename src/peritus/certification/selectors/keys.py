"""The public keys a seal may name (JWKS), cached briefly per process."""

from __future__ import annotations

import threading
import time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from peritus.certification import credentials
from peritus.certification.models import (
    SigningKey,
)

PUBLISHED_KEYS_TTL_SECONDS = 60.0

_keys_lock = threading.Lock()
_keys_cache: dict[str, Any] = {}


def forget_published_keys() -> None:
    with _keys_lock:
        _keys_cache.clear()


def published_signing_keys() -> dict[str, Ed25519PublicKey]:
    """Every public key a seal may name (kid → key): the active one, the ones it replaced, and
    any listed in settings; revoked keys are left out. Cached for a minute per process."""
    with _keys_lock:
        cached = _keys_cache.get("keys")
        if cached is not None and time.monotonic() - _keys_cache["at"] < PUBLISHED_KEYS_TTL_SECONDS:
            return dict(cached)
    keys: dict[str, Ed25519PublicKey] = {}
    revoked: set[str] = set()
    for row in SigningKey.objects.order_by("first_used_at", "pk"):
        if row.revoked_at is not None:
            revoked.add(row.kid)
            continue
        keys[row.kid] = credentials.public_key_from_raw(credentials.from_b64url(row.public_key))
    for public_key in [
        credentials.active_private_key().public_key(),
        *credentials.configured_public_keys(),
    ]:
        kid = credentials.key_id(public_key)
        if kid not in revoked:
            keys.setdefault(kid, public_key)
    with _keys_lock:
        _keys_cache.update(keys=keys, at=time.monotonic())
    return dict(keys)


def jwks_document() -> dict[str, Any]:
    """The JWKS published at /.well-known/peritus-keys.json."""
    active = credentials.key_id(credentials.active_private_key().public_key())
    keys = []
    for kid, public_key in published_signing_keys().items():
        jwk: dict[str, Any] = credentials.public_jwk(public_key)
        jwk["peritus_active"] = kid == active
        keys.append(jwk)
    return {"keys": keys}
