from __future__ import annotations

import pytest

from peritus.accounts.models import Person, User
from peritus.applications.errors import ApplicationError, ApplicationNotPermittedError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import ApplicationStatus
from peritus.applications.services import create_application
from peritus.applications.tests.factories import make_application
from peritus.audit_trail.models import AuditEvent
from peritus.schemes.models import SchemeVersion, SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version

pytestmark = pytest.mark.django_db


def test_a_candidate_applies_to_the_current_version(
    candidate: User, version: SchemeVersion
) -> None:
    make_complete_version(scheme=version.scheme, status=SchemeVersionStatus.RETIRED)
    person = Person.objects.get(user=candidate)

    application = create_application(actor=candidate, person=person, scheme=version.scheme)

    assert application.status == ApplicationStatus.DRAFT
    assert application.scheme_version == version
    assert application.reference.startswith("A-")
    assert AuditEvent.objects.get(event_type=ApplicationsEvent.APPLICATION_CREATED).actor_id == (
        candidate.pk
    )


def test_a_scheme_without_a_published_version_takes_no_applications(candidate: User) -> None:
    version = make_complete_version(status=SchemeVersionStatus.APPROVED)

    with pytest.raises(ApplicationError) as error:
        create_application(
            actor=candidate, person=Person.objects.get(user=candidate), scheme=version.scheme
        )

    assert error.value.code == "no_current_version"


@pytest.mark.parametrize(
    ("status", "refused"),
    [
        (ApplicationStatus.DRAFT, True),
        (ApplicationStatus.IN_REVIEW, True),
        (ApplicationStatus.WITHDRAWN, False),
        (ApplicationStatus.NOT_ELIGIBLE, False),
    ],
)
def test_one_open_application_per_scheme(
    candidate: User, version: SchemeVersion, status: str, refused: bool
) -> None:
    make_application(user=candidate, scheme_version=version, status=status)
    person = Person.objects.get(user=candidate)

    if refused:
        with pytest.raises(ApplicationError) as error:
            create_application(actor=candidate, person=person, scheme=version.scheme)
        assert error.value.code == "application_open"
    else:
        created = create_application(actor=candidate, person=person, scheme=version.scheme)
        assert created.status == ApplicationStatus.DRAFT


def test_nobody_applies_for_someone_else(
    candidate: User, outsider: User, version: SchemeVersion
) -> None:
    with pytest.raises(ApplicationNotPermittedError) as error:
        create_application(
            actor=outsider, person=Person.objects.get(user=candidate), scheme=version.scheme
        )

    assert error.value.code == "not_the_applicant"
