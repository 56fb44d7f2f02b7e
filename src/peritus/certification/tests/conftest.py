from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.models import Application
from peritus.certification.selectors import forget_published_keys
from peritus.certification.tests.factories import make_assessed_application


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    """Rate-limit counters live in the cache and published keys in a per-process cache."""
    cache.clear()
    forget_published_keys()
    yield
    cache.clear()
    forget_published_keys()


@pytest.fixture
def invigilator(db: None) -> User:
    return make_staff(RoleCode.INVIGILATOR, email="invigilator@peritus.example")


@pytest.fixture
def quality_manager(db: None) -> User:
    return make_staff(RoleCode.QUALITY_MANAGER, email="quality@peritus.example")


@pytest.fixture
def assessed(officer: User, examiner: User) -> Application:
    """An eligible candidate who passed the one component, with the result released."""
    return make_assessed_application(officer=officer, examiner=examiner)
