"""Decision consistency and accuracy at a cut score."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from peritus.psychometrics.decisions import (
    fit_four_parameter_beta,
    livingston_lewis,
    sem_band,
    subkoviak,
)
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError


@pytest.mark.parametrize(
    ("a", "b", "low", "high"), [(2.5, 4.0, 0.1, 0.9), (6.0, 2.0, 0.0, 1.0), (3.0, 3.0, 0.2, 0.7)]
)
def test_four_parameter_beta_is_recovered_from_its_moments(
    a: float, b: float, low: float, high: float
) -> None:
    mean, var, skew, kurt = stats.beta(a, b, loc=low, scale=high - low).stats(moments="mvsk")
    fitted = fit_four_parameter_beta((float(mean), float(var), float(skew), float(kurt)))
    assert fitted is not None
    assert [fitted.alpha, fitted.beta, fitted.lower, fitted.upper] == pytest.approx(
        [a, b, low, high]
    )


def test_livingston_lewis_agrees_with_a_monte_carlo_of_its_own_model() -> None:
    # Independent check: simulate true proportions from a beta, two parallel binomial forms,
    # and count how often observed and true classifications (and the two forms) agree.
    rng = np.random.default_rng(5)
    n, k, cut = 400_000, 40, 28
    tau = rng.beta(6, 3, n)
    form1 = rng.binomial(k, tau)
    form2 = rng.binomial(k, tau)
    reliability = float(np.var(tau) * k * k / np.var(form1))
    result = livingston_lewis(form1, cut=cut, reliability=reliability, max_score=k)
    assert result.effective_test_length == k
    simulated_accuracy = float(np.mean((form1 >= cut) == (tau * k >= cut)))
    simulated_consistency = float(np.mean((form1 >= cut) == (form2 >= cut)))
    assert result.accuracy == pytest.approx(simulated_accuracy, abs=0.005)
    assert result.consistency == pytest.approx(simulated_consistency, abs=0.005)
    assert result.accuracy is not None
    assert result.false_pass is not None
    assert result.false_fail is not None
    assert result.accuracy + result.false_pass + result.false_fail == pytest.approx(1.0)
    pass_rate = float(np.mean(form1 >= cut))
    chance = pass_rate**2 + (1 - pass_rate) ** 2
    assert result.kappa == pytest.approx((result.consistency - chance) / (1 - chance), abs=0.01)


def test_subkoviak_matches_a_hand_computation() -> None:
    # Four candidates on a 5-item test, KR-20 taken as 0.6, cut 3.
    scores = np.array([1, 2, 3, 5])
    r, k, cut = 0.6, 5, 3
    mean = scores.mean()  # 2.75
    agreement = []
    passing = []
    for x in scores:
        tau = r * x / k + (1 - r) * mean / k  # Kelley's regressed true proportion
        p = sum(math.comb(k, s) * tau**s * (1 - tau) ** (k - s) for s in range(cut, k + 1))
        passing.append(p)
        agreement.append(p * p + (1 - p) * (1 - p))
    p0 = sum(agreement) / 4
    pbar = sum(passing) / 4
    pc = pbar**2 + (1 - pbar) ** 2
    result = subkoviak(scores, cut=cut, reliability=r, n_items=k)
    assert result.consistency == pytest.approx(p0)
    assert result.kappa == pytest.approx((p0 - pc) / (1 - pc))
    assert result.observed_pass_rate == pytest.approx(0.5)


def test_sem_band_counts_candidates_near_the_cut() -> None:
    scores = np.array([10, 14, 15, 16, 17, 19, 20, 25])
    band = sem_band(scores, cut=17, sem=2.0, n_items=30)
    # [15, 19): 15, 16, 17
    assert (band.lower, band.upper, band.n_within) == (15.0, 19.0, 3)
    assert band.csem == pytest.approx(math.sqrt(17 * 13 / 29))


def test_unusable_settings_are_refused() -> None:
    scores = np.array([1, 2, 3, 4, 5])
    with pytest.raises(PsychometricsInputError) as cut:
        livingston_lewis(scores, cut=0, reliability=0.8, max_score=5)
    assert cut.value.code == "cut_out_of_range"
    with pytest.raises(PsychometricsError) as rel:
        livingston_lewis(scores, cut=3, reliability=1.0, max_score=5)
    assert rel.value.code == "reliability_out_of_range"
    with pytest.raises(PsychometricsError) as constant:
        livingston_lewis(np.array([3, 3, 3]), cut=3, reliability=0.5, max_score=5)
    assert constant.value.code == "constant_scores"
