"""Recording the item-level responses of a form administration (exam delivery calls this)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemAccessError, ItemBankError, ItemInputError
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import CandidateResponse, FormAdministration
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services import CandidateAnswers, record_form_responses
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    simulate_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=4)


def _record(setup: FormSetup, responses: list[CandidateAnswers], **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "form": setup.form, "administered_on": timezone.localdate(), "source": "online",
        "responses": responses, "actor": None,
    }  # fmt: skip
    values.update(kwargs)
    return record_form_responses(**values)


def test_responses_are_kept_as_option_letters_per_item_version(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    first, second = items[0], items[1]
    answers = {first.version_id: [first.option_ids[2]], second.version_id: None}

    administration = _record(setup, [CandidateAnswers("C-001", answers)], reference="EV-7")

    row = CandidateResponse.objects.get(administration=administration)
    assert row.answers == {str(first.version_id): "C"}
    assert (administration.candidate_count, administration.source) == (1, "online")
    assert administration.reference == "EV-7"


def test_the_audit_event_names_the_form_but_carries_no_answers_or_item_text(
    setup: FormSetup,
) -> None:
    _record(setup, simulate_answers(setup.form, candidates=5))

    event = AuditEvent.objects.get(event_type=StatisticsEvent.RESPONSES_RECORDED)
    assert event.data == {
        "form": setup.form.code, "source": "online", "administered_on": timezone.localdate().isoformat(),
        "candidates": 5, "reference": "",
    }  # fmt: skip
    assert "leaked" not in str(event.data).lower()


def test_a_whole_administration_is_refused_when_one_answer_is_wrong(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    good = simulate_answers(setup.form, candidates=3)
    bad = CandidateAnswers("C-999", {items[0].version_id: ["Z"]})

    with pytest.raises(ItemInputError) as error:
        _record(setup, [*good, bad])

    assert error.value.code == "unknown_option"
    assert FormAdministration.objects.count() == 0
    assert CandidateResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (["A", "B"], "single_response"),
        (["A", "A"], "unknown_option"),
        (["nope"], "unknown_option"),
        (3, "selection_expected"),
    ],
)
def test_an_answer_that_does_not_fit_the_item_is_refused(
    setup: FormSetup, answer: Any, code: str
) -> None:
    item = form_items_of(setup.form)[0]

    with pytest.raises(ItemInputError) as error:
        _record(setup, [CandidateAnswers("C-1", {item.version_id: answer})])

    assert error.value.code == code


@pytest.mark.parametrize(
    ("candidates", "code"),
    [
        ([], "no_candidates"),
        ([CandidateAnswers(" ", {})], "empty_candidate_id"),
        ([CandidateAnswers("X" * 65, {})], "candidate_id_too_long"),
        ([CandidateAnswers("A", {}), CandidateAnswers("A", {})], "duplicate_candidate"),
        ([CandidateAnswers("A", {}, group="g" * 41)], "group_too_long"),
        ([CandidateAnswers("A", {999_999: ["A"]})], "item_not_on_form"),
    ],
)
def test_malformed_candidates_are_refused(
    setup: FormSetup, candidates: list[CandidateAnswers], code: str
) -> None:
    with pytest.raises(ItemInputError) as error:
        _record(setup, candidates)

    assert error.value.code == code


def test_the_date_and_source_are_checked(setup: FormSetup) -> None:
    answers = simulate_answers(setup.form, candidates=2)

    with pytest.raises(ItemInputError) as future:
        _record(setup, answers, administered_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(ItemInputError) as source:
        _record(setup, answers, source="carrier pigeon")

    assert (future.value.code, source.value.code) == ("administered_in_future", "invalid_source")


def test_responses_of_sittings_before_the_form_came_into_peritus_are_kept(
    setup: FormSetup,
) -> None:
    """A body moving its exam data into Peritus brings the history of forms it already used."""
    long_ago = timezone.localdate() - dt.timedelta(days=400)

    administration = _record(
        setup, simulate_answers(setup.form, candidates=3), administered_on=long_ago
    )

    assert administration.administered_on == long_ago


def test_the_same_responses_are_never_recorded_twice(setup: FormSetup) -> None:
    answers = simulate_answers(setup.form, candidates=4)
    _record(setup, answers)

    with pytest.raises(ItemBankError) as error:
        _record(setup, answers)

    assert error.value.code == "duplicate_administration"


def test_a_form_still_in_review_takes_no_responses(setup: FormSetup) -> None:
    from peritus.itembank.services import assemble_forms, submit_form

    [draft] = assemble_forms(
        actor=setup.psychometrician, blueprint=setup.form.blueprint, code_prefix="CSP-DRAFT"
    )
    submit_form(actor=setup.psychometrician, form=draft)

    with pytest.raises(ItemBankError) as error:
        _record(setup, [], form=draft)

    assert error.value.code == "form_not_approved"


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ((RoleCode.PSYCHOMETRICIAN,), True),
        ((RoleCode.CERTIFICATION_OFFICER,), True),
        ((RoleCode.EXAMINER,), True),
        ((RoleCode.INVIGILATOR,), False),
        ((RoleCode.EXAMINER, RoleCode.INVIGILATOR), False),
        ((RoleCode.DECISION_MAKER,), False),
    ],
)
def test_who_may_record_responses(
    setup: FormSetup, roles: tuple[RoleCode, ...], allowed: bool
) -> None:
    actor = make_staff(*roles, scheme=setup.scheme)
    answers = simulate_answers(setup.form, candidates=2)

    if allowed:
        assert _record(setup, answers, actor=actor).recorded_by == actor
    else:
        with pytest.raises(DomainError) as error:
            _record(setup, answers, actor=actor)
        assert error.value.code in {"information_barrier", "role_not_held"}
        if RoleCode.INVIGILATOR in roles:
            assert isinstance(error.value, ItemAccessError)


def test_an_application_of_another_scheme_cannot_be_linked(setup: FormSetup) -> None:
    from peritus.applications.tests.factories import make_application

    stranger = make_application()

    with pytest.raises(ItemInputError) as error:
        _record(setup, [CandidateAnswers("A", {}, application=stranger)])

    assert error.value.code == "application_of_other_scheme"
