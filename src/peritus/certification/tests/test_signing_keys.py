from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from peritus.accounts.models import User
from peritus.certification import credentials
from peritus.certification.models import CertificateVersion
from peritus.certification.services import revoke_signing_key
from peritus.certification.tests.factories import make_certificate

pytestmark = pytest.mark.django_db


Rotate = Callable[[], Ed25519PrivateKey]


@pytest.fixture
def rotate(settings: Any) -> Iterator[Rotate]:
    """Configure a new active private key, as an operator rotating the key would."""

    def to_new_key() -> Ed25519PrivateKey:
        key = Ed25519PrivateKey.generate()
        settings.PERITUS = {
            **settings.PERITUS,
            "SIGNING_KEY": credentials.private_key_pem(key).decode(),
        }
        credentials.active_private_key.cache_clear()
        return key

    yield to_new_key
    credentials.active_private_key.cache_clear()


def kids(client: Client) -> dict[str, bool]:
    document = client.get("/.well-known/peritus-keys.json").json()
    return {key["kid"]: key["peritus_active"] for key in document["keys"]}


def test_the_published_keys_are_a_jwks_of_ed25519_keys(client: Client) -> None:
    response = client.get("/.well-known/peritus-keys.json")

    document = response.json()
    assert response.status_code == 200
    assert all(key["kty"] == "OKP" and key["crv"] == "Ed25519" for key in document["keys"])
    active = credentials.key_id(credentials.active_private_key().public_key())
    assert kids(client) == {active: True}


def test_after_rotation_both_keys_are_published_and_old_seals_still_verify(
    client: Client, rotate: Rotate
) -> None:
    before = make_certificate()
    old_kid = CertificateVersion.objects.get(certificate=before).key_id
    new_key = rotate()
    after = make_certificate()
    new_kid = CertificateVersion.objects.get(certificate=after).key_id

    published = kids(client)
    old_seal = CertificateVersion.objects.get(certificate=before).seal
    page = client.get(f"/verify/{before.number}/", {"t": old_seal}).content.decode()

    assert new_kid == credentials.key_id(new_key.public_key()) != old_kid
    assert published == {old_kid: False, new_kid: True}
    assert "Seal verified" in page


def test_a_revoked_key_is_withdrawn_from_the_set_and_its_seals_no_longer_verify(
    client: Client, rotate: Rotate, administrator: User
) -> None:
    before = make_certificate()
    old_kid = CertificateVersion.objects.get(certificate=before).key_id
    rotate()
    make_certificate()

    revoke_signing_key(kid=old_kid, actor=administrator, reason="Key file leaked")
    page = client.get(
        f"/verify/{before.number}/",
        {"t": CertificateVersion.objects.get(certificate=before).seal},
    ).content.decode()

    assert old_kid not in kids(client)
    assert "Seal not verified" in page
    assert "unknown_key" in page
