from __future__ import annotations

import pytest

from peritus.accounts.models import Person, User
from peritus.applications.tests.factories import make_eligible_application
from peritus.audit_trail.models import AuditEvent
from peritus.certification.errors import CertificationError, CertificationNotPermittedError
from peritus.certification.events import CertificationEvent
from peritus.certification.models import CertificateTermsAcceptance
from peritus.certification.selectors import current_terms, get_terms_acceptance
from peritus.certification.services import accept_certificate_terms

pytestmark = pytest.mark.django_db


def test_the_person_accepts_the_exact_terms_text_in_force(candidate: User) -> None:
    person = Person.objects.get(user=candidate)
    application = make_eligible_application(person=person)
    version = application.scheme_version

    acceptance = accept_certificate_terms(
        person=person, scheme_version=version, actor=candidate, ip_address="192.0.2.1"
    )

    label, digest = current_terms(version)
    assert (acceptance.terms_version, acceptance.terms_sha256) == (label, digest)
    assert acceptance.accepted_by == candidate
    assert get_terms_acceptance(person=person, scheme_version=version) == acceptance
    event = AuditEvent.objects.get(event_type=CertificationEvent.TERMS_ACCEPTED)
    assert event.data["terms_sha256"] == digest


def test_accepting_twice_keeps_the_first_acceptance(candidate: User) -> None:
    person = Person.objects.get(user=candidate)
    version = make_eligible_application(person=person).scheme_version

    first = accept_certificate_terms(person=person, scheme_version=version, actor=candidate)
    second = accept_certificate_terms(person=person, scheme_version=version, actor=candidate)

    assert first == second
    assert CertificateTermsAcceptance.objects.count() == 1


def test_nobody_accepts_terms_for_someone_else(candidate: User, outsider: User) -> None:
    person = Person.objects.get(user=candidate)
    version = make_eligible_application(person=person).scheme_version

    with pytest.raises(CertificationNotPermittedError) as error:
        accept_certificate_terms(person=person, scheme_version=version, actor=outsider)

    assert error.value.code == "not_the_holder"


def test_an_officer_records_an_acceptance_signed_on_paper(candidate: User, officer: User) -> None:
    person = Person.objects.get(user=candidate)
    version = make_eligible_application(person=person).scheme_version

    acceptance = accept_certificate_terms(person=person, scheme_version=version, actor=officer)

    assert acceptance.accepted_by == officer
    event = AuditEvent.objects.get(event_type=CertificationEvent.TERMS_ACCEPTED)
    assert event.data["recorded_for_person"] is True


def test_terms_are_accepted_only_under_a_version_the_person_applied_to(candidate: User) -> None:
    person = Person.objects.get(user=candidate)
    other = make_eligible_application().scheme_version

    with pytest.raises(CertificationError) as error:
        accept_certificate_terms(person=person, scheme_version=other, actor=candidate)

    assert error.value.code == "nothing_to_accept"


def test_changed_terms_must_be_accepted_again(candidate: User) -> None:
    person = Person.objects.get(user=candidate)
    version = make_eligible_application(person=person).scheme_version
    accept_certificate_terms(person=person, scheme_version=version, actor=candidate)

    type(version).objects.filter(pk=version.pk).update(certificate_terms="New rules on marks.")
    version.refresh_from_db()

    assert get_terms_acceptance(person=person, scheme_version=version) is None
