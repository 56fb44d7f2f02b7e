from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from peritus.accounts.models import User

pytestmark = pytest.mark.django_db


def test_repeated_failed_sign_ins_are_refused_even_with_the_right_password(
    client: Client, candidate: User, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    cache.clear()
    for _ in range(5):
        client.post("/accounts/login/", {"login": candidate.email, "password": "wrong-password"})

    response = client.post(
        "/accounts/login/", {"login": candidate.email, "password": "correct-horse-battery-staple"}
    )

    assert "_auth_user_id" not in client.session
    assert response.status_code in {200, 429}
    assert "Too many failed login attempts" in response.content.decode()


def test_a_correct_sign_in_works_when_under_the_limit(
    client: Client, candidate: User, settings: Any
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    cache.clear()
    client.post("/accounts/login/", {"login": candidate.email, "password": "wrong-password"})

    response = client.post(
        "/accounts/login/", {"login": candidate.email, "password": "correct-horse-battery-staple"}
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(candidate.pk)
