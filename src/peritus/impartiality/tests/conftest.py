from __future__ import annotations

import pytest

from peritus.accounts.models import Person, Role, User
from peritus.impartiality.tests.factories import (
    make_committee_member,
    make_quality_manager,
    person_of,
)


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_quality_manager(
        email="quality@peritus.example", given_names="Helga", family_name="Lund"
    )


@pytest.fixture
def committee_member(db: None) -> User:
    return make_committee_member(
        email="impartiality@peritus.example", given_names="Yara", family_name="Haddad"
    )


@pytest.fixture
def candidate_person(candidate: User) -> Person:
    return person_of(candidate)


@pytest.fixture
def context_a(db: None) -> Role:
    """Any record can be the context of a declaration; a role row stands in for an exam event."""
    return Role.objects.get(code="examiner")


@pytest.fixture
def context_b(db: None) -> Role:
    return Role.objects.get(code="invigilator")
