"""The psychometrician runs the engine on a form's responses; item statistics land beside items."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.core.errors import DomainError
from peritus.itembank.errors import ItemBankError, ItemInputError
from peritus.itembank.models import ItemStatistics
from peritus.itembank.selectors import list_statistics_history
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import AnalysisModel, DifGrouping
from peritus.itembank.statistics.services import (
    export_analysis_report,
    import_answer_sheets,
    run_form_analysis,
)
from peritus.itembank.statistics.services.analyses import choose_model
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    answers_as_sheets,
    make_approved_form,
    record_simulated,
    simulate_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=8, pass_mark=Decimal(5))


def test_the_analysis_keeps_the_report_and_the_headline_figures(setup: FormSetup) -> None:
    record_simulated(setup, candidates=120, seed=1)
    record_simulated(setup, candidates=40, seed=2, prefix="P")

    analysis = run_form_analysis(form=setup.form, actor=setup.psychometrician)

    assert analysis.candidate_count == 160
    assert analysis.administrations.count() == 2
    assert analysis.model_used == AnalysisModel.RASCH  # 160 candidates: too few for 2PL
    assert analysis.report["n_items"] == 8
    assert analysis.alpha is not None
    assert 0 < analysis.alpha < 1
    assert analysis.cut == Decimal(5)
    assert analysis.report["decision_consistency"]["cut"] == 5.0
    assert analysis.pass_rate is not None
    assert 0 < analysis.pass_rate < 1
    assert analysis.decision_consistency is not None


def test_item_statistics_are_recorded_beside_each_item(setup: FormSetup) -> None:
    record_simulated(setup, candidates=150)

    analysis = run_form_analysis(form=setup.form, actor=setup.psychometrician, model="2pl")

    assert ItemStatistics.objects.count() == 8
    history = list(list_statistics_history(setup.items[0]))
    assert len(history) == 1
    assert history[0].n == 150
    assert history[0].source == f"{setup.form.code} analysis {analysis.pk} (2pl)"
    assert history[0].irt_a is not None
    assert history[0].p_value is not None


def test_the_run_is_audited_with_references_only(setup: FormSetup) -> None:
    record_simulated(setup, candidates=30)

    run_form_analysis(form=setup.form, actor=setup.psychometrician, model="none")

    event = AuditEvent.objects.get(event_type=StatisticsEvent.ANALYSIS_RUN)
    assert event.data["form"] == setup.form.code
    assert event.data["candidates"] == 30
    assert "key" not in event.data


def test_a_form_without_responses_has_nothing_to_analyse(setup: FormSetup) -> None:
    with pytest.raises(ItemBankError) as error:
        run_form_analysis(form=setup.form, actor=setup.psychometrician)

    assert error.value.code == "no_responses"


def test_chosen_administrations_must_belong_to_the_form(setup: FormSetup) -> None:
    other = make_approved_form(n_items=3)
    foreign = record_simulated(other, candidates=5)
    record_simulated(setup, candidates=5)

    with pytest.raises(ItemInputError) as error:
        run_form_analysis(
            form=setup.form, actor=setup.psychometrician, administration_ids=[foreign.pk]
        )

    assert error.value.code == "administration_of_other_form"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"thresholds": {"p_min": "low"}}, "bad_thresholds"),
        ({"thresholds": {"unknown": 1}}, "bad_thresholds"),
        ({"model": "3pl"}, "invalid_model"),
        ({"dif_grouping": "shoe size"}, "invalid_grouping"),
    ],
)
def test_bad_options_are_refused(setup: FormSetup, kwargs: dict[str, object], code: str) -> None:
    record_simulated(setup, candidates=10)

    with pytest.raises(ItemInputError) as error:
        run_form_analysis(form=setup.form, actor=setup.psychometrician, **kwargs)  # type: ignore[arg-type]

    assert error.value.code == code


def test_dif_by_mode_of_delivery_runs_when_both_groups_are_large_enough(setup: FormSetup) -> None:
    record_simulated(setup, candidates=80, seed=3)
    import_answer_sheets(
        form=setup.form, administered_on=timezone.localdate(), actor=setup.psychometrician,
        data=answers_as_sheets(setup.form, simulate_answers(setup.form, candidates=60, seed=9)),
    )  # fmt: skip

    analysis = run_form_analysis(
        form=setup.form, actor=setup.psychometrician, model="none", dif_grouping=DifGrouping.SOURCE
    )

    [comparison] = analysis.report["dif"]
    assert {comparison["reference"], comparison["focal"]} == {"online", "paper"}


def test_dif_is_skipped_with_a_note_when_groups_are_too_small(setup: FormSetup) -> None:
    record_simulated(setup, candidates=20)

    analysis = run_form_analysis(
        form=setup.form, actor=setup.psychometrician, model="none", dif_grouping="source"
    )

    assert "dif" not in analysis.report
    assert any("DIF not computed" in note for note in analysis.report["notes"])


def test_automatic_model_follows_the_number_of_candidates() -> None:
    assert choose_model("auto", 40)[0] == "none"
    assert choose_model("auto", 100)[0] == "rasch"
    assert choose_model("auto", 500)[0] == "2pl"
    assert choose_model("rasch", 10) == ("rasch", "")


@pytest.mark.parametrize("role", [RoleCode.ITEM_AUTHOR, RoleCode.SCHEME_MANAGER, RoleCode.ASSESSOR])
def test_only_a_psychometrician_runs_analyses(setup: FormSetup, role: RoleCode) -> None:
    record_simulated(setup, candidates=10)

    with pytest.raises(DomainError) as error:
        run_form_analysis(form=setup.form, actor=make_staff(role, scheme=setup.scheme))

    assert error.value.code == "role_not_held"


def test_the_full_report_is_rendered_again_from_the_same_data_and_audited(
    setup: FormSetup,
) -> None:
    record_simulated(setup, candidates=40)
    analysis = run_form_analysis(form=setup.form, actor=setup.psychometrician, model="none")

    html = export_analysis_report(actor=setup.psychometrician, analysis=analysis, kind="html")
    pdf = export_analysis_report(actor=setup.psychometrician, analysis=analysis, kind="pdf")

    assert html.startswith(b"<!doctype html>")
    assert setup.items[0].identifier.encode() in html
    assert pdf.startswith(b"%PDF")
    assert AuditEvent.objects.filter(event_type=StatisticsEvent.REPORT_EXPORTED).count() == 2
