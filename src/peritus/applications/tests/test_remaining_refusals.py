"""Refusals that need an unusual state to reach: each error code has a test."""

from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.applications.errors import (
    ApplicationError,
    ApplicationInputError,
    EligibilityImpartialityError,
)
from peritus.applications.models import (
    Application,
    ApplicationStatus,
    EligibilityOutcome,
    EligibilityReview,
    FindingResult,
    PrerequisiteFinding,
)
from peritus.applications.services import (
    request_more_information,
    respond_to_information_request,
    update_application,
)
from peritus.applications.tests.factories import make_application
from peritus.schemes.errors import SchemeError
from peritus.schemes.services import PartKind, remove_part
from peritus.schemes.tests.factories import make_complete_version

pytestmark = pytest.mark.django_db


def test_a_reviewer_who_never_declared_cannot_act(candidate: User, reviewer: User) -> None:
    application = make_application(
        user=candidate, status=ApplicationStatus.IN_REVIEW, assigned_reviewer=reviewer
    )

    with pytest.raises(EligibilityImpartialityError) as error:
        request_more_information(actor=reviewer, application=application, message="More")

    assert error.value.code == "declaration_required"


def test_an_answer_needs_an_open_request(candidate: User) -> None:
    application = make_application(
        user=candidate, status=ApplicationStatus.MORE_INFORMATION_REQUESTED
    )

    with pytest.raises(ApplicationError) as error:
        respond_to_information_request(actor=candidate, application=application, response="Hi")

    assert error.value.code == "no_open_request"


def test_only_the_answers_can_be_set_on_a_draft(draft: Application, candidate: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        update_application(actor=candidate, application=draft, values={"status": "eligible"})

    assert error.value.code == "unknown_field"


def test_a_prerequisite_with_recorded_findings_cannot_be_removed() -> None:
    manager = make_staff(RoleCode.SCHEME_MANAGER)
    version = make_complete_version()
    prerequisite = version.prerequisites.get()
    application = make_application(scheme_version=version, status=ApplicationStatus.ELIGIBLE)
    review = EligibilityReview.objects.create(
        application=application, reviewer=manager, outcome=EligibilityOutcome.ELIGIBLE,
        reasons="Met", decided_at=application.created_at,
    )  # fmt: skip
    PrerequisiteFinding.objects.create(
        review=review, prerequisite=prerequisite, result=FindingResult.MET
    )

    with pytest.raises(SchemeError) as error:
        remove_part(
            actor=manager, version=version, kind=PartKind.PREREQUISITE, part_id=prerequisite.pk
        )

    assert error.value.code == "in_use"
    assert version.prerequisites.filter(pk=prerequisite.pk).exists()
