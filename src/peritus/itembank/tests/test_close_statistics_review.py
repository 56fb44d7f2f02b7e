"""A review of a form's statistics closes only with a conclusion (clause 9.3.5, R19)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemBankError, ItemInputError
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    FindingAction,
    FormAnalysis,
    ReviewConclusion,
    ReviewStatus,
    ReviewTrigger,
    StatisticsReview,
)
from peritus.itembank.statistics.selectors import count_overdue_reviews, list_reviews_for
from peritus.itembank.statistics.services import (
    FindingInput,
    close_statistics_review,
    open_statistics_review,
    run_form_analysis,
)
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    record_simulated,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=5)


@pytest.fixture
def analysis(setup: FormSetup) -> FormAnalysis:
    record_simulated(setup, candidates=60)
    return run_form_analysis(form=setup.form, actor=setup.psychometrician, model="none")


@pytest.fixture
def review(setup: FormSetup, analysis: FormAnalysis) -> StatisticsReview:
    return open_statistics_review(actor=setup.psychometrician, form=setup.form)


def test_a_requested_review_is_open_until_its_due_date(setup: FormSetup) -> None:
    review = open_statistics_review(actor=setup.psychometrician, form=setup.form)

    assert review.status == ReviewStatus.OPEN
    assert review.trigger == ReviewTrigger.REQUESTED
    assert review.due_on == timezone.localdate() + dt.timedelta(days=30)
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.REVIEW_OPENED).count() == 1


def test_only_one_review_of_a_form_is_open_at_a_time(
    setup: FormSetup, review: StatisticsReview
) -> None:
    with pytest.raises(ItemBankError) as error:
        open_statistics_review(actor=setup.psychometrician, form=setup.form)

    assert error.value.code == "review_open"


def test_the_database_refuses_a_second_open_review_too(
    setup: FormSetup, review: StatisticsReview
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticsReview.objects.create(
            form=setup.form, trigger=ReviewTrigger.REQUESTED, due_on=timezone.localdate()
        )


def test_an_accepted_review_records_the_reviewer_the_date_and_the_analysis(
    setup: FormSetup, review: StatisticsReview, analysis: FormAnalysis
) -> None:
    closed = close_statistics_review(
        actor=setup.psychometrician, review=review, conclusion=ReviewConclusion.ACCEPTED,
        summary="Alpha 0.81, no item flagged; decision consistency 0.90 at the cut.",
    )  # fmt: skip

    assert closed.status == ReviewStatus.CLOSED
    assert (closed.reviewer, closed.analysis) == (setup.psychometrician, analysis)
    assert closed.closed_at is not None
    assert closed.covered_until == timezone.localdate()
    event = AuditEvent.objects.get(event_type=StatisticsEvent.REVIEW_CLOSED)
    assert event.data["conclusion"] == "accepted"
    assert event.data["analysis"] == analysis.pk


def test_items_to_revise_retire_and_rekey_are_recorded_with_corrective_action(
    setup: FormSetup, review: StatisticsReview
) -> None:
    first, second, third = (item.identifier for item in setup.items[:3])

    closed = close_statistics_review(
        actor=setup.psychometrician, review=review, conclusion=ReviewConclusion.KEY_CHANGES,
        summary="Item 2 is miskeyed; item 1 too easy; item 3 discriminates negatively.",
        findings=[FindingInput(second, FindingAction.KEY_CHANGE, "Key is C, not B"),
                  FindingInput(first, FindingAction.REVISE),
                  FindingInput(third, FindingAction.RETIRE)],
        corrective_action_required=True,
        corrective_action="Rescore the administration after the key change; check key review.",
    )  # fmt: skip

    actions = {(f.item_version.item.identifier, f.action) for f in closed.findings.all()}
    assert actions == {(second, "key_change"), (first, "revise"), (third, "retire")}
    assert closed.corrective_action_required
    event = AuditEvent.objects.get(event_type=StatisticsEvent.REVIEW_CLOSED)
    assert event.data["findings"] == {"revise": 1, "retire": 1, "key_change": 1}
    assert "Key is C" not in str(event.data)


@pytest.mark.parametrize(
    ("conclusion", "summary", "findings", "corrective", "code"),
    [
        ("", "Fine.", [], "", "conclusion_required"),
        ("accepted", "  ", [], "", "summary_required"),
        ("accepted", "Fine.", [("first", "revise")], "", "findings_contradict_acceptance"),
        ("items_to_retire", "Two items.", [("first", "revise")], "", "finding_required"),
        ("items_to_revise", "One item.", [("NOT-ON-FORM", "revise")], "", "item_not_on_form"),
        ("accepted", "Fine.", [], "needed", "corrective_action_required"),
    ],
)
def test_a_review_closes_only_with_a_consistent_conclusion(
    setup: FormSetup,
    review: StatisticsReview,
    conclusion: str,
    summary: str,
    findings: list[tuple[str, str]],
    corrective: str,
    code: str,
) -> None:
    inputs = [
        FindingInput(setup.items[0].identifier if ident == "first" else ident, action)
        for ident, action in findings
    ]

    with pytest.raises(ItemInputError) as error:
        close_statistics_review(
            actor=setup.psychometrician, review=review, conclusion=conclusion, summary=summary,
            findings=inputs, corrective_action_required=bool(corrective), corrective_action="",
        )  # fmt: skip

    assert error.value.code == code
    assert StatisticsReview.objects.get(pk=review.pk).status == ReviewStatus.OPEN


def test_the_database_refuses_a_closed_review_without_conclusion(
    setup: FormSetup, review: StatisticsReview
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StatisticsReview.objects.filter(pk=review.pk).update(status=ReviewStatus.CLOSED)


def test_a_review_rests_on_an_analysis(setup: FormSetup) -> None:
    review = open_statistics_review(actor=setup.psychometrician, form=setup.form)

    with pytest.raises(ItemBankError) as error:
        close_statistics_review(
            actor=setup.psychometrician, review=review, conclusion="accepted", summary="Fine."
        )

    assert error.value.code == "analysis_required"


def test_the_analysis_must_be_of_the_same_form(setup: FormSetup, review: StatisticsReview) -> None:
    other = make_approved_form(n_items=3)
    record_simulated(other, candidates=20)
    foreign = run_form_analysis(form=other.form, actor=other.psychometrician, model="none")

    with pytest.raises(ItemInputError) as error:
        close_statistics_review(
            actor=setup.psychometrician, review=review, conclusion="accepted", summary="Fine.",
            analysis=foreign,
        )  # fmt: skip

    assert error.value.code == "analysis_of_other_form"


def test_a_closed_review_stays_closed(setup: FormSetup, review: StatisticsReview) -> None:
    close_statistics_review(
        actor=setup.psychometrician, review=review, conclusion="accepted", summary="Fine."
    )

    with pytest.raises(ItemBankError) as error:
        close_statistics_review(
            actor=setup.psychometrician, review=review, conclusion="accepted", summary="Again."
        )

    assert error.value.code == "review_closed"


@pytest.mark.parametrize(
    "role", [RoleCode.SCHEME_MANAGER, RoleCode.ASSESSOR, RoleCode.ITEM_REVIEWER]
)
def test_only_a_psychometrician_concludes_a_review(
    setup: FormSetup, review: StatisticsReview, role: RoleCode
) -> None:
    with pytest.raises(DomainError) as error:
        close_statistics_review(
            actor=make_staff(role, scheme=setup.scheme), review=review, conclusion="accepted",
            summary="Fine.",
        )  # fmt: skip

    assert error.value.code == "role_not_held"


def test_an_open_review_past_its_date_is_overdue_for_its_readers(
    setup: FormSetup, review: StatisticsReview
) -> None:
    assessor = make_staff(RoleCode.ASSESSOR, scheme=setup.scheme)
    stranger = make_staff(RoleCode.ASSESSOR, scheme=make_approved_form(n_items=2).scheme)
    late = review.due_on + dt.timedelta(days=1)

    assert count_overdue_reviews(assessor, today=review.due_on) == 0
    assert count_overdue_reviews(assessor, today=late) == 1
    assert count_overdue_reviews(stranger, today=late) == 0
    assert list(list_reviews_for(assessor)) == [review]
    assert review.is_overdue(late)
