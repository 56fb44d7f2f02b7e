from __future__ import annotations

import pytest
from django.urls import reverse

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.compliance.navigation import office_links
from peritus.compliance.tests.factories import complained_then_refused

pytestmark = pytest.mark.django_db


def test_the_menu_shows_open_flags_to_the_quality_manager_only(
    candidate: User, quality_manager: User
) -> None:
    complained_then_refused(candidate)

    links = office_links(quality_manager)

    assert [(link.url, link.badge) for link in links] == [
        (reverse("compliance:retaliation-list"), 1)
    ]
    assert office_links(make_staff(RoleCode.EXAMINER)) == []
