"""Modified Angoff, Hofstee and Beuk against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peritus.psychometrics.errors import PsychometricsInputError
from peritus.psychometrics.standard_setting import beuk, hofstee, modified_angoff

# Two rounds, three judges, four items (probabilities for the minimally competent candidate).
RATINGS = np.array(
    [
        [[0.6, 0.5, 0.7, 0.4], [0.8, 0.6, 0.9, 0.5], [0.5, 0.4, 0.6, 0.3]],
        [[0.6, 0.5, 0.8, 0.4], [0.7, 0.6, 0.8, 0.5], [0.6, 0.5, 0.7, 0.4]],
    ]
)


def test_angoff_cut_is_the_mean_of_judge_sums_in_the_final_round() -> None:
    result = modified_angoff(RATINGS)
    # Final round judge cuts: 2.3, 2.6, 2.2 -> mean 2.366667; SD (N-1) = 0.208167
    assert result.judge_cuts.tolist() == pytest.approx([2.3, 2.6, 2.2])
    assert result.cut_score == pytest.approx(7.1 / 3)
    sd = math.sqrt(((2.3 - 7.1 / 3) ** 2 + (2.6 - 7.1 / 3) ** 2 + (2.2 - 7.1 / 3) ** 2) / 2)
    assert result.judge_sd == pytest.approx(sd)
    assert result.standard_error == pytest.approx(sd / math.sqrt(3))
    assert result.cut_percent == pytest.approx(100 * 7.1 / 3 / 4)
    # Round 1: 2.2, 2.8, 1.8 -> 6.8 / 3
    assert result.rounds[0].cut_score == pytest.approx(6.8 / 3)
    assert list(result.judge_range) == pytest.approx([2.2, 2.6])


def test_angoff_variance_components_and_icc_follow_the_two_way_anova() -> None:
    final = RATINGS[-1]
    result = modified_angoff(RATINGS)
    # Independent two-way ANOVA (judges x items, one rating per cell).
    grand = final.mean()
    ss_j = 4 * ((final.mean(axis=1) - grand) ** 2).sum()
    ss_i = 3 * ((final.mean(axis=0) - grand) ** 2).sum()
    ss_total = ((final - grand) ** 2).sum()
    ms_j, ms_i = ss_j / 2, ss_i / 3
    ms_r = (ss_total - ss_j - ss_i) / 6
    assert result.variance_residual == pytest.approx(ms_r)
    assert result.variance_judges == pytest.approx(max((ms_j - ms_r) / 4, 0))
    assert result.variance_items == pytest.approx(max((ms_i - ms_r) / 3, 0))
    icc_single = (ms_i - ms_r) / (ms_i + 2 * ms_r + 3 * (ms_j - ms_r) / 4)
    assert result.icc_single == pytest.approx(icc_single)


def test_angoff_judge_consistency_with_item_p_values() -> None:
    result = modified_angoff(RATINGS, p_values=[0.7, 0.55, 0.85, 0.4])
    assert result.judge_p_value_correlation is not None
    expected = np.corrcoef(RATINGS[-1][0], [0.7, 0.55, 0.85, 0.4])[0, 1]
    assert result.judge_p_value_correlation[0] == pytest.approx(expected)


def test_angoff_refuses_ratings_outside_the_item_range() -> None:
    with pytest.raises(PsychometricsInputError) as caught:
        modified_angoff(np.array([[0.5, 1.2]]))
    assert caught.value.code == "rating_out_of_range"
    with pytest.raises(PsychometricsInputError) as gap:
        modified_angoff(np.array([[0.5, np.nan]]))
    assert gap.value.code == "incomplete_ratings"


# 20 candidates on a 10-point test.
SCORES = np.array([2, 3, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 10])


def test_hofstee_cut_is_where_the_fail_curve_meets_the_line() -> None:
    # Line from (40%, fail 0.60) to (80%, fail 0.10): fail(k) = 0.6 - 0.0125 (k - 40).
    # Observed F(c) = P(score < c): F(5)=0.20 vs line 0.475; F(6)=0.35 vs 0.35 -> meets at 6.
    result = hofstee(
        SCORES, max_score=10, min_cut_percent=40, max_cut_percent=80,
        min_fail_rate=0.10, max_fail_rate=0.60,
    )  # fmt: skip
    assert result.cut_score == 6
    assert result.fail_rate == pytest.approx(0.35)
    assert result.crossing_percent == pytest.approx(60.0)
    assert result.intersects


def test_hofstee_uses_the_mean_of_the_judges() -> None:
    one = hofstee(
        SCORES, max_score=10, min_cut_percent=40, max_cut_percent=80,
        min_fail_rate=0.10, max_fail_rate=0.60,
    )  # fmt: skip
    many = hofstee(
        SCORES, max_score=10, min_cut_percent=[30, 50], max_cut_percent=[70, 90],
        min_fail_rate=[0.05, 0.15], max_fail_rate=[0.5, 0.7],
    )  # fmt: skip
    assert one == many


def test_beuk_cut_is_where_the_line_meets_the_pass_curve() -> None:
    # Judges: cuts 50, 60, 70 (% of max), pass rates 0.8, 0.7, 0.6.
    # Means 60% and 0.7; SDs 10 and 0.1, slope 0.01 per percent: line p(k) = 0.7 + 0.01 (k - 60)
    # Pass rate P(score >= c): c=6 -> 0.65 (line 0.70, below); c=7 -> 0.45 (line 0.80, above)
    # first c where line >= pass is 6; crossing between 5 (P=0.80, line 0.60) and 6.
    result = beuk(SCORES, max_score=10, judge_cut_percents=[50, 60, 70],
                  judge_pass_rates=[0.8, 0.7, 0.6])  # fmt: skip
    assert result.cut_score == 6
    assert result.pass_rate == pytest.approx(0.65)
    # gap at 5: 0.60 - 0.80 = -0.20; at 6: 0.70 - 0.65 = 0.05 -> 50 + 10 * 0.2 / 0.25 = 58
    assert result.crossing_percent == pytest.approx(58.0)
