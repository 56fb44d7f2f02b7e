from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_staff(
        RoleCode.QUALITY_MANAGER,
        email="quality@peritus.example",
        given_names="Helga",
        family_name="Lund",
    )
