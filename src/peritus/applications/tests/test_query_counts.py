"""List pages cost the same number of queries for two rows or eight (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peritus.accounts.models import User
from peritus.accounts.tests.factories import office_client
from peritus.applications.models import ApplicationStatus
from peritus.applications.tests.factories import make_accommodation, make_application
from peritus.schemes.models import SchemeVersion

pytestmark = pytest.mark.django_db


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_office_queue_does_not_grow_with_its_rows(
    client: Client, officer: User, version: SchemeVersion
) -> None:
    office_client(client, officer)
    for _ in range(2):
        make_accommodation(
            make_application(scheme_version=version, status=ApplicationStatus.SUBMITTED)
        )
    few = _queries(client, "/office/applications/")
    for _ in range(6):
        make_accommodation(
            make_application(scheme_version=version, status=ApplicationStatus.IN_REVIEW)
        )

    assert _queries(client, "/office/applications/") == few


def test_the_portal_list_does_not_grow_with_its_rows(client: Client, candidate: User) -> None:
    client.force_login(candidate)
    make_application(user=candidate)
    few = _queries(client, "/portal/applications/")
    for _ in range(5):
        make_application(user=candidate, status=ApplicationStatus.WITHDRAWN)

    assert _queries(client, "/portal/applications/") == few


def test_the_public_scheme_list_does_not_grow_with_its_rows(client: Client) -> None:
    from peritus.schemes.models import SchemeVersionStatus
    from peritus.schemes.tests.factories import make_complete_version

    make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    few = _queries(client, "/schemes/")
    for _ in range(4):
        make_complete_version(status=SchemeVersionStatus.PUBLISHED, components=2)

    assert _queries(client, "/schemes/") == few
