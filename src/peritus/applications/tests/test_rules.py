"""Who may see and do what with an application: the permission matrix of rules.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from peritus.accounts.models import User
from peritus.applications.models import Application
from peritus.applications.services import start_review
from peritus.applications.tests.factories import make_accommodation, make_evidence

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "perm", "allowed"),
    [
        ("candidate", "applications.view_application", True),
        ("outsider", "applications.view_application", False),
        ("anonymous", "applications.view_application", False),
        ("officer", "applications.view_application", True),
        ("examiner", "applications.view_application", False),
        ("candidate", "applications.view_accommodations", True),
        ("outsider", "applications.view_accommodations", False),
        ("officer", "applications.view_accommodations", False),
        ("decision_maker", "applications.view_accommodations", False),
        ("reviewer", "applications.view_accommodations", True),
        ("candidate", "applications.withdraw_application", True),
        ("officer", "applications.withdraw_application", False),
        ("candidate", "applications.change_application", False),
        ("reviewer", "applications.start_review", True),
        ("officer", "applications.start_review", False),
        ("candidate", "applications.start_review", False),
        ("officer", "applications.view_application_queue", True),
        ("candidate", "applications.view_application_queue", False),
    ],
)
def test_the_permission_matrix_of_a_submitted_application(
    request: pytest.FixtureRequest, submitted: Application, who: str, perm: str, allowed: bool
) -> None:
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    assert user.has_perm(perm, submitted) is allowed


def test_only_the_assigned_reviewer_decides(
    submitted: Application, reviewer: User, request: pytest.FixtureRequest
) -> None:
    from peritus.accounts.roles import RoleCode
    from peritus.accounts.tests.factories import make_staff

    start_review(actor=reviewer, application=submitted, has_conflict=False)
    application = Application.objects.get(pk=submitted.pk)

    assert reviewer.has_perm("applications.decide_eligibility", application)
    assert not make_staff(RoleCode.ELIGIBILITY_REVIEWER).has_perm(
        "applications.decide_eligibility", application
    )


def test_restricted_evidence_is_hidden_from_staff_outside_the_review(
    submitted: Application, officer: User, reviewer: User, candidate: User
) -> None:
    accommodation = make_accommodation(submitted)
    restricted = make_evidence(submitted, accommodation=accommodation, kind="accommodation_support")
    ordinary = submitted.evidence_files.exclude(pk=restricted.pk).get()

    assert officer.has_perm("applications.view_evidence", ordinary)
    assert not officer.has_perm("applications.view_evidence", restricted)
    assert reviewer.has_perm("applications.view_evidence", restricted)
    assert candidate.has_perm("applications.view_evidence", restricted)


def test_nobody_decides_their_own_accommodation(submitted: Application, candidate: User) -> None:
    from peritus.accounts.roles import RoleCode
    from peritus.accounts.tests.factories import grant_role

    grant_role(candidate, RoleCode.ELIGIBILITY_REVIEWER)

    assert not candidate.has_perm(
        "applications.decide_accommodation", make_accommodation(submitted)
    )


def test_a_draft_is_the_applicant_alone(
    draft: Application, candidate: User, officer: User, reviewer: User
) -> None:
    assert candidate.has_perm("applications.view_application", draft)
    assert not officer.has_perm("applications.view_application", draft)
    assert not reviewer.has_perm("applications.view_application", draft)
    assert not reviewer.has_perm("applications.view_accommodations", draft)
