from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff


@pytest.fixture
def scheme_manager(db: None) -> User:
    user: User = make_staff(
        RoleCode.SCHEME_MANAGER,
        email="schememanager@peritus.example",
        given_names="Sofia",
        family_name="Marin",
    )
    return user


@pytest.fixture
def committee_member(db: None) -> User:
    user: User = make_staff(
        RoleCode.SCHEME_COMMITTEE,
        email="committee@peritus.example",
        given_names="Kenji",
        family_name="Arai",
    )
    return user
