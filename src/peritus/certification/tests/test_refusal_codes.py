"""The remaining refusals, each with its stable code."""

from __future__ import annotations

import pytest
from django.test import Client

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import Person, User
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.services import withdraw_application
from peritus.certification.errors import (
    CertificationError,
    CertificationInputError,
    CertificationNotPermittedError,
)
from peritus.certification.models import Certificate, SigningKey
from peritus.certification.services import (
    accept_certificate_terms,
    decide_certification,
    export_evidence_pack,
    issue_certificate,
    issue_certificates,
    publish_active_signing_key,
    revoke_signing_key,
)
from peritus.certification.tests.factories import (
    make_assessed_application,
    make_certificate,
    make_decision,
)
from peritus.schemes.models import SchemeVersion

pytestmark = pytest.mark.django_db


def test_a_withdrawn_application_is_not_decided(
    officer: User, examiner: User, candidate: User, decision_maker: User
) -> None:
    assessed = make_assessed_application(
        officer=officer, examiner=examiner, person=Person.objects.get(user=candidate)
    )
    withdraw_application(actor=candidate, application=assessed, reason="Moved abroad")

    with pytest.raises(CertificationError) as error:
        decide_certification(
            application=Application.objects.get(pk=assessed.pk),
            actor=decision_maker,
            outcome="refuse",
            rationale="Withdrawn.",
        )

    assert Application.objects.get(pk=assessed.pk).status == ApplicationStatus.WITHDRAWN
    assert error.value.code == "incomplete_file"
    assert "application_withdrawn" in error.value.details["missing"]


def test_a_version_without_rules_on_certificates_cannot_issue(officer: User) -> None:
    decision = make_decision(terms_accepted=False)
    SchemeVersion.objects.filter(pk=decision.scheme_version_id).update(certificate_terms="")
    decision.scheme_version.refresh_from_db()

    with pytest.raises(CertificationError) as issuing:
        issue_certificate(decision=decision, actor=officer)
    with pytest.raises(CertificationError) as accepting:
        accept_certificate_terms(
            person=decision.person, scheme_version=decision.scheme_version, actor=officer
        )

    assert issuing.value.code == "terms_missing"
    assert accepting.value.code == "terms_missing"


def test_a_name_no_font_can_print_is_refused(officer: User, settings: object) -> None:
    decision = make_decision()
    Person.objects.filter(pk=decision.person_id).update(
        given_names="王小明"
    )  # no CJK font installed

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "name_not_printable"
    assert not Certificate.objects.exists()


def test_bulk_issuance_needs_decisions(officer: User) -> None:
    with pytest.raises(CertificationInputError) as error:
        issue_certificates(decisions=[], actor=officer)

    assert error.value.code == "nothing_to_issue"


def test_an_administrator_publishes_and_revokes_keys_with_reasons(administrator: User) -> None:
    key = publish_active_signing_key(actor=administrator)

    with pytest.raises(CertificationInputError) as no_reason:
        revoke_signing_key(kid=key.kid, actor=administrator, reason=" ")
    with pytest.raises(CertificationInputError) as unknown:
        revoke_signing_key(kid="nope", actor=administrator, reason="Lost")
    revoke_signing_key(kid=key.kid, actor=administrator, reason="Key file leaked")
    with pytest.raises(CertificationError) as twice:
        revoke_signing_key(kid=key.kid, actor=administrator, reason="Again")

    assert (no_reason.value.code, unknown.value.code, twice.value.code) == (
        "reason_required",
        "unknown_key",
        "already_revoked",
    )
    assert SigningKey.objects.get(kid=key.kid).revocation_reason == "Key file leaked"


def test_only_an_administrator_manages_keys(officer: User) -> None:
    with pytest.raises(RoleNotHeldError):
        publish_active_signing_key(actor=officer)


def test_an_evidence_pack_is_only_for_those_who_decide_issue_oversee_or_assess(
    reviewer: User,
) -> None:
    certificate = make_certificate()

    with pytest.raises(CertificationNotPermittedError) as error:
        export_evidence_pack(actor=reviewer, certificate=certificate)

    assert error.value.code == "not_permitted"


def test_the_api_refuses_a_scope_code_the_version_does_not_have(
    client: Client, assessed: Application, decision_maker: User
) -> None:
    from peritus.accounts.services import create_api_token

    _token, secret = create_api_token(
        second_factor_used=True, actor=decision_maker, name="t", scopes=["write"]
    )

    response = client.post(
        f"/api/v1/certification/applications/{assessed.reference}/decision",
        {"outcome": "grant", "rationale": "Met.", "scope": ["L1", "L9"]},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert (response.status_code, response.json()["code"]) == (422, "unknown_scope")
