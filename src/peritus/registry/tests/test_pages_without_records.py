"""The public pages' behaviour that needs no certificate (the registry imports no services, so
tests with issued certificates live in certification/tests/test_public_*.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from peritus.accounts.models import User
from peritus.registry.forms import VerifyForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_counts() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def test_the_verify_form_tidies_the_number() -> None:
    form = VerifyForm({"number": "  wi-0001234-k  "})

    assert form.is_valid()
    assert form.cleaned_data["number"] == "WI-0001234-K"


def test_the_verify_form_refuses_an_empty_number_or_a_path() -> None:
    assert not VerifyForm({"number": "   "}).is_valid()
    assert not VerifyForm({"number": "WI/../x"}).is_valid()


def test_an_unknown_number_answers_not_found_on_the_page_and_in_json(client: Client) -> None:
    page = client.get("/verify/NOPE-0000001-X/")
    answer = client.get("/api/v1/certificates/NOPE-0000001-X/verification")

    assert page.status_code == 404
    assert "Certificate not found" in page.content.decode()
    assert answer.status_code == 404
    assert answer.json()["code"] in {"not_found", "mistyped_number"}


def test_the_not_found_page_is_the_same_for_visitors_and_signed_in_staff(
    client: Client, officer: User
) -> None:
    anonymous = client.get("/verify/NOPE-0000001-X/").content.decode()
    client.force_login(officer)
    signed_in = client.get("/verify/NOPE-0000001-X/").content.decode()

    def main(html: str) -> str:
        html = re.sub(r'nonce="[^"]*"', "", html)
        return html[html.index("<main") : html.index("</main>")]

    assert main(anonymous) == main(signed_in)


def test_a_number_in_the_page_is_escaped(client: Client) -> None:
    page = client.get("/verify/%3Cb%3Ebold/").content.decode()

    assert "<b>bold" not in page
    assert "&lt;b&gt;bold" in page


def test_the_page_carries_a_nonce_matching_the_csp_header(client: Client) -> None:
    response = client.get("/verify/NOPE-0000001-X/")

    nonces = set(re.findall(r'nonce="([^"]+)"', response.content.decode()))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]


def test_the_verify_pages_are_rate_limited_with_a_429(client: Client, settings: Any) -> None:
    settings.PERITUS = {**settings.PERITUS, "VERIFICATION_RATE_LIMIT": "2/m"}

    codes = [client.get("/verify/NOPE-0000001-X/").status_code for _ in range(3)]
    answer = client.get("/api/v1/certificates/NOPE-0000001-X/verification")

    assert codes == [404, 404, 429]
    assert (answer.status_code, answer.json()["code"]) == (429, "rate_limited")
    assert answer["Retry-After"] == "60"


def test_the_published_keys_answer_without_any_certificate(client: Client) -> None:
    document = client.get("/.well-known/peritus-keys.json").json()

    assert len(document["keys"]) == 1
    assert document["keys"][0]["peritus_active"] is True
