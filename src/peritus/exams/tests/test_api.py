"""The read API: events by role, a candidate's own released results, nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.exams.models import AssessmentEvent
from peritus.exams.services import add_candidate, release_result
from peritus.exams.tests.factories import make_event, mark, ready_to_mark
from peritus.schemes.models import AssessmentComponent

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_candidate_lists_the_events_they_are_booked_on(
    officer: User,
    event: AssessmentEvent,
    application: Application,
    candidate: User,
    component: AssessmentComponent,
) -> None:
    add_candidate(actor=officer, event=event, application=application)
    make_event(officer, component)  # not booked

    response = client_for(candidate).get("/api/v1/assessment-events")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["reference"], item["component"]["code"]) == (event.reference, "C1")
    assert item["scheme_version"] == event.scheme_version.version


def test_a_candidate_reads_their_event_but_not_another(
    officer: User,
    event: AssessmentEvent,
    application: Application,
    candidate: User,
    component: AssessmentComponent,
) -> None:
    add_candidate(actor=officer, event=event, application=application)
    other = make_event(officer, component)
    client = client_for(candidate)

    assert client.get(f"/api/v1/assessment-events/{event.pk}").status_code == 200
    response = client.get(f"/api/v1/assessment-events/{other.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_officer_lists_every_event_of_their_schemes(
    officer: User, event: AssessmentEvent
) -> None:
    response = client_for(officer).get("/api/v1/assessment-events")

    assert [item["id"] for item in response.json()["items"]] == [event.pk]


def test_staff_without_an_assessment_role_see_no_event(event: AssessmentEvent) -> None:
    response = client_for(make_staff(RoleCode.ITEM_AUTHOR)).get("/api/v1/assessment-events")

    assert response.json()["count"] == 0


def test_a_candidate_reads_only_released_results(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    candidate: User,
    component: AssessmentComponent,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    released = release_result(actor=officer, result=mark(examiner, entry, 81))
    second = application.scheme_version.components.get(code="C2")
    (pending_entry,) = ready_to_mark(officer, examiner, make_event(officer, second), application)
    pending = mark(examiner, pending_entry, 55)
    client = client_for(candidate)

    listed = client.get("/api/v1/assessment-results").json()
    one = client.get(f"/api/v1/assessment-results/{released.pk}")
    hidden = client.get(f"/api/v1/assessment-results/{pending.pk}")

    assert [item["id"] for item in listed["items"]] == [released.pk]
    assert one.json()["score"] == "81.00"
    assert one.json()["passed"] is True
    assert one.json()["feedback"] == "Clear reasoning."
    assert hidden.status_code == 404


def test_nobody_reads_another_candidate_s_result(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    outsider: User,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    released = release_result(actor=officer, result=mark(examiner, entry, 81))
    client = client_for(outsider)

    assert client.get(f"/api/v1/assessment-results/{released.pk}").status_code == 404
    assert client.get("/api/v1/assessment-results").json()["count"] == 0


def test_an_api_token_reads_the_same_as_the_session(
    officer: User,
    examiner: User,
    event: AssessmentEvent,
    application: Application,
    candidate: User,
) -> None:
    (entry,) = ready_to_mark(officer, examiner, event, application)
    release_result(actor=officer, result=mark(examiner, entry, 81))
    _token, secret = create_api_token(
        second_factor_used=True, actor=candidate, name="My scripts", scopes=["read"]
    )

    response = Client().get(
        "/api/v1/assessment-results", headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_anonymous_callers_are_refused() -> None:
    response = Client().get("/api/v1/assessment-results")

    assert response.status_code == 401
