"""A modified-Angoff study as a workflow: judges, declarations, rounds with impact data, the cut."""

from __future__ import annotations

from decimal import Decimal

import pytest

from peritus.accounts.models import User
from peritus.accounts.roles import RoleCode
from peritus.accounts.tests.factories import make_staff
from peritus.audit_trail.models import AuditEvent
from peritus.itembank.errors import (
    ItemAccessError,
    ItemBankError,
    ItemImpartialityError,
    ItemInputError,
)
from peritus.itembank.statistics.events import StatisticsEvent
from peritus.itembank.statistics.models import (
    AngoffRating,
    StandardSettingStudy,
    StudyRound,
    StudyStatus,
)
from peritus.itembank.statistics.selectors import count_rounds_awaiting, form_items_of
from peritus.itembank.statistics.services import (
    CompromiseJudgements,
    StudyAccessError,
    cancel_study,
    close_rating_round,
    compute_cut_score,
    declare_judge_interests,
    open_rating_round,
    open_standard_setting_study,
    remove_judge,
    save_angoff_ratings,
)
from peritus.itembank.tests.statistics_factories import (
    FormSetup,
    make_approved_form,
    make_judges,
    rate_all,
    record_simulated,
)
from peritus.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup() -> FormSetup:
    return make_approved_form(n_items=5)


@pytest.fixture
def judges(setup: FormSetup) -> list[User]:
    return make_judges(setup.scheme, 3)


def _open(setup: FormSetup, judges: list[User], **kwargs: object) -> StandardSettingStudy:
    values: dict[str, object] = {
        "actor": setup.psychometrician, "form": setup.form, "judges": judges,
        "candidate_description": "Rotates keys and scopes roles without supervision.",
    }  # fmt: skip
    values.update(kwargs)
    return open_standard_setting_study(**values)  # type: ignore[arg-type]


def _ready(setup: FormSetup, judges: list[User], **kwargs: object) -> StandardSettingStudy:
    study = _open(setup, judges, **kwargs)
    for judge in judges:
        declare_judge_interests(actor=judge, study=study, conflict=False)
    open_rating_round(actor=setup.psychometrician, study=study)
    return study


def test_a_study_records_who_judges_and_tells_them_when_a_round_opens(
    setup: FormSetup, judges: list[User]
) -> None:
    study = StandardSettingStudy.objects.get(pk=_ready(setup, judges).pk)

    assert study.status == StudyStatus.ROUND_OPEN
    assert sorted(j.user_id for j in study.judges.all()) == sorted(u.pk for u in judges)
    assert OutboxMessage.objects.filter(template="itembank_standard_setting_round").count() == 3
    assert count_rounds_awaiting(judges[0]) == 1
    opened = AuditEvent.objects.get(event_type=StatisticsEvent.STUDY_OPENED)
    assert opened.data["judges"] == 3


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"candidate_description": " "}, "description_required"),
        ({"max_rounds": 0}, "invalid_rounds"),
        ({"max_rounds": 6}, "invalid_rounds"),
    ],
)
def test_a_study_needs_a_description_and_sensible_rounds(
    setup: FormSetup, judges: list[User], kwargs: dict[str, object], code: str
) -> None:
    with pytest.raises(ItemInputError) as error:
        _open(setup, judges, **kwargs)

    assert error.value.code == code


def test_a_panel_has_at_least_two_distinct_judges(setup: FormSetup, judges: list[User]) -> None:
    with pytest.raises(ItemInputError) as few:
        _open(setup, judges[:1])
    with pytest.raises(ItemInputError) as twice:
        _open(setup, [judges[0], judges[0]])

    assert (few.value.code, twice.value.code) == ("too_few_judges", "duplicate_judge")


def test_judges_come_from_roles_that_know_the_field(setup: FormSetup, judges: list[User]) -> None:
    officer = make_staff(RoleCode.CERTIFICATION_OFFICER, scheme=setup.scheme)
    examiner_elsewhere = make_staff(RoleCode.EXAMINER, scheme=make_approved_form(n_items=2).scheme)

    for outsider in (officer, examiner_elsewhere):
        with pytest.raises(ItemInputError) as error:
            _open(setup, [*judges[:1], outsider])
        assert error.value.code == "judge_not_eligible"


