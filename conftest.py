"""The named cast of the test suite and the fixtures every Django test shares.

candidate — a signed-up applicant with a person record
examiner, decision_maker, officer, reviewer — staff with their role, agreement accepted, TOTP enrolled
outsider — another candidate, who must never see the first one's records
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode

# Property tests must not fail because a loaded 2-core CI machine is slow: no deadlines and no
# "too slow" health check; the properties themselves are what is tested.
settings.register_profile("peritus", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("peritus")


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> Iterator[None]:
    """Roles and the first agreement survive a flushed database (browser tests flush)."""
    from peritus.audit_trail.guard import set_guard_open

    set_guard_open(False)
    marker = request.node.get_closest_marker("django_db")
    uses_database = marker is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if uses_database:
        from peritus.accounts.reference_data import ensure_reference_data

        if marker is not None:
            request.getfixturevalue("_django_db_helper")
        elif "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
            request.getfixturevalue("transactional_db")
        else:
            request.getfixturevalue("db")
        ensure_reference_data()
    yield
    transactional = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional:
        set_guard_open(True)  # the flush after a transactional test deletes audit rows too


@pytest.fixture
def candidate(db: None) -> User:
    from peritus.accounts.tests.factories import make_candidate

    return make_candidate(
        email="candidate@peritus.example", given_names="Ada", family_name="Lindqvist"
    )


@pytest.fixture
def outsider(db: None) -> User:
    from peritus.accounts.tests.factories import make_candidate

    return make_candidate(
        email="outsider@peritus.example", given_names="Otto", family_name="Brandt"
    )


@pytest.fixture
def examiner(db: None) -> User:
    from peritus.accounts.tests.factories import make_staff

    return make_staff(
        RoleCode.EXAMINER,
        email="examiner@peritus.example",
        given_names="Erik",
        family_name="Moreau",
    )


@pytest.fixture
def decision_maker(db: None) -> User:
    from peritus.accounts.tests.factories import make_staff

    return make_staff(
        RoleCode.DECISION_MAKER,
        email="decider@peritus.example",
        given_names="Dana",
        family_name="Okafor",
    )


@pytest.fixture
def officer(db: None) -> User:
    from peritus.accounts.tests.factories import make_staff

    return make_staff(
        RoleCode.CERTIFICATION_OFFICER,
        email="officer@peritus.example",
        given_names="Olga",
        family_name="Sato",
    )


@pytest.fixture
def reviewer(db: None) -> User:
    from peritus.accounts.tests.factories import make_staff

    return make_staff(
        RoleCode.ELIGIBILITY_REVIEWER,
        email="reviewer@peritus.example",
        given_names="Rui",
        family_name="Costa",
    )


@pytest.fixture
def administrator(db: None) -> User:
    from peritus.accounts.tests.factories import make_staff

    return make_staff(
        RoleCode.ADMINISTRATOR,
        email="admin@peritus.example",
        given_names="Ana",
        family_name="Ibarra",
    )
