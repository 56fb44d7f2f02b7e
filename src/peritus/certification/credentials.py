"""The certificate seal: an Ed25519 signature the QR code carries (R6, ADR 0007).

The seal is a compact JWS (RFC 7515) signed with EdDSA (RFC 8037) whose claims are short:

    {"n": "WI-0001234-K", "r": 1, "h": "<first 16 bytes of the content digest, base64url>"}

`n` and `r` name the certificate and its revision; `h` binds the seal to everything printed on
that revision (holder's name, scheme, scope, dates …), whose SHA-256 over a canonical JSON form
is the *content digest* kept with the version. No personal data travels in the URL.

The header names the signing key (`kid`, an RFC 7638 thumbprint, shortened). The body holds one
active private key; every public key it ever sealed with stays published at
`/.well-known/peritus-keys.json` (a JWKS), so seals made before a rotation still verify.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import os
import pathlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KID_LENGTH = 16
DIGEST_BYTES = 16
TOKEN_MAX_LENGTH = 600


class SealError(ValueError):
    """A token that is not a valid seal; `code` says why (stable, shown on the public page)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise SealError("malformed") from error


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_digest(snapshot: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a certificate version's printed contents in canonical JSON."""
    return hashlib.sha256(canonical_json(dict(snapshot))).hexdigest()


def digest_claim(digest_hex: str) -> str:
    return b64url(bytes.fromhex(digest_hex)[:DIGEST_BYTES])


# Keys -------------------------------------------------------------------------------------------


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint of the public key, base64url, shortened to 16 characters."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw_public_bytes(public_key))}
    return b64url(hashlib.sha256(canonical_json(members)).digest())[:KID_LENGTH]


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw_public_bytes(public_key)),
        "kid": key_id(public_key),
        "use": "sig",
        "alg": "EdDSA",
    }


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The certificate signing key must be an Ed25519 key.")
    return key


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def write_new_key_file(path: pathlib.Path) -> Ed25519PrivateKey:
    """Generate a private key into `path` (mode 0600); never overwrites an existing file."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_key_pem(key))
    return key


def load_configured_key(source: str, fallback_file: str, *, production: bool) -> Ed25519PrivateKey:
    """The key named by `source` (PEM text or a path), or outside production the generated one."""
    source = source.strip()
    if source.startswith("-----BEGIN"):
        return private_key_from_pem(source.encode())
    if source:
        return private_key_from_pem(pathlib.Path(source).read_bytes())
    if production:
        raise ImproperlyConfigured("PERITUS_SIGNING_KEY must hold the Ed25519 signing key.")
    path = pathlib.Path(fallback_file)
    try:
        return private_key_from_pem(path.read_bytes())
    except FileNotFoundError:
        try:
            return write_new_key_file(path)
        except FileExistsError:  # another process generated it first
            return private_key_from_pem(path.read_bytes())


@functools.cache
def active_private_key() -> Ed25519PrivateKey:
    """The one private key new seals are made with (settings.PERITUS["SIGNING_KEY"])."""
    return load_configured_key(
        settings.PERITUS.get("SIGNING_KEY", ""),
        settings.PERITUS["SIGNING_KEY_FILE"],
        production=bool(getattr(settings, "PRODUCTION", False)),
    )


def configured_public_keys() -> list[Ed25519PublicKey]:
    """Public keys of earlier private keys the settings still list (PERITUS["VERIFICATION_KEYS"])."""
    keys = []
    for pem in settings.PERITUS.get("VERIFICATION_KEYS", ()):
        key = serialization.load_pem_public_key(str(pem).encode())
        if isinstance(key, Ed25519PublicKey):
            keys.append(key)
    return keys


# Seals ------------------------------------------------------------------------------------------


def seal(claims: Mapping[str, Any], private_key: Ed25519PrivateKey) -> str:
    """A compact JWS (EdDSA) over `claims`."""
    header = {"alg": "EdDSA", "kid": key_id(private_key.public_key())}
    signing_input = f"{b64url(canonical_json(header))}.{b64url(canonical_json(dict(claims)))}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url(signature)}"


def open_seal(
    token: str, public_keys: Mapping[str, Ed25519PublicKey]
) -> tuple[str, dict[str, Any]]:
    """(kid, claims) of a valid seal; `SealError` with a code otherwise.

    Codes: `malformed`, `unknown_key` (no published key has this kid), `bad_signature`.
    """
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise SealError("malformed")
    parts = token.split(".")
    if len(parts) != 3:
        raise SealError("malformed")
    try:
        header = json.loads(from_b64url(parts[0]))
        claims = json.loads(from_b64url(parts[1]))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SealError("malformed") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise SealError("malformed")
    if header.get("alg") != "EdDSA" or not isinstance(header.get("kid"), str):
        raise SealError("malformed")
    kid = header["kid"]
    public_key = public_keys.get(kid)
    if public_key is None:
        raise SealError("unknown_key")
    try:
        public_key.verify(from_b64url(parts[2]), f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature as error:
        raise SealError("bad_signature") from error
    return kid, claims


def certificate_claims(number: str, revision: int, digest_hex: str) -> dict[str, Any]:
    return {"n": number, "r": revision, "h": digest_claim(digest_hex)}


def verification_url(number: str) -> str:
    """The public address of a certificate's status, printed on it and carried by its QR code."""
    return f"{settings.PERITUS['BASE_URL'].rstrip('/')}/verify/{number}/"