def test_trainers_and_invigilators_are_never_judges(setup: FormSetup, judges: list[User]) -> None:
    invigilator = make_staff(RoleCode.EXAMINER, RoleCode.INVIGILATOR, scheme=setup.scheme)

    with pytest.raises(ItemAccessError) as error:
        _open(setup, [*judges[:1], invigilator])

    assert error.value.code == "information_barrier"


def test_the_facilitator_is_not_a_judge(setup: FormSetup, judges: list[User]) -> None:
    with pytest.raises(ItemImpartialityError) as error:
        _open(setup, [judges[0], setup.psychometrician])

    assert error.value.code == "facilitator_is_judge"


def test_one_running_study_per_form(setup: FormSetup, judges: list[User]) -> None:
    _open(setup, judges)

    with pytest.raises(ItemBankError) as error:
        _open(setup, judges)

    assert error.value.code == "study_open"


def test_a_judge_declares_interests_before_rating(setup: FormSetup, judges: list[User]) -> None:
    study = _open(setup, judges)
    open_rating_round(actor=setup.psychometrician, study=study)

    with pytest.raises(ItemBankError) as error:
        rate_all(study, judges[0], 60)

    assert error.value.code == "declaration_required"


def test_a_declared_conflict_stops_a_judge_until_removed(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, [*judges, make_judges(setup.scheme, 1)[0]])
    conflicted = study.judges.order_by("pk")[0]
    with pytest.raises(ItemInputError) as unexplained:
        declare_judge_interests(actor=conflicted.user, study=study, conflict=True)
    declare_judge_interests(
        actor=conflicted.user, study=study, conflict=True,
        note="I trained three of this year's candidates.",
    )  # fmt: skip

    with pytest.raises(ItemImpartialityError) as error:
        rate_all(study, conflicted.user, 60)
    remove_judge(actor=setup.psychometrician, study=study, judge=conflicted,
                 reason="Declared a conflict of interest")  # fmt: skip

    assert unexplained.value.code == "note_required"
    assert error.value.code == "conflict_declared"
    assert study.judges.filter(removed_at__isnull=True).count() == 3


