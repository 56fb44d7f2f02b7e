"""Who may do what with a scheme version: the permission matrix of rules.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from peritus.accounts.models import User
from peritus.schemes.models import SchemeVersionStatus
from peritus.schemes.tests.factories import make_complete_version

pytestmark = pytest.mark.django_db

S = SchemeVersionStatus


@pytest.mark.parametrize(
    ("who", "status", "perm", "allowed"),
    [
        ("scheme_manager", S.DRAFT, "schemes.change_scheme_version", True),
        ("scheme_manager", S.APPROVED, "schemes.change_scheme_version", False),
        ("scheme_manager", S.PUBLISHED, "schemes.change_scheme_version", False),
        ("committee_member", S.DRAFT, "schemes.change_scheme_version", False),
        ("committee_member", S.DRAFT, "schemes.approve_scheme_version", True),
        ("scheme_manager", S.DRAFT, "schemes.approve_scheme_version", False),
        ("committee_member", S.APPROVED, "schemes.approve_scheme_version", False),
        ("scheme_manager", S.APPROVED, "schemes.publish_scheme_version", True),
        ("committee_member", S.APPROVED, "schemes.publish_scheme_version", False),
        ("scheme_manager", S.PUBLISHED, "schemes.retire_scheme_version", True),
        ("examiner", S.DRAFT, "schemes.view_office_schemes", True),
        ("candidate", S.DRAFT, "schemes.view_office_schemes", False),
        ("anonymous", S.PUBLISHED, "schemes.view_office_schemes", False),
    ],
)
def test_the_permission_matrix_of_a_version(
    request: pytest.FixtureRequest, who: str, status: str, perm: str, allowed: bool
) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    version = make_complete_version(status=status)

    assert user.has_perm(perm, version) is allowed


def test_the_committee_member_who_edited_a_draft_may_not_approve_it(committee_member: User) -> None:
    version = make_complete_version()
    version.contributors.add(committee_member)

    assert not committee_member.has_perm("schemes.approve_scheme_version", version)
