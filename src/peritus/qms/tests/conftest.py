from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.qms.tests.factories import make_quality_manager


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_quality_manager(
        email="quality@peritus.example", given_names="Helga", family_name="Lund"
    )


@pytest.fixture
def auditor(db: None) -> User:
    return make_staff(
        RoleCode.INTERNAL_AUDITOR,
        email="auditor@peritus.example",
        given_names="Marco",
        family_name="Ferri",
    )
