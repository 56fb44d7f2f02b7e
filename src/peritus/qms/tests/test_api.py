"""The read API of the register: readers list it (bounded pages), others get 403; one action is
404 to anyone who may not see it, so its existence does not leak."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.services import create_api_token
from peritus.qms.tests.factories import planned_action, raised_action

pytestmark = pytest.mark.django_db


def _token(user: User) -> dict[str, str]:
    _, secret = create_api_token(second_factor_used=True, actor=user, name="test", scopes=["read"])
    return {"Authorization": f"Bearer {secret}"}


def test_the_auditor_lists_the_register_with_steps_on_the_detail(
    client: Client, quality_manager: User, auditor: User
) -> None:
    action, _step = planned_action(quality_manager, step_owner=auditor)

    listed = client.get("/api/v1/corrective-actions?status=open", headers=_token(auditor)).json()
    detail = client.get(
        f"/api/v1/corrective-actions/{action.reference}", headers=_token(auditor)
    ).json()

    assert listed["count"] == 1
    assert listed["items"][0]["reference"] == action.reference
    assert listed["items"][0]["overdue"] is False
    assert detail["root_cause"] == "No key procedure."
    assert [step["owner"] for step in detail["steps"]] == [auditor.email]


def test_an_examiner_may_not_list_the_register_nor_see_an_action(
    client: Client, quality_manager: User, examiner: User
) -> None:
    action = raised_action(quality_manager)

    listed = client.get("/api/v1/corrective-actions", headers=_token(examiner))
    one = client.get(f"/api/v1/corrective-actions/{action.reference}", headers=_token(examiner))

    assert listed.status_code == 403
    assert listed.json()["code"] == "not_permitted"
    assert one.status_code == 404
    assert one.json()["code"] == "not_found"


def test_the_owner_of_a_step_reads_that_action(
    client: Client, quality_manager: User, examiner: User
) -> None:
    action, _step = planned_action(quality_manager, step_owner=examiner)

    response = client.get(
        f"/api/v1/corrective-actions/{action.reference}", headers=_token(examiner)
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("status=shredded", "unknown_status"),
        ("source=gossip", "unknown_source"),
        ("offset=99999999999999999999", "invalid_input"),
        ("limit=100000", "invalid_input"),
    ],
)
def test_bad_filters_and_pages_are_refused_with_stable_codes(
    client: Client, quality_manager: User, query: str, code: str
) -> None:
    response = client.get(f"/api/v1/corrective-actions?{query}", headers=_token(quality_manager))

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_anonymous_callers_get_401(client: Client) -> None:
    assert client.get("/api/v1/corrective-actions").status_code == 401
