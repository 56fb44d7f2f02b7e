from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.applications.errors import ApplicationError, ApplicationNotPermittedError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import Application, ApplicationStatus
from peritus.applications.services import (
    accept_code_of_conduct,
    record_register_consent,
    sign_attestation,
    submit_application,
)
from peritus.applications.tests.factories import make_application, make_evidence, sign
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.tests.factories import make_prerequisite

pytestmark = pytest.mark.django_db


def _sign_all(application: Application, user: User) -> None:
    sign_attestation(actor=user, application=application, signed_name="Ada Lindqvist")
    accept_code_of_conduct(actor=user, application=application)
    record_register_consent(actor=user, application=application, consent=True)


def test_a_complete_signed_application_is_submitted(draft: Application, candidate: User) -> None:
    _sign_all(draft, candidate)

    submitted = submit_application(actor=candidate, application=draft)

    assert Application.objects.get(pk=draft.pk).status == ApplicationStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert len(submitted.submission_sha256) == 64
    event = AuditEvent.objects.get(event_type=ApplicationsEvent.SUBMITTED)
    assert event.data == {"submission_sha256": submitted.submission_sha256, "scope": ["L1"]}
    notice = OutboxMessage.objects.get(template="applications_submitted")
    assert notice.recipient_email == "candidate@peritus.example"
    assert draft.reference in notice.subject


def test_everything_missing_is_named_at_once(candidate: User, version: SchemeVersion) -> None:
    application = make_application(user=candidate, scheme_version=version)

    with pytest.raises(ApplicationError) as error:
        submit_application(actor=candidate, application=application)

    assert error.value.code == "incomplete"
    prerequisite = version.prerequisites.get()
    assert error.value.details["missing"] == [
        "scope",
        f"evidence:{prerequisite.code}",
        "attestation",
        "code_of_conduct",
        "register_consent",
    ]


def test_evidence_for_one_alternative_route_is_enough(
    candidate: User, version: SchemeVersion
) -> None:
    version.prerequisites.update(alternative_group="route")
    diploma = make_prerequisite(
        version, code="DIPLOMA", kind="education", alternative_group="route"
    )
    application = make_application(user=candidate, scheme_version=version)
    application.requested_scope.set(version.scope_items.all()[:1])
    sign(application)
    application.save()

    with pytest.raises(ApplicationError) as error:
        submit_application(actor=candidate, application=application)
    assert error.value.details["missing"] == ["evidence:route"]

    make_evidence(application, prerequisite=diploma)
    assert submit_application(actor=candidate, application=application).status == (
        ApplicationStatus.SUBMITTED
    )


def test_a_draft_on_a_replaced_version_cannot_be_submitted(
    draft: Application, candidate: User
) -> None:
    _sign_all(draft, candidate)
    SchemeVersion.objects.filter(pk=draft.scheme_version_id).update(
        status=SchemeVersionStatus.RETIRED
    )

    with pytest.raises(ApplicationError) as error:
        submit_application(actor=candidate, application=Application.objects.get(pk=draft.pk))

    assert error.value.code == "version_not_current"


def test_submitting_twice_is_refused(submitted: Application, candidate: User) -> None:
    with pytest.raises(ApplicationError) as error:
        submit_application(actor=candidate, application=submitted)

    assert error.value.code == "invalid_status"


def test_only_the_applicant_submits(draft: Application, outsider: User) -> None:
    with pytest.raises(ApplicationNotPermittedError):
        submit_application(actor=outsider, application=draft)
