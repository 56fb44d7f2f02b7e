from __future__ import annotations

import pytest

from peritus.accounts.models import Person, User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.exams.models import AssessmentEvent
from peritus.exams.tests.factories import make_candidate_application, make_event
from peritus.schemes.models import AssessmentComponent, SchemeVersion
from peritus.schemes.tests.factories import make_published_version


@pytest.fixture
def version(db: None) -> SchemeVersion:
    """A published version with two required components C1 and C2 (pass mark 70 of 100)."""
    return make_published_version(components=2)


@pytest.fixture
def component(version: SchemeVersion) -> AssessmentComponent:
    return version.components.get(code="C1")


@pytest.fixture
def second_examiner(db: None) -> User:
    return make_staff(
        RoleCode.EXAMINER, email="examiner2@peritus.example", given_names="Amara",
        family_name="Nwosu",
    )  # fmt: skip


@pytest.fixture
def invigilator(db: None) -> User:
    return make_staff(
        RoleCode.INVIGILATOR, email="invigilator@peritus.example", given_names="Ines",
        family_name="Vidal",
    )  # fmt: skip


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_staff(RoleCode.QUALITY_MANAGER, email="quality@peritus.example")


@pytest.fixture
def candidate_person(candidate: User) -> Person:
    return Person.objects.get(user=candidate)


@pytest.fixture
def application(version: SchemeVersion, candidate_person: Person) -> Application:
    return make_candidate_application(version, candidate_person)


@pytest.fixture
def event(officer: User, component: AssessmentComponent) -> AssessmentEvent:
    return make_event(officer, component)
