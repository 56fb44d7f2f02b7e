from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from peritus.accounts.errors import RoleNotHeldError
from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.tests.factories import make_eligible_application
from peritus.audit_trail.models import AuditEvent
from peritus.audit_trail.selectors import list_events_for
from peritus.certification import credentials, numbers
from peritus.certification.errors import CertificationError, CertificationInputError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    CertificateVersion,
    DecisionOutcome,
    SigningKey,
)
from peritus.certification.services import issue_certificate, issue_certificates
from peritus.certification.tests.factories import make_decision
from peritus.certification.tests.pdf_text import extract_text
from peritus.notifications.models import OutboxMessage
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2027, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False)
def test_issuing_creates_the_certificate_its_first_revision_and_status_history(
    officer: User,
) -> None:
    decision = make_decision()

    certificate = issue_certificate(decision=decision, actor=officer)

    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.decision == decision
    assert certificate.holder == decision.person
    assert certificate.status == CertificateStatus.VALID
    assert (certificate.issued_on, certificate.valid_from) == (dt.date(2027, 3, 2),) * 2
    assert certificate.expires_on == dt.date(2030, 3, 1)  # 36 months, less a day
    assert set(certificate.scope_items.all()) == set(decision.scope_items.all())
    version = CertificateVersion.objects.get(certificate=certificate)
    assert version.revision == 1
    assert version.issued_by == officer
    change = CertificateStatusChange.objects.get(certificate=certificate)
    assert (change.from_status, change.to_status, change.effective_on) == (
        "",
        CertificateStatus.VALID,
        dt.date(2027, 3, 2),
    )


def test_the_number_is_scheme_prefixed_carries_a_valid_check_and_is_never_reused(
    officer: User,
) -> None:
    version = make_published_version()
    first = issue_certificate(
        decision=make_decision(application=make_eligible_application(scheme_version=version)),
        actor=officer,
    )
    second = issue_certificate(
        decision=make_decision(application=make_eligible_application(scheme_version=version)),
        actor=officer,
    )

    prefix = numbers.prefix_for(version.scheme.code)
    assert first.number == numbers.format_number(prefix, 1)
    assert second.number == numbers.format_number(prefix, 2)
    assert numbers.has_valid_check(first.number)
    assert numbers.has_valid_check(second.number)


def test_the_seal_names_the_number_and_revision_and_binds_the_printed_contents(
    officer: User,
) -> None:
    certificate = issue_certificate(decision=make_decision(), actor=officer)
    version = CertificateVersion.objects.get(certificate=certificate)
    public_key = credentials.active_private_key().public_key()

    kid, claims = credentials.open_seal(version.seal, {version.key_id: public_key})

    assert kid == version.key_id == credentials.key_id(public_key)
    assert claims == {
        "n": certificate.number,
        "r": 1,
        "h": credentials.digest_claim(version.content_digest),
    }
    assert version.content_digest == credentials.content_digest(version.content)
    assert SigningKey.objects.filter(kid=kid, revoked_at__isnull=True).exists()


def test_the_pdf_is_stored_with_its_hash_and_shows_the_minimum_contents(officer: User) -> None:
    decision = make_decision()
    certificate = issue_certificate(decision=decision, actor=officer)
    version = CertificateVersion.objects.get(certificate=certificate)

    assert version.pdf.name
    with default_storage.open(version.pdf.name) as handle:
        pdf = handle.read()

    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    text = extract_text(pdf)
    scheme_version = decision.scheme_version
    for expected in (
        decision.person.full_name,
        certificate.number,
        "Peritus Certification Body",
        scheme_version.scheme.name,
        scheme_version.standard_reference,
        f"version {scheme_version.version}",
        "Level 1",
        "Level 2",
        "Effective from",
        "Expires on",
        f"/verify/{certificate.number}/",
    ):
        assert expected in text, expected


def test_issuing_is_audited_with_references_and_no_personal_data(officer: User) -> None:
    decision = make_decision()

    certificate = issue_certificate(decision=decision, actor=officer)

    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATE_ISSUED)
    assert event.actor == officer
    assert event.subject_id == str(certificate.pk)
    assert event.data["number"] == certificate.number
    assert event.data["decision"] == decision.reference
    assert decision.person.family_name not in event.payload
    assert {"type": "certification.certificationdecision", "id": str(decision.pk)} in event.related


def test_the_holder_is_notified_through_the_outbox(officer: User) -> None:
    decision = make_decision()

    certificate = issue_certificate(decision=decision, actor=officer)

    message = OutboxMessage.objects.get(template="certification_certificate_issued")
    assert message.recipient_person == decision.person
    assert certificate.number in message.subject
    assert f"/verify/{certificate.number}/" in message.body


