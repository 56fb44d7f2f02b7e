"""The read API of the complaints register: readers list it (bounded pages, stable error codes);
others get 403; a complaint is 404 to anyone who may not see it, its subject included."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import grant_role
from peritus.complaints.models import ComplaintAbout
from peritus.complaints.services import report_progress
from peritus.complaints.tests.factories import accepted, being_handled, submitted

pytestmark = pytest.mark.django_db


def _token(user: User) -> dict[str, str]:
    _, secret = create_api_token(second_factor_used=True, actor=user, name="test", scopes=["read"])
    return {"Authorization": f"Bearer {secret}"}


def test_the_quality_manager_lists_and_reads_complaints(
    client: Client, quality_manager: User, handler: User
) -> None:
    complaint = being_handled(quality_manager, handler)
    report_progress(actor=handler, complaint=complaint, message="We asked the centre.")

    listed = client.get("/api/v1/complaints?status=open", headers=_token(quality_manager)).json()
    one = client.get(
        f"/api/v1/complaints/{complaint.reference}", headers=_token(quality_manager)
    ).json()

    assert listed["count"] == 1
    assert listed["items"][0]["handler"] == handler.email
    assert listed["items"][0]["missed_deadlines"] == []
    assert [update["message"] for update in one["updates"]] == ["We asked the centre."]
    assert "complainant_email" not in one


def test_an_examiner_may_not_list_nor_read_complaints(client: Client, examiner: User) -> None:
    complaint = submitted()

    listed = client.get("/api/v1/complaints", headers=_token(examiner))
    one = client.get(f"/api/v1/complaints/{complaint.reference}", headers=_token(examiner))

    assert listed.status_code == 403
    assert listed.json()["code"] == "not_permitted"
    assert one.status_code == 404
    assert one.json()["code"] == "not_found"


def test_the_examiner_complained_about_never_reads_that_complaint(
    client: Client, quality_manager: User, examiner: User
) -> None:
    grant_role(examiner, RoleCode.COMPLAINTS_HANDLER)
    complaint = accepted(
        quality_manager, submitted(about=ComplaintAbout.EXAMINER), subject_staff=examiner
    )

    listed = client.get("/api/v1/complaints", headers=_token(examiner)).json()
    one = client.get(f"/api/v1/complaints/{complaint.reference}", headers=_token(examiner))

    assert listed["count"] == 0
    assert one.status_code == 404


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("status=shredded", "unknown_status"),
        ("about=weather", "unknown_subject"),
        ("offset=99999999999999999999", "invalid_input"),
        ("limit=100000", "invalid_input"),
    ],
)
def test_bad_filters_and_pages_are_refused_with_stable_codes(
    client: Client, quality_manager: User, query: str, code: str
) -> None:
    response = client.get(f"/api/v1/complaints?{query}", headers=_token(quality_manager))

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_anonymous_callers_get_401(client: Client) -> None:
    assert client.get("/api/v1/complaints").status_code == 401
