"""Rasch and 2PL calibration, item fit and person estimates.

Published references (all on LSAT6, see conftest):

* ltm, ``ltm(LSAT ~ z1, IRT.param = TRUE)`` (2PL, 21 Gauss-Hermite points): log-likelihood
  -2466.653; Dffclt -3.3597, -1.3696, -0.2799, -1.8659, -3.1236 (SE .8669, .3073, .0997,
  .4341, .8700); Dscrmn .8254, .7229, .8905, .6886, .6575 (SE .2581, .1867, .2326, .1852,
  .2100). Printed in Rizopoulos (2006), J. Stat. Softw. 17(5), and ltm's documentation.
* ltm, ``rasch(LSAT)`` (common discrimination, 21 GH points): log-likelihood -2466.938;
  Dffclt -3.6153, -1.3224, -0.3176, -1.7301, -2.7802 (SE .3266, .1422, .0977, .1691, .2510);
  Dscrmn .7551 (SE .0694). Rizopoulos (2006).
* mirt, LSAT6 documentation example (61 rectangular points): Rasch intercepts d = 2.731,
  0.999, 0.240, 1.307, 2.100 with var(theta) = 0.572 (equal-slope form: a1 = 0.755); S-X2 =
  0.436, 1.576, 0.871, 0.190, 0.190.

ltm stops its quasi-Newton search at max|gradient| = 0.024 for the 2PL, so its 2PL estimates
are compared with a tolerance of 0.005 (ours reach the same log-likelihood to 1e-3 and a
gradient below 1e-6); the Rasch fit converges tightly in ltm and is compared to 1e-3.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special

from peritus.psychometrics.ability import estimate_abilities
from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.irt import calibrate, gauss_hermite, rectangular
from peritus.psychometrics.irt_fit import item_fit, summed_score_likelihoods
from peritus.psychometrics.marginal_likelihood import ResponseData, e_step, gradient_and_hessian


def test_2pl_on_lsat6_matches_ltm(lsat6: tuple[FloatArray, FloatArray]) -> None:
    patterns, weights = lsat6
    model = calibrate(patterns, weights=weights, model="2pl", quadrature=gauss_hermite(21))
    assert model.converged
    assert model.log_likelihood == pytest.approx(-2466.653, abs=1e-3)
    assert np.allclose(model.b, [-3.3597, -1.3696, -0.2799, -1.8659, -3.1236], atol=5e-3)
    assert np.allclose(model.a, [0.8254, 0.7229, 0.8905, 0.6886, 0.6575], atol=5e-3)
    assert np.allclose(model.se_b, [0.8669, 0.3073, 0.0997, 0.4341, 0.8700], atol=2e-3)
    assert np.allclose(model.se_a, [0.2581, 0.1867, 0.2326, 0.1852, 0.2100], atol=1e-3)


def test_rasch_on_lsat6_matches_ltm_and_mirt(lsat6: tuple[FloatArray, FloatArray]) -> None:
    patterns, weights = lsat6
    model = calibrate(patterns, weights=weights, model="rasch", quadrature=gauss_hermite(21))
    assert model.log_likelihood == pytest.approx(-2466.938, abs=1e-3)
    sigma = model.theta_sd
    assert sigma == pytest.approx(0.7551, abs=1e-4)
    assert model.theta_sd_se == pytest.approx(0.0694, abs=1e-4)
    # ltm reports difficulties on the N(0, 1) scale with a common slope: b / sigma.
    ltm_difficulty = model.b / sigma
    assert np.allclose(ltm_difficulty, [-3.6153, -1.3224, -0.3176, -1.7301, -2.7802], atol=1e-3)
    # SE of -d / sigma by the delta method from our covariance of (sigma, d_1..d_5).
    cov = model.covariance
    d = model.intercept
    se = [
        math.sqrt(
            cov[1 + j, 1 + j] / sigma**2
            + d[j] ** 2 / sigma**4 * cov[0, 0]
            - 2 * d[j] / sigma**3 * cov[0, 1 + j]
        )
        for j in range(5)
    ]
    assert np.allclose(se, [0.3266, 0.1422, 0.0977, 0.1691, 0.2510], atol=1e-3)
    assert np.all(model.a == 1.0)

    mirt = calibrate(patterns, weights=weights, model="rasch", quadrature=rectangular(61))
    assert np.allclose(mirt.intercept, [2.731, 0.999, 0.240, 1.307, 2.100], atol=1.5e-3)
    # mirt's equal-slope fit prints a1 = 0.755; its Rasch parameterisation prints
    # var(theta) = 0.572 (sqrt 0.7562): the two differ by mirt's EM tolerance of 1e-4 in the
    # parameters, hence the looser bound on the variance.
    assert mirt.theta_sd == pytest.approx(0.755, abs=1e-3)
    assert mirt.theta_sd**2 == pytest.approx(0.572, abs=2.5e-3)


def test_s_x2_on_lsat6_matches_mirt(lsat6: tuple[FloatArray, FloatArray]) -> None:
    patterns, weights = lsat6
    model = calibrate(patterns, weights=weights, model="rasch", quadrature=rectangular(61))
    fit = item_fit(model, patterns, weights=weights)
    assert np.allclose(fit.s_x2, [0.436, 1.576, 0.871, 0.190, 0.190], atol=2e-3)
    # Orlando & Thissen's df: score groups left after collapsing minus the item's parameters.
    assert np.all(fit.s_x2_df >= 1)
    assert np.all((fit.s_x2_p > 0.3) & (fit.s_x2_p <= 1))


def test_summed_score_recursion_matches_enumeration() -> None:
    p = np.array([[0.2, 0.7], [0.5, 0.4], [0.9, 0.1]])  # 3 items x 2 nodes
    dist = summed_score_likelihoods(p)
    for node in range(2):
        expected = np.zeros(4)
        for pattern in range(8):
            bits = [(pattern >> j) & 1 for j in range(3)]
            prob = math.prod(p[j, node] if bits[j] else 1 - p[j, node] for j in range(3))
            expected[sum(bits)] += prob
        assert np.allclose(dist[:, node], expected)


def _simulate(
    n: int, n_items: int, seed: int
) -> tuple[np.ndarray, FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0.0, 0.3, n_items)
    b = rng.normal(0.0, 1.0, n_items)
    theta = rng.normal(size=n)
    p = special.expit(a * (theta[:, None] - b))
    return (rng.random((n, n_items)) < p).astype(np.int8), a, b, theta


def test_2pl_recovers_simulated_parameters() -> None:
    x, a, b, _ = _simulate(4000, 25, seed=11)
    model = calibrate(x, model="2pl")
    assert model.converged
    assert np.corrcoef(model.b, b)[0, 1] > 0.99
    assert np.corrcoef(model.a, a)[0, 1] > 0.9
    # Standard errors are honest: most estimates lie within 3 SE of the truth.
    assert np.mean(np.abs(model.b - b) < 3 * model.se_b) > 0.9
    assert np.mean(np.abs(model.a - a) < 3 * model.se_a) > 0.9


def test_missing_responses_are_left_out_not_scored_wrong() -> None:
    x, _, b, _ = _simulate(4000, 20, seed=5)
    data = x.astype(np.float64)
    rng = np.random.default_rng(2)
    data[rng.random(data.shape) < 0.3] = np.nan
    model = calibrate(data, model="2pl")
    assert np.corrcoef(model.b, b)[0, 1] > 0.98
    # Scoring the gaps as wrong would make every item look harder; leaving them out does not.
    assert abs(float(np.mean(model.b - b))) < 0.1


def test_observed_information_equals_the_numerical_hessian() -> None:
    x, _, _, _ = _simulate(300, 6, seed=3)
    data_matrix = x.astype(np.float64)
    data_matrix[np.random.default_rng(1).random(data_matrix.shape) < 0.2] = np.nan
    observed = np.isfinite(data_matrix)
    quad = rectangular(31)
    data = ResponseData(
        x=np.where(observed, data_matrix, 0.0),
        observed=observed.astype(np.float64),
        weights=np.ones(data_matrix.shape[0]),
    )
    slope = np.linspace(0.7, 1.6, 6)
    intercept = np.linspace(-1.0, 1.0, 6)
    e = e_step(data, slope, intercept, quad)
    grad, hessian = gradient_and_hessian(data, e, slope, intercept, quad)

    def loglik(params: FloatArray) -> float:
        return e_step(data, params[:6], params[6:], quad).log_likelihood

    base = np.concatenate([slope, intercept])
    step = 1e-4
    numeric_grad = np.array(
        [
            (loglik(base + step * unit) - loglik(base - step * unit)) / (2 * step)
            for unit in np.eye(12)
        ]
    )
    assert np.allclose(grad, numeric_grad, atol=1e-5)
    numeric_hessian = np.zeros((12, 12))
    for i, unit in enumerate(np.eye(12)):
        plus = gradient_and_hessian(
            data,
            e_step(data, (base + step * unit)[:6], (base + step * unit)[6:], quad),
            (base + step * unit)[:6],
            (base + step * unit)[6:],
            quad,
        )[0]
        minus = gradient_and_hessian(
            data,
            e_step(data, (base - step * unit)[:6], (base - step * unit)[6:], quad),
            (base - step * unit)[:6],
            (base - step * unit)[6:],
            quad,
        )[0]
        numeric_hessian[:, i] = (plus - minus) / (2 * step)
    assert np.allclose(hessian, numeric_hessian, atol=1e-4)


def test_items_without_variance_are_left_out_with_a_reason() -> None:
    x, _, _, _ = _simulate(500, 6, seed=8)
    x[:, 2] = 1
    model = calibrate(x, model="2pl", item_ids=[f"Q{j}" for j in range(6)])
    assert model.excluded_items == {"Q2": "every candidate answered correctly"}
    assert "Q2" not in model.item_ids
    assert model.n_items == 5


def test_calibration_refuses_unusable_input() -> None:
    with pytest.raises(PsychometricsInputError) as not_binary:
        calibrate(np.array([[0, 2], [1, 0]]))
    assert not_binary.value.code == "not_dichotomous"
    with pytest.raises(PsychometricsError) as constant:
        calibrate(np.ones((10, 3)))
    assert constant.value.code == "nothing_to_calibrate"


def test_information_is_the_sum_of_item_informations() -> None:
    x, _, _, _ = _simulate(1500, 8, seed=4)
    model = calibrate(x, model="2pl")
    theta = np.linspace(-3, 3, 13)
    p = model.probability(theta)
    # Fisher information of a logistic item: P'(theta)^2 / (P (1 - P)) with P' = a P (1 - P)
    derivative = model.a * p * (1 - p)
    expected = (derivative**2 / (p * (1 - p))).sum(axis=1)
    assert np.allclose(model.test_information(theta), expected)
    assert np.allclose(model.standard_error(theta), 1 / np.sqrt(expected))


def test_eap_is_the_posterior_mean_by_direct_integration(
    lsat6: tuple[FloatArray, FloatArray],
) -> None:
    patterns, weights = lsat6
    model = calibrate(patterns, weights=weights, model="2pl")
    pattern = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    estimates = estimate_abilities(model, pattern[None, :])

    def likelihood(theta: float) -> float:
        p = special.expit(model.a * (theta - model.b))
        return float(np.prod(np.where(pattern == 1, p, 1 - p)) * math.exp(-theta * theta / 2))

    mass = integrate.quad(likelihood, -8, 8)[0]
    mean = integrate.quad(lambda t: t * likelihood(t), -8, 8)[0] / mass
    second = integrate.quad(lambda t: t * t * likelihood(t), -8, 8)[0] / mass
    assert estimates.eap[0] == pytest.approx(mean, abs=2e-3)
    assert estimates.eap_sd[0] == pytest.approx(math.sqrt(second - mean**2), abs=2e-3)


def test_mle_and_wle_solve_their_estimating_equations(
    lsat6: tuple[FloatArray, FloatArray],
) -> None:
    patterns, weights = lsat6
    model = calibrate(patterns, weights=weights, model="2pl")
    estimates = estimate_abilities(model, patterns)
    for row, pattern in enumerate(patterns):
        if 0 < pattern.sum() < 5:
            p = special.expit(model.a * (estimates.mle[row] - model.b))
            assert abs(float(np.sum(model.a * (pattern - p)))) < 1e-8
        theta = estimates.wle[row]
        p = special.expit(model.a * (theta - model.b))
        info = np.sum(model.a**2 * p * (1 - p))
        j_term = np.sum(model.a**3 * p * (1 - p) * (1 - 2 * p))
        assert abs(float(np.sum(model.a * (pattern - p)) + j_term / (2 * info))) < 1e-8
    # All-correct and all-wrong patterns have no MLE but a finite WLE.
    extremes = (patterns.sum(axis=1) == 0) | (patterns.sum(axis=1) == 5)
    assert np.all(np.isnan(estimates.mle[extremes]))
    assert np.all(np.isfinite(estimates.wle[extremes]))
    assert set(estimates.extreme[extremes].tolist()) == {-1, 1}


def test_rasch_person_estimates_are_on_the_logit_scale() -> None:
    rng = np.random.default_rng(9)
    theta = rng.normal(0, 1.5, 3000)
    b = np.linspace(-2, 2, 15)
    x = (rng.random((3000, 15)) < special.expit(theta[:, None] - b)).astype(np.int8)
    model = calibrate(x, model="rasch")
    assert model.theta_sd == pytest.approx(1.5, abs=0.1)
    assert np.allclose(model.b, b, atol=0.15)
    estimates = estimate_abilities(model, x)
    assert np.corrcoef(estimates.eap, theta)[0, 1] > 0.85


def test_wle_stays_finite_and_quiet_for_very_steep_items() -> None:
    """Regression: with slopes this steep the information at the bracket ends (theta = ±30) is
    so small that its square underflowed to zero, making the WLE slope 0/0 (a NaN and a
    RuntimeWarning, an error under this suite); and 1 - P rounded to zero at +30, so an
    all-correct pattern was never bracketed and got no WLE. A 2PL fitted to a handful of
    candidates gives such slopes.

    Reference values: three items with a = 15, b = 0; for an all-wrong pattern Warm's equation
    is -3aP + a(1 - 2P)/2 = 0, so P = 1/8 and theta = logit(1/8) / 15; all-correct mirrors it.
    """
    rng = np.random.default_rng(3)
    base = calibrate((rng.random((400, 3)) < 0.6).astype(np.int8), model="2pl")
    steep = dataclasses.replace(base, a=np.full(3, 15.0), b=np.zeros(3))
    patterns = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1], [0, 1, 0]], dtype=np.float64)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimates = estimate_abilities(steep, patterns)

    assert np.all(np.isfinite(estimates.wle))
    expected = float(special.logit(1 / 8)) / 15.0
    assert estimates.wle[1] == pytest.approx(expected, abs=1e-8)
    assert estimates.wle[2] == pytest.approx(-expected, abs=1e-8)
    assert estimates.wle[0] == pytest.approx(-estimates.wle[3], abs=1e-8)