def test_a_refusal_never_leads_to_a_certificate(officer: User) -> None:
    decision = make_decision(outcome=DecisionOutcome.REFUSE)

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "decision_not_positive"
    assert not Certificate.objects.exists()


def test_a_decision_gives_at_most_one_certificate(officer: User) -> None:
    decision = make_decision()
    issue_certificate(decision=decision, actor=officer)

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "already_issued"


def test_issuing_waits_for_the_holder_to_accept_the_rules_on_certificates_and_marks(
    officer: User,
) -> None:
    decision = make_decision(terms_accepted=False)

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "terms_not_accepted"


def test_a_certificate_cannot_take_effect_before_its_decision(officer: User) -> None:
    decision = make_decision(decided_at=timezone.now())

    with pytest.raises(CertificationInputError) as error:
        issue_certificate(
            decision=decision,
            actor=officer,
            valid_from=timezone.localdate() - dt.timedelta(days=1),
        )

    assert error.value.code == "effective_before_decision"


def test_a_certificate_without_scope_is_refused_for_missing_contents(officer: User) -> None:
    decision = make_decision(scope=[])

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "missing_contents"
    assert error.value.details["missing"] == ["scope"]


def test_a_version_without_a_validity_period_is_refused_for_missing_contents(
    officer: User,
) -> None:
    version = make_published_version(validity_months=None)
    decision = make_decision(application=make_eligible_application(scheme_version=version))

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=decision, actor=officer)

    assert error.value.code == "missing_contents"


def test_only_a_certification_officer_issues(decision_maker: User) -> None:
    decision = make_decision()

    with pytest.raises(RoleNotHeldError) as error:
        issue_certificate(decision=decision, actor=decision_maker)

    assert error.value.code == "role_not_held"


def test_an_officer_for_another_scheme_cannot_issue() -> None:
    decision = make_decision()
    other_scheme_officer = make_staff(
        RoleCode.CERTIFICATION_OFFICER, scheme=make_published_version().scheme
    )

    with pytest.raises(RoleNotHeldError) as error:
        issue_certificate(decision=decision, actor=other_scheme_officer)

    assert error.value.code == "role_not_held"


def test_bulk_issuance_is_all_or_nothing(officer: User) -> None:
    good = [make_decision() for _ in range(3)]
    bad = make_decision(terms_accepted=False)

    with pytest.raises(CertificationError) as error:
        issue_certificates(decisions=[*good, bad], actor=officer)

    assert error.value.code == "terms_not_accepted"
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(event_type=CertificationEvent.CERTIFICATE_ISSUED).exists()


def test_bulk_issuance_gives_each_decision_its_certificate_revision_and_notice(
    officer: User,
) -> None:
    version = make_published_version()
    decisions = [
        make_decision(application=make_eligible_application(scheme_version=version))
        for _ in range(5)
    ]

    certificates = issue_certificates(decisions=decisions, actor=officer)

    assert [c.decision_id for c in certificates] == sorted(d.pk for d in decisions)
    assert len({c.number for c in certificates}) == 5
    assert CertificateVersion.objects.count() == 5
    assert OutboxMessage.objects.filter(template="certification_certificate_issued").count() == 5


def test_a_batch_is_one_audit_event_linked_to_every_certificate(officer: User) -> None:
    decisions = [make_decision() for _ in range(3)]

    certificates = issue_certificates(decisions=decisions, actor=officer)

    event = AuditEvent.objects.get(event_type=CertificationEvent.CERTIFICATES_ISSUED)
    assert event.actor == officer
    assert event.data["count"] == 3
    assert {facts["number"] for facts in event.data["certificates"]} == {
        c.number for c in certificates
    }
    for certificate in certificates:
        assert list_events_for(certificate).filter(pk=event.pk).exists()
    version = CertificateVersion.objects.get(certificate=certificates[0])
    facts = next(f for f in event.data["certificates"] if f["number"] == certificates[0].number)
    assert facts["pdf_sha256"] == version.pdf_sha256


def test_the_register_lists_the_holder_only_with_their_consent(officer: User) -> None:
    consenting = make_decision()
    refusing_application = make_eligible_application()
    refusing_application.register_consent = False
    refusing_application.save(update_fields=["register_consent"])
    refusing = make_decision(application=refusing_application)

    listed = issue_certificate(decision=consenting, actor=officer)
    unlisted = issue_certificate(decision=refusing, actor=officer)

    assert Certificate.objects.get(pk=listed.pk).register_listed
    assert not Certificate.objects.get(pk=unlisted.pk).register_listed


def test_a_revoked_signing_key_stops_issuance(officer: User) -> None:
    issue_certificate(decision=make_decision(), actor=officer)
    SigningKey.objects.update(revoked_at=timezone.now())

    with pytest.raises(CertificationError) as error:
        issue_certificate(decision=make_decision(), actor=officer)

    assert error.value.code == "signing_key_revoked"
