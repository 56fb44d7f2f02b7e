from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.appeals.tests.factories import RefusedFile, make_panel_member, refused_file


@pytest.fixture
def panel_member(db: None) -> User:
    return make_panel_member(email="panel@peritus.example", given_names="Pia", family_name="Nowak")


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_staff(RoleCode.QUALITY_MANAGER, email="quality@peritus.example")


@pytest.fixture
def refused(candidate: User, examiner: User, decision_maker: User, officer: User) -> RefusedFile:
    return refused_file(
        candidate, examiner=examiner, decision_maker=decision_maker, officer=officer
    )
