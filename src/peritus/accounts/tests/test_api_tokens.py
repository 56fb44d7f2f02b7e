from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peritus.accounts.errors import AccountsInputError, RoleNotHeldError
from peritus.accounts.models import ApiToken, User
from peritus.accounts.services import (
    authenticate_api_token,
    create_api_token,
    hash_token_secret,
    revoke_api_token,
)

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_its_hash(officer: User) -> None:
    token, secret = create_api_token(
        second_factor_used=True, actor=officer, name="Registry sync", scopes=["read"]
    )

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.secret_hash == hash_token_secret(secret)
    assert secret not in (stored.secret_hash, stored.prefix)
    assert secret.startswith(stored.prefix)


def test_a_token_authenticates_its_owner_until_revoked(officer: User) -> None:
    token, secret = create_api_token(
        second_factor_used=True, actor=officer, name="Registry sync", scopes=["read"]
    )
    assert authenticate_api_token(secret) == officer

    revoke_api_token(actor=officer, token=token)

    assert authenticate_api_token(secret) is None


def test_an_expired_token_does_not_authenticate(officer: User) -> None:
    token, secret = create_api_token(
        second_factor_used=True,
        actor=officer,
        name="Short",
        scopes=["read"],
        expires_at=timezone.now() + dt.timedelta(minutes=1),
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert authenticate_api_token(secret) is None


def test_unknown_scopes_are_refused(officer: User) -> None:
    with pytest.raises(AccountsInputError) as error:
        create_api_token(second_factor_used=True, actor=officer, name="x", scopes=["admin"])

    assert error.value.code == "invalid_scope"


def test_the_api_answers_401_with_a_code_for_a_bad_token(client: Client) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer prt_not-a-token"})

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_read_only_token_cannot_create_tokens(client: Client, officer: User) -> None:
    _, secret = create_api_token(
        second_factor_used=True, actor=officer, name="read", scopes=["read"]
    )

    response = client.post(
        "/api/v1/tokens", data={"name": "escalate", "scopes": ["write"]}, content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json()["code"] == "token_scope"
    assert ApiToken.objects.count() == 1


def test_a_write_token_creates_a_token_and_sees_the_secret_once(
    client: Client, officer: User
) -> None:
    _, secret = create_api_token(
        second_factor_used=True, actor=officer, name="admin", scopes=["read", "write"]
    )

    response = client.post(
        "/api/v1/tokens", data={"name": "second", "scopes": ["read"]}, content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )  # fmt: skip

    assert response.status_code == 201
    assert response.json()["secret"].startswith("prt_")
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).json()
    assert {item["name"] for item in listed} == {"admin", "second"}
    assert all("secret" not in item for item in listed)


def test_staff_without_the_second_factor_in_this_session_cannot_make_a_token(
    officer: User,
) -> None:
    with pytest.raises(RoleNotHeldError) as refused:
        create_api_token(
            second_factor_used=False, actor=officer, name="Back door", scopes=["write"]
        )

    assert refused.value.code == "second_factor_required"
    assert not ApiToken.objects.filter(user=officer).exists()


def test_a_candidate_makes_a_token_without_a_second_factor(candidate: User) -> None:
    token, _secret = create_api_token(
        second_factor_used=False, actor=candidate, name="CPD app", scopes=["read", "write"]
    )

    assert token.user == candidate


def test_the_api_refuses_a_staff_token_from_a_password_only_session(
    client: Client, officer: User
) -> None:
    client.force_login(officer)  # no second factor recorded for this session

    response = client.post(
        "/api/v1/tokens", data={"name": "Back door", "scopes": ["write"]},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"
    assert not ApiToken.objects.filter(user=officer).exists()
