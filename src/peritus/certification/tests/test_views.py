"""The office and portal pages: who sees what (the permission matrix), and the forms call the
services."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.applications.models import Application
from peritus.audit_trail.models import AuditEvent
from peritus.certification.events import CertificationEvent
from peritus.certification.models import Certificate, CertificationDecision, DecisionOutcome
from peritus.certification.services import decide_certification
from peritus.certification.tests.factories import (
    make_assessed_application,
    make_certificate,
    make_decision,
)
from peritus.impartiality.tests.factories import office_client

pytestmark = pytest.mark.django_db


def portal_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.CERTIFICATION_OFFICER, 200),
        (RoleCode.EXAMINER, 403),
        (RoleCode.ITEM_AUTHOR, 403),
    ],
)
def test_the_decision_queue_opens_to_decision_makers_and_officers(
    role: RoleCode, status: int
) -> None:
    response = office_client(make_staff(role)).get(reverse("certification:decision-queue"))

    assert response.status_code == status


def test_candidates_and_visitors_never_reach_the_office(candidate: User, client: Client) -> None:
    url = reverse("certification:decision-queue")

    assert portal_client(candidate).get(url).status_code == 403
    assert client.get(url).status_code == 302


def test_a_file_ready_for_decision_is_in_the_queue(
    assessed: Application, decision_maker: User
) -> None:
    page = office_client(decision_maker).get(reverse("certification:decision-queue"))

    assert assessed.reference in page.content.decode()


def test_the_decision_screen_shows_the_evidence_chain(
    assessed: Application, decision_maker: User
) -> None:
    page = office_client(decision_maker).get(
        reverse("certification:decision-create", args=[assessed.reference])
    )

    content = page.content.decode()
    assert page.status_code == 200
    assert "Evidence chain" in content
    assert "Eligibility findings" in content
    assert "You may not decide" not in content


def test_an_involved_decision_maker_sees_why_and_the_service_refuses_the_post(
    assessed: Application, examiner: User
) -> None:
    grant_role(examiner, RoleCode.DECISION_MAKER)
    client = office_client(examiner)
    url = reverse("certification:decision-create", args=[assessed.reference])

    page = client.get(url).content.decode()
    refused = client.post(
        url,
        {
            "outcome": "grant",
            "rationale": "Passed.",
            "scope_items": list(assessed.scheme_version.scope_items.values_list("pk", flat=True)),
        },
    )

    assert "You may not decide on this file" in page
    assert "decider_examined_candidate" in page
    assert refused.status_code == 403
    assert "You examined or marked this candidate" in refused.content.decode()
    assert not CertificationDecision.objects.exists()


def test_a_decision_maker_records_a_grant_from_the_screen(
    assessed: Application, decision_maker: User
) -> None:
    response = office_client(decision_maker).post(
        reverse("certification:decision-create", args=[assessed.reference]),
        {
            "outcome": "grant",
            "rationale": "Every requirement met.",
            "scope_items": list(assessed.scheme_version.scope_items.values_list("pk", flat=True)),
        },
    )

    decision = CertificationDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certification:decision-detail", args=[decision.reference]
    )
    assert decision.outcome == DecisionOutcome.GRANT


def test_an_officer_issues_from_the_decision_page(officer: User) -> None:
    decision = make_decision()

    response = office_client(officer).post(
        reverse("certification:decision-issue", args=[decision.reference]), {"valid_from": ""}
    )

    certificate = Certificate.objects.get(decision=decision)
    assert response["Location"] == reverse(
        "certification:certificate-detail", args=[certificate.number]
    )


def test_issuing_before_the_terms_are_accepted_shows_the_reason(officer: User) -> None:
    decision = make_decision(terms_accepted=False)

    response = office_client(officer).post(
        reverse("certification:decision-issue", args=[decision.reference]), {}
    )

    assert response.status_code == 409
    assert "has not accepted the rules" in response.content.decode()


def test_an_officer_issues_several_certificates_at_once(officer: User) -> None:
    decisions = [make_decision() for _ in range(3)]

    office_client(officer).post(
        reverse("certification:decisions-issue"),
        {"decisions": [decision.reference for decision in decisions]},
    )

    assert Certificate.objects.count() == 3


def test_a_decision_maker_cannot_issue(decision_maker: User) -> None:
    decision = make_decision()

    response = office_client(decision_maker).post(
        reverse("certification:decision-issue", args=[decision.reference]), {}
    )

    assert response.status_code == 403
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (RoleCode.CERTIFICATION_OFFICER, 200),
        (RoleCode.DECISION_MAKER, 200),
        (RoleCode.ASSESSOR, 200),
        (RoleCode.EXAMINER, 404),
    ],
)
def test_a_certificate_page_opens_to_certification_staff(role: RoleCode, status: int) -> None:
    certificate = make_certificate()

    response = office_client(make_staff(role)).get(
        reverse("certification:certificate-detail", args=[certificate.number])
    )

    assert response.status_code == status


def test_the_certificate_list_finds_by_number_and_name(officer: User) -> None:
    certificate = make_certificate()
    other = make_certificate()
    client = office_client(officer)

    by_number = client.get(reverse("certification:certificate-list"), {"q": certificate.number})
    by_name = client.get(
        reverse("certification:certificate-list"), {"q": certificate.holder.family_name}
    )

    assert certificate.number in by_number.content.decode()
    assert other.number not in by_number.content.decode()
    assert certificate.number in by_name.content.decode()


def test_an_officer_reissues_from_the_certificate_page(officer: User) -> None:
    certificate = make_certificate()

    office_client(officer).post(
        reverse("certification:certificate-reissue", args=[certificate.number]),
        {"reason": "correction", "note": "Scope title corrected"},
    )

    assert Certificate.objects.get(pk=certificate.pk).revision == 2


def test_the_evidence_chain_page_and_pack_open_to_the_assessor(officer: User) -> None:
    from peritus.applications.tests.factories import make_eligible_application, make_evidence

    assessor = make_staff(RoleCode.ASSESSOR)
    application = make_eligible_application()
    make_evidence(application)
    certificate = make_certificate(application=application)
    client = office_client(assessor)

    page = client.get(reverse("certification:certificate-evidence", args=[certificate.number]))
    pack = client.get(reverse("certification:certificate-evidence-pack", args=[certificate.number]))

    assert page.status_code == 200
    assert certificate.decision.reference in page.content.decode()
    assert pack["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(pack.content)).namelist()
    assert {"summary.pdf", "chain.json", "audit-events.json"} <= set(names)
    assert any(name.startswith("certificate/") for name in names)
    assert any(name.startswith("evidence/") for name in names)
    assert AuditEvent.objects.filter(
        event_type=CertificationEvent.EVIDENCE_PACK_EXPORTED, actor=assessor
    ).exists()


def test_the_application_evidence_chain_names_examiners_declarations_and_decision(
    assessed: Application, decision_maker: User, examiner: User
) -> None:
    decide_certification(
        application=assessed,
        actor=decision_maker,
        outcome="grant",
        rationale="Complete and passed.",
        scope_items=list(assessed.scheme_version.scope_items.all()),
    )

    page = office_client(decision_maker).get(
        reverse("certification:application-evidence", args=[assessed.reference])
    )

    content = page.content.decode()
    assert examiner.full_name in content
    assert "no conflict" in content
    assert "Complete and passed." in content


def test_an_eligibility_reviewer_sees_no_evidence_chain() -> None:
    reviewer = make_staff(RoleCode.ELIGIBILITY_REVIEWER)
    certificate = make_certificate()

    response = office_client(reviewer).get(
        reverse("certification:certificate-evidence", args=[certificate.number])
    )

    assert response.status_code == 403


# Portal ------------------------------------------------------------------------------------------


def holder_certificate(user: User) -> Certificate:
    from peritus.applications.tests.factories import make_eligible_application

    person = Person.objects.get(user=user)
    return make_certificate(application=make_eligible_application(person=person))


def test_a_holder_lists_and_downloads_their_own_certificate(candidate: User) -> None:
    certificate = holder_certificate(candidate)
    client = portal_client(candidate)

    listing = client.get(reverse("certification:portal-certificates"))
    pdf = client.get(reverse("certification:portal-certificate-pdf", args=[certificate.number, 1]))

    assert certificate.number in listing.content.decode()
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"


def test_nobody_downloads_someone_elses_certificate(candidate: User, outsider: User) -> None:
    certificate = holder_certificate(candidate)
    client = portal_client(outsider)

    assert (
        client.get(
            reverse("certification:portal-certificate-pdf", args=[certificate.number, 1])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("certification:portal-certificate-detail", args=[certificate.number])
        ).status_code
        == 404
    )
    assert (
        certificate.number
        not in client.get(reverse("certification:portal-certificates")).content.decode()
    )


def test_the_portal_asks_for_the_terms_and_records_the_acceptance(
    officer: User, examiner: User, decision_maker: User, candidate: User
) -> None:
    person = Person.objects.get(user=candidate)
    application = make_assessed_application(officer=officer, examiner=examiner, person=person)
    decision = decide_certification(
        application=application,
        actor=decision_maker,
        outcome="grant",
        rationale="Met.",
        scope_items=list(application.scheme_version.scope_items.all()),
    )
    client = portal_client(candidate)

    listing = client.get(reverse("certification:portal-certificates")).content.decode()
    terms_page = client.get(reverse("certification:portal-terms", args=[decision.reference]))
    refused = client.post(reverse("certification:portal-terms", args=[decision.reference]), {})
    accepted = client.post(
        reverse("certification:portal-terms", args=[decision.reference]), {"accept": "on"}
    )

    assert "Read and accept the rules" in listing
    assert application.scheme_version.certificate_terms in terms_page.content.decode()
    assert refused.status_code == 422
    assert accepted.status_code == 302
    assert person.certificate_terms_acceptances.count() == 1


def test_a_person_cannot_open_someone_elses_terms_page(
    officer: User, examiner: User, decision_maker: User, outsider: User
) -> None:
    application = make_assessed_application(officer=officer, examiner=examiner)
    decision = decide_certification(
        application=application,
        actor=decision_maker,
        outcome="grant",
        rationale="Met.",
        scope_items=list(application.scheme_version.scope_items.all()),
    )

    response = portal_client(outsider).get(
        reverse("certification:portal-terms", args=[decision.reference])
    )

    assert response.status_code == 404


def test_the_certificate_list_does_not_query_per_row(officer: User) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = office_client(officer)
    make_certificate()
    client.get(reverse("certification:certificate-list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("certification:certificate-list"))
    for _ in range(4):
        make_certificate()
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("certification:certificate-list"))

    assert page.content.decode().count("status-valid") == 5
    assert len(five) == len(one)
