"""The selectors the decision relies on (spine contract): examiners, invigilators, outcome."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.applications.models import Application
from peritus.exams.selectors import (
    get_assessment_outcome,
    get_released_outcome,
    list_examiner_ids_for,
    list_invigilator_ids_for,
    list_passed_application_ids,
)
from peritus.exams.services import (
    assign_personnel,
    record_second_mark,
    release_event_results,
    release_result,
)
from peritus.exams.tests.factories import declare_no_conflict, make_event, mark, ready_to_mark
from peritus.schemes.models import CombinationRule, SchemeVersion
from peritus.schemes.tests.factories import make_published_version

pytestmark = pytest.mark.django_db


def sit(
    officer: User,
    examiner: User,
    application: Application,
    code: str,
    score: int,
    *,
    release: bool = True,
) -> None:
    component = application.scheme_version.components.get(code=code)
    event = make_event(officer, component)
    (entry,) = ready_to_mark(officer, examiner, event, application)
    result = mark(examiner, entry, score)
    if release:
        release_result(actor=officer, result=result)


def test_nobody_examined_a_candidate_before_any_event(application: Application) -> None:
    assert list_examiner_ids_for(application) == set()
    assert list_invigilator_ids_for(application) == set()
    outcome = get_assessment_outcome(application)
    assert (outcome.passed, outcome.complete, outcome.all_released) == (False, False, False)


def test_examiners_markers_and_invigilators_are_listed(
    officer: User,
    examiner: User,
    second_examiner: User,
    invigilator: User,
    application: Application,
) -> None:
    component = application.scheme_version.components.get(code="C1")
    event = make_event(officer, component, double_marking=True)
    assign_personnel(actor=officer, event=event, user=invigilator, role="invigilator")
    (entry,) = ready_to_mark(officer, examiner, event, application)
    assign_personnel(actor=officer, event=event, user=second_examiner, role="examiner")
    declare_no_conflict(second_examiner, event)
    record_second_mark(actor=second_examiner, result=mark(examiner, entry, 80), score=80)

    assert list_examiner_ids_for(application) == {examiner.pk, second_examiner.pk}
    assert list_examiner_ids_for(application.pk) == {examiner.pk, second_examiner.pk}
    assert list_invigilator_ids_for(application) == {invigilator.pk}


def test_a_candidate_passing_every_component_on_released_results_is_ready_for_decision(
    officer: User, examiner: User, application: Application
) -> None:
    sit(officer, examiner, application, "C1", 80)
    sit(officer, examiner, application, "C2", 75)

    outcome = get_assessment_outcome(application)

    assert (outcome.passed, outcome.complete, outcome.all_released) == (True, True, True)
    assert outcome.ready_for_decision
    assert outcome.total == Decimal("77.50")
    assert application.pk in list_passed_application_ids()


def test_an_unreleased_result_counts_but_keeps_the_file_from_the_decision(
    officer: User, examiner: User, application: Application
) -> None:
    sit(officer, examiner, application, "C1", 80)
    sit(officer, examiner, application, "C2", 75, release=False)

    outcome = get_assessment_outcome(application)

    assert outcome.passed
    assert not outcome.all_released
    assert not outcome.ready_for_decision
    assert get_released_outcome(application).complete is False
    assert application.pk not in list_passed_application_ids()


def test_a_failed_required_component_fails_a_conjunctive_rule(
    officer: User, examiner: User, application: Application
) -> None:
    sit(officer, examiner, application, "C1", 95)
    sit(officer, examiner, application, "C2", 60)

    outcome = get_assessment_outcome(application)

    assert outcome.complete
    assert outcome.all_released
    assert not outcome.passed
    assert [reason.component for reason in outcome.outcome.reasons] == ["C2"]


def test_a_compensatory_rule_lets_a_strong_component_make_up_for_a_weak_one(
    officer: User, examiner: User
) -> None:
    from peritus.exams.tests.factories import make_candidate_application

    version: SchemeVersion = make_published_version(
        components=2, combination_rule=CombinationRule.COMPENSATORY,
        overall_pass_percent=Decimal(70),
    )  # fmt: skip
    application = make_candidate_application(version)
    sit(officer, examiner, application, "C1", 95)
    sit(officer, examiner, application, "C2", 60)

    assert get_assessment_outcome(application).passed


def test_a_resit_supersedes_the_earlier_sitting(
    officer: User, examiner: User, application: Application
) -> None:
    sit(officer, examiner, application, "C1", 85)
    sit(officer, examiner, application, "C2", 50)
    sit(officer, examiner, application, "C2", 78)

    outcome = get_assessment_outcome(application)

    assert outcome.passed
    line = {line.component.code: line for line in outcome.lines}["C2"]
    assert line.result is not None
    assert line.result.score == Decimal(78)


def test_the_event_release_feeds_the_outcome(
    officer: User, examiner: User, application: Application
) -> None:
    for code in ("C1", "C2"):
        component = application.scheme_version.components.get(code=code)
        event = make_event(officer, component)
        (entry,) = ready_to_mark(officer, examiner, event, application)
        mark(examiner, entry, 90)
        release_event_results(actor=officer, event=event)

    assert get_released_outcome(application).ready_for_decision
