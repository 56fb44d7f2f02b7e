"""Classical item and test statistics against hand computations and published values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from peritus.psychometrics.classical import analyze, binomial_csem
from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.tests.conftest import lsat6_expanded

# Six candidates, four items. Every reference value below is worked out by hand in the comment
# next to it (variances divide by N).
HAND = np.array(
    [
        [1, 1, 1, 1],  # total 4
        [1, 1, 1, 0],  # 3
        [1, 1, 0, 0],  # 2
        [1, 0, 1, 0],  # 2
        [0, 1, 0, 0],  # 1
        [0, 0, 0, 0],  # 0
    ],
    dtype=np.int8,
)


def test_p_values_are_proportions_correct() -> None:
    result = analyze(HAND)
    # 4/6, 4/6, 3/6, 1/6
    assert np.allclose(result.p_value, [4 / 6, 4 / 6, 3 / 6, 1 / 6])


def test_test_mean_variance_and_sds() -> None:
    test = analyze(HAND).test
    # totals 4,3,2,2,1,0: mean 2; squared deviations 4+1+0+0+1+4 = 10
    assert test.mean == pytest.approx(2.0)
    assert test.variance == pytest.approx(10 / 6)
    assert test.sd == pytest.approx(math.sqrt(10 / 6))
    assert test.sd_ddof == pytest.approx(math.sqrt(10 / 5))
    assert test.median == pytest.approx(2.0)
    assert (test.minimum, test.maximum, test.max_score) == (0, 4, 4)


def test_kr20_and_alpha_match_the_hand_computation() -> None:
    test = analyze(HAND).test
    # sum pq = 2/9 + 2/9 + 1/4 + 5/36 = 30/36; KR-20 = 4/3 * (1 - (30/36) / (10/6)) = 2/3
    assert test.kr20 == pytest.approx(2 / 3)
    assert test.alpha == pytest.approx(2 / 3)
    # KR-21 = 4/3 * (1 - 2 * (4 - 2) / (4 * 10/6)) = 4/3 * (1 - 0.6) = 8/15
    assert test.kr21 == pytest.approx(8 / 15)
    # SEM = sd_ddof * sqrt(1 - 2/3) = sqrt(2) * sqrt(1/3) = sqrt(2/3)
    assert test.sem == pytest.approx(math.sqrt(2 / 3))


def test_point_biserial_includes_the_item_and_item_rest_excludes_it() -> None:
    result = analyze(HAND)
    # Item 1: cov(x, t) = 11/6 - (2/3)(2) = 1/2; var x = 2/9; r = 0.5 / sqrt(2/9 * 10/6)
    assert result.point_biserial[0] == pytest.approx(0.5 / math.sqrt(2 / 9 * 10 / 6))
    # rest = t - x: cov = 1/2 - 2/9 = 5/18; var(rest) = 10/6 - 1 + 2/9 = 8/9;
    # r = (5/18) / sqrt(2/9 * 8/9) = 5/8
    assert result.item_rest_correlation[0] == pytest.approx(5 / 8)


def test_alpha_if_item_deleted() -> None:
    result = analyze(HAND)
    # Without item 4: totals 3,3,2,2,1,0, variance 41/36; sum of item variances 25/36;
    # alpha = 3/2 * (1 - 25/41) = 24/41
    assert result.alpha_if_deleted[3] == pytest.approx(24 / 41)


def test_discrimination_index_uses_exact_27_percent_groups() -> None:
    result = analyze(HAND)
    # 27% of 6 = 1.62 candidates. Upper: the 4 (weight 1) and 0.62 of the single 3.
    # Lower: the 0 (weight 1) and 0.62 of the single 1.
    # Item 4 is right only for the 4: upper p = 1 / 1.62, lower p = 0.
    assert result.upper_p[3] == pytest.approx(1 / 1.62)
    assert result.lower_p[3] == pytest.approx(0.0)
    # Item 2 is right for the 4, the 3 and the 1: upper (1 + .62) / 1.62 = 1; lower .62 / 1.62
    assert result.discrimination_index[1] == pytest.approx(1 - 0.62 / 1.62)


def test_conditional_sem_is_lords_binomial_error() -> None:
    result = analyze(HAND)
    # Lord (1957): sqrt(x (k - x) / (k - 1)); at x = 2 on 4 items: sqrt(4 / 3)
    assert result.csem[2] == pytest.approx(math.sqrt(4 / 3))
    assert binomial_csem(0, 4) == pytest.approx(0.0)
    # every level 0..4 is observed here, so every level has an estimate
    assert np.all(np.isfinite(result.csem))


def test_score_distribution_counts_every_level() -> None:
    result = analyze(HAND)
    assert result.score_counts.tolist() == [1, 1, 2, 1, 1]
    assert result.level_item_sums[2].tolist() == [2, 1, 1, 0]


def test_lsat6_matches_mirt_itemstats() -> None:
    # Reference: mirt documentation for LSAT6, ``itemstats(expand.table(LSAT6))`` (mirt 1.45):
    # mean total 3.819, sd 1.035 (N - 1), alpha 0.295, SEM.alpha 0.869; total.r (point-biserial
    # with the item included), total.r_if_rm (item-rest) and alpha_if_rm per item.
    result = analyze(lsat6_expanded())
    test = result.test
    assert test.mean == pytest.approx(3.819, abs=5e-4)
    assert test.sd_ddof == pytest.approx(1.035, abs=5e-4)
    assert test.alpha == pytest.approx(0.295, abs=5e-4)
    assert test.sem == pytest.approx(0.869, abs=5e-4)
    assert np.allclose(result.p_value, [0.924, 0.709, 0.553, 0.763, 0.870], atol=5e-4)
    assert np.allclose(result.point_biserial, [0.362, 0.567, 0.618, 0.534, 0.435], atol=5e-4)
    assert np.allclose(result.item_rest_correlation, [0.113, 0.153, 0.173, 0.144, 0.122], atol=5e-4)
    assert np.allclose(result.alpha_if_deleted, [0.275, 0.238, 0.217, 0.246, 0.266], atol=5e-4)


def test_partial_credit_items_use_pearson_correlations_and_alpha() -> None:
    rng = np.random.default_rng(7)
    scores = rng.integers(0, 4, size=(200, 6)).astype(np.int8)
    scores[:, 0] = np.minimum(scores[:, 1] + rng.integers(0, 2, 200), 3)
    result = analyze(scores, max_scores=[3] * 6)
    # Independent computation with plain NumPy floats.
    x = scores.astype(np.float64)
    total = x.sum(axis=1)
    expected_alpha = 6 / 5 * (1 - x.var(axis=0).sum() / total.var())
    assert result.test.alpha == pytest.approx(expected_alpha)
    assert math.isnan(result.test.kr20)
    assert result.point_biserial[0] == pytest.approx(np.corrcoef(x[:, 0], total)[0, 1])
    assert result.p_value[0] == pytest.approx(x[:, 0].mean() / 3)
    # Item-sampling conditional SEM: average of k/(k-1) (sum x_j^2 - t^2/k) at each level.
    level = int(np.median(total))
    rows = x[total == level]
    within = 6 / 5 * ((rows**2).sum(axis=1) - level**2 / 6)
    assert result.csem[level] == pytest.approx(math.sqrt(within.mean()))


def test_an_item_everyone_answered_right_has_undefined_correlations_with_a_note() -> None:
    scores = HAND.copy()
    scores[:, 0] = 1
    result = analyze(scores)
    assert math.isnan(result.point_biserial[0])
    assert math.isnan(result.item_rest_correlation[0])
    assert result.item_notes[0][0].startswith("no_variance")
    assert math.isfinite(result.test.alpha)


def test_constant_total_score_leaves_reliability_undefined() -> None:
    scores = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.int8)
    result = analyze(scores)
    assert math.isnan(result.test.alpha)
    assert math.isnan(result.test.sem)
    assert any(note.startswith("constant_total") for note in result.test.notes)
    assert np.all(np.isnan(result.discrimination_index))


def test_single_candidate_is_analysed_with_documented_gaps() -> None:
    result = analyze(np.array([[1, 0, 1]], dtype=np.int8))
    assert result.test.n_candidates == 1
    assert result.test.mean == 2
    assert math.isnan(result.test.sd_ddof)
    assert math.isnan(result.test.alpha)
    assert any(note.startswith("single_candidate") for note in result.test.notes)


def test_single_item_has_no_reliability() -> None:
    result = analyze(np.array([[1], [0], [1]], dtype=np.int8))
    assert math.isnan(result.test.alpha)
    assert result.point_biserial[0] == pytest.approx(1.0)
    assert math.isnan(result.item_rest_correlation[0])


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        (np.array([[0.5, 1.0]]), "non_integer"),
        (np.array([[1, -1]]), "score_out_of_range"),
        (np.array([[1, 2]]), "score_out_of_range"),
        (np.zeros((0, 3), dtype=np.int8), "no_candidates"),
        (np.zeros((3, 0), dtype=np.int8), "no_items"),
        (np.array([1, 0, 1]), "not_a_matrix"),
    ],
)
def test_invalid_matrices_are_refused_with_a_code(scores: np.ndarray, code: str) -> None:
    with pytest.raises(PsychometricsInputError) as error:
        analyze(scores)
    assert error.value.code == code


def test_block_size_does_not_change_any_result() -> None:
    rng = np.random.default_rng(3)
    scores = (rng.random((503, 17)) < rng.random(17)).astype(np.int8)
    whole = analyze(scores, chunk_rows=10_000)
    for rows in (1, 7, 64):
        part = analyze(scores, chunk_rows=rows)
        assert np.array_equal(part.level_item_sums, whole.level_item_sums)
        assert part.test == whole.test
        assert np.allclose(part.point_biserial, whole.point_biserial, equal_nan=True)


def test_distractor_analysis_counts_choices_and_correlates_with_the_rest_score() -> None:
    from peritus.psychometrics.scoring import ItemKey, ItemKind

    # Item 1 keyed B. Selections as bit masks: A=1, B=2, C=4, omitted=0.
    selections = np.array(
        [[2, 1], [2, 1], [1, 2], [4, 2], [0, 2], [2, 2]],
        dtype=np.uint8,
    )
    keys = [
        ItemKey("Q1", ItemKind.SINGLE, frozenset("B"), ("A", "B", "C")),
        ItemKey("Q2", ItemKind.SINGLE, frozenset("A"), ("A", "B")),
    ]
    scores = np.stack([(selections[:, 0] == 2), (selections[:, 1] == 1)], axis=1).astype(np.int8)
    result = analyze(scores, selections=selections, keys=keys)
    options = result.options
    assert options is not None
    assert options.labels == ("A", "B", "C", "omit")
    # Q1: A chosen by 1, B by 3, C by 1, omitted by 1 of 6
    assert options.count[0].tolist() == [1, 3, 1, 1]
    assert options.proportion[0, 1] == pytest.approx(0.5)
    # Q2 has two options: its C column does not exist
    assert math.isnan(options.proportion[1, 2])
    # Option-rest correlation of the key equals the item-rest correlation
    assert options.rest_correlation[0, 1] == pytest.approx(result.item_rest_correlation[0])
    # Independent computation for distractor A of Q1: indicator vs rest score (= Q2 score)
    indicator = (selections[:, 0] == 1).astype(float)
    rest = scores[:, 1].astype(float)
    assert options.rest_correlation[0, 0] == pytest.approx(np.corrcoef(indicator, rest)[0, 1])
    assert options.is_key[0].tolist() == [False, True, False, False]


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.int8, st.tuples(st.integers(2, 40), st.integers(2, 12)), elements=st.integers(0, 1)
    ),
    st.integers(0, 2**32 - 1),
)
def test_alpha_and_item_statistics_do_not_depend_on_item_order(
    scores: np.ndarray, seed: int
) -> None:
    order = np.random.default_rng(seed).permutation(scores.shape[1])
    original = analyze(scores)
    shuffled = analyze(scores[:, order])
    assert (math.isnan(original.test.alpha) and math.isnan(shuffled.test.alpha)) or (
        shuffled.test.alpha == pytest.approx(original.test.alpha)
    )
    assert np.allclose(shuffled.p_value, original.p_value[order])
    assert np.allclose(
        shuffled.item_rest_correlation, original.item_rest_correlation[order], equal_nan=True
    )


@settings(max_examples=40, deadline=None)
@given(
    hnp.arrays(
        np.int8, st.tuples(st.integers(1, 40), st.integers(1, 10)), elements=st.integers(0, 3)
    )
)
def test_statistics_stay_in_their_ranges(scores: np.ndarray) -> None:
    result = analyze(scores, max_scores=[3] * scores.shape[1])
    assert np.all((result.p_value >= 0) & (result.p_value <= 1))
    for values in (result.point_biserial, result.item_rest_correlation):
        finite = values[np.isfinite(values)]
        assert np.all((finite >= -1) & (finite <= 1))
    alpha = result.test.alpha
    assert math.isnan(alpha) or alpha <= 1 + 1e-12
    assert result.score_counts.sum() == scores.shape[0]


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(
        np.int8, st.tuples(st.integers(2, 30), st.integers(2, 8)), elements=st.integers(0, 1)
    )
)
def test_candidate_order_changes_nothing_not_even_the_high_low_groups(scores: np.ndarray) -> None:
    order = np.random.default_rng(1).permutation(scores.shape[0])
    a = analyze(scores)
    b = analyze(scores[order])
    assert np.allclose(a.discrimination_index, b.discrimination_index, equal_nan=True)
    assert a.test == b.test


@settings(max_examples=30, deadline=None)
@given(
    hnp.arrays(
        np.int8, st.tuples(st.integers(2, 30), st.integers(2, 8)), elements=st.integers(0, 1)
    )
)
def test_kr20_equals_alpha_for_dichotomous_items(scores: np.ndarray) -> None:
    test = analyze(scores).test
    assert (math.isnan(test.kr20) and math.isnan(test.alpha)) or test.kr20 == pytest.approx(
        test.alpha
    )
