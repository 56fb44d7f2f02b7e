from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.complaints.tests.factories import make_handler


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_staff(
        RoleCode.QUALITY_MANAGER,
        email="quality@peritus.example",
        given_names="Helga",
        family_name="Lund",
    )


@pytest.fixture
def handler(db: None) -> User:
    return make_handler(
        email="complaints@peritus.example", given_names="Paul", family_name="Dupont"
    )
