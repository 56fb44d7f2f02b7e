"""Responses parsed from the page, and scored against the delivered item versions (pure)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peritus.exams.delivery.responses import (
    LoggedAnswer,
    ResponseError,
    is_answered,
    parse_response,
    replay,
)
from peritus.exams.delivery.scoring import (
    ItemScore,
    KeyDecision,
    KeyOverride,
    by_domain,
    raw_score,
    score_entry,
    to_component_scale,
    total,
)
from peritus.exams.tests.delivery_factories import ITEMS, RIGHT, WRONG
from peritus.itembank.qti.content import (
    InteractionType,
    ItemContent,
    Option,
    Scoring,
    ScoringMethod,
)

OBJECTIVE = [name for name in ITEMS if name != "essay"]


@pytest.mark.parametrize("name", OBJECTIVE)
def test_the_right_answer_scores_the_item_s_points_and_a_wrong_one_nothing(name: str) -> None:
    content, _ = ITEMS[name]

    right = parse_response(content, RIGHT[name])
    wrong = parse_response(content, WRONG[name])

    assert raw_score(content, right) == content.max_score
    assert raw_score(content, wrong) == 0


@pytest.mark.parametrize("name", OBJECTIVE)
def test_no_answer_scores_nothing_and_counts_as_unanswered(name: str) -> None:
    content, _ = ITEMS[name]

    response = parse_response(content, {})

    assert response == ()
    assert raw_score(content, response) == 0
    assert not is_answered(content, response)


def test_text_entry_ignores_case_and_repeated_spaces() -> None:
    content = ItemContent(InteractionType.TEXT_ENTRY, stem="<p>x <gap/></p>", key=("public key",))

    assert raw_score(content, parse_response(content, {"response": ["  Public   KEY "]})) == 1


def test_numeric_entry_accepts_a_decimal_comma_and_equal_numbers() -> None:
    content, _ = ITEMS["numeric"]

    assert parse_response(content, {"response": ["256,00"]}) == ("256.00",)
    assert raw_score(content, ("256.00",)) == 1


def test_a_numeric_entry_that_is_not_a_number_is_refused() -> None:
    content, _ = ITEMS["numeric"]

    with pytest.raises(ResponseError) as error:
        parse_response(content, {"response": ["two hundred"]})

    assert error.value.code == "not_a_number"


def test_an_option_the_item_does_not_have_is_refused() -> None:
    content, _ = ITEMS["single"]

    with pytest.raises(ResponseError) as error:
        parse_response(content, {"response": ["Z"]})

    assert error.value.code == "unknown_option"


def test_a_half_finished_ordering_is_kept_but_scores_nothing() -> None:
    content, _ = ITEMS["order"]

    response = parse_response(content, {"order-P1": ["1"]})

    assert response == ("1", "", "")
    assert not is_answered(content, response)
    assert raw_score(content, response) == 0


def test_an_ordering_giving_a_position_twice_is_refused() -> None:
    content, _ = ITEMS["order"]

    with pytest.raises(ResponseError) as error:
        parse_response(content, {"order-P1": ["1"], "order-P2": ["1"]})

    assert error.value.code == "position_repeated"


def test_partial_credit_sums_the_mapped_values_within_the_bounds() -> None:
    content = ItemContent(
        InteractionType.MULTIPLE_RESPONSE,
        stem="<p>Pick the controls.</p>",
        options=(Option("A", "a"), Option("B", "b"), Option("C", "c")),
        key=("A", "B"),
        scoring=Scoring(
            method=ScoringMethod.MAP_RESPONSE, mapping=(("A", 1.0), ("B", 1.0), ("C", -1.0)),
            lower_bound=0.0,
        ),
    )  # fmt: skip

    assert raw_score(content, ("A",)) == 1
    assert raw_score(content, ("A", "B")) == 2
    assert raw_score(content, ("C",)) == 0


def test_a_re_keyed_item_scores_against_the_corrected_key() -> None:
    content, _ = ITEMS["single"]
    rekey = KeyOverride(KeyDecision.REKEY, ("A",))

    score = score_entry(
        entry_id=1, content=content, points=Decimal(1), response=("A",), override=rekey
    )

    assert score.score == 1


def test_credit_all_gives_everyone_the_points_and_drop_removes_the_item() -> None:
    content, _ = ITEMS["single"]

    credited = score_entry(
        entry_id=1, content=content, points=Decimal(2), response=(),
        override=KeyOverride(KeyDecision.CREDIT_ALL),
    )  # fmt: skip
    dropped = score_entry(
        entry_id=1, content=content, points=Decimal(2), response=("B",),
        override=KeyOverride(KeyDecision.DROP),
    )  # fmt: skip

    assert (credited.score, credited.max_score) == (Decimal(2), Decimal(2))
    assert dropped.counted is False
    assert total([dropped]) == (Decimal(0), Decimal(0))


def test_an_extended_response_waits_for_its_rubric_mark() -> None:
    content, _ = ITEMS["essay"]

    waiting = score_entry(entry_id=9, content=content, points=Decimal(5), response=("text",))
    marked = score_entry(
        entry_id=9, content=content, points=Decimal(5), response=("text",),
        rubric_score=Decimal("3.5"),
    )  # fmt: skip

    assert waiting.is_rubric
    with pytest.raises(ValueError, match="rubric"):
        total([waiting])
    assert marked.score == Decimal("3.5")


def test_scores_per_domain_add_up_to_the_total() -> None:
    scores = [
        ItemScore(1, Decimal(1), Decimal(1), True),
        ItemScore(2, Decimal(0), Decimal(2), True),
        ItemScore(3, Decimal(2), Decimal(2), True),
    ]

    domains = by_domain(scores, {1: ("D1", "Identity"), 2: ("D1", "Identity"), 3: ("D2", "Data")})

    assert [(d.code, d.score, d.max_score, d.percent) for d in domains] == [
        ("D1", Decimal(1), Decimal(3), Decimal(33)),
        ("D2", Decimal(2), Decimal(2), Decimal(100)),
    ]


@given(
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=1, max_value=399),
)
def test_the_component_scale_passes_exactly_at_the_form_s_cut(
    raw_hundredths: int, cut_hundredths: int
) -> None:
    maximum = Decimal(4)
    raw = Decimal(raw_hundredths) / 100
    cut = Decimal(cut_hundredths) / 100

    scaled = to_component_scale(
        raw, maximum=maximum, cut=cut, component_max=Decimal(100), component_pass=Decimal(60)
    )

    assert Decimal(0) <= scaled <= Decimal(100)
    assert (scaled >= 60) is (raw >= cut)


def test_the_current_answer_is_the_last_one_in_the_log_whatever_order_it_is_read_in() -> None:
    log = [
        LoggedAnswer(1, 3, ("C",), False),
        LoggedAnswer(1, 1, ("A",), False),
        LoggedAnswer(2, 2, ("B",), True),
    ]

    current = replay(log)

    assert current[1].response == ("C",)
    assert current[2].flagged is True
