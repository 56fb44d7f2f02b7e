"""The schemes API: public read of published versions; every version for scheme staff."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.services import create_api_token
from peritus.schemes.models import SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version, make_scheme

pytestmark = pytest.mark.django_db


def test_anyone_lists_the_schemes_open_for_certification(client: Client) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    make_complete_version()

    body = client.get("/api/v1/schemes").json()

    assert body == [
        {"code": version.scheme.code, "slug": version.scheme.slug, "name": version.scheme.name,
         "summary": version.scheme.summary, "sector": version.scheme.sector,
         "current_version": version.version}
    ]  # fmt: skip


def test_anyone_reads_a_published_scheme_with_its_parts(client: Client) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED, components=2)

    body = client.get(f"/api/v1/schemes/{version.scheme.slug}").json()

    current = body["current_version"]
    assert current["version"] == version.version
    assert [item["code"] for item in current["scope_items"]] == ["L1", "L2"]
    assert [c["code"] for c in current["components"]] == ["C1", "C2"]
    assert current["competence_domains"][0]["tasks"][0]["code"] == "T1"
    assert current["fees"][0]["currency"] == "EUR"


def test_an_unpublished_scheme_is_not_found(client: Client) -> None:
    version = make_complete_version(status=SchemeVersionStatus.APPROVED)

    assert client.get(f"/api/v1/schemes/{version.scheme.slug}").status_code == 404


def test_drafts_are_for_scheme_staff_only(
    client: Client, scheme_manager: User, candidate: User
) -> None:
    scheme = make_scheme()
    draft = make_complete_version(scheme=scheme)
    path = f"/api/v1/schemes/{scheme.slug}/versions"

    _, secret = create_api_token(
        second_factor_used=True, actor=candidate, name="t", scopes=["read"]
    )
    assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404
    _, secret = create_api_token(
        second_factor_used=True, actor=scheme_manager, name="t", scopes=["read"]
    )
    listed = client.get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert [item["status"] for item in listed] == ["draft"]
    detail = client.get(f"{path}/{draft.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert detail["code_of_conduct"] == draft.code_of_conduct
