"""Equating (Kolen & Brennan 2014): hand values, identities and a design check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peritus.psychometrics.equating import (
    chained_equipercentile,
    equipercentile,
    levine_observed,
    linear,
    percentile_point,
    percentile_rank,
    tucker,
)


def test_percentile_ranks_follow_kolen_and_brennan_eq_2_14() -> None:
    freq = np.array([0.2, 0.3, 0.2, 0.2, 0.1])
    # P(x) = 100 [F(x* - 1) + (x - (x* - .5)) f(x*)]:
    # P(0) = 100 (0 + .5 * .2) = 10; P(1) = 100 (.2 + .5 * .3) = 35; P(1.3) = 100 (.2 + .8 * .3)
    assert percentile_rank(freq, [0, 1, 2, 3, 4, 1.3]) == pytest.approx([10, 35, 60, 80, 95, 44])
    # The inverse takes ranks back to scores.
    assert percentile_point(freq, [10, 35, 44, 95]) == pytest.approx([0, 1, 1.3, 4])


def test_linear_equating_matches_means_and_sds() -> None:
    x = np.array([10, 12, 14, 16, 18])  # mean 14, sd sqrt(8)
    y = np.array([20, 24, 28, 32, 36])  # mean 28, sd 2 sqrt(8)
    result = linear(x, y, max_x=20)
    assert result.slope == pytest.approx(2.0)
    assert result.intercept == pytest.approx(0.0)
    assert result.equate([14]) == pytest.approx([28])


def test_tucker_and_levine_reduce_to_linear_when_the_groups_are_equivalent() -> None:
    rng = np.random.default_rng(4)
    true = rng.normal(size=5000)
    anchor = np.clip(np.round(10 + 3 * true + rng.normal(size=5000)), 0, 20)
    x = np.clip(np.round(25 + 6 * true + rng.normal(size=5000) * 2), 0, 50)
    y = np.clip(np.round(28 + 5 * true + rng.normal(size=5000) * 2), 0, 50)
    # Same population on both sides (identical anchor scores): the anchor adjustments vanish
    # and both methods become the random-groups linear equating of X to Y.
    expected = linear(x, y, max_x=50)
    for method in (tucker(x, anchor, y, anchor, max_x=50),
                   levine_observed(x, anchor, y, anchor, max_x=50)):  # fmt: skip
        assert method.slope == pytest.approx(expected.slope)
        assert method.intercept == pytest.approx(expected.intercept)


def test_tucker_hand_example() -> None:
    # Population 1: X = (1, 2, 3, 4), V = (1, 1, 2, 2); population 2: Y = (2, 3, 4, 5),
    # V = (2, 2, 3, 3). Moments (divide by N): mu1X 2.5, mu1V 1.5, var1X 1.25, var1V .25,
    # cov1XV .5; mu2Y 3.5, mu2V 2.5, var2Y 1.25, var2V .25, cov2YV .5. gamma1 = gamma2 = 2.
    # w1 = w2 = .5; dmu = -1; dvar = 0.
    # mu_sX = 2.5 - .5*2*(-1) = 3.5; mu_sY = 3.5 + .5*2*(-1) = 2.5
    # var_sX = 1.25 + .25*4*1 = 2.25; var_sY = 1.25 + .25*4*1 = 2.25 -> slope 1, intercept -1
    result = tucker([1, 2, 3, 4], [1, 1, 2, 2], [2, 3, 4, 5], [2, 2, 3, 3], max_x=4)
    assert result.slope == pytest.approx(1.0)
    assert result.intercept == pytest.approx(-1.0)
    assert result.details["synthetic_mean_x"] == pytest.approx(3.5)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=5, max_size=200), st.integers(0, 10))
def test_equating_a_form_to_itself_is_the_identity(scores: list[int], shift: int) -> None:
    x = np.array(scores)
    anchor = np.minimum(x // 3 + shift % 2, 12)
    points = np.arange(31)
    assert equipercentile(x, x, max_x=30, max_y=30).equated == pytest.approx(points, abs=1e-4)
    chained = chained_equipercentile(x, anchor, x, anchor, max_x=30, max_y=30, max_v=12)
    assert chained.equated == pytest.approx(points, abs=1e-4)
    if np.var(x) > 0 and np.var(anchor) > 0 and np.cov(x, anchor)[0, 1] != 0:
        assert tucker(x, anchor, x, anchor, max_x=30).equated == pytest.approx(points)
        assert levine_observed(x, anchor, x, anchor, max_x=30).equated == pytest.approx(points)
