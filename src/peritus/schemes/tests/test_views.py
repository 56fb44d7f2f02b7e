"""Public scheme pages and the office pages, with their permission matrix."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.tests.factories import office_client
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version, make_scheme

pytestmark = pytest.mark.django_db


def test_the_public_list_shows_only_schemes_with_a_published_version(client: Client) -> None:
    published = make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    draft_only = make_complete_version()

    page = client.get("/schemes/").content.decode()

    assert published.scheme.name in page
    assert draft_only.scheme.name not in page


def test_the_public_page_shows_what_the_standard_requires(client: Client) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)

    response = client.get(f"/schemes/{version.scheme.slug}/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        version.scope_statement,
        "Level 2",
        version.prerequisites.get().description,
        version.components.get().name,
        "150.00 EUR",
        version.recertification_requirements,
        version.suspension_criteria,
        version.code_of_conduct,
        version.appeals_policy,
        version.complaints_policy,
        version.impartiality_statement,
        "36 months",
    ):
        assert text in page, text


def test_a_scheme_with_no_published_version_is_not_found(client: Client) -> None:
    version = make_complete_version(status=SchemeVersionStatus.APPROVED)

    assert client.get(f"/schemes/{version.scheme.slug}/").status_code == 404
    assert client.get("/schemes/no-such-scheme/").status_code == 404


def test_earlier_publications_stay_readable_but_drafts_do_not(client: Client) -> None:
    scheme = make_scheme()
    retired = make_complete_version(
        scheme=scheme, status=SchemeVersionStatus.RETIRED, scope_statement="Old scope"
    )
    make_complete_version(scheme=scheme, status=SchemeVersionStatus.PUBLISHED)
    draft = make_complete_version(scheme=scheme)

    assert retired.version in client.get(f"/schemes/{scheme.slug}/versions/").content.decode()
    old = client.get(f"/schemes/{scheme.slug}/versions/{retired.pk}/")
    assert old.status_code == 200
    assert "Old scope" in old.content.decode()
    assert client.get(f"/schemes/{scheme.slug}/versions/{draft.pk}/").status_code == 404


def test_candidates_and_anonymous_visitors_stay_out_of_the_office(
    client: Client, candidate: User
) -> None:
    assert client.get("/office/schemes/").status_code == 302
    client.force_login(candidate)
    assert client.get("/office/schemes/").status_code == 403


def test_a_scheme_manager_drafts_edits_and_adds_parts(client: Client, scheme_manager: User) -> None:
    office_client(client, scheme_manager)
    scheme = make_scheme(slug="cwi")

    response = client.post("/office/schemes/cwi/versions/", {"version": "2026.1"})
    version = SchemeVersion.objects.get(scheme=scheme)
    assert response.url == f"/office/schemes/cwi/versions/{version.pk}/"  # type: ignore[attr-defined]

    page = client.get(f"/office/schemes/cwi/versions/{version.pk}/")
    assert page.status_code == 200
    assert "Not yet complete" in page.content.decode()

    edit = client.get(f"/office/schemes/cwi/versions/{version.pk}/edit/")
    assert edit.status_code == 200
    response = client.post(
        f"/office/schemes/cwi/versions/{version.pk}/scope_item/new/",
        {"code": "L2", "title": "Level 2 inspector", "position": "1"},
    )
    assert response.status_code == 302
    assert version.scope_items.get().title == "Level 2 inspector"
    response = client.post(
        f"/office/schemes/cwi/versions/{version.pk}/component/new/",
        {"code": "W", "name": "Written", "kind": "written", "delivery": "in_person",
         "max_score": "100", "pass_mark": "120", "weight": "1", "position": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "The pass mark cannot exceed the maximum score." in response.content.decode()


def test_the_committee_approves_and_the_manager_publishes(
    client: Client, scheme_manager: User, committee_member: User
) -> None:
    version = make_complete_version(created_by=scheme_manager)
    base = f"/office/schemes/{version.scheme.slug}/versions/{version.pk}"

    office_client(client, committee_member)
    client.post(f"{base}/approval/", {"approval_reference": "Minutes 12"})
    assert SchemeVersion.objects.get(pk=version.pk).status == SchemeVersionStatus.APPROVED

    office_client(client, scheme_manager)
    client.post(f"{base}/publication/")
    assert SchemeVersion.objects.get(pk=version.pk).status == SchemeVersionStatus.PUBLISHED
    assert client.get(f"/schemes/{version.scheme.slug}/").status_code == 200


def test_staff_who_only_read_schemes_cannot_change_them(client: Client, examiner: User) -> None:
    version = make_complete_version()
    base = f"/office/schemes/{version.scheme.slug}/versions/{version.pk}"
    office_client(client, examiner)

    assert client.get(base + "/").status_code == 200
    assert client.get(base + "/edit/").status_code == 403
    assert client.post(base + "/approval/").status_code == 403
    assert client.post(base + "/scope_item/new/", {"code": "X", "title": "X"}).status_code == 403
    assert SchemeVersion.objects.get(pk=version.pk).status == SchemeVersionStatus.DRAFT


def test_a_published_version_offers_no_edit(client: Client, scheme_manager: User) -> None:
    version = make_complete_version(status=SchemeVersionStatus.PUBLISHED)
    office_client(client, scheme_manager)
    base = f"/office/schemes/{version.scheme.slug}/versions/{version.pk}"

    assert "Edit texts and rules" not in client.get(base + "/").content.decode()
    assert client.get(base + "/edit/").status_code == 403
