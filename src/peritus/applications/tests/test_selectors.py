"""The reads other contexts rely on (spine contract)."""

from __future__ import annotations

import pytest

from peritus.applications.models import AccommodationStatus, ApplicationStatus
from peritus.applications.selectors import (
    get_approved_accommodations,
    is_eligible,
    list_applicable_prerequisites,
    list_eligibility_reviewer_ids,
)
from peritus.applications.tests.factories import (
    make_accommodation,
    make_application,
    make_eligible_application,
    make_user,
)
from peritus.schemes.tests.factories import make_prerequisite

pytestmark = pytest.mark.django_db


def test_eligibility_reviewers_are_those_who_reviewed_or_hold_the_review() -> None:
    reviewer = make_user()
    application = make_eligible_application(reviewer=reviewer)

    assert list_eligibility_reviewer_ids(application) == {reviewer.pk}
    assert list_eligibility_reviewer_ids(make_application()) == set()


def test_only_an_eligible_application_is_eligible() -> None:
    assert is_eligible(make_eligible_application())
    assert not is_eligible(make_application(status=ApplicationStatus.IN_REVIEW))


def test_only_approved_accommodations_are_applied() -> None:
    application = make_application()
    approved = make_accommodation(application, status=AccommodationStatus.APPROVED)
    make_accommodation(application, status=AccommodationStatus.REFUSED)
    make_accommodation(application)

    assert list(get_approved_accommodations(application)) == [approved]


def test_prerequisites_limited_to_a_level_apply_only_when_that_level_is_sought() -> None:
    application = make_application()
    version = application.scheme_version
    level_1, level_2 = version.scope_items.order_by("code")
    general = version.prerequisites.get()
    senior = make_prerequisite(version, minimum_months=60)
    senior.scope_items.set([level_2])

    application.requested_scope.set([level_1])
    assert list_applicable_prerequisites(application) == [general]

    application.requested_scope.set([level_2])
    assert set(list_applicable_prerequisites(application)) == {general, senior}