def test_ratings_are_percentages_of_the_items_of_the_study(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    item = form_items_of(setup.form)[0]

    with pytest.raises(ItemInputError) as too_high:
        save_angoff_ratings(actor=judges[0], study=study, ratings={item.version_id: 101})
    with pytest.raises(ItemInputError) as not_a_number:
        save_angoff_ratings(actor=judges[0], study=study, ratings={item.version_id: "lots"})
    with pytest.raises(ItemInputError) as foreign:
        save_angoff_ratings(actor=judges[0], study=study, ratings={999_999: 50})

    assert (too_high.value.code, not_a_number.value.code, foreign.value.code) == (
        "rating_out_of_range", "rating_out_of_range", "item_not_in_study",
    )  # fmt: skip


def test_a_judge_saves_part_of_a_round_and_submits_only_when_complete(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    items = form_items_of(setup.form)

    save_angoff_ratings(actor=judges[0], study=study, ratings={items[0].version_id: 55})
    with pytest.raises(ItemBankError) as incomplete:
        save_angoff_ratings(actor=judges[0], study=study, ratings={items[1].version_id: 60},
                            submit=True)  # fmt: skip
    rate_all(study, judges[0], 65)
    with pytest.raises(ItemBankError) as again:
        rate_all(study, judges[0], 70)

    assert incomplete.value.code == "ratings_incomplete"
    assert again.value.code == "round_submitted"
    ratings = AngoffRating.objects.filter(judge__user=judges[0], round_number=1)
    assert sorted(set(ratings.values_list("rating", flat=True))) == [Decimal(65)]


def test_someone_who_is_not_a_judge_cannot_rate(setup: FormSetup, judges: list[User]) -> None:
    study = _ready(setup, judges)

    with pytest.raises(StudyAccessError) as error:
        rate_all(study, make_judges(setup.scheme, 1)[0], 50)

    assert error.value.code == "not_a_judge"


def test_a_round_closes_only_when_every_judge_submitted(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    rate_all(study, judges[0], 60)

    with pytest.raises(ItemBankError) as error:
        close_rating_round(actor=setup.psychometrician, study=study)

    assert error.value.code == "ratings_incomplete"


def test_round_one_impact_data_gives_the_cut_and_the_pass_rate_it_would_give(
    setup: FormSetup, judges: list[User]
) -> None:
    record_simulated(setup, candidates=80)
    study = _ready(setup, judges)
    for judge, value in zip(judges, (50, 60, 70), strict=True):
        rate_all(study, judge, value)

    closed = close_rating_round(actor=setup.psychometrician, study=study)

    impact = closed.impact
    assert impact["cut_score"] == 3.0  # 5 one-point items rated 50, 60, 70 %: 2.5, 3, 3.5
    assert impact["judge_cuts"] == [2.5, 3.0, 3.5]
    assert impact["standard_error"] == pytest.approx(0.29, abs=0.01)
    assert impact["pass_mark"] == "3"
    assert impact["candidates"] == 80
    assert 0 <= impact["projected_pass_rate"] <= 1
    first = str(form_items_of(setup.form)[0].version_id)
    assert impact["items"][first]["mean"] == 60.0
    assert impact["items"][first]["p_value"] is not None


def test_round_two_needs_the_discussion_and_stops_at_the_last_round(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges, max_rounds=2)
    for judge in judges:
        rate_all(study, judge, 60)
    close_rating_round(actor=setup.psychometrician, study=study)

    with pytest.raises(ItemInputError) as silent:
        open_rating_round(actor=setup.psychometrician, study=study)
    open_rating_round(actor=setup.psychometrician, study=study,
                      discussion_notes="Items 2 and 4 judged too hard; p-values shown.")  # fmt: skip
    for judge in judges:
        rate_all(study, judge, 65)
    close_rating_round(actor=setup.psychometrician, study=study)
    with pytest.raises(ItemBankError) as exhausted:
        open_rating_round(actor=setup.psychometrician, study=study, discussion_notes="More?")

    assert silent.value.code == "discussion_notes_required"
    assert exhausted.value.code == "no_rounds_left"
    assert StudyRound.objects.get(study=study, number=1).discussion_notes.startswith("Items 2")


def test_the_cut_comes_from_the_final_round_with_its_standard_error(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    for judge, value in zip(judges, (40, 60, 80), strict=True):
        rate_all(study, judge, value)
    close_rating_round(actor=setup.psychometrician, study=study)
    open_rating_round(actor=setup.psychometrician, study=study, discussion_notes="Converged.")
    for judge, value in zip(judges, (55, 60, 65), strict=True):
        rate_all(study, judge, value)
    close_rating_round(actor=setup.psychometrician, study=study)

    computed = compute_cut_score(actor=setup.psychometrician, study=study)

    assert computed.status == StudyStatus.COMPUTED
    assert computed.cut_score == Decimal("3.00")
    assert computed.standard_error == pytest.approx(0.144, abs=0.001)
    assert computed.pass_mark == Decimal(3)
    assert [r["cut_score"] for r in computed.result["rounds"]] == [3.0, 3.0]
    assert computed.result["rounds"][0]["judge_sd"] == 1.0
    assert computed.result["judges"] == 3
    event = AuditEvent.objects.get(event_type=StatisticsEvent.CUT_COMPUTED)
    assert event.data["pass_mark"] == "3.00"
    assert OutboxMessage.objects.filter(template="itembank_cut_score_proposed").exists()


def test_a_pass_mark_other_than_the_cut_needs_a_rationale_and_a_valid_range(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    for judge in judges:
        rate_all(study, judge, 58)
    close_rating_round(actor=setup.psychometrician, study=study)

    with pytest.raises(ItemInputError) as silent:
        compute_cut_score(actor=setup.psychometrician, study=study, pass_mark=Decimal(2))
    with pytest.raises(ItemInputError) as too_high:
        compute_cut_score(actor=setup.psychometrician, study=study, pass_mark=Decimal(9),
                          rationale="Why not")  # fmt: skip
    computed = compute_cut_score(
        actor=setup.psychometrician, study=study, pass_mark=Decimal(2),
        rationale="One SE below the cut: false fails cost more than false passes here.",
    )  # fmt: skip

    assert (silent.value.code, too_high.value.code) == (
        "rationale_required",
        "pass_mark_out_of_range",
    )
    assert computed.result["recommended_pass_mark"] == "3"
    assert computed.pass_mark == Decimal(2)


def test_hofstee_and_beuk_are_computed_when_every_judge_gives_them_and_data_exists(
    setup: FormSetup, judges: list[User]
) -> None:
    record_simulated(setup, candidates=120)
    study = _ready(setup, judges)
    items = form_items_of(setup.form)
    for judge in judges:
        save_angoff_ratings(
            actor=judge, study=study, ratings={item.version_id: 60 for item in items}, submit=True,
            compromise=CompromiseJudgements(Decimal(40), Decimal(80), Decimal(10), Decimal(40),
                                            Decimal(60), Decimal(70)),
        )  # fmt: skip
    close_rating_round(actor=setup.psychometrician, study=study)

    computed = compute_cut_score(actor=setup.psychometrician, study=study)

    assert computed.result["hofstee"] is not None
    assert computed.result["beuk"] is not None
    assert 0 <= computed.result["hofstee"]["cut_score"] <= 5
    assert computed.result["projected_pass_rate"] is not None
    assert computed.result["judge_p_value_correlations"] is not None


def test_compromise_judgements_must_be_ordered_percentages(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)

    with pytest.raises(ItemInputError) as error:
        save_angoff_ratings(
            actor=judges[0], study=study, ratings={},
            compromise=CompromiseJudgements(Decimal(80), Decimal(40), Decimal(10), Decimal(40),
                                            Decimal(60), Decimal(70)),
        )  # fmt: skip

    assert error.value.code == "bad_judgements"


def test_without_compromise_judgements_the_result_says_so(
    setup: FormSetup, judges: list[User]
) -> None:
    study = _ready(setup, judges)
    for judge in judges:
        rate_all(study, judge, 60)
    close_rating_round(actor=setup.psychometrician, study=study)

    computed = compute_cut_score(actor=setup.psychometrician, study=study)

    assert computed.result["hofstee"] is None
    assert computed.result["notes"] == [
        "Hofstee and Beuk: not every judge gave the compromise judgements"
    ]


def test_only_the_facilitator_runs_the_study(setup: FormSetup, judges: list[User]) -> None:
    study = _open(setup, judges)
    colleague = make_staff(RoleCode.PSYCHOMETRICIAN, scheme=setup.scheme)

    with pytest.raises(StudyAccessError) as error:
        open_rating_round(actor=colleague, study=study)

    assert error.value.code == "not_facilitator"


def test_a_cancelled_study_frees_the_form_for_another(setup: FormSetup, judges: list[User]) -> None:
    study = _open(setup, judges)

    with pytest.raises(ItemInputError) as silent:
        cancel_study(actor=setup.psychometrician, study=study, reason=" ")
    cancel_study(actor=setup.psychometrician, study=study, reason="Form withdrawn for rework.")
    second = _open(setup, judges)

    assert silent.value.code == "reason_required"
    assert second.status == StudyStatus.SETUP


def test_a_study_is_of_a_frozen_form(setup: FormSetup, judges: list[User]) -> None:
    from peritus.itembank.services import assemble_forms

    [draft] = assemble_forms(
        actor=setup.psychometrician, blueprint=setup.form.blueprint, code_prefix="CSP-NEW"
    )

    with pytest.raises(ItemBankError) as error:
        _open(setup, judges, form=draft)

    assert error.value.code == "form_not_approved"
