"""The certification API: the holder's own certificates, staff within their schemes, and the
decision and issuing actions only for write tokens, through the same services."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.services import create_api_token
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.applications.models import Application
from peritus.applications.tests.factories import make_eligible_application
from peritus.certification.models import Certificate, CertificationDecision
from peritus.certification.tests.factories import make_certificate, make_decision

pytestmark = pytest.mark.django_db


def token(user: User, *scopes: str) -> dict[str, str]:
    _token, secret = create_api_token(
        second_factor_used=True, actor=user, name="test", scopes=list(scopes or ["read"])
    )
    return {"Authorization": f"Bearer {secret}"}


def test_a_holder_lists_only_their_own_certificates(
    client: Client, candidate: User, outsider: User
) -> None:
    mine = make_certificate(
        application=make_eligible_application(person=Person.objects.get(user=candidate))
    )
    make_certificate()

    body = client.get("/api/v1/certificates", headers=token(candidate)).json()

    assert [item["number"] for item in body["items"]] == [mine.number]
    assert body["items"][0]["status"] == "valid"
    assert body["items"][0]["decision"] == mine.decision.reference
    assert client.get("/api/v1/certificates", headers=token(outsider)).json()["items"] == []


def test_someone_elses_certificate_is_not_found(client: Client, outsider: User) -> None:
    certificate = make_certificate()

    response = client.get(f"/api/v1/certificates/{certificate.number}", headers=token(outsider))

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_staff_see_certificates_of_their_schemes(client: Client, officer: User) -> None:
    certificate = make_certificate()

    response = client.get(f"/api/v1/certificates/{certificate.number}", headers=token(officer))

    assert response.status_code == 200
    assert response.json()["scheme"]["version"] == certificate.scheme_version.version


def test_the_holder_downloads_the_pdf(client: Client, candidate: User) -> None:
    certificate = make_certificate(
        application=make_eligible_application(person=Person.objects.get(user=candidate))
    )

    response = client.get(
        f"/api/v1/certificates/{certificate.number}/revisions/1/pdf", headers=token(candidate)
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_decision_through_the_api_needs_a_write_token(
    client: Client, assessed: Application, decision_maker: User
) -> None:
    payload = {"outcome": "grant", "rationale": "Complete and passed.", "scope": ["L1", "L2"]}
    url = f"/api/v1/certification/applications/{assessed.reference}/decision"

    read_only = client.post(
        url, payload, content_type="application/json", headers=token(decision_maker)
    )
    written = client.post(
        url, payload, content_type="application/json", headers=token(decision_maker, "write")
    )

    assert (read_only.status_code, read_only.json()["code"]) == (403, "token_scope")
    assert written.status_code == 201
    assert written.json()["scope"] == ["L1", "L2"]
    assert CertificationDecision.objects.get().decided_by == decision_maker


def test_the_api_refuses_an_involved_decision_maker_with_the_code(
    client: Client, assessed: Application, examiner: User
) -> None:
    grant_role(examiner, RoleCode.DECISION_MAKER)

    response = client.post(
        f"/api/v1/certification/applications/{assessed.reference}/decision",
        {"outcome": "grant", "rationale": "Passed.", "scope": ["L1"]},
        content_type="application/json",
        headers=token(examiner, "write"),
    )

    assert response.status_code == 403
    assert response.json()["code"] == "decider_examined_candidate"


def test_an_incomplete_file_is_a_409_with_what_is_missing(
    client: Client, officer: User, examiner: User, decision_maker: User
) -> None:
    from peritus.certification.tests.factories import make_assessed_application

    pending = make_assessed_application(officer=officer, examiner=examiner, release=False)

    response = client.post(
        f"/api/v1/certification/applications/{pending.reference}/decision",
        {"outcome": "grant", "rationale": "Passed.", "scope": ["L1"]},
        content_type="application/json",
        headers=token(decision_maker, "write"),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "incomplete_file"
    assert response.json()["details"]["missing"] == ["results_not_released"]


def test_an_officer_issues_through_the_api(client: Client, officer: User) -> None:
    decision = make_decision()

    response = client.post(
        f"/api/v1/certification/decisions/{decision.reference}/certificate",
        {},
        content_type="application/json",
        headers=token(officer, "write"),
    )

    assert response.status_code == 201
    assert response.json()["number"] == Certificate.objects.get(decision=decision).number


def test_a_decision_maker_cannot_issue_through_the_api(
    client: Client, decision_maker: User
) -> None:
    decision = make_decision()

    response = client.post(
        f"/api/v1/certification/decisions/{decision.reference}/certificate",
        {},
        content_type="application/json",
        headers=token(decision_maker, "write"),
    )

    assert (response.status_code, response.json()["code"]) == (403, "role_not_held")


def test_the_person_accepts_the_terms_through_the_api(client: Client, candidate: User) -> None:
    person = Person.objects.get(user=candidate)
    decision = make_decision(
        application=make_eligible_application(person=person), terms_accepted=False
    )

    response = client.post(
        f"/api/v1/certification/decisions/{decision.reference}/terms-acceptance",
        headers=token(candidate, "write"),
    )

    assert response.status_code == 201
    assert person.certificate_terms_acceptances.exists()


def test_an_officer_reissues_through_the_api(client: Client, officer: User) -> None:
    certificate = make_certificate()

    response = client.post(
        f"/api/v1/certificates/{certificate.number}/reissue",
        {"reason": "correction", "note": "Scope title fixed"},
        content_type="application/json",
        headers=token(officer, "write"),
    )

    assert response.status_code == 200
    assert response.json()["revision"] == 2


def test_the_decision_is_readable_by_the_person_and_staff_only(
    client: Client, candidate: User, outsider: User
) -> None:
    person = Person.objects.get(user=candidate)
    decision = make_decision(application=make_eligible_application(person=person))
    staff = make_staff(RoleCode.CERTIFICATION_OFFICER)

    own = client.get(
        f"/api/v1/certification/decisions/{decision.reference}", headers=token(candidate)
    )
    other = client.get(
        f"/api/v1/certification/decisions/{decision.reference}", headers=token(outsider)
    )
    office = client.get(
        f"/api/v1/certification/decisions/{decision.reference}", headers=token(staff)
    )

    assert (own.status_code, other.status_code, office.status_code) == (200, 404, 200)
    assert own.json()["outcome"] == "grant"
