"""How dependable pass/fail decisions are at a cut score.

Two established single-administration methods:

* **Livingston & Lewis (1995)** — the observed scores are rescaled to an *effective test
  length* ``n = ((mu - min)(max - mu) - r s^2) / (s^2 (1 - r))``; true proportion-correct
  scores get a four-parameter beta distribution fitted by Lord's (1965) method of moments
  (falling back to a two-parameter beta on [0, 1] when the four-parameter fit is out of range,
  as BB-CLASS does; Hanson 1991); errors are binomial on the effective length. From that model:
  **accuracy** (observed and true classification agree), **consistency** (two parallel forms
  agree), Cohen's **kappa**, and false pass / false fail rates.
* **Subkoviak (1976)** — each candidate's true proportion is estimated by Kelley's regression
  ``r * x / k + (1 - r) * mu / k``, the probability of passing a parallel form is binomial, and
  consistency is the mean of ``P^2 + (1 - P)^2``. Kappa as above.

Also the **SEM band** at the cut (cut ± z SEM, and the conditional SEM at the cut) with the
number of candidates inside it: the candidates whose classification is least certain.

A candidate passes when the raw score is at least the cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import stats

from peritus.psychometrics.arrays import FloatArray
from peritus.psychometrics.errors import PsychometricsError, PsychometricsInputError
from peritus.psychometrics.reliability import binomial_csem

TRUE_SCORE_POINTS = 2000


@dataclass(frozen=True)
class BetaTrueScores:
    """Four-parameter beta: shapes ``alpha``, ``beta`` on ``[lower, upper]`` (proportion scale)."""

    alpha: float
    beta: float
    lower: float
    upper: float
    parameters: int


@dataclass(frozen=True)
class DecisionConsistency:
    cut: float
    method: str
    reliability: float
    observed_pass_rate: float
    consistency: float
    kappa: float
    chance_consistency: float
    accuracy: float | None
    false_pass: float | None
    false_fail: float | None
    effective_test_length: int | None
    true_scores: BetaTrueScores | None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SemBand:
    cut: float
    sem: float
    csem: float
    z: float
    lower: float
    upper: float
    n_within: int
    proportion_within: float


def _moments(scores: FloatArray) -> tuple[float, float]:
    return float(scores.mean()), float(scores.var())


def fit_four_parameter_beta(moments: tuple[float, float, float, float]) -> BetaTrueScores | None:
    """Method-of-moments four-parameter beta from mean, variance, skewness, excess kurtosis.

    ``nu = alpha + beta = 3 (g2 - g1^2 + 2) / (1.5 g1^2 - g2)`` and
    ``alpha, beta = nu / 2 (1 -+ 1 / sqrt(1 + 16 (nu + 1) / ((nu + 2)^2 g1^2)))`` (the smaller
    shape first when the skew is positive); range ``sd sqrt((2 + nu)^2 g1^2 + 16 (1 + nu)) / 2``
    (Johnson, Kotz & Balakrishnan 1995, ch. 25; Hanson 1991). None if no valid beta matches.
    """
    mean, variance, skew, kurt = moments
    if not variance > 0:
        return None
    denominator = 1.5 * skew * skew - kurt
    if denominator <= 0:
        return None
    nu = 3.0 * (kurt - skew * skew + 2.0) / denominator
    if not nu > 0:
        return None
    if abs(skew) < 1e-12:
        a = b = nu / 2.0
    else:
        root = 1.0 / math.sqrt(1.0 + 16.0 * (nu + 1.0) / ((nu + 2.0) ** 2 * skew * skew))
        small, large = nu / 2.0 * (1.0 - root), nu / 2.0 * (1.0 + root)
        a, b = (small, large) if skew > 0 else (large, small)
    width = math.sqrt(variance) * math.sqrt((2.0 + nu) ** 2 * skew * skew + 16.0 * (1.0 + nu)) / 2.0
    lower = mean - a / nu * width
    return BetaTrueScores(alpha=a, beta=b, lower=lower, upper=lower + width, parameters=4)


def _true_score_moments(x: FloatArray, n: int) -> tuple[float, float, float, float] | None:
    """Moments of the true proportion under binomial error (Lord 1965): factorial moments of
    the observed score divided by those of the test length."""
    raw: list[float] = []
    for r in range(1, 5):
        falling_x = np.ones_like(x)
        falling_n = 1.0
        for i in range(r):
            falling_x = falling_x * (x - i)
            falling_n *= n - i
        if falling_n <= 0:
            return None
        raw.append(float(falling_x.mean()) / falling_n)
    m1, m2, m3, m4 = raw
    variance = m2 - m1 * m1
    if not variance > 0:
        return None
    third = m3 - 3 * m1 * m2 + 2 * m1**3
    fourth = m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1**4
    return m1, variance, third / variance**1.5, fourth / variance**2 - 3.0


def _kappa(consistency: float, pass_rate: float) -> tuple[float, float]:
    chance = pass_rate**2 + (1.0 - pass_rate) ** 2
    kappa = (consistency - chance) / (1.0 - chance) if chance < 1.0 else math.nan
    return kappa, chance


def livingston_lewis(
    scores: npt.ArrayLike,
    *,
    cut: float,
    reliability: float,
    max_score: float,
    min_score: float = 0.0,
) -> DecisionConsistency:
    """Decision accuracy and consistency by the Livingston-Lewis (1995) procedure."""
    x = np.asarray(scores, dtype=np.float64).ravel()
    _check(x, cut, min_score, max_score)
    if not (0.0 < reliability < 1.0):
        raise PsychometricsError(
            "reliability_out_of_range",
            "Livingston-Lewis needs a reliability strictly between 0 and 1",
        )
    mean, variance = _moments(x)
    if not variance > 0:
        raise PsychometricsError("constant_scores", "every candidate has the same score")
    span = max_score - min_score
    n_eff_raw = ((mean - min_score) * (max_score - mean) - reliability * variance) / (
        variance * (1.0 - reliability)
    )
    n_eff = round(n_eff_raw)
    notes: list[str] = []
    if n_eff < 2:
        raise PsychometricsError(
            "effective_length", "the effective test length is below 2: the model does not fit"
        )
    proportion = (x - min_score) / span
    rescaled = proportion * n_eff
    true_moments = _true_score_moments(rescaled, n_eff)
    fitted = fit_four_parameter_beta(true_moments) if true_moments is not None else None
    if (
        fitted is None
        or fitted.lower < 0.0
        or fitted.upper > 1.0
        or fitted.alpha <= 0
        or fitted.beta <= 0
    ):
        if true_moments is None:
            raise PsychometricsError(
                "true_score_fit", "the true-score distribution cannot be estimated"
            )
        m, v = true_moments[0], true_moments[1]
        common = m * (1.0 - m) / v - 1.0
        if not (0 < m < 1) or common <= 0:
            raise PsychometricsError(
                "true_score_fit", "no beta distribution matches the true-score moments"
            )
        fitted = BetaTrueScores(
            alpha=m * common, beta=(1.0 - m) * common, lower=0.0, upper=1.0, parameters=2
        )
        notes.append("four-parameter beta out of range; two-parameter beta on [0, 1] used")
    edges = np.linspace(fitted.lower, fitted.upper, TRUE_SCORE_POINTS + 1)
    cdf = stats.beta.cdf(
        (edges - fitted.lower) / (fitted.upper - fitted.lower), fitted.alpha, fitted.beta
    )
    mass = np.diff(cdf)
    mass = mass / mass.sum()
    tau = 0.5 * (edges[1:] + edges[:-1])
    tau_cut = (cut - min_score) / span
    # An observed score on the effective scale passes when it reaches the rescaled cut.
    threshold = math.ceil(n_eff * tau_cut - 1e-9)
    pass_prob = stats.binom.sf(threshold - 1, n_eff, np.clip(tau, 0.0, 1.0))
    truly_pass = tau >= tau_cut
    accuracy = float(np.sum(mass * np.where(truly_pass, pass_prob, 1.0 - pass_prob)))
    consistency = float(np.sum(mass * (pass_prob**2 + (1.0 - pass_prob) ** 2)))
    expected_pass = float(np.sum(mass * pass_prob))
    kappa, chance = _kappa(consistency, expected_pass)
    return DecisionConsistency(
        cut=float(cut),
        method="livingston-lewis",
        reliability=float(reliability),
        observed_pass_rate=float(np.mean(x >= cut)),
        consistency=consistency,
        kappa=kappa,
        chance_consistency=chance,
        accuracy=accuracy,
        false_pass=float(np.sum(mass * np.where(truly_pass, 0.0, pass_prob))),
        false_fail=float(np.sum(mass * np.where(truly_pass, 1.0 - pass_prob, 0.0))),
        effective_test_length=int(n_eff),
        true_scores=fitted,
        notes=tuple(notes),
    )


def subkoviak(
    scores: npt.ArrayLike, *, cut: float, reliability: float, n_items: int
) -> DecisionConsistency:
    """Decision consistency by Subkoviak's (1976) single-administration method.

    Scores are number-correct on ``n_items`` 0/1 items. A reliability outside [0, 1] is
    clipped into it, which is what the Kelley regression allows.
    """
    x = np.asarray(scores, dtype=np.float64).ravel()
    _check(x, cut, 0.0, float(n_items))
    r = min(max(reliability, 0.0), 1.0) if math.isfinite(reliability) else 0.0
    mean = float(x.mean())
    tau = np.clip(r * x / n_items + (1.0 - r) * mean / n_items, 0.0, 1.0)
    threshold = math.ceil(cut - 1e-9)
    pass_prob = stats.binom.sf(threshold - 1, n_items, tau)
    consistency = float(np.mean(pass_prob**2 + (1.0 - pass_prob) ** 2))
    expected_pass = float(np.mean(pass_prob))
    kappa, chance = _kappa(consistency, expected_pass)
    notes = (
        ()
        if math.isfinite(reliability) and 0 <= reliability <= 1
        else ("reliability outside [0, 1] clipped for the Kelley regression",)
    )
    return DecisionConsistency(
        cut=float(cut),
        method="subkoviak",
        reliability=float(reliability),
        observed_pass_rate=float(np.mean(x >= cut)),
        consistency=consistency,
        kappa=kappa,
        chance_consistency=chance,
        accuracy=None,
        false_pass=None,
        false_fail=None,
        effective_test_length=None,
        true_scores=None,
        notes=notes,
    )


def sem_band(
    scores: npt.ArrayLike,
    *,
    cut: float,
    sem: float,
    n_items: int | None = None,
    z: float = 1.0,
) -> SemBand:
    """The band ``cut ± z * SEM`` and how many candidates score inside it (half-open below).

    ``csem`` is Lord's (1957) binomial conditional SEM at the cut when ``n_items`` (0/1 items)
    is given, NaN otherwise.
    """
    x = np.asarray(scores, dtype=np.float64).ravel()
    if x.size == 0:
        raise PsychometricsInputError("no_candidates", "there are no scores")
    lower = cut - z * sem
    upper = cut + z * sem
    inside = (x >= lower) & (x < upper) if math.isfinite(sem) else np.zeros(x.size, dtype=bool)
    csem = float(binomial_csem(cut, n_items)) if n_items else math.nan
    return SemBand(
        cut=float(cut),
        sem=float(sem),
        csem=csem,
        z=float(z),
        lower=float(lower),
        upper=float(upper),
        n_within=int(inside.sum()),
        proportion_within=float(inside.mean()),
    )


def _check(x: FloatArray, cut: float, low: float, high: float) -> None:
    if x.size == 0:
        raise PsychometricsInputError("no_candidates", "there are no scores")
    if not math.isfinite(cut) or not low < cut <= high:
        raise PsychometricsInputError(
            "cut_out_of_range", f"the cut must lie above {low:g} and at most {high:g}"
        )
    if np.any(x < low) or np.any(x > high):
        raise PsychometricsInputError("score_out_of_range", "scores lie outside the score range")
