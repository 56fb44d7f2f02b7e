from __future__ import annotations

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from peritus.accounts.models import User

pytestmark = pytest.mark.django_db


def test_home_offers_verification_schemes_and_sign_in(client: Client) -> None:
    response = client.get("/")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'action="/verify/"' in content
    assert 'href="/schemes/"' in content
    assert "/accounts/login/" in content


def test_pages_are_served_with_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_every_asset_is_local(client: Client) -> None:
    content = client.get("/").content.decode()

    assert "http://" not in content.replace("http://testserver", "")
    assert "https://" not in content
    assert "//cdn" not in content


def test_unknown_pages_answer_404_with_the_site_layout(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_portal_greets_the_candidate(client: Client, candidate: User) -> None:
    client.force_login(candidate)

    response = client.get("/portal/")

    assert response.status_code == 200
    assert "Welcome, Ada" in response.content.decode()


def test_sign_up_asks_for_the_legal_name_and_creates_the_person_record(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "given_names": "Lea Marie", "family_name": "Tanaka", "email": "lea@peritus.example",
            "password1": "a-long-passphrase-2026", "password2": "a-long-passphrase-2026", "preferred_language": "fr",
        },
    )  # fmt: skip

    assert response.status_code == 302
    user = User.objects.get(email="lea@peritus.example")
    assert (user.person.given_names, user.person.family_name, user.person.preferred_language) == (
        "Lea Marie", "Tanaka", "fr",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/verify/", "Verify a certificate"),
        ("/accounts/login/", "Sign in"),  # an allauth page: its head_title block
        ("/verify/WI-0000001-A/", "Certificate not found"),  # the cached layout (registry/shell.py)
        ("/no-such-page/", "Page not found"),
    ],
)
def test_the_browser_tab_names_the_page_then_the_body(
    client: Client, path: str, title: str
) -> None:
    body = settings.PERITUS["BODY_NAME"]

    content = client.get(path).content.decode()

    assert f"<title>{title} · {body}</title>" in content


def test_a_page_without_a_title_is_named_after_the_body_alone(client: Client) -> None:
    html = render_to_string("base.html", {"body_name": "Weld & Co"})

    assert "<title>Weld &amp; Co</title>" in html
