"""Filling in a draft, signing the attestation and the code of conduct, register consent."""

from __future__ import annotations

import hashlib

import pytest

from peritus.accounts.models import User
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    ApplicationNotPermittedError,
)
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.services import (
    accept_code_of_conduct,
    record_register_consent,
    sign_attestation,
    update_application,
)
from peritus.applications.tests.factories import make_application
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def test_signing_records_the_exact_text_version_and_time(
    draft: Application, candidate: User
) -> None:
    signed = sign_attestation(actor=candidate, application=draft, signed_name=" ada  LINDQVIST ")

    version = draft.scheme_version
    assert signed.attestation_version == version.label
    assert (
        signed.attestation_sha256 == hashlib.sha256(version.attestation_text.encode()).hexdigest()
    )
    assert signed.attestation_signed_name == "ada LINDQVIST"
    assert signed.attestation_signed_at is not None
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.ATTESTATION_SIGNED)
    assert event.data["text_sha256"] == signed.attestation_sha256


def test_the_signature_must_be_the_applicant_name(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        sign_attestation(actor=candidate, application=draft, signed_name="Someone Else")

    assert error.value.code == "name_mismatch"


def test_changing_an_attested_answer_voids_the_signature(
    draft: Application, candidate: User
) -> None:
    sign_attestation(actor=candidate, application=draft, signed_name="Ada Lindqvist")

    update_application(
        actor=candidate, application=draft, values={"experience_summary": "Ten years of welding."}
    )

    application = Application.objects.get(pk=draft.pk)
    assert not application.attestation_signed
    assert application.experience_summary == "Ten years of welding."
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.ATTESTATION_VOIDED).count() == 1


def test_unchanged_answers_leave_the_signature_alone(draft: Application, candidate: User) -> None:
    sign_attestation(actor=candidate, application=draft, signed_name="Ada Lindqvist")

    update_application(actor=candidate, application=draft, values={"employer": draft.employer})

    assert Application.objects.get(pk=draft.pk).attestation_signed
    assert not AuditEvent.objects.filter(event_type=ApplicationsEvent.APPLICATION_UPDATED).exists()


def test_the_scope_applied_for_must_belong_to_the_version(
    draft: Application, candidate: User
) -> None:
    foreign = make_published_version().scope_items.first()
    assert foreign is not None

    with pytest.raises(ApplicationInputError) as error:
        update_application(actor=candidate, application=draft, values={}, requested_scope=[foreign])

    assert error.value.code == "scope_not_in_version"


def test_only_a_draft_is_changed_or_signed(submitted: Application, candidate: User) -> None:
    with pytest.raises(ApplicationError) as error:
        update_application(actor=candidate, application=submitted, values={"employer": "X"})
    assert error.value.code == "invalid_status"

    with pytest.raises(ApplicationError):
        sign_attestation(actor=candidate, application=submitted, signed_name="Ada Lindqvist")
    with pytest.raises(ApplicationError):
        accept_code_of_conduct(actor=candidate, application=submitted)


def test_the_code_of_conduct_acceptance_records_its_text_hash(
    draft: Application, candidate: User
) -> None:
    accepted = accept_code_of_conduct(actor=candidate, application=draft)

    assert (
        accepted.code_of_conduct_sha256
        == hashlib.sha256(draft.scheme_version.code_of_conduct.encode()).hexdigest()
    )
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.CODE_OF_CONDUCT_ACCEPTED).exists()


def test_register_consent_can_be_refused_and_changed_later(
    submitted: Application, candidate: User
) -> None:
    record_register_consent(actor=candidate, application=submitted, consent=False)

    application = Application.objects.get(pk=submitted.pk)
    assert application.register_consent is False
    assert application.register_consent_at is not None
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.REGISTER_CONSENT_RECORDED)
    assert event.data == {"consent": False}


def test_a_withdrawn_application_takes_no_consent(candidate: User) -> None:
    application = make_application(user=candidate, status=ApplicationStatus.WITHDRAWN)

    with pytest.raises(ApplicationError):
        record_register_consent(actor=candidate, application=application, consent=True)


def test_nobody_else_fills_in_the_application(
    draft: Application, outsider: User, reviewer: User
) -> None:
    for actor in (outsider, reviewer):
        with pytest.raises(ApplicationNotPermittedError):
            update_application(actor=actor, application=draft, values={"employer": "X"})
        with pytest.raises(ApplicationNotPermittedError):
            sign_attestation(actor=actor, application=draft, signed_name="Ada Lindqvist")
