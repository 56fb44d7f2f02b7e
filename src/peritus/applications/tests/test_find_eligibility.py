from __future__ import annotations

import pytest

from peritus.accounts.models import User
from peritus.applications.errors import ApplicationError, ApplicationInputError
from peritus.applications.events import ApplicationsEvent
from peritus.applications.models import (
    Application,
    ApplicationStatus,
    EligibilityOutcome,
    FindingResult,
)
from peritus.applications.selectors import is_eligible, list_eligibility_reviewer_ids
from peritus.applications.services import Finding, find_eligible, find_not_eligible, start_review
from peritus.audit_trail.models import AuditEvent
from peritus.notifications.models import OutboxMessage
from peritus.schemes.tests.factories import make_prerequisite

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(submitted: Application, reviewer: User) -> Application:
    return start_review(actor=reviewer, application=submitted, has_conflict=False)


def _all(application: Application, result: str = FindingResult.MET) -> dict[int, Finding]:
    return {p.pk: Finding(result) for p in application.scheme_version.prerequisites.all()}


def test_every_prerequisite_met_makes_a_candidate(in_review: Application, reviewer: User) -> None:
    evidence = in_review.evidence_files.get()
    prerequisite = in_review.scheme_version.prerequisites.get()

    review = find_eligible(
        actor=reviewer,
        application=in_review,
        findings={prerequisite.pk: Finding("met", "Letter shows 8 years", (evidence.pk,))},
        reasons="Experience well beyond the 24 months required.",
    )

    assert is_eligible(in_review)
    assert review.outcome == EligibilityOutcome.ELIGIBLE
    finding = review.findings.get()
    assert (finding.result, finding.note) == ("met", "Letter shows 8 years")
    assert list(finding.evidence_files.all()) == [evidence]
    assert list_eligibility_reviewer_ids(in_review) == {reviewer.pk}
    assert AuditEvent.objects.get(event_type=ApplicationsEvent.FOUND_ELIGIBLE).reason == (
        "Experience well beyond the 24 months required."
    )
    assert OutboxMessage.objects.filter(template="applications_found_eligible").count() == 1


def test_not_eligible_gives_reasons_per_requirement_and_the_right_to_appeal(
    in_review: Application, reviewer: User
) -> None:
    prerequisite = in_review.scheme_version.prerequisites.get()

    find_not_eligible(
        actor=reviewer,
        application=in_review,
        findings={prerequisite.pk: Finding("not_met", "Only 11 months as an inspector")},
        reasons="The experience requirement is not met.",
    )

    assert Application.objects.get(pk=in_review.pk).status == ApplicationStatus.NOT_ELIGIBLE
    notice = OutboxMessage.objects.get(template="applications_found_not_eligible")
    assert "Only 11 months as an inspector" in notice.body
    assert "right to appeal" in notice.body
    assert AuditEvent.objects.filter(event_type=ApplicationsEvent.FOUND_NOT_ELIGIBLE).exists()


def test_eligible_with_an_unmet_requirement_is_a_contradiction(
    in_review: Application, reviewer: User
) -> None:
    with pytest.raises(ApplicationError) as error:
        find_eligible(
            actor=reviewer, application=in_review, findings=_all(in_review, "not_met"), reasons="x"
        )

    assert error.value.code == "findings_contradict_outcome"


def test_not_eligible_when_everything_is_met_is_a_contradiction(
    in_review: Application, reviewer: User
) -> None:
    with pytest.raises(ApplicationError) as error:
        find_not_eligible(
            actor=reviewer, application=in_review, findings=_all(in_review), reasons="x"
        )

    assert error.value.code == "findings_contradict_outcome"


def test_every_requirement_gets_a_finding(in_review: Application, reviewer: User) -> None:
    make_prerequisite(in_review.scheme_version, code="TRAIN", kind="training")

    with pytest.raises(ApplicationInputError) as error:
        find_eligible(
            actor=reviewer,
            application=in_review,
            findings={
                in_review.scheme_version.prerequisites.get(code__startswith="P").pk: Finding("met")
            },
            reasons="All good",
        )

    assert error.value.code == "findings_incomplete"
    assert error.value.details["missing"] == ["TRAIN"]


def test_one_met_route_among_alternatives_is_enough(in_review: Application, reviewer: User) -> None:
    version = in_review.scheme_version
    version.prerequisites.update(alternative_group="route")
    diploma = make_prerequisite(
        version, code="DIPLOMA", kind="education", alternative_group="route"
    )
    experience = version.prerequisites.exclude(pk=diploma.pk).get()

    find_eligible(
        actor=reviewer,
        application=in_review,
        findings={experience.pk: Finding("not_met"), diploma.pk: Finding("met")},
        reasons="Eligible by the education route.",
    )

    assert is_eligible(in_review)


def test_reasons_are_required(in_review: Application, reviewer: User) -> None:
    with pytest.raises(ApplicationInputError) as error:
        find_eligible(actor=reviewer, application=in_review, findings=_all(in_review), reasons=" ")

    assert error.value.code == "required"


def test_a_finding_for_a_foreign_requirement_is_refused(
    in_review: Application, reviewer: User
) -> None:
    findings = {**_all(in_review), 999_999: Finding("met")}

    with pytest.raises(ApplicationInputError) as error:
        find_eligible(actor=reviewer, application=in_review, findings=findings, reasons="ok")

    assert error.value.code == "unknown_prerequisite"


def test_no_outcome_before_the_review_starts(submitted: Application, reviewer: User) -> None:
    with pytest.raises(ApplicationError) as error:
        find_eligible(actor=reviewer, application=submitted, findings=_all(submitted), reasons="ok")

    assert error.value.code == "invalid_status"
