"""The remaining refusals of the statistics services, each by its stable code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import grant_role, make_staff
from peritus.itembank.errors import ItemAccessError, ItemBankError, ItemInputError
from peritus.itembank.models import Item
from peritus.itembank.qti.content import GAP, InteractionType, ItemContent, Scoring
from peritus.itembank.services import assemble_forms, retire_form
from peritus.itembank.statistics.models import CandidateResponse, StandardSettingStudy
from peritus.itembank.statistics.selectors import form_items_of
from peritus.itembank.statistics.services import (
    AnswerSheetsRefused,
    CandidateAnswers,
    FindingInput,
    cancel_study,
    close_statistics_review,
    compute_cut_score,
    declare_judge_interests,
    import_answer_sheets,
    open_rating_round,
    open_standard_setting_study,
    open_statistics_review,
    record_form_responses,
    remove_judge,
    run_form_analysis,
    set_review_policy,
)
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    make_judges,
    rate_all,
    record_simulated,
    run_study_to_proposal,
    sheet_csv,
)
from peritus.psychometrics import PsychometricsInputError
from peritus.psychometrics.scoring import ItemKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=3)


@pytest.fixture
def judges(setup: FormSetup) -> list[User]:
    return make_judges(setup.scheme)


# ----------------------------------------------------------------------------------------------
# Items scored by delivery or a marker
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def scored(setup: FormSetup) -> FormSetup:
    """A frozen form whose last item is numeric entry worth 2 points (scored by delivery)."""
    from peritus.itembank.services import (
        make_item_operational,
        review_form,
        review_item,
        submit_form,
        submit_item,
    )
    from peritus.itembank.tests.factories import make_item

    numeric = make_item(
        setup.bank, setup.author, identifier="CALC-01",
        competence_domain=setup.items[0].competence_domain, cognitive_level="apply",
        content=ItemContent(interaction=InteractionType.NUMERIC_ENTRY,
                            stem=f"<p>Keys rotate every 90 days. Rotations in a year: {GAP}</p>",
                            key=("4",), scoring=Scoring(points=2.0)),
    )  # fmt: skip
    submit_item(actor=setup.author, item=numeric)
    review_item(actor=setup.reviewer, item=numeric, decision="approve")
    make_item_operational(actor=setup.psychometrician, item=numeric)
    retire_form(
        actor=setup.psychometrician, form=setup.form, reason="Replaced by a form with a calculation"
    )
    for item in setup.items[1:]:
        Item.objects.filter(pk=item.pk).update(resting_until=None)
    blueprint = setup.form.blueprint
    [form] = assemble_forms(
        actor=setup.psychometrician, blueprint=blueprint, code_prefix=f"{setup.form.code}-N",
        max_forms_per_item=2,
    )  # fmt: skip
    assert any(i.kind is ItemKind.SCORED for i in form_items_of(form)), "numeric item on form"
    submit_form(actor=setup.psychometrician, form=form)
    review_form(actor=setup.reviewer, form=form, approve=True)
    return FormSetup(**{**setup.__dict__, "form": form})


def test_scores_of_scored_items_are_whole_numbers_within_the_item_maximum(
    scored: FormSetup,
) -> None:
    item = next(i for i in form_items_of(scored.form) if i.kind is ItemKind.SCORED)
    today = timezone.localdate()

    def record(value: object) -> None:
        record_form_responses(
            form=scored.form, administered_on=today, source="online", actor=None,
            responses=[CandidateAnswers("C-1", {item.version_id: value})],  # type: ignore[dict-item]
        )  # fmt: skip

    with pytest.raises(ItemInputError) as letters:
        record(["A"])
    with pytest.raises(ItemInputError) as too_many:
        record(3)
    record(2)

    assert (letters.value.code, too_many.value.code) == ("score_expected", "score_out_of_range")
    assert CandidateResponse.objects.get().answers == {str(item.version_id): 2}


def test_answer_sheets_hold_scores_for_scored_items(scored: FormSetup) -> None:
    items = form_items_of(scored.form)
    cells = {True: ["2", "x", "9"], False: ["A", "B", "C"]}

    def row(n: int, candidate: str) -> list[str]:
        return [candidate] + [cells[i.kind is ItemKind.SCORED][n] if i.kind is ItemKind.SCORED
                              else "A" for i in items]  # fmt: skip

    with pytest.raises(AnswerSheetsRefused) as error:
        import_answer_sheets(
            form=scored.form, administered_on=timezone.localdate(), actor=scored.psychometrician,
            data=sheet_csv(items, [row(0, "S-1"), row(1, "S-2"), row(2, "S-3"),
                                   row(0, "S" * 65)]),
        )  # fmt: skip

    assert [(p.line, p.code) for p in error.value.problems] == [
        (3, "non_numeric"), (4, "score_out_of_range"), (5, "candidate_id_too_long"),
    ]  # fmt: skip


def test_a_header_with_an_empty_column_is_refused(setup: FormSetup) -> None:
    items = form_items_of(setup.form)
    header = ",".join(["candidate_id", *(i.identifier for i in items), ""])

    with pytest.raises(AnswerSheetsRefused) as error:
        import_answer_sheets(
            form=setup.form, administered_on=timezone.localdate(), actor=setup.psychometrician,
            data=f"{header}\nS-1,A,B,C,\n".encode(),
        )  # fmt: skip

    assert [p.code for p in error.value.problems] == ["empty_item_id"]


# ----------------------------------------------------------------------------------------------
# Analyses and reviews
# ----------------------------------------------------------------------------------------------


def test_an_analysis_the_engine_refuses_is_reported_with_its_reason(
    setup: FormSetup, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise PsychometricsInputError("cut_out_of_range", "the cut must be above 0")

    monkeypatch.setattr("peritus.itembank.statistics.services.analyses.analyze_exam", refuse)
    record_simulated(setup, candidates=5)

    with pytest.raises(ItemBankError) as error:
        run_form_analysis(form=setup.form, actor=setup.psychometrician)

    assert (error.value.code, error.value.message) == ("analysis_failed", "the cut must be above 0")


def test_a_draft_form_has_no_review_and_a_review_is_not_due_in_the_past(
    setup: FormSetup,
) -> None:
    [draft] = assemble_forms(
        actor=setup.psychometrician, blueprint=setup.form.blueprint, code_prefix="CSP-DRAFT",
        max_forms_per_item=2,
    )  # fmt: skip

    with pytest.raises(ItemBankError) as not_in_use:
        open_statistics_review(actor=setup.psychometrician, form=draft)
    with pytest.raises(ItemInputError) as past:
        open_statistics_review(
            actor=setup.psychometrician, form=setup.form,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )  # fmt: skip

    assert (not_in_use.value.code, past.value.code) == ("form_not_approved", "invalid_interval")


def test_a_finding_names_a_known_action(setup: FormSetup) -> None:
    record_simulated(setup, candidates=20)
    run_form_analysis(form=setup.form, actor=setup.psychometrician, model="none")
    review = open_statistics_review(actor=setup.psychometrician, form=setup.form)

    with pytest.raises(ItemInputError) as error:
        close_statistics_review(
            actor=setup.psychometrician, review=review, conclusion="items_to_revise",
            summary="One item.", findings=[FindingInput(setup.items[0].identifier, "revise"),
                                           FindingInput(setup.items[1].identifier, "burn")],
        )  # fmt: skip

    assert error.value.code == "invalid"


def test_a_form_policy_belongs_to_the_forms_bank(setup: FormSetup) -> None:
    other = make_approved_form(n_items=2)

    with pytest.raises(ItemInputError) as error:
        set_review_policy(
            actor=setup.psychometrician, bank=setup.bank, form=other.form, interval_months=6
        )

    assert error.value.code == "different_bank"


# ----------------------------------------------------------------------------------------------
# Standard setting
# ----------------------------------------------------------------------------------------------


def _study(setup: FormSetup, judges: list[User]) -> StandardSettingStudy:
    return open_standard_setting_study(
        actor=setup.psychometrician, form=setup.form, judges=judges,
        candidate_description="Handles leaked keys alone.",
    )  # fmt: skip


def test_steps_out_of_order_are_refused(setup: FormSetup, judges: list[User]) -> None:
    study = _study(setup, judges)
    open_rating_round(actor=setup.psychometrician, study=study)

    with pytest.raises(ItemBankError) as twice:
        open_rating_round(actor=setup.psychometrician, study=study)
    with pytest.raises(ItemBankError) as early:
        compute_cut_score(actor=setup.psychometrician, study=study)

    assert (twice.value.code, early.value.code) == ("wrong_status", "wrong_status")


def test_judges_change_only_before_the_cut_and_never_below_two(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _study(setup, judges)
    first, second, third = study.judges.order_by("pk")

    with pytest.raises(ItemInputError) as silent:
        remove_judge(actor=setup.psychometrician, study=study, judge=first, reason=" ")
    remove_judge(actor=setup.psychometrician, study=study, judge=first, reason="Unavailable")
    with pytest.raises(ItemBankError) as gone:
        remove_judge(actor=setup.psychometrician, study=study, judge=first, reason="Again")
    with pytest.raises(ItemInputError) as too_few:
        remove_judge(actor=setup.psychometrician, study=study, judge=second, reason="Ill")

    assert (silent.value.code, gone.value.code, too_few.value.code) == (
        "reason_required", "wrong_status", "too_few_judges",
    )  # fmt: skip
    other = make_approved_form(n_items=2)
    computed = run_study_to_proposal(other, make_judges(other.scheme))
    with pytest.raises(ItemBankError) as late:
        remove_judge(
            actor=computed.facilitator, study=computed, judge=computed.judges.first(),  # type: ignore[arg-type]
            reason="Too late",
        )  # fmt: skip
    assert late.value.code == "wrong_status"
    assert third.active


def test_an_ended_study_takes_no_declarations_and_cannot_be_cancelled(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _study(setup, judges)
    cancel_study(actor=setup.psychometrician, study=study, reason="Form reworked")

    with pytest.raises(ItemBankError) as declaring:
        declare_judge_interests(actor=judges[0], study=study, conflict=False)
    with pytest.raises(ItemBankError) as cancelling:
        cancel_study(actor=setup.psychometrician, study=study, reason="Again")

    assert (declaring.value.code, cancelling.value.code) == ("study_closed", "wrong_status")


def test_a_judge_who_starts_invigilating_stops_rating(setup: FormSetup, judges: list[User]) -> None:
    study = _study(setup, judges)
    for judge in judges:
        declare_judge_interests(actor=judge, study=study, conflict=False)
    open_rating_round(actor=setup.psychometrician, study=study)
    grant_role(judges[0], RoleCode.INVIGILATOR, scheme=setup.scheme)
    the_next_day = User.objects.get(pk=judges[0].pk)  # a new request: nothing cached

    with pytest.raises(ItemAccessError) as error:
        rate_all(study, the_next_day, 60)

    assert error.value.code == "information_barrier"


def test_a_judge_awaiting_their_agreement_is_not_eligible(setup: FormSetup) -> None:
    pending = make_staff(scheme=setup.scheme)
    grant_role(pending, RoleCode.EXAMINER, scheme=setup.scheme, accept_agreement=False)

    with pytest.raises(ItemInputError) as error:
        _study(setup, [*make_judges(setup.scheme, 1), pending])

    assert error.value.code == "judge_not_eligible"
    assert not StandardSettingStudy.objects.exists()
