from __future__ import annotations

import base64
import json
import pathlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from peritus.certification import credentials


def keyring(*keys: Ed25519PrivateKey) -> dict[str, object]:
    return {credentials.key_id(key.public_key()): key.public_key() for key in keys}


def test_a_seal_opens_with_the_public_key_it_names() -> None:
    key = Ed25519PrivateKey.generate()
    token = credentials.seal({"n": "WI-0001234-W", "r": 1, "h": "abc"}, key)

    kid, claims = credentials.open_seal(token, keyring(key))  # type: ignore[arg-type]

    assert kid == credentials.key_id(key.public_key())
    assert claims == {"n": "WI-0001234-W", "r": 1, "h": "abc"}


def test_a_seal_is_a_compact_jws_with_the_eddsa_algorithm_and_key_id() -> None:
    key = Ed25519PrivateKey.generate()
    token = credentials.seal({"n": "X"}, key)

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))

    assert header == {"alg": "EdDSA", "kid": credentials.key_id(key.public_key())}
    assert token.count(".") == 2


def test_after_rotation_old_seals_verify_with_the_old_public_key_still_published() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    old_token = credentials.seal({"n": "A"}, old)
    new_token = credentials.seal({"n": "B"}, new)
    published = keyring(old, new)

    assert credentials.open_seal(old_token, published)[1] == {"n": "A"}  # type: ignore[arg-type]
    assert credentials.open_seal(new_token, published)[1] == {"n": "B"}  # type: ignore[arg-type]


def test_a_seal_whose_key_is_no_longer_published_is_refused_as_unknown_key() -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    token = credentials.seal({"n": "A"}, old)

    with pytest.raises(credentials.SealError) as error:
        credentials.open_seal(token, keyring(new))  # type: ignore[arg-type]

    assert error.value.code == "unknown_key"


def test_a_changed_claim_breaks_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    header, _payload, signature = credentials.seal({"n": "WI-1", "r": 1}, key).split(".")
    forged = credentials.b64url(json.dumps({"n": "WI-2", "r": 1}).encode())

    with pytest.raises(credentials.SealError) as error:
        credentials.open_seal(f"{header}.{forged}.{signature}", keyring(key))  # type: ignore[arg-type]

    assert error.value.code == "bad_signature"


def test_a_seal_signed_by_another_key_claiming_our_kid_is_refused() -> None:
    ours, theirs = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    kid = credentials.key_id(ours.public_key())
    header = credentials.b64url(json.dumps({"alg": "EdDSA", "kid": kid}).encode())
    payload = credentials.b64url(b'{"n":"WI-1"}')
    signature = credentials.b64url(theirs.sign(f"{header}.{payload}".encode()))

    with pytest.raises(credentials.SealError) as error:
        credentials.open_seal(f"{header}.{payload}.{signature}", keyring(ours))  # type: ignore[arg-type]

    assert error.value.code == "bad_signature"


@given(st.text(max_size=700))
def test_any_text_is_either_a_valid_seal_or_refused_with_a_code(text: str) -> None:
    key = Ed25519PrivateKey.generate()
    with pytest.raises(credentials.SealError) as error:
        credentials.open_seal(text, keyring(key))  # type: ignore[arg-type]

    assert error.value.code in {"malformed", "unknown_key", "bad_signature"}


def test_the_published_jwk_carries_the_okp_key_and_its_thumbprint_id() -> None:
    key = Ed25519PrivateKey.generate()

    jwk = credentials.public_jwk(key.public_key())

    assert jwk["kty"] == "OKP"
    assert jwk["crv"] == "Ed25519"
    assert jwk["alg"] == "EdDSA"
    raw = base64.urlsafe_b64decode(jwk["x"] + "=")
    assert credentials.key_id(credentials.public_key_from_raw(raw)) == jwk["kid"]


def test_the_content_digest_does_not_depend_on_key_order() -> None:
    assert credentials.content_digest({"a": 1, "b": [1, 2]}) == credentials.content_digest(
        {"b": [1, 2], "a": 1}
    )
    assert credentials.content_digest({"a": 1}) != credentials.content_digest({"a": 2})


def test_the_key_is_read_from_pem_text_or_from_a_path(tmp_path: pathlib.Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = credentials.private_key_pem(key)
    path = tmp_path / "key.pem"
    path.write_bytes(pem)

    from_text = credentials.load_configured_key(pem.decode(), "", production=True)
    from_path = credentials.load_configured_key(str(path), "", production=True)

    expected = credentials.key_id(key.public_key())
    assert credentials.key_id(from_text.public_key()) == expected
    assert credentials.key_id(from_path.public_key()) == expected


def test_outside_production_a_key_is_generated_once_into_the_key_file(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "keys" / "signing-key.pem"

    first = credentials.load_configured_key("", str(path), production=False)
    second = credentials.load_configured_key("", str(path), production=False)

    assert credentials.key_id(first.public_key()) == credentials.key_id(second.public_key())
    assert path.stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_run_without_a_configured_key(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="PERITUS_SIGNING_KEY"):
        credentials.load_configured_key("", str(tmp_path / "none.pem"), production=True)
    assert not (tmp_path / "none.pem").exists()


def test_a_key_of_another_algorithm_is_refused() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(ImproperlyConfigured, match="Ed25519"):
        credentials.load_configured_key(pem, "", production=True)
